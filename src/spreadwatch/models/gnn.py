"""Torch graph neural networks in plain torch (no torch_geometric): BiGCN for cascades, BotRGCN for accounts.

- ``cascade_graphs`` turns the canonical ``cascades`` + ``engagements`` tables into one batched set of
  propagation trees (same convention as ``graphs.propagation_graph``: node 0 of each tree is the root,
  an engagement whose parent is missing or cut away hangs from the root). Trees are capped at the first
  ``max_nodes`` engagements by delay.
- ``BiGCNClassifier`` (Bian et al. AAAI 2020): a top-down and a bottom-up two-layer GCN over each tree
  with root-feature enhancement, mean-pooled, concatenated, linear head.
- ``account_graph`` + ``BotRGCNClassifier`` (Feng et al. ASONAM 2021): feature encoders and a relational
  graph convolution over follow and retweet edges; transductive node classification.

Node inputs are relative only: delay since the root, delay since the parent, depth, out-degree, arrival
rank, engagement kind and fold-safe account history (how many *training* cascades of each class an
account took part in, leave-one-out for training cascades). Raw ids and absolute times are join keys
only, never inputs. Both estimators carve their early-stopping validation split out of the rows given to
``fit`` (never the test fold), are seeded, and save as safetensors weights + a JSON config (no pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split

GNN_MODELS = {"cascade": ("bigcn",), "bot": ("botrgcn",)}
MIN_STEPS = 8  # BiGCN: fewest optimiser steps per epoch (the batch shrinks for small training sets)
ENGAGEMENT_KINDS = ("retweet", "reply", "quote")
CASCADE_NODE_FEATURES = (
    "is_root",
    "kind_retweet",
    "kind_reply",
    "kind_quote",
    "delay_log_min",
    "gap_log_min",
    "depth_log",
    "out_degree_log",
    "arrival_rank_log",
    "tree_size_log",
)


def _torch():
    import torch

    return torch


# ---- cascade trees --------------------------------------------------------------------------------
@dataclass
class CascadeGraphs:
    """Propagation trees of many cascades, stored as flat arrays (nodes of one tree are contiguous).

    cascade_ids[g]: the cascade of tree g (sorted). start[g], start[g + 1]: its node range (node start[g]
    is the root). parent[i]: global index of node i's parent (-1 for roots). account[i]: index into
    ``accounts`` (-1 unknown; a join key for account history, never an input). features: float32
    (n_nodes, len(feature_names)), relative-time and structure features only.
    """

    cascade_ids: np.ndarray
    start: np.ndarray
    parent: np.ndarray
    account: np.ndarray
    accounts: np.ndarray
    features: np.ndarray
    feature_names: list[str] = field(default_factory=lambda: list(CASCADE_NODE_FEATURES))

    @property
    def node_graph(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.cascade_ids)), np.diff(self.start))

    def positions(self, cascade_ids) -> np.ndarray:
        """Tree indices of cascade ids (KeyError for unknown ids)."""
        return _positions(self.cascade_ids, cascade_ids, "cascades are not in the graph set")


def _positions(known_ids: np.ndarray, ids, unknown: str) -> np.ndarray:
    """int64 positions of ``ids`` (as str) in ``known_ids``; KeyError "{n} {unknown}, e.g. [...]" for ids not there."""
    lookup = pd.Series(np.arange(len(known_ids)), index=known_ids)
    ids = pd.Index(np.asarray(ids).astype(str))
    missing = ids.difference(lookup.index)
    if len(missing):
        raise KeyError(f"{len(missing)} {unknown}, e.g. {list(missing[:3])}")
    return lookup.reindex(ids).to_numpy().astype(np.int64)


def cascade_graphs(cascades: pd.DataFrame, engagements: pd.DataFrame, max_nodes: int = 200) -> CascadeGraphs:
    """Batched propagation trees. Columns in: cascades (cascade_id, root_account_id), engagements
    (engagement_id, cascade_id, parent_engagement_id, child_account_id, kind, delay_s). Each tree keeps
    its root plus the first ``max_nodes - 1`` engagements by delay (negative delays count as 0)."""
    ids = np.array(sorted(cascades["cascade_id"].astype(str).unique()), dtype=object)
    roots = cascades.assign(cascade_id=cascades["cascade_id"].astype(str)).set_index("cascade_id")["root_account_id"]
    eng = engagements[
        ["engagement_id", "cascade_id", "parent_engagement_id", "child_account_id", "kind", "delay_s"]
    ].copy()
    eng["cascade_id"] = eng["cascade_id"].astype(str)
    eng = eng[eng["cascade_id"].isin(set(ids))]
    eng["delay_s"] = eng["delay_s"].astype(float).fillna(0.0).clip(lower=0.0)
    full_size = eng.groupby("cascade_id").size().reindex(ids, fill_value=0).to_numpy()
    eng = eng.sort_values(["cascade_id", "delay_s", "engagement_id"], kind="stable")
    eng = eng.groupby("cascade_id", sort=True).head(max(max_nodes - 1, 0))
    kept = eng.groupby("cascade_id").size().reindex(ids, fill_value=0).to_numpy()
    sizes = kept + 1
    start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(start[-1])
    graph_of = pd.Series(np.arange(len(ids)), index=ids)
    g = graph_of.reindex(eng["cascade_id"]).to_numpy()
    rank = eng.groupby("cascade_id", sort=False).cumcount().to_numpy() + 1
    node = start[g] + rank
    node_of = pd.Series(node, index=eng["engagement_id"].astype(str).to_numpy())
    parent = np.full(n, -1, dtype=np.int64)
    parent_node = node_of.reindex(eng["parent_engagement_id"].astype("string").fillna("").to_numpy()).to_numpy()
    same_tree = ~np.isnan(parent_node)
    parent_node = np.where(same_tree, np.nan_to_num(parent_node, nan=-1), start[g]).astype(np.int64)
    # a parent in another tree (bad data) or itself: hang from the root
    bad = (parent_node < start[g]) | (parent_node >= start[g + 1]) | (parent_node == node)
    parent_node[bad] = start[g][bad]
    parent[node] = parent_node
    # depth by repeated parent lookups (trees are shallow); cycles are cut at 256 steps
    depth = np.zeros(n, dtype=np.int64)
    is_root = parent < 0
    for _ in range(256):
        new = np.where(is_root, 0, depth[np.maximum(parent, 0)] + 1)
        if np.array_equal(new, depth):
            break
        depth = new
    delay = np.zeros(n)
    delay[node] = eng["delay_s"].to_numpy()
    gap = np.where(is_root, 0.0, np.clip(delay - delay[np.maximum(parent, 0)], 0.0, None))
    out_degree = np.bincount(parent[~is_root], minlength=n)
    arrival = np.zeros(n)
    arrival[node] = rank
    kind = np.zeros((n, len(ENGAGEMENT_KINDS)))
    kinds = eng["kind"].astype(str).to_numpy()
    for k, name in enumerate(ENGAGEMENT_KINDS):
        kind[node, k] = kinds == name
    node_graph = np.repeat(np.arange(len(ids)), sizes)
    account_names = pd.Series(pd.NA, index=np.arange(n), dtype="string")
    account_names.iloc[start[:-1]] = roots.reindex(ids).astype("string").to_numpy()
    account_names.iloc[node] = eng["child_account_id"].astype("string").to_numpy()
    codes, uniques = pd.factorize(account_names, sort=True)
    features = np.column_stack(
        [
            is_root.astype(float),
            kind,
            np.log1p(delay / 60.0),
            np.log1p(gap / 60.0),
            np.log1p(depth),
            np.log1p(out_degree),
            np.log1p(arrival),
            np.log1p(full_size[node_graph]),
        ]
    ).astype(np.float32)
    return CascadeGraphs(ids, start, parent, codes.astype(np.int64), np.asarray(uniques, dtype=object), features)


def account_class_counts(
    graphs: CascadeGraphs, tree_index: np.ndarray, y_codes: np.ndarray, n_classes: int
) -> np.ndarray:
    """(n_accounts, n_classes) number of distinct given trees of each class every account took part in."""
    counts = np.zeros((len(graphs.accounts), n_classes))
    label_of_tree = np.full(len(graphs.cascade_ids), -1)
    label_of_tree[tree_index] = y_codes
    node_label = label_of_tree[graphs.node_graph]
    keep = (node_label >= 0) & (graphs.account >= 0)
    pairs = np.unique(np.column_stack([graphs.node_graph[keep], graphs.account[keep]]), axis=0)
    np.add.at(counts, (pairs[:, 1], label_of_tree[pairs[:, 0]]), 1.0)
    return counts


def account_history_features(
    graphs: CascadeGraphs,
    counts: np.ndarray,
    prior: np.ndarray,
    own_label: np.ndarray | None = None,
    smoothing: float = 1.0,
) -> np.ndarray:
    """Per node: log1p(training cascades of its account), the smoothed class shares of those cascades and
    log1p(count) per class (columns: 1 + 2 * n_classes).

    ``own_label[g]`` >= 0 marks a training tree g whose own label is removed from its accounts' counts
    (leave-one-out), so training trees see what a test tree sees: the labels of the *other* training trees.
    """
    known = graphs.account >= 0
    node_counts = np.zeros((len(graphs.account), counts.shape[1]))
    node_counts[known] = counts[graphs.account[known]]
    if own_label is not None:
        label = own_label[graphs.node_graph]
        loo = known & (label >= 0)
        node_counts[np.flatnonzero(loo), label[loo]] -= 1.0
        node_counts = np.clip(node_counts, 0.0, None)
    total = node_counts.sum(axis=1, keepdims=True)
    shares = (node_counts + smoothing * prior[None, :]) / (total + smoothing)
    return np.column_stack([np.log1p(total), shares, np.log1p(node_counts)]).astype(np.float32)


# ---- message passing ------------------------------------------------------------------------------
def _gcn_weights(torch, src, dst, n):
    """Symmetric GCN normalisation with self loops, degrees counted at the receiving node (as in PyG)."""
    degree = torch.bincount(dst, minlength=n).float() + 1.0
    inv_sqrt = degree.pow(-0.5)
    return inv_sqrt[src] * inv_sqrt[dst], 1.0 / degree


def _propagate(h, src, dst, edge_weight, self_weight):
    out = h * self_weight[:, None]
    return out.index_add(0, dst, h[src] * edge_weight[:, None])


def _mean_pool(torch, h, node_graph, n_graphs):
    total = torch.zeros(n_graphs, h.shape[1]).index_add(0, node_graph, h)
    count = torch.bincount(node_graph, minlength=n_graphs).clamp(min=1).float()
    return total / count[:, None]


def _bigcn_net(n_in: int, hidden: int, n_out: int, dropout: float):
    torch = _torch()
    nn = torch.nn
    F = torch.nn.functional

    class Branch(nn.Module):
        """Two GCN layers over one edge direction, with root-feature enhancement after each layer."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Linear(n_in, hidden)
            self.conv2 = nn.Linear(hidden + n_in, hidden)

        def forward(self, x, src, dst, root, node_graph, n_graphs):
            w_edge, w_self = _gcn_weights(torch, src, dst, x.shape[0])
            h1 = _propagate(self.conv1(x), src, dst, w_edge, w_self)
            h = torch.cat([h1, x[root]], dim=1)
            h = F.dropout(F.relu(h), dropout, self.training)
            h = F.relu(_propagate(self.conv2(h), src, dst, w_edge, w_self))
            h = torch.cat([h, h1[root]], dim=1)
            return _mean_pool(torch, h, node_graph, n_graphs)

    class BiGCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.top_down = Branch()
            self.bottom_up = Branch()
            self.head = nn.Linear(4 * hidden, n_out)

        def forward(self, x, parent, child, root, node_graph, n_graphs):
            td = self.top_down(x, parent, child, root, node_graph, n_graphs)
            bu = self.bottom_up(x, child, parent, root, node_graph, n_graphs)
            return self.head(torch.cat([td, bu], dim=1))

    return BiGCN()


