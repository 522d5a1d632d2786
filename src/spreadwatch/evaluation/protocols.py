"""The evaluation protocols: one registry of splitter objects, named once.

Every protocol is a :class:`Protocol` with a ``kind`` (``honest``: no shared events or no looking back
from the future; ``leaky``: random folds that split events, kept only for comparison with the papers;
``paper``: a fixed published split), the side data it needs (``needs``: ``groups`` = event ids,
``times`` = cascade start times, ``assignment`` = a fixed train/dev/test label per row) and
``split(y, seed, groups=, times=, assignment=) -> list[Split]``.

Preconditions are checked by ``Protocol.plan`` before any split is made: a protocol that cannot run on
the data raises :class:`ProtocolNotApplicable` with the reason (the caller writes a skipped record); an
event-grouped protocol with fewer events than folds falls back to leave-one-event-out and says so
(``Plan.note``) instead of crashing in scikit-learn.

Near-duplicate texts (``text_groups``: one id per normalised text, see ``duplicate_text_groups``) are
kept on one side of every split: grouped protocols union them into the event groups before splitting;
the others drop test rows whose text also sits in the training (or validation) rows. ``straddle_counts``
measures how many do before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold, train_test_split

KINDS = ("honest", "leaky", "paper")


@dataclass
class Split:
    train: np.ndarray
    test: np.ndarray
    val: np.ndarray | None = None


@dataclass
class Plan:
    """The splits of one seed and a note when the protocol had to adapt (fallback, dropped duplicates)."""

    splits: list[Split]
    note: str = ""
    dropped_test_duplicates: int = 0


class ProtocolNotApplicable(ValueError):
    """The protocol's preconditions do not hold on this data; the message says why (a skipped record)."""


@dataclass(frozen=True)
class Protocol:
    name: str
    kind: str
    needs: tuple[str, ...] = ()
    description: str = ""
    grouped: bool = False
    folds: int = 5
    fixed: bool = False  # the same split for every seed (only the model's seed changes)
    label: str = ""  # what the report says about it
    extra: dict = field(default_factory=dict)

    # ---- preconditions
    def check(self, y: np.ndarray, groups=None, times=None, assignment=None) -> None:
        """Raise ProtocolNotApplicable when the data cannot carry this protocol."""
        given = {"groups": groups, "times": times, "assignment": assignment}
        for need in self.needs:
            value = given[need]
            if value is None or pd.isna(pd.Series(np.asarray(value, dtype=object))).any():
                what = {
                    "groups": "event ids (cascades.event_id)",
                    "times": "start times (cascades.created_at)",
                    "assignment": "a fixed split per row (cascades.split: train/dev/test)",
                }[need]
                raise ProtocolNotApplicable(f"{self.name} needs {what} for every labelled row")
        if len(np.unique(y)) < 2:
            raise ProtocolNotApplicable(f"{self.name} needs at least two classes")

    # ---- splitting
    def split(self, y, seed: int, groups=None, times=None, assignment=None) -> list[Split]:
        return self.plan(y, seed, groups=groups, times=times, assignment=assignment).splits

    def plan(self, y, seed: int, groups=None, times=None, assignment=None, text_groups=None) -> Plan:
        y = np.asarray(y)
        self.check(y, groups, times, assignment)
        if self.grouped and text_groups is not None:
            groups = union_groups(np.asarray(groups), np.asarray(text_groups))
        plan = self._plan(
            y,
            seed,
            groups=None if groups is None else np.asarray(groups),
            times=None if times is None else np.asarray(times),
            assignment=None if assignment is None else np.asarray(assignment, dtype=object),
        )
        if text_groups is not None and not self.grouped:
            plan = drop_test_duplicates(plan, np.asarray(text_groups))
        return plan

    def _plan(self, y, seed, groups, times, assignment) -> Plan:  # pragma: no cover - overridden
        raise NotImplementedError


class StratifiedFolds(Protocol):
    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        folds = min(self.folds, int(pd.Series(y).value_counts().min()))
        if folds < 2:
            raise ProtocolNotApplicable(f"{self.name} needs >= 2 rows of every class")
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        note = f"{folds} folds (a class has fewer than {self.folds} rows)" if folds < self.folds else ""
        return Plan([Split(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y)], note)


