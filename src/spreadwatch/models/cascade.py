"""The cascade model: fold-safe engager history (``EngagerHistory``), the bag of engagers (``EngagerBag``),
root-account history and optional claim-text components around a ``SpreadClassifier`` (``CascadeModel``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold

from spreadwatch.models.estimators import SpreadClassifier


def _class_slug(label) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_") or "class"


def _object_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """(cascade_id, account_id) as plain object columns (fast hashing for isin / reindex)."""
    return pd.DataFrame(
        {
            "cascade_id": pairs["cascade_id"].to_numpy(dtype=object),
            "account_id": pairs["account_id"].to_numpy(dtype=object),
        }
    )


def incidence_matrix(pairs: pd.DataFrame, cascades: pd.Index, accounts: pd.Index):
    """0/1 cascade x account matrix (scipy CSR) of the (cascade_id, account_id) pairs; pairs outside
    ``cascades`` or ``accounts`` are left out."""
    rows = cascades.get_indexer(pairs["cascade_id"])
    cols = accounts.get_indexer(pairs["account_id"])
    keep = (rows >= 0) & (cols >= 0)
    return _incidence(rows[keep], cols[keep], (len(cascades), len(accounts)))


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(integer code per value, -1 for missing; the distinct values as an object array)."""
    codes, uniques = pd.factorize(values)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _incidence(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]):
    """0/1 CSR matrix with a 1 at every (row, col) pair (repeated pairs still give 1)."""
    from scipy import sparse

    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0
    return matrix