def _carve_validation(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fit positions, validation positions) within the training rows; stratified when every class allows."""
    index = np.arange(len(y))
    n_val = int(round(fraction * len(y)))
    if n_val < 1 or len(y) - n_val < 2:
        return index, index[:0]
    _, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 and n_val >= len(counts) else None
    fit, val = train_test_split(index, test_size=n_val, stratify=stratify, random_state=seed)
    return np.sort(fit), np.sort(val)


class _TorchClassifier(ClassifierMixin, BaseEstimator):
    """Shared early-stopping loop and persistence of the two graph models."""

    def _seeded_torch(self):
        """torch set to this model's ``n_threads``, its global seed set to ``random_state`` (start of ``fit``)."""
        torch = _torch()
        torch.set_num_threads(self.n_threads)
        torch.manual_seed(self.random_state)
        return torch

    def _fit_labels(self, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Set ``classes_`` from ``y``; return (y's class codes, fit positions, validation positions) of its rows."""
        y = np.asarray(y).astype(str)
        self.classes_ = np.unique(y)
        y_codes = np.searchsorted(self.classes_, y)
        fit_pos, val_pos = _carve_validation(y, self.val_fraction, self.random_state)
        return y_codes, fit_pos, val_pos

    def _train(self, step, evaluate):
        """``step()`` runs one epoch; ``evaluate()`` returns the validation loss (None: no validation).
        Keeps the weights of the epoch with the lowest validation loss; stops after ``patience`` epochs
        without improvement."""
        best, best_state, wait = np.inf, None, 0
        self.history_ = []
        for epoch in range(self.max_epochs):
            train_loss = step()
            val_loss = evaluate()
            self.history_.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss})
            if val_loss is None:
                continue
            if val_loss < best - 1e-4:
                best, wait = val_loss, 0
                best_state = {k: v.detach().clone() for k, v in self.net_.state_dict().items()}
            else:
                wait += 1
                if wait >= self.patience:
                    break
        if best_state is not None:
            self.net_.load_state_dict(best_state)
            self.best_epoch_ = int(np.argmin([h["val_loss"] for h in self.history_]))
        else:
            self.best_epoch_ = len(self.history_) - 1
        self.net_.eval()

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # persistence: safetensors tensors + JSON config (no pickle)
    def _save(self, path, tensors: dict, config: dict) -> None:
        from safetensors.torch import save_file

        torch = _torch()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {f"net.{k}": v.contiguous() for k, v in self.net_.state_dict().items()}
        state.update({k: torch.as_tensor(np.ascontiguousarray(v)) for k, v in tensors.items()})
        save_file(state, str(path))
        config = {
            "model": self.model_name,
            "params": self.get_params(),
            "classes": [str(c) for c in self.classes_],
            **config,
        }
        Path(str(path) + ".json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


class BiGCNClassifier(_TorchClassifier):
    """BiGCN-style cascade classifier over ``CascadeGraphs`` (sklearn API; X is indexed by cascade_id).

    ``fit(X, y, graphs=cascade_graphs(...))`` trains on the trees of X's index: a stratified ``val_fraction``
    of those rows is held
    out for early stopping on validation loss; account history is counted on the remaining fit rows only
    (leave-one-out on each fit tree). ``predict_proba(X)`` returns one column per ``classes_``.
    """

    model_name = "bigcn"

    def __init__(
        self,
        hidden: int = 32,
        dropout: float = 0.2,
        lr: float = 5e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        max_epochs: int = 60,
        patience: int = 8,
        val_fraction: float = 0.15,
        account_history: bool = True,
        random_state: int = 0,
        n_threads: int = 1,
    ):
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.val_fraction = val_fraction
        self.account_history = account_history
        self.random_state = random_state
        self.n_threads = n_threads

    # inputs ----------------------------------------------------------------------------------------
    def _node_matrix(self, own_label: np.ndarray | None = None) -> np.ndarray:
        graphs = self.graphs_
        parts = [graphs.features]
        if self.account_history:
            counts = (
                self.account_counts_.reindex(graphs.accounts).fillna(0.0).to_numpy()
                if len(graphs.accounts)
                else np.zeros((0, len(self.classes_)))
            )
            parts.append(account_history_features(graphs, counts, self.prior_, own_label))
        matrix = np.concatenate(parts, axis=1)
        return ((matrix - self.mean_) / self.scale_).astype(np.float32)

    def _batch(self, matrix: np.ndarray, trees: np.ndarray):
        """Tensors of a batch of trees: x, parent->child edges, root of every node, tree of every node."""
        torch = _torch()
        graphs = self.graphs_
        starts, ends = graphs.start[trees], graphs.start[trees + 1]
        sizes = ends - starts
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        local_tree = np.repeat(np.arange(len(trees)), sizes)
        nodes = np.repeat(starts - offsets, sizes) + np.arange(sizes.sum())
        shift = (starts - offsets)[local_tree]
        parent = graphs.parent[nodes]
        has_parent = parent >= 0
        child = np.flatnonzero(has_parent)
        par = parent[has_parent] - shift[has_parent]
        root = offsets[local_tree]
        return (
            torch.from_numpy(matrix[nodes]),
            torch.from_numpy(par.astype(np.int64)),
            torch.from_numpy(child.astype(np.int64)),
            torch.from_numpy(root.astype(np.int64)),
            torch.from_numpy(local_tree.astype(np.int64)),
            len(trees),
        )

    # sklearn API -----------------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y, graphs: CascadeGraphs | None = None):
        if graphs is None:
            raise ValueError("BiGCNClassifier.fit needs graphs (gnn.cascade_graphs)")
        self.graphs_ = graphs
        torch = self._seeded_torch()
        rng = np.random.default_rng(self.random_state)
        trees = self.graphs_.positions(X.index)
        y_codes, fit_pos, val_pos = self._fit_labels(y)
        self.fit_ids_ = np.asarray(self.graphs_.cascade_ids[trees[fit_pos]])
        self.val_ids_ = np.asarray(self.graphs_.cascade_ids[trees[val_pos]])
        fit_trees, val_trees = trees[fit_pos], trees[val_pos]
        self.prior_ = np.bincount(y_codes[fit_pos], minlength=len(self.classes_)) / len(fit_pos)
        counts = account_class_counts(self.graphs_, fit_trees, y_codes[fit_pos], len(self.classes_))
        used = counts.sum(axis=1) > 0
        self.account_counts_ = pd.DataFrame(counts[used], index=pd.Index(self.graphs_.accounts[used], dtype=object))
        own = np.full(len(self.graphs_.cascade_ids), -1)
        own[fit_trees] = y_codes[fit_pos]
        n_features = self.graphs_.features.shape[1] + (1 + 2 * len(self.classes_) if self.account_history else 0)
        self.mean_, self.scale_ = np.zeros(n_features, np.float32), np.ones(n_features, np.float32)
        raw = self._node_matrix(own)
        fit_nodes = np.isin(self.graphs_.node_graph, fit_trees)
        self.mean_ = raw[fit_nodes].mean(axis=0)
        self.scale_ = np.where(raw[fit_nodes].std(axis=0) > 1e-6, raw[fit_nodes].std(axis=0), 1.0).astype(np.float32)
        matrix = (raw - self.mean_) / self.scale_
        self.feature_names_ = list(self.graphs_.feature_names) + (
            ["history_log_n"]
            + [f"history_share_{c}" for c in self.classes_]
            + [f"history_log_n_{c}" for c in self.classes_]
            if self.account_history
            else []
        )
        self.net_ = _bigcn_net(n_features, self.hidden, len(self.classes_), self.dropout)
        optimizer = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        target = torch.from_numpy(y_codes.astype(np.int64))
        code_of_tree = dict(zip(trees.tolist(), range(len(trees))))
        # small training sets (UPFD's 20 %) still get MIN_STEPS optimiser steps per epoch
        batch_size = max(1, min(self.batch_size, int(np.ceil(len(fit_trees) / MIN_STEPS))))
        val_batch = self._batch(matrix, val_trees) if len(val_trees) else None
        val_target = target[val_pos] if len(val_trees) else None

        def step():
            self.net_.train()
            order = rng.permutation(len(fit_trees))
            total = 0.0
            for begin in range(0, len(order), batch_size):
                chosen = fit_trees[order[begin : begin + batch_size]]
                labels = target[[code_of_tree[t] for t in chosen.tolist()]]
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(self.net_(*self._batch(matrix, chosen)), labels)
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(chosen)
            return total / len(fit_trees)

        def evaluate():
            if val_batch is None:
                return None
            self.net_.eval()
            with torch.no_grad():
                return float(torch.nn.functional.cross_entropy(self.net_(*val_batch), val_target))

        self._train(step, evaluate)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        torch = _torch()
        torch.set_num_threads(self.n_threads)
        trees = self.graphs_.positions(X.index)
        matrix = self._node_matrix()
        out = []
        self.net_.eval()
        with torch.no_grad():
            for begin in range(0, len(trees), 256):
                logits = self.net_(*self._batch(matrix, trees[begin : begin + 256]))
                out.append(torch.softmax(logits, dim=1).numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.classes_)))

    def save(self, path) -> None:
        """Weights, scaling and account-history counts -> safetensors; hyper-parameters, classes, feature
        names and the history's account ids -> ``{path}.json``."""
        self._save(
            path,
            {
                "mean": self.mean_,
                "scale": self.scale_,
                "prior": self.prior_,
                "account_counts": self.account_counts_.to_numpy(dtype=np.float64),
            },
            {"feature_names": self.feature_names_, "history_accounts": [str(a) for a in self.account_counts_.index]},
        )