class EventFolds(Protocol):
    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise ProtocolNotApplicable(f"{self.name} needs >= 2 events; have {n_groups}")
        if n_groups < self.folds:
            splits = [Split(tr, te) for tr, te in LeaveOneGroupOut().split(np.zeros(len(y)), y, groups)]
            return Plan(splits, f"only {n_groups} events (< {self.folds} folds): leave-one-event-out instead")
        splitter = StratifiedGroupKFold(n_splits=self.folds, shuffle=True, random_state=seed)
        return Plan([Split(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, groups)])


class LeaveOneEventOut(Protocol):
    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise ProtocolNotApplicable(f"{self.name} needs >= 2 events; have {n_groups}")
        return Plan([Split(tr, te) for tr, te in LeaveOneGroupOut().split(np.zeros(len(y)), y, groups)])


class TimeSplit(Protocol):
    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        order = np.argsort(times, kind="stable")
        cut = int(round(self.extra.get("train_share", 0.7) * len(order)))
        return Plan([Split(np.sort(order[:cut]), np.sort(order[cut:]))])


class UPFDSplit(Protocol):
    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        index = np.arange(len(y))
        train_val, test = train_test_split(index, test_size=0.7, stratify=y, random_state=seed)
        train, val = train_test_split(train_val, test_size=1 / 3, stratify=y[train_val], random_state=seed)
        return Plan([Split(np.sort(train), np.sort(test), np.sort(val))])


class FixedSplit(Protocol):
    """A published fixed split (``assignment``: train/dev/test per row). The model is fitted on train +
    dev (``Split.train``); ``Split.val`` is the dev part, the only rows any model selection may look at;
    ``Split.test`` is scored once."""

    def _plan(self, y, seed, groups, times, assignment) -> Plan:
        values = set(pd.unique(assignment))
        unknown = values - {"train", "dev", "test"}
        if unknown:
            raise ProtocolNotApplicable(f"{self.name}: unknown split labels {sorted(map(str, unknown))}")
        train = np.flatnonzero(np.isin(assignment, ["train", "dev"]))
        dev = np.flatnonzero(assignment == "dev")
        test = np.flatnonzero(assignment == "test")
        if len(test) == 0 or len(np.unique(y[train])) < 2:
            raise ProtocolNotApplicable(f"{self.name}: needs test rows and two classes in train+dev")
        return Plan([Split(train, test, dev if len(dev) else None)])


HEADLINE = "honest (headline)"
COMPARISON = "comparable with papers (leaky)"
# report order: the honest protocols first
PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in (
        FixedSplit(
            "event_separated",
            "paper",
            ("assignment",),
            fixed=True,
            label=HEADLINE,
            description="Wu & Hooi 2022's fixed event-separated split: fit on train+dev, dev for model "
            "selection, test once",
        ),
        EventFolds(
            "event_5fold",
            "honest",
            ("groups",),
            grouped=True,
            label=HEADLINE,
            description="stratified 5-fold with whole events in one fold (leave-one-event-out below 5 events)",
        ),
        LeaveOneEventOut(
            "leave_one_event_out",
            "honest",
            ("groups",),
            grouped=True,
            fixed=True,
            label=HEADLINE,
            description="each event is the test set once, the model fitted on all the others",
        ),
        TimeSplit(
            "time_split",
            "honest",
            ("times",),
            fixed=True,
            label=HEADLINE,
            description="the earliest 70% of cascades train, the latest 30% test",
        ),
        StratifiedFolds(
            "stratified_5fold",
            "honest",
            label="standard",
            description="stratified 5-fold over rows (bot task: accounts)",
        ),
        StratifiedFolds(
            "random_5fold",
            "leaky",
            label=COMPARISON,
            description="stratified 5-fold over cascades; splits events, so only comparable with papers",
        ),
        UPFDSplit(
            "upfd_20_10_70",
            "paper",
            label=COMPARISON,
            description="UPFD's random 20/10/70 train/val/test split (leaky: random over news pieces)",
        ),
    )
}
PROTOCOL_NAMES = tuple(PROTOCOLS)
# protocols evaluated inside one dataset (leave_one_dataset_out is cross-dataset, run by its own rules)
WITHIN_DATASET = PROTOCOL_NAMES


def get(name: str) -> Protocol:
    if name not in PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOL_NAMES)}")
    return PROTOCOLS[name]


def kind(name: str) -> str:
    return PROTOCOLS[name].kind if name in PROTOCOLS else ""