def inner_splits(labels: np.ndarray, inner_folds: int, random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified inner splits of training rows (fewer folds when a class is rare; none below 2)."""
    folds = min(inner_folds, int(pd.Series(labels).value_counts().min()))
    if folds < 2:
        return []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(labels)), labels))


class EngagerHistory(BaseEstimator):
    """Fold-safe engager history: how often a cascade's participants took part in cascades of each class
        of the TRAINING fold.

        ``fit(pairs, y)`` counts, per account, the training cascades of each class it took part in; ``pairs``
        are (cascade_id, account_id) rows (``features.participation``) and ``y`` the training labels indexed
        by cascade_id; only cascades in ``y`` are counted, so test labels cannot enter. ``transform(pairs,
        index)`` gives, per cascade in ``index``: hist_known_share (share of participants with any history),
        hist_n_log (log1p of summed history), and per class c hist_{c}_log, hist_{c}_share (class share of the
        summed history), hist_{c}_user_share (share of participants with a class-c cascade) and hist_{c}_mean_p
    (mean over participants with history of their class-c share, smoothed towards the prior), and
        hist_{c}_max_jaccard (largest participant overlap with one training cascade of class c). A training
        cascade's own label is left out of its participants' counts (leave-one-out), so training rows see
        the same kind of features as test rows.
    """

    def __init__(self, smoothing: float = 1.0):
        self.smoothing = smoothing

    def fit(self, pairs: pd.DataFrame, y: pd.Series) -> EngagerHistory:
        y = pd.Series(np.asarray(y, dtype=str), index=y.index.astype(str))
        self.classes_ = np.unique(y.to_numpy())
        self.labels_ = y
        # integer codes instead of string keys: the ids are factorised once, every later step is numpy
        cascade_codes, cascades = _factorize(pairs["cascade_id"])
        account_codes, accounts = _factorize(pairs["account_id"])
        label_of_cascade = y.reindex(pd.Index(cascades, dtype=object)).to_numpy(dtype=object)
        train = (cascade_codes >= 0) & (account_codes >= 0)
        train[train] = pd.notna(label_of_cascade[cascade_codes[train]])
        cascade_codes, account_codes = cascade_codes[train], account_codes[train]
        # accounts and training cascades in sorted id order (the order the string version had)
        self.accounts_ = pd.Index(np.sort(accounts[np.unique(account_codes)]), dtype=object)
        self.train_cascades_ = pd.Index(np.sort(cascades[np.unique(cascade_codes)]), dtype=object)
        account_position = self.accounts_.get_indexer(pd.Index(accounts, dtype=object))
        cascade_position = self.train_cascades_.get_indexer(pd.Index(cascades, dtype=object))
        rows, cols = cascade_position[cascade_codes], account_position[account_codes]
        self.train_labels_ = y.reindex(self.train_cascades_).to_numpy()
        train_class = np.searchsorted(self.classes_, self.train_labels_.astype(str))
        # per account, the number of training cascades of each class it took part in (one per pair row)
        counts = np.zeros((len(self.accounts_), len(self.classes_)))
        np.add.at(counts, (cols, train_class[rows]), 1.0)
        self.counts_ = pd.DataFrame(counts, index=self.accounts_)
        # (cascade, account) pairs counted above, as sorted integer keys, for the leave-one-out correction
        self.counted_ = np.unique(rows * len(self.accounts_) + cols)
        # cascade x account incidence of the training fold, for nearest-neighbour overlap features
        self.train_matrix_ = _incidence(rows, cols, (len(self.train_cascades_), len(self.accounts_)))
        return self

    #: query cascades per block of the sparse overlap product (bounds the working memory)
    neighbour_chunk = 4096

    def _neighbours(self, query_rows: np.ndarray, account_cols: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Per class c: hist_{c}_max_jaccard, the largest Jaccard overlap of the cascade's participants with
        a training cascade of class c (the cascade itself excluded). ``query_rows`` / ``account_cols`` are
        each pair's position in ``index`` and in ``accounts_`` (-1: not a training account).

        Sparse: the query x training-cascade overlap is a sparse product computed in blocks of
        ``neighbour_chunk`` query rows, and only its non-zero cells (pairs sharing a participant) are
        turned into Jaccard values; a pair with no shared participant has Jaccard 0, so the maxima equal
        the dense computation's while memory grows with the number of overlapping pairs, not with
        queries x training cascades."""
        sizes = np.bincount(query_rows, minlength=len(index)).astype(float)
        train_sizes = np.asarray(self.train_matrix_.sum(axis=1)).ravel()
        known = account_cols >= 0
        query = _incidence(query_rows[known], account_cols[known], (len(index), len(self.accounts_)))
        by_account = self.train_matrix_.T.tocsr()
        n_classes = len(self.classes_)
        train_class = np.searchsorted(self.classes_, self.train_labels_.astype(str))
        same = np.asarray(index.get_indexer(self.train_cascades_), dtype=np.int64)
        best = np.zeros(len(index) * n_classes)
        from spreadwatch.progress import progress

        blocks = range(0, len(index), self.neighbour_chunk)
        for start in progress(blocks, "history neighbours", unit="block") if len(blocks) > 4 else blocks:
            block = (query[start : start + self.neighbour_chunk] @ by_account).tocoo()
            rows = block.row.astype(np.int64) + start
            shared = block.data
            jaccard = shared / np.maximum(sizes[rows] + train_sizes[block.col] - shared, 1.0)
            jaccard[same[block.col] == rows] = 0.0
            np.maximum.at(best, rows * n_classes + train_class[block.col], jaccard)
        best = best.reshape(len(index), n_classes)
        out = pd.DataFrame(index=index)
        for k, label in enumerate(self.classes_):
            out[f"hist_{_class_slug(label)}_max_jaccard"] = best[:, k]
        return out

    def transform(self, pairs: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        index = pd.Index(index.astype(str), name="cascade_id")
        # each pair's position in ``index`` (the pairs of other cascades are dropped, order kept)
        query_rows = index.get_indexer(pairs["cascade_id"].to_numpy(dtype=object))
        inside = query_rows >= 0
        query_rows = query_rows[inside]
        account_ids = pairs["account_id"].to_numpy(dtype=object)[inside]
        account_cols = self.accounts_.get_indexer(account_ids)
        known_account = account_cols >= 0
        counts = np.zeros((len(query_rows), len(self.classes_)))
        counts[known_account] = self.counts_.to_numpy()[account_cols[known_account]]
        # leave-one-out: a training cascade's own label is taken out of its participants' counts
        own = self.labels_.reindex(index).to_numpy(dtype=object)[query_rows]
        train_rows = self.train_cascades_.get_indexer(index)[query_rows]
        keys = train_rows * len(self.accounts_) + account_cols
        counted = (train_rows >= 0) & known_account & np.isin(keys, self.counted_)
        counts = counts - ((own[:, None] == self.classes_[None, :]) & counted[:, None])
        slugs = [_class_slug(c) for c in self.classes_]
        frame = pd.DataFrame(counts, columns=slugs)
        frame["_row"] = query_rows
        frame["_total"] = counts.sum(axis=1)
        frame["_known"] = (frame["_total"] > 0).astype(float)
        # each known participant's smoothed class distribution (prior = training class shares)
        prior = self.counts_.sum(axis=0).to_numpy() / max(float(self.counts_.to_numpy().sum()), 1.0)
        dist = (counts + self.smoothing * prior) / (counts.sum(axis=1, keepdims=True) + self.smoothing)
        known = frame["_known"].to_numpy() > 0
        for k, slug in enumerate(slugs):
            frame[f"_p_{slug}"] = np.where(known, dist[:, k], np.nan)
        for slug in slugs:
            frame[f"_has_{slug}"] = (frame[slug] > 0).astype(float)
        g = frame.groupby("_row", sort=True)
        sums, means = g.sum(), g.mean()
        out = pd.DataFrame(index=sums.index)
        out["hist_known_share"] = means["_known"]
        out["hist_n_log"] = np.log1p(sums["_total"])
        for slug in slugs:
            out[f"hist_{slug}_log"] = np.log1p(sums[slug])
            out[f"hist_{slug}_share"] = sums[slug] / sums["_total"].where(sums["_total"] > 0)
            out[f"hist_{slug}_user_share"] = means[f"_has_{slug}"]
            out[f"hist_{slug}_mean_p"] = means[f"_p_{slug}"]
        out = out.reindex(np.arange(len(index))).set_axis(index)
        out = out.join(self._neighbours(query_rows, account_cols, index))
        fill = [
            c for c in out.columns if not c.endswith("_share") or c.endswith("user_share") or c == "hist_known_share"
        ]
        out[fill] = out[fill].fillna(0.0)
        return out.astype(float)


class EngagerBag(BaseEstimator):
    """Fold-safe bag-of-engagers classifier, stacked as features: each cascade is the set of accounts that
    took part in it (like a document is a bag of words), weighted by TF-IDF over the TRAINING cascades, and
    an L2 logistic regression learns which participants go with which class.

    ``fit(pairs, y)`` uses only the cascades in ``y`` (the training fold). Its outputs for the training
    cascades themselves are out-of-fold (``inner_folds`` stratified folds inside the training rows), so
    the classifier stacked on top sees training features of the same kind as test features.
    ``transform(pairs, index)`` gives per cascade ``bag_p_{class}`` (one column per class; for the
    training cascades the out-of-fold values). Account ids index the bag and are never model inputs.
    """

    def __init__(self, C: float = 10.0, inner_folds: int = 5, random_state: int = 0):
        self.C = C
        self.inner_folds = inner_folds
        self.random_state = random_state

    def _matrix(self, pairs: pd.DataFrame, index: pd.Index):
        return incidence_matrix(pairs, index, self.accounts_)

    def _fit_one(self, matrix, y: np.ndarray):
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        tfidf = TfidfTransformer(sublinear_tf=True).fit(matrix)
        classifier = LogisticRegression(C=self.C, max_iter=2000).fit(tfidf.transform(matrix), y)
        return tfidf, classifier

    def _proba(self, fitted, matrix) -> np.ndarray:
        tfidf, classifier = fitted
        proba = classifier.predict_proba(tfidf.transform(matrix))
        out = np.zeros((matrix.shape[0], len(self.classes_)))
        out[:, np.searchsorted(self.classes_, classifier.classes_)] = proba
        return out

    def fit(self, pairs: pd.DataFrame, y: pd.Series) -> EngagerBag:
        y = pd.Series(np.asarray(y, dtype=str), index=y.index.astype(str))
        self.classes_ = np.unique(y.to_numpy())
        train = _object_pairs(pairs)
        train = train[train["cascade_id"].isin(y.index.to_numpy(dtype=object))]
        self.accounts_ = pd.Index(sorted(set(train["account_id"])), dtype=object)
        self.train_index_ = pd.Index(y.index, dtype=object)
        matrix = self._matrix(train, self.train_index_)
        labels = y.to_numpy()
        self.full_ = self._fit_one(matrix, labels)
        splits = inner_splits(labels, self.inner_folds, self.random_state)
        if not splits:
            self.train_out_of_fold_ = self._proba(self.full_, matrix)
            return self
        self.train_out_of_fold_ = np.zeros((len(y), len(self.classes_)))
        for inner_train, inner_test in splits:
            fitted = self._fit_one(matrix[inner_train], labels[inner_train])
            self.train_out_of_fold_[inner_test] = self._proba(fitted, matrix[inner_test])
        return self

    def transform(self, pairs: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        index = pd.Index(index.astype(str), name="cascade_id")
        part = _object_pairs(pairs)
        position = self.train_index_.get_indexer(index)
        seen = position >= 0
        proba = np.zeros((len(index), len(self.classes_)))
        proba[seen] = self.train_out_of_fold_[position[seen]]
        if (~seen).any():  # the full model only for cascades outside the training fold
            unseen = pd.Index(index[~seen], dtype=object)
            part = part[part["cascade_id"].isin(unseen.to_numpy(dtype=object))]
            proba[~seen] = self._proba(self.full_, self._matrix(part, unseen))
        return pd.DataFrame(proba, index=index, columns=[f"bag_p_{_class_slug(c)}" for c in self.classes_])


@dataclass(frozen=True, eq=False)
class CascadeSideData:
    """What a cascade model reads beside the feature table (one spec object, given to ``fit``).

    ``participants``: (cascade_id, account_id) pairs seen for each cascade (``features.participation``);
    ``history_participants``: the pairs counted for the training history (default: ``participants``);
    ``root_participants``: (cascade_id, account_id) of each cascade's root; ``text_embeddings``: index
    cascade_id, one column per dimension (e.g. MiniLM claim titles); ``publishers``: cascade_id ->
    publisher (root account). Every part is optional.
    """

    participants: pd.DataFrame | None = None
    history_participants: pd.DataFrame | None = None
    root_participants: pd.DataFrame | None = None
    text_embeddings: pd.DataFrame | None = None
    publishers: pd.Series | None = None


class CascadeModel(ClassifierMixin, BaseEstimator):
    """The cascade classifier: cascade features (X, index cascade_id) + fold-fitted extras + SpreadClassifier.

    Hyperparameters in ``__init__``, data in ``fit(X, y, side=CascadeSideData(...))`` (kept as ``side_`` for
    prediction), so ``sklearn.base.clone`` gives an unfitted copy. Extras are fitted in ``fit`` on the
    training rows only: the engager history (``side.participants``, counted over
    ``side.history_participants``), the root-account history (``side.root_participants``; columns
    root_hist_*), the optional bag of engagers (``engager_bag``) and, with ``side.text_embeddings``, a PCA
    of the embeddings fitted on the training rows (``text_components`` columns text_pc{i}; with
    ``side.publishers`` also the publisher-style mean psa_pc{i}). ``evaluate`` builds one per fold, so
    test-fold labels never reach the features. The training rows' own history features come from
    histories fitted on the other ``inner_folds`` folds of the training rows (K-fold target encoding), so
    training and test rows see the same kind of value; test rows get the history of the whole training fold.
    """

    def __init__(
        self,
        model: str = "hgb",
        random_state: int = 0,
        text_components: int = 8,
        engager_bag: bool = False,
        inner_folds: int = 5,
    ):
        self.model = model
        self.random_state = random_state
        self.text_components = text_components
        self.engager_bag = engager_bag
        self.inner_folds = inner_folds

    def _augment(self, X: pd.DataFrame) -> pd.DataFrame:
        side = self.side_
        parts = [X]
        index = pd.Index(X.index.astype(str), name="cascade_id")
        if self.history_ is not None:
            parts.append(
                self._history_features(self.history_, self.history_oof_, side.participants, index).set_axis(X.index)
            )
        if self.bag_ is not None:
            parts.append(self.bag_.transform(side.participants, X.index).set_axis(X.index))
        if self.root_history_ is not None:
            root = self._history_features(
                self.root_history_, self.root_history_oof_, side.root_participants, index
            ).set_axis(X.index)
            keep = [c for c in root.columns if c == "hist_known_share" or c.endswith(("_log", "_mean_p"))]
            parts.append(root[keep].add_prefix("root_"))
        if self.pca_ is not None:
            emb = side.text_embeddings.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
            comps = self.pca_.transform(emb)
            parts.append(pd.DataFrame(comps, index=X.index, columns=[f"text_pc{i + 1}" for i in range(comps.shape[1])]))
            if self.psa_ is not None:
                mean, known = self.psa_.transform(index, side.publishers.set_axis(side.publishers.index.astype(str)))
                psa = self.pca_.transform(mean) * known[:, None]
                parts.append(
                    pd.DataFrame(
                        np.column_stack([psa, known]),
                        index=X.index,
                        columns=[f"psa_pc{i + 1}" for i in range(psa.shape[1])] + ["psa_known"],
                    )
                )
        return pd.concat(parts, axis=1)

    def _out_of_fold_history(self, pairs: pd.DataFrame, y: pd.Series, participants: pd.DataFrame) -> pd.DataFrame:
        """History features of the training cascades, each from a history fitted on the other inner folds
        (K-fold target encoding, as in stacking): made the way test rows' features are, by a history that
        never saw the cascade nor the rest of its inner fold."""
        splits = inner_splits(y.to_numpy(), self.inner_folds, self.random_state)
        if not splits:
            return EngagerHistory().fit(pairs, y).transform(participants, y.index)
        parts = [
            EngagerHistory().fit(pairs, y.iloc[inner_train]).transform(participants, y.index[inner_test])
            for inner_train, inner_test in splits
        ]
        return pd.concat(parts).reindex(y.index)

    @staticmethod
    def _history_features(history, oof, participants, index: pd.Index) -> pd.DataFrame:
        """Out-of-fold values for training cascades, the whole training fold's history for the others."""
        seen = index.isin(oof.index)
        parts = [oof.loc[index[seen]]]
        if (~seen).any():
            parts.append(history.transform(participants, index[~seen]))
        return pd.concat(parts)[oof.columns].reindex(index)

    def fit(self, X: pd.DataFrame, y, side: CascadeSideData | None = None):
        from sklearn.decomposition import PCA

        side = CascadeSideData() if side is None else side
        self.side_ = side
        y = pd.Series(np.asarray(y, dtype=str), index=X.index.astype(str))
        counted = side.participants if side.history_participants is None else side.history_participants
        self.history_ = None
        if side.participants is not None:
            self.history_ = EngagerHistory().fit(counted, y)
            self.history_oof_ = self._out_of_fold_history(counted, y, side.participants)
        self.root_history_ = None
        if side.root_participants is not None:
            self.root_history_ = EngagerHistory().fit(side.root_participants, y)
            self.root_history_oof_ = self._out_of_fold_history(side.root_participants, y, side.root_participants)
        self.bag_ = None
        if side.participants is not None and self.engager_bag:
            self.bag_ = EngagerBag(random_state=self.random_state).fit(counted, y)
        self.pca_ = self.psa_ = None
        if side.text_embeddings is not None:
            emb = side.text_embeddings.reindex(X.index).fillna(0.0).to_numpy(dtype=float)
            k = max(1, min(self.text_components, len(X) - 1, emb.shape[1]))
            self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(emb)  # training rows only
            if side.publishers is not None:  # publisher-style aggregation over the training claims
                from spreadwatch.evaluation.rumour import PublisherStyle

                train = side.text_embeddings.reindex(X.index.astype(str)).fillna(0.0)
                self.psa_ = PublisherStyle().fit(train, side.publishers.set_axis(side.publishers.index.astype(str)))
        augmented = self._augment(X)
        self.classifier_ = SpreadClassifier(model=self.model, random_state=self.random_state).fit(augmented, y)
        self.classes_ = self.classifier_.classes_
        self.feature_names_in_ = self.classifier_.feature_names_in_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.classifier_.predict_proba(self._augment(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