# ---- accounts ---------------------------------------------------------------------------------------
@dataclass
class AccountGraph:
    """Accounts with numeric features and typed edges. account_ids sorted; features float32 with NaN for
    missing; relations[name] = (source, target) int64 index arrays; text: optional (n, d) embeddings."""

    account_ids: np.ndarray
    features: np.ndarray
    feature_names: list[str]
    relations: dict[str, tuple[np.ndarray, np.ndarray]]
    text: np.ndarray | None = None

    def positions(self, account_ids) -> np.ndarray:
        return _positions(self.account_ids, account_ids, "accounts are not in the graph")


def account_graph(
    feature_table: pd.DataFrame,
    follows: pd.DataFrame | None = None,
    engagements: pd.DataFrame | None = None,
    cascades: pd.DataFrame | None = None,
    text: pd.DataFrame | None = None,
) -> AccountGraph:
    """Account graph for BotRGCN. Columns in: ``feature_table`` (index account_id, numeric features, as
    ``features.account_features``), follows (follower_id, followee_id), engagements + cascades (retweet
    edges via ``graphs.account_edges``), ``text`` (optional, index account_id, embedding columns).
    Relations out: follow (follower -> followee) and retweet (engaged-with -> engager); edges whose ends
    are not in the feature table are dropped."""
    from spreadwatch import graphs as graph_module
    from spreadwatch.features import assert_no_leaky_features

    assert_no_leaky_features(feature_table)
    table = feature_table.copy()
    table.index = table.index.astype(str)
    table = table.sort_index()
    ids = table.index.to_numpy(dtype=object)
    lookup = pd.Series(np.arange(len(ids)), index=ids)
    relations = {}

    def edges(source, target):
        s = lookup.reindex(source.astype(str).to_numpy()).to_numpy()
        t = lookup.reindex(target.astype(str).to_numpy()).to_numpy()
        keep = ~np.isnan(s) & ~np.isnan(t) & (s != t)
        pairs = np.unique(np.column_stack([s[keep], t[keep]]).astype(np.int64), axis=0)
        return pairs[:, 0].copy(), pairs[:, 1].copy()

    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    relations["follow"] = (
        edges(follows["follower_id"], follows["followee_id"]) if follows is not None and len(follows) else empty
    )
    if engagements is not None and cascades is not None and len(engagements):
        rt = graph_module.account_edges(engagements, cascades)
        relations["retweet"] = edges(rt["source"], rt["target"]) if len(rt) else empty
    else:
        relations["retweet"] = empty
    embeddings = None
    if text is not None:
        embeddings = text.set_axis(text.index.astype(str)).reindex(ids).fillna(0.0).to_numpy(dtype=np.float32)
    return AccountGraph(ids, table.to_numpy(dtype=np.float32), list(table.columns), relations, embeddings)