# ---- near-duplicate texts ------------------------------------------------------------------------
_URL = re.compile(r"\burl\b|https?://\S+|www\.\S+")
_MENTION = re.compile(r"(^|\s)rt\s+@\w+:?|@\w+")
_NON_WORD = re.compile(r"[^\w]+")


def normalise_text(text) -> str:
    """Lowercase, drop links (``URL`` tokens), ``rt @user:`` prefixes and @mentions, punctuation and
    repeated spaces: two tweets that differ only in those are the same claim."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    text = str(text).lower()
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def duplicate_text_groups(texts: pd.Series) -> pd.Series:
    """One group id per normalised text (index as ``texts``); rows without text get their own group.
    Group ids are strings ``t:<first index with that text>`` (deterministic)."""
    norm = texts.map(normalise_text)
    ids = pd.Series(texts.index.astype(str), index=texts.index)
    first = ids.groupby(norm.to_numpy()).transform("min")
    return ("t:" + first.where(norm != "", ids)).rename("text_group")


def near_duplicate_groups(text_groups: pd.Series, embeddings: pd.DataFrame, threshold: float = 0.9) -> pd.Series:
    """Join text groups whose (L2-normalised) embeddings have cosine similarity >= ``threshold``: the
    same claim reworded. Rows without an embedding (all zeros) are never joined. Same index as
    ``text_groups``; group ids are the smallest joined id."""
    emb = embeddings.reindex(text_groups.index).fillna(0.0).to_numpy(dtype=float)
    norms = np.linalg.norm(emb, axis=1)
    rows, cols = [], []
    for start in range(0, len(emb), 1024):  # blocks keep memory at 1024 x n
        sims = emb[start : start + 1024] @ emb.T
        r, c = np.nonzero(np.triu(sims >= threshold, k=1 + start) if start == 0 else sims >= threshold)
        keep = (c > r + start) & (norms[r + start] > 0) & (norms[c] > 0)
        rows.append(r[keep] + start)
        cols.append(c[keep])
    pairs = np.column_stack([np.concatenate(rows), np.concatenate(cols)]) if rows else np.zeros((0, 2), int)
    groups = text_groups.to_numpy(dtype=object).copy()
    parent = {g: g for g in groups}

    def find(g):
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for i, j in pairs:
        a, b = find(groups[i]), find(groups[j])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return pd.Series([find(g) for g in groups], index=text_groups.index, name="text_group")


def union_groups(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of 'same a' or 'same b' (union-find over rows): every event that shares a
    text with another event becomes one group. Returns one component id (string) per row."""
    n = len(a)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in (a, b):
        first: dict = {}
        for i, k in enumerate(key):
            j = first.setdefault(k, i)
            if j != i:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([find(i) for i in range(n)])
    return np.asarray([f"g{r}" for r in roots], dtype=object)


def _seen_groups(split: Split, text_groups: np.ndarray) -> set:
    seen = set(text_groups[split.train])
    if split.val is not None:
        seen |= set(text_groups[split.val])
    return seen


def drop_test_duplicates(plan: Plan, text_groups: np.ndarray) -> Plan:
    """Remove test rows whose text group also has a row in the training or validation rows."""
    splits, dropped = [], 0
    for split in plan.splits:
        keep = ~np.isin(text_groups[split.test], list(_seen_groups(split, text_groups)))
        dropped += int((~keep).sum())
        splits.append(Split(split.train, split.test[keep], split.val))
    note = plan.note
    if dropped:
        note = (note + "; " if note else "") + f"{dropped} test rows dropped: same text as a training row"
    return Plan(splits, note, plan.dropped_test_duplicates + dropped)


def straddle_counts(splits: list[Split], text_groups: np.ndarray) -> dict[str, int]:
    """How many test rows share a (normalised) text with a training/validation row, and in how many
    distinct text groups, summed over the splits."""
    rows = groups = 0
    for split in splits:
        shared = np.isin(text_groups[split.test], list(_seen_groups(split, text_groups)))
        rows += int(shared.sum())
        groups += len(set(text_groups[split.test][shared]))
    return {"test_rows": rows, "text_groups": groups}


def make_splits(protocol: str, y, seed: int, groups=None, times=None, assignment=None) -> list[Split]:
    """Index splits of a registered protocol (``Protocol.split``)."""
    return get(protocol).split(y, seed, groups=groups, times=times, assignment=assignment)