def _botrgcn_net(n_in: int, n_text: int, hidden: int, n_relations: int, n_out: int, dropout: float):
    torch = _torch()
    nn = torch.nn
    F = torch.nn.functional

    class RGCNLayer(nn.Module):
        """h_i' = W_0 h_i + sum_r mean_{j -> i in r} W_r h_j."""

        def __init__(self):
            super().__init__()
            self.self_loop = nn.Linear(hidden, hidden)
            self.relation = nn.ModuleList(nn.Linear(hidden, hidden, bias=False) for _ in range(n_relations))

        def forward(self, h, relations):
            out = self.self_loop(h)
            for linear, (src, dst, weight) in zip(self.relation, relations):
                if len(src):
                    out = out.index_add(0, dst, linear(h)[src] * weight[:, None])
            return out

    class BotRGCN(nn.Module):
        def __init__(self):
            super().__init__()
            width = hidden // 2 if n_text else hidden
            self.numeric = nn.Linear(n_in, width)
            self.text = nn.Linear(n_text, hidden - width) if n_text else None
            self.mix = nn.Linear(hidden, hidden)
            self.rgcn1 = RGCNLayer()
            self.rgcn2 = RGCNLayer()
            self.out1 = nn.Linear(hidden, hidden)
            self.out2 = nn.Linear(hidden, n_out)

        def forward(self, x, text, relations):
            h = F.leaky_relu(self.numeric(x))
            if self.text is not None:
                h = torch.cat([h, F.leaky_relu(self.text(text))], dim=1)
            h = F.leaky_relu(self.mix(h))
            h = F.dropout(h, dropout, self.training)
            h = F.leaky_relu(self.rgcn1(h, relations))
            h = F.dropout(h, dropout, self.training)
            h = self.rgcn2(h, relations)
            return self.out2(F.leaky_relu(self.out1(h)))

    return BotRGCN()


class BotRGCNClassifier(_TorchClassifier):
    """BotRGCN-style account classifier over an ``AccountGraph`` (transductive; X is indexed by account_id).

    ``fit(X, y, graph=account_graph(...))``: only the labels of X's rows enter the loss (minus a stratified
    ``val_fraction`` held out
    for early stopping); every account's features and edges are used for message passing. Missing
    feature values are imputed with the fit rows' medians, then standardised with the fit rows' scale.
    Relations: follow and retweet, each in both directions (four weight matrices, mean aggregation).
    """

    model_name = "botrgcn"

    def __init__(
        self,
        hidden: int = 32,
        dropout: float = 0.3,
        lr: float = 1e-2,
        weight_decay: float = 5e-4,
        max_epochs: int = 200,
        patience: int = 20,
        val_fraction: float = 0.15,
        use_text: bool = True,
        random_state: int = 0,
        n_threads: int = 1,
    ):
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.patience = patience
        self.val_fraction = val_fraction
        self.use_text = use_text
        self.random_state = random_state
        self.n_threads = n_threads

    def _inputs(self):
        torch = _torch()
        graph = self.graph_
        x = np.where(np.isnan(graph.features), self.median_[None, :], graph.features)
        x = np.clip((x - self.mean_) / self.scale_, -5.0, 5.0).astype(np.float32)
        text = graph.text if (self.use_text and graph.text is not None) else np.zeros((len(x), 0), np.float32)
        relations = []
        for name in sorted(graph.relations):
            src, dst = graph.relations[name]
            for a, b in ((src, dst), (dst, src)):
                a, b = torch.from_numpy(a), torch.from_numpy(b)
                degree = torch.bincount(b, minlength=len(x)).clamp(min=1).float()
                relations.append((a, b, 1.0 / degree[b]))
        return torch.from_numpy(x), torch.from_numpy(np.ascontiguousarray(text, dtype=np.float32)), relations

    def fit(self, X: pd.DataFrame, y, graph: AccountGraph | None = None):
        if graph is None:
            raise ValueError("BotRGCNClassifier.fit needs graph (gnn.account_graph)")
        self.graph_ = graph
        torch = self._seeded_torch()
        rows = self.graph_.positions(X.index)
        y_codes, fit_pos, val_pos = self._fit_labels(y)
        self.fit_ids_ = self.graph_.account_ids[rows[fit_pos]]
        self.val_ids_ = self.graph_.account_ids[rows[val_pos]]
        fit_features = self.graph_.features[rows[fit_pos]]
        with np.errstate(all="ignore"):
            median = np.nanmedian(np.where(np.isnan(fit_features).all(axis=0), 0.0, fit_features), axis=0)
        self.median_ = np.nan_to_num(median).astype(np.float32)
        filled = np.where(np.isnan(fit_features), self.median_[None, :], fit_features)
        self.mean_ = filled.mean(axis=0).astype(np.float32)
        std = filled.std(axis=0)
        self.scale_ = np.where(std > 1e-6, std, 1.0).astype(np.float32)
        self.feature_names_ = list(self.graph_.feature_names)
        x, text, relations = self._inputs()
        self.net_ = _botrgcn_net(
            x.shape[1], text.shape[1], self.hidden, len(relations), len(self.classes_), self.dropout
        )
        optimizer = torch.optim.AdamW(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        target = torch.from_numpy(y_codes.astype(np.int64))
        fit_rows, val_rows = torch.from_numpy(rows[fit_pos]), torch.from_numpy(rows[val_pos])
        F = torch.nn.functional

        def step():
            self.net_.train()
            optimizer.zero_grad()
            loss = F.cross_entropy(self.net_(x, text, relations)[fit_rows], target[fit_pos])
            loss.backward()
            optimizer.step()
            return float(loss.detach())

        def evaluate():
            if len(val_pos) == 0:
                return None
            self.net_.eval()
            with torch.no_grad():
                return float(F.cross_entropy(self.net_(x, text, relations)[val_rows], target[val_pos]))

        self._train(step, evaluate)
        self.n_text_ = int(text.shape[1])
        self.n_relations_ = len(relations)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        torch = _torch()
        torch.set_num_threads(self.n_threads)
        rows = torch.from_numpy(self.graph_.positions(X.index))
        self.net_.eval()
        with torch.no_grad():
            return torch.softmax(self.net_(*self._inputs())[rows], dim=1).numpy()

    def save(self, path) -> None:
        """Weights and imputation/scaling statistics -> safetensors; hyper-parameters -> ``{path}.json``."""
        self._save(
            path,
            {"median": self.median_, "mean": self.mean_, "scale": self.scale_},
            {"feature_names": self.feature_names_, "n_text": self.n_text_, "n_relations": self.n_relations_},
        )


def load_gnn(path, graphs=None):
    """Load a model written by ``save``: the JSON config names the class, the safetensors file holds the
    weights (no code is executed). Pass the ``CascadeGraphs`` / ``AccountGraph`` to predict on."""
    from safetensors.torch import load_file

    config = json.loads(Path(str(path) + ".json").read_text(encoding="utf-8"))
    tensors = load_file(str(path))
    params = dict(config["params"])
    classes = np.asarray(config["classes"], dtype=object)
    if config["model"] == "bigcn":
        model = BiGCNClassifier(**params)
        model.graphs_ = graphs
        model.classes_ = classes
        model.feature_names_ = config["feature_names"]
        model.mean_, model.scale_ = tensors["mean"].numpy(), tensors["scale"].numpy()
        model.prior_ = tensors["prior"].numpy()
        model.account_counts_ = pd.DataFrame(
            tensors["account_counts"].numpy(), index=pd.Index(config["history_accounts"], dtype=object)
        )
        model.net_ = _bigcn_net(len(model.feature_names_), model.hidden, len(classes), model.dropout)
    elif config["model"] == "botrgcn":
        model = BotRGCNClassifier(**params)
        model.graph_ = graphs
        model.classes_ = classes
        model.feature_names_ = config["feature_names"]
        model.median_, model.mean_, model.scale_ = (tensors[k].numpy() for k in ("median", "mean", "scale"))
        model.n_text_, model.n_relations_ = config["n_text"], config["n_relations"]
        model.net_ = _botrgcn_net(
            len(model.feature_names_), model.n_text_, model.hidden, model.n_relations_, len(classes), model.dropout
        )
    else:
        raise ValueError(f"{path}: unknown graph model {config['model']!r}")
    model.net_.load_state_dict({k.removeprefix("net."): v for k, v in tensors.items() if k.startswith("net.")})
    model.net_.eval()
    return model


# ---- evaluation hook --------------------------------------------------------------------------------
GNN_INPUT_TABLES = {"bigcn": ("cascades", "engagements"), "botrgcn": ("cascades", "engagements", "follows")}


def evaluation_setup(task: str, model: str, table: pd.DataFrame, tables: dict[str, pd.DataFrame]):
    """For ``pipeline.evaluate.run_evaluate``: (X, make_classifier, fit_params) for a graph model, from the
    canonical tables named in ``GNN_INPUT_TABLES[model]`` (the stage runner reads them). X keeps the row
    index of the feature table and no columns (the graph models read their inputs from the graphs given
    to fit)."""
    if model not in GNN_MODELS.get(task, ()):
        raise ValueError(f"{model!r} is not a graph model for task {task!r}; choose one of {GNN_MODELS}")
    if model == "bigcn":
        graphs = cascade_graphs(tables["cascades"], tables["engagements"])
        return (pd.DataFrame(index=table.index), lambda seed: BiGCNClassifier(random_state=seed), {"graphs": graphs})
    graph = account_graph(table, tables["follows"], tables["engagements"], tables["cascades"])
    return pd.DataFrame(index=table.index), lambda seed: BotRGCNClassifier(random_state=seed), {"graph": graph}
