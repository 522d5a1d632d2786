"""Twitter15 / Twitter16 rumour propagation trees (Ma, Gao & Wong, ACL 2017) -> canonical tables.

Files (logical names in ``configs/datasets.yaml``):
    trees_archive: ``twitter15_16_trees.tar.gz`` (read member by member, never extracted to disk),
        holding ``{subset}/label.txt`` and ``{subset}/tree/<source_tweet_id>.txt``.
    label_all: ``Twitter15_label_All.txt`` / ``Twitter16_label_All.txt`` (tab separated; column 2 is the
        event id used for event-grouped folds, column 8 the collection origin).
    source_texts (optional): ``Twitter15.txt`` / ``Twitter16.txt`` of Wu & Hooi's event-separated release
        (``twitter15_16_eventsep``; tab separated ``publisher_user_id, source_tweet_id, text, label``).
    eventsep_train / eventsep_dev / eventsep_test (optional): the fixed event-separated split files
        (same format); each cascade listed gets ``split`` = train / dev / test.
Options: ``subset``: ``twitter15`` or ``twitter16``.

Tree line format: ``['uid', 'tweet_id', 'delay_min']->['uid', 'tweet_id', 'delay_min']``. A node is the
triple (uid, tweet_id, delay): a retweet node carries the *source* tweet id, a reply node its own id.

Output
    cascades: one per labelled source tweet (cascade_id = file name = labelled tweet id), label,
        is_misinformation, event_id (label_All column 2), created_at decoded from the tweet id
        (splits/windows only, never a feature), root_post_id/root_account_id = the node linked from
        ``ROOT``; extra column ``collection_origin`` (label_All column 8, ground-truth metadata only);
        extra column ``split`` (train/dev/test of the event-separated split, NA without those files).
    engagements: one per distinct tree edge except ``ROOT->source``. engagement_id =
        ``{cascade_id}:{line:06d}`` (line number in the tree file). parent_engagement_id = the first
        engagement whose child triple equals this edge's parent triple (NA when the parent is the source
        node). kind = retweet when the child tweet id is the source tweet id, else reply.
        delay_s = max(delay_min * 60, 0); time = created_at + delay_s. Extra columns: ``delay_raw_s``
        (unclipped) and ``node_first_edge`` (False for the 2nd+ edge creating the same node triple).
    accounts: one minimal row (account_id) per uid seen.
    posts: the root tweets (kind original; ``text`` = the source-tweet text when ``source_texts`` is given)
        and every reply tweet (kind reply).

Quirks are counted in ``AdapterResult.quirks`` (see ``docs/datasets.md``). This module also holds the
helpers the other Twitter-id based adapters share: ``snowflake_to_utc`` and ``require_files``.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreadwatch.adapters import AdapterResult

FORMAT = "twitter15_16"
TWITTER_EPOCH_MS = 1288834974657
# ids below this decode to less than a day after the Twitter epoch: pre-snowflake (sequential) ids
MIN_SNOWFLAKE_ID = (86_400_000) << 22
_INT64_MAX = "9223372036854775807"

LABEL_MAP: dict[str, bool | None] = {"false": True, "true": False, "non-rumor": False, "unverified": None}
REJECTED_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
DROPPED = "dropped; listed in rejected"  # quirk action of a check whose rows go to ``rejected``

_NODE = r"\['([^'\n]*)', '([^'\n]*)', '([^'\n]*)'\]"
_EDGE_RE = re.compile(r"^" + _NODE + r"->" + _NODE + r"\r?$", re.M)
_LOOSE_NODE = r"\[\s*['\"]?([^'\",\]]*)['\"]?\s*,\s*['\"]?([^'\",\]]*)['\"]?\s*,\s*['\"]?([^'\",\]]*)['\"]?\s*\]"
_LOOSE_EDGE_RE = re.compile(r"^\s*" + _LOOSE_NODE + r"\s*->\s*" + _LOOSE_NODE + r"\s*$")
_FIELDS = ["p_uid", "p_tid", "p_delay", "c_uid", "c_tid", "c_delay"]


# --------------------------------------------------------------------------- shared helpers
def require_files(files: dict, names: list[str], fmt: str, options: dict | None = None) -> dict[str, Path]:
    """Return ``{name: Path}`` for the logical file names; raise FileNotFoundError naming path and key."""
    dataset = (options or {}).get("dataset")
    where = f"dataset {dataset!r}, " if dataset else ""
    out = {}
    for name in names:
        if name not in files or files[name] is None:
            raise FileNotFoundError(
                f"{fmt} adapter: no file given for registry key files.{name} ({where}format {fmt!r}); "
                f"add it to the dataset entry in configs/datasets.yaml"
            )
        path = Path(files[name]).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(
                f"{fmt} adapter: file not found: {path} (registry key files.{name}, {where}format {fmt!r}); "
                f"check data_root / SPREADWATCH_DATA and configs/datasets.yaml"
            )
        out[name] = path
    return out


def quirk(table: str, name: str, count, action: str) -> dict:
    """One quirk record as ``AdapterResult.quirks`` expects it."""
    return {"table": table, "quirk": name, "count": int(count), "action": action}


def valid_tweet_ids(ids: pd.Series) -> pd.Series:
    """Boolean mask: the value is a decimal integer id that fits in int64."""
    s = pd.Series(ids).astype("string").str.strip()
    digits = s.str.fullmatch(r"\d{1,19}").fillna(False).astype(bool)
    long19 = s.str.len().eq(19).fillna(False).astype(bool)
    return digits & ~(long19 & (s > _INT64_MAX).fillna(False).astype(bool))


def snowflake_to_utc(ids) -> pd.Series:
    """Creation time encoded in Twitter snowflake ids: ``ms = (id >> 22) + 1288834974657``.

    Exact integer arithmetic (ids never pass through float). Non-numeric and pre-snowflake ids
    (sequential ids from before Nov 2010) give NaT. For splits and windows only, never a feature.
    """
    s = pd.Series(ids).astype("string").str.strip()
    ok = valid_tweet_ids(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    if ok.any():
        values = s[ok].astype("int64").to_numpy()
        ms = (values >> 22) + TWITTER_EPOCH_MS
        times = pd.to_datetime(ms, unit="ms", utc=True).astype("datetime64[ns, UTC]")
        times = pd.Series(times, index=s.index[ok])
        times[values < MIN_SNOWFLAKE_ID] = pd.NaT
        out[ok] = times
    return out


def rejected_frame(parts: list[pd.DataFrame]) -> pd.DataFrame | None:
    """Concatenate adapter rejections (columns ``table, file, row, column, value, reason``), sorted; None if none."""
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)[REJECTED_COLUMNS]
    out = out.sort_values(["table", "file", "row"], kind="stable").reset_index(drop=True)
    return out.astype({c: "string" for c in REJECTED_COLUMNS if c != "row"} | {"row": "int64"})


def rejected_rows(table: str, file, rows, column: str, values, reason: str) -> pd.DataFrame:
    """Rejection records for dropped rows: columns ``table, file, row`` (int64), ``column, value`` (str), ``reason``."""
    return pd.DataFrame(
        {
            "table": table,
            "file": file,
            "row": np.asarray(rows, dtype=np.int64),
            "column": column,
            "value": pd.Series(values).astype(str).to_numpy(),
            "reason": reason,
        }
    )


def choice_option(options: dict, name: str, choices: tuple[str, ...], fmt: str) -> str:
    """``options[name]`` lower-cased (default: the first choice); ValueError naming the format if not a choice."""
    value = str(options.get(name, choices[0])).lower()
    if value not in choices:
        raise ValueError(f"{fmt}: option {name} must be {' or '.join(choices)}, got {value!r}")
    return value


def is_misinformation(labels: pd.Series, label_map: dict[str, bool | None]) -> pd.Series:
    """Map dataset labels to the nullable boolean ``is_misinformation`` (unknown labels -> NA)."""
    mapped = (
        labels.astype("string").str.strip().str.lower().map(lambda v: label_map.get(v) if isinstance(v, str) else None)
    )
    return pd.array(mapped.tolist(), dtype="boolean") if len(mapped) else pd.array([], dtype="boolean")


# --------------------------------------------------------------------------- reading
def _member_pattern(subset: str) -> tuple[re.Pattern, re.Pattern]:
    tree = re.compile(r"(?:^|/)" + re.escape(subset) + r"/tree/([^/]+)\.txt$")
    label = re.compile(r"(?:^|/)" + re.escape(subset) + r"/label\.txt$")
    return tree, label


def read_archive(archive: Path, subset: str) -> tuple[pd.DataFrame, str | None, list[dict], dict]:
    """Read one subset's tree files and label.txt from the tarball, without extracting it.

    Returns (edges, label_text, bad_lines, counts). ``edges`` has one row per parsed edge line:
    ``cascade_id, line`` (1-based line number in the tree file), ``member`` and the six node fields
    ``p_uid, p_tid, p_delay, c_uid, c_tid, c_delay`` (raw strings). ``bad_lines`` holds the lines
    that match no edge pattern. counts: ``lines`` (non-blank lines read), ``blank``, ``trees``.
    """
    tree_re, label_re = _member_pattern(subset)
    rows: list[tuple] = []
    ids: list[str] = []
    members: list[str] = []
    lengths: list[int] = []
    line_numbers: list[np.ndarray] = []
    bad: list[dict] = []
    label_text = None
    counts = {"lines": 0, "blank": 0, "trees": 0, "empty_trees": []}
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            tree_match = tree_re.search(member.name)
            is_label = label_re.search(member.name) is not None
            if tree_match is None and not is_label:
                continue
            handle = tar.extractfile(member)
            text = handle.read().decode("utf-8-sig", errors="replace")
            if is_label:
                label_text = text
                continue
            counts["trees"] += 1
            found = _EDGE_RE.findall(text)
            n_lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
            if len(found) == n_lines:
                numbers = np.arange(1, n_lines + 1, dtype=np.int64)
            else:  # slow path: blank or malformed lines somewhere in this file
                found, kept = [], []
                for number, line in enumerate(text.splitlines(), start=1):
                    if not line.strip():
                        counts["blank"] += 1
                        continue
                    m = _LOOSE_EDGE_RE.match(line)
                    if m is None:
                        bad.append({"member": member.name, "row": number, "value": line})
                        continue
                    found.append(tuple(g.strip() for g in m.groups()))
                    kept.append(number)
                numbers = np.asarray(kept, dtype=np.int64)
                n_lines = len(numbers) + sum(1 for b in bad if b["member"] == member.name)
            counts["lines"] += n_lines
            if not found:
                counts["empty_trees"].append(tree_match.group(1))
                continue
            rows.extend(found)
            ids.append(tree_match.group(1))
            members.append(member.name)
            lengths.append(len(found))
            line_numbers.append(numbers)
    table = np.array(rows, dtype=object).reshape(len(rows), len(_FIELDS))
    edges = pd.DataFrame(table, columns=_FIELDS, dtype=object)
    lengths_arr = np.asarray(lengths, dtype=np.int64)
    edges.insert(0, "cascade_id", pd.Series(np.repeat(np.asarray(ids, dtype=object), lengths_arr), dtype=object))
    edges.insert(1, "line", np.concatenate(line_numbers) if line_numbers else np.zeros(0, dtype=np.int64))
    edges.insert(2, "member", pd.Series(np.repeat(np.asarray(members, dtype=object), lengths_arr), dtype=object))
    return edges, label_text, bad, counts


def read_labels(label_text: str) -> pd.DataFrame:
    """``label:tweet_id`` lines -> frame ``cascade_id, label, line``."""
    records = []
    for number, line in enumerate(label_text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, _, tweet_id = line.rpartition(":")
        records.append((tweet_id.strip(), label.strip().lower(), number))
    return pd.DataFrame(records, columns=["cascade_id", "label", "line"])


def read_label_all(path: Path) -> pd.DataFrame:
    """``*_label_All.txt``: tab separated ``label event_id source_tweet_id n1..n4 origin x``."""
    frame = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3)
    frame = frame.apply(lambda col: col.str.strip())
    out = pd.DataFrame(
        {
            "cascade_id": frame[2],
            "label_all": frame[0].str.lower(),
            "event_id": frame[1],
            "collection_origin": frame[7] if frame.shape[1] > 7 else pd.NA,
        }
    )
    return out.replace("", pd.NA)


def rvnn_folds(folder: str | Path, subset: str = "twitter15") -> list[tuple[list[str], list[str]]]:
    """The RvNN 5-fold splits: ``[(train_ids, test_ids)] * 5`` from ``RNN{train,test}Set_Twitter15{k}_tree.txt``."""
    folder = Path(folder)
    tag = {"twitter15": "Twitter15", "twitter16": "Twitter16"}[subset]
    folds = []
    for k in range(5):
        pair = []
        for part in ("train", "test"):
            path = folder / f"RNN{part}Set_{tag}{k}_tree.txt"
            if not path.is_file():
                raise FileNotFoundError(f"RvNN fold file not found: {path.resolve()}")
            pair.append([ln.strip() for ln in path.read_text().splitlines() if ln.strip()])
        folds.append((pair[0], pair[1]))
    return folds


# --------------------------------------------------------------------------- conversion
EVENTSEP_SPLITS = ("train", "dev", "test")


def read_source_texts(path: str | Path) -> pd.DataFrame:
    """One Wu & Hooi source-text file -> columns cascade_id, publisher_id, text, text_label (strings)."""
    rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]
    bad = [r for r in rows if len(r) != 4]
    if bad:
        raise ValueError(f"{FORMAT}: {path}: {len(bad)} line(s) without 4 tab-separated columns")
    frame = pd.DataFrame(rows, columns=["publisher_id", "cascade_id", "text", "text_label"])
    frame["text"] = frame["text"].str.strip()
    return frame[["cascade_id", "publisher_id", "text", "text_label"]].astype("string")


def eventsep_tables(paths: dict[str, Path]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(texts, split assignment) from the optional files; None for what is absent. The assignment has
    columns cascade_id, split (first listing wins when an id is in two split files)."""
    texts = read_source_texts(paths["source_texts"]) if "source_texts" in paths else None
    parts = [
        read_source_texts(paths[f"eventsep_{name}"])[["cascade_id"]].assign(split=name)
        for name in EVENTSEP_SPLITS
        if f"eventsep_{name}" in paths
    ]
    assignment = pd.concat(parts, ignore_index=True).astype("string") if parts else None
    return texts, assignment


def _optional_paths(files: dict) -> dict[str, Path]:
    names = ["source_texts"] + [f"eventsep_{name}" for name in EVENTSEP_SPLITS]
    return {
        name: Path(files[name]).expanduser().resolve()
        for name in names
        if files.get(name) is not None and Path(files[name]).expanduser().is_file()
    }


def _codes(*columns: pd.Series) -> tuple[list[np.ndarray], pd.api.extensions.ExtensionArray]:
    """Factorise aligned object columns jointly (parent and child share one code space).

    Returns the per-column int64 codes and the uniques as a ``string`` array, so that output columns
    are built with a cheap ``take`` instead of converting a million Python strings again.
    """
    stacked = np.concatenate([np.asarray(c, dtype=object) for c in columns])
    codes, uniques = pd.factorize(stacked)
    n = len(columns[0])
    return (
        [codes[i * n : (i + 1) * n].astype(np.int64) for i in range(len(columns))],
        pd.array(np.asarray(uniques, dtype=object), dtype="string"),
    )


def _take(uniques, codes: np.ndarray) -> pd.Series:
    """String column from uniques and codes (-1 -> NA)."""
    return pd.Series(uniques.take(np.asarray(codes, dtype=np.int64), allow_fill=True))


def _combine(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, int]:
    """Dense codes of the pair (a, b)."""
    codes, uniques = pd.factorize(a * np.int64(nb) + b)
    return codes.astype(np.int64), len(uniques)


def break_cycles(parent: np.ndarray) -> np.ndarray:
    """Rows whose parent chain never reaches a root (-1); cut one edge per cycle. Returns cut rows."""
    n = len(parent)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    anc = parent.copy()
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        has = anc >= 0
        anc[has] = anc[anc[has]]
    unresolved = np.flatnonzero(anc >= 0)
    if len(unresolved) == 0:
        return np.zeros(0, dtype=np.int64)
    cut: list[int] = []
    state = np.zeros(n, dtype=np.int8)  # 0 unknown, 1 visiting, 2 done
    state[anc < 0] = 2
    for start in unresolved:
        path = []
        node = int(start)
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = int(parent[node])
        if node >= 0 and state[node] == 1:  # closed a cycle: cut the edge of its first-listed row
            cycle = path[path.index(node) :]
            first = min(cycle)
            cut.append(first)
            parent[first] = -1
        for p in path:
            state[p] = 2
    return np.asarray(sorted(cut), dtype=np.int64)


def load(files: dict, options: dict) -> AdapterResult:
    """Load one subset (``options['subset']``) of the Twitter15/16 trees into canonical tables."""
    options = dict(options or {})
    subset = choice_option(options, "subset", ("twitter15", "twitter16"), FORMAT)
    paths = require_files(files, ["trees_archive", "label_all"], FORMAT, options)
    optional = _optional_paths(files)
    texts, assignment = eventsep_tables(optional)
    archive = paths["trees_archive"]
    label_map = dict(LABEL_MAP) | dict(options.get("label_map") or {})

    edges, label_text, bad_lines, counts = read_archive(archive, subset)
    if label_text is None:
        raise FileNotFoundError(
            f"{FORMAT}: member {subset}/label.txt not found inside {archive} (registry key files.trees_archive)"
        )
    quirks: list[dict] = []
    rejected_parts: list[pd.DataFrame] = []
    n_lines_read = counts["lines"]

    # ---- node codes: a node is (uid, tweet_id, delay) inside one tree
    (p_uid, c_uid), uid_u = _codes(edges["p_uid"], edges["c_uid"])
    (p_tid, c_tid), tid_u = _codes(edges["p_tid"], edges["c_tid"])
    (p_del, c_del), del_u = _codes(edges["p_delay"], edges["c_delay"])
    tree_code, tree_uniques = pd.factorize(edges["cascade_id"].to_numpy())
    tree_code = tree_code.astype(np.int64)
    tree_uniques = np.asarray(tree_uniques, dtype=object)
    pair_pc, _ = _combine(np.concatenate([p_uid, c_uid]), np.concatenate([p_tid, c_tid]), len(tid_u))
    node_pc, n_node = _combine(pair_pc, np.concatenate([p_del, c_del]), len(del_u))
    n = len(edges)
    p_key = tree_code * np.int64(n_node) + node_pc[:n]
    c_key = tree_code * np.int64(n_node) + node_pc[n:]
    line = edges["line"].to_numpy()
    del pair_pc, node_pc
    edges = edges[["cascade_id", "line", "member"]]  # the six string columns live on as codes + uniques

    # ---- exact duplicate lines (same tree, same parent node, same child node)
    dup = pd.DataFrame({"p": p_key, "c": c_key}).duplicated(keep="first").to_numpy()
    quirks.append(quirk("engagements", "duplicate edge lines", int(dup.sum()), "deduplicated (first line kept)"))

    root_uid = np.flatnonzero(np.asarray(uid_u == "ROOT", dtype=bool))
    root_tid = np.flatnonzero(np.asarray(tid_u == "ROOT", dtype=bool))
    is_root_line = np.isin(p_uid, root_uid) & np.isin(p_tid, root_tid)
    # ---- the source node of every tree: child of its first ROOT line
    root_rows = np.flatnonzero(is_root_line & ~dup)
    root_first = pd.Series(root_rows, index=tree_code[root_rows])
    extra_root = root_first.index.duplicated(keep="first")
    root_first = root_first[~extra_root]
    extra_root_rows = np.sort(root_rows[np.isin(root_rows, root_first.to_numpy(), invert=True)])
    n_trees = len(tree_uniques)
    src_row = np.full(n_trees, -1, dtype=np.int64)
    src_row[root_first.index.to_numpy()] = root_first.to_numpy()
    src_key_by_tree = np.full(n_trees, -1, dtype=np.int64)
    src_key_by_tree[src_row >= 0] = c_key[src_row[src_row >= 0]]
    r_uid = np.full(n_trees, -1, dtype=np.int64)
    r_tid = np.full(n_trees, -1, dtype=np.int64)
    r_uid[src_row >= 0] = c_uid[src_row[src_row >= 0]]
    r_tid[src_row >= 0] = c_tid[src_row[src_row >= 0]]
    # fallback: a tree without a ROOT line hangs from the parent node of its first line
    no_root = np.flatnonzero(src_row < 0)
    if len(no_root):
        first_line_row = pd.Series(np.arange(n)).groupby(tree_code).first()
        rows_nr = first_line_row.loc[no_root].to_numpy()
        src_key_by_tree[no_root] = p_key[rows_nr]
        r_uid[no_root] = p_uid[rows_nr]
        r_tid[no_root] = p_tid[rows_nr]
    quirks.append(
        quirk(
            "cascades",
            "tree file without a ROOT line",
            len(no_root),
            "the parent node of the first line is taken as the source node",
        )
    )
    src_key = src_key_by_tree[tree_code]
    root_info = pd.DataFrame(
        {
            "cascade_id": tree_uniques,
            "root_account_id": _take(uid_u, r_uid),
            "root_post_id": _take(tid_u, r_tid),
        }
    )
    mismatch = root_info["root_post_id"].notna() & (root_info["root_post_id"] != root_info["cascade_id"])
    quirks.append(
        quirk(
            "cascades",
            "ROOT links to a tweet other than the labelled source tweet (file name)",
            int(mismatch.sum()),
            "cascade keyed by the labelled tweet id (delays are relative to it); root_post_id/root_account_id "
            "= the node linked from ROOT; tweets carrying either id count as retweets",
        )
    )

    # ---- classify the remaining lines
    delay_values = pd.to_numeric(pd.Series(np.asarray(del_u, dtype=object)), errors="coerce").to_numpy(dtype=float)
    if len(delay_values) == 0:
        delay_values = np.zeros(1)
    delay_c, delay_p = delay_values[c_del], delay_values[p_del]
    candidate = ~dup & ~is_root_line
    self_loop = candidate & (p_key == c_key)
    back_edge = candidate & ~self_loop & (c_key == src_key)
    keep = candidate & ~self_loop & ~back_edge
    keep[extra_root_rows] = True  # a second ROOT line: its child hangs from the cascade root
    bad_delay = keep & np.isnan(delay_c)
    keep &= ~bad_delay
    quirks.append(
        quirk(
            "engagements",
            "extra ROOT lines in a tree",
            len(extra_root_rows),
            "kept as engagements hanging from the cascade root (no parent account)",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "self-loop edge (parent node == child node)",
            int(self_loop.sum()),
            "dropped (not a spreading edge); listed in rejected",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "edge pointing back to the source node",
            int(back_edge.sum()),
            "dropped (the source node is the root; the edge would close a cycle); listed in rejected",
        )
    )
    quirks.append(quirk("engagements", "delay is not a number", int(bad_delay.sum()), "dropped; listed in rejected"))
    quirks.append(quirk("engagements", "malformed tree lines", len(bad_lines), "dropped; listed in rejected"))
    quirks.append(quirk("engagements", "blank tree lines", counts["blank"], "ignored"))

    def _reject(mask: np.ndarray, reason: str) -> None:
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return
        part = edges.iloc[rows]
        f = [
            np.asarray(u, dtype=object)[c[rows]]
            for u, c in ((uid_u, p_uid), (tid_u, p_tid), (del_u, p_del), (uid_u, c_uid), (tid_u, c_tid), (del_u, c_del))
        ]
        value = [f"['{a}', '{b}', '{c}']->['{d}', '{e}', '{g}']" for a, b, c, d, e, g in zip(*f)]
        file = str(archive) + "::" + part["member"].astype(str)
        rejected_parts.append(rejected_rows("engagements", file, part["line"], "parent->child", value, reason))

    _reject(self_loop, "self-loop edge: parent node equals child node")
    _reject(back_edge, "edge points back to the source node")
    _reject(bad_delay, "child delay is not a number")
    if bad_lines:
        rejected_parts.append(
            rejected_rows(
                "engagements",
                [str(archive) + "::" + b["member"] for b in bad_lines],
                [b["row"] for b in bad_lines],
                "line",
                [b["value"] for b in bad_lines],
                "line does not match ['uid', 'tweet_id', 'delay']->['uid', 'tweet_id', 'delay']",
            )
        )

    # kept edges in (tree id, line) order: "first edge that created a node" means the lowest line of its file
    rows = np.flatnonzero(keep)
    tree_rank = np.argsort(np.argsort(tree_uniques.astype(str), kind="stable"), kind="stable")
    rows = rows[np.lexsort((line[rows], tree_rank[tree_code[rows]]))]
    t_code = tree_code[rows]
    ek_c, ek_p, ek_src = c_key[rows], p_key[rows], src_key[rows]
    is_extra_root = np.isin(rows, extra_root_rows)
    tree_str = pa.array(tree_uniques.astype(str), type=pa.string())
    engagement_id = pc.binary_join_element_wise(
        tree_str.take(pa.array(t_code)),
        pc.utf8_lpad(pc.cast(pa.array(line[rows]), pa.string()), 6, "0"),
        ":",
    )
    engagement_id = pd.Series(pd.arrays.ArrowStringArray(engagement_id))

    # ---- parent resolution: the first engagement (lowest line) that created the parent node
    first_edge = ~pd.Series(ek_c).duplicated(keep="first").to_numpy()
    creator_rows = np.flatnonzero(first_edge)
    pos = pd.Index(ek_c[first_edge]).get_indexer(ek_p)
    parent_row = np.where(pos >= 0, creator_rows[np.maximum(pos, 0)], -1)
    from_source = ek_p == ek_src
    orphan = ~from_source & ~is_extra_root & (pos < 0)
    parent_row[from_source | is_extra_root | orphan] = -1
    cut = break_cycles(parent_row)
    quirks.append(
        quirk(
            "engagements",
            "node created by more than one edge (several parents)",
            int((~first_edge).sum()),
            "every edge kept; descendants attach to the first edge (node_first_edge=False marks the others)",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "parent node never seen as a child",
            int(orphan.sum()),
            "attached to the cascade root (parent_engagement_id NA; parent account/post kept)",
        )
    )
    quirks.append(
        quirk(
            "engagements", "parent links forming a cycle", len(cut), "one edge per cycle attached to the cascade root"
        )
    )

    # ---- times (created_at only for splits/windows; delays are relative)
    created_by_tree = snowflake_to_utc(pd.Series(tree_uniques)).array
    raw_delay_s = delay_c[rows] * 60.0
    negative = raw_delay_s < 0
    earlier = (delay_c[rows] < delay_p[rows]) & ~is_extra_root
    quirks.append(
        quirk(
            "engagements",
            "negative delay",
            int(negative.sum()),
            "kept; delay_s clipped to 0 (raw value in delay_raw_s)",
        )
    )
    quirks.append(
        quirk(
            "engagements",
            "child earlier than its parent",
            int(earlier.sum()),
            "kept as is (the crawl reconstructed retweet parents); do not assume monotone time",
        )
    )
    delay_s = np.clip(raw_delay_s, 0.0, None)
    start = pd.Series(created_by_tree[t_code]).astype("datetime64[ns, UTC]")
    time = start + pd.to_timedelta(delay_s, unit="s")

    ec_tid, ep_tid = c_tid[rows], p_tid[rows]
    own_tid = pd.Index(np.asarray(tid_u, dtype=object)).get_indexer(tree_uniques)  # file-name id code or -1
    is_retweet = (ec_tid == own_tid[t_code]) | (ec_tid == r_tid[t_code])
    engagements = pd.DataFrame(
        {
            "engagement_id": engagement_id,
            "cascade_id": _take(pd.array(tree_uniques, dtype="string"), t_code),
            "parent_engagement_id": engagement_id.take(np.maximum(parent_row, 0))
            .reset_index(drop=True)
            .where(parent_row >= 0),
            "parent_account_id": _take(uid_u, np.where(is_extra_root, -1, p_uid[rows])),
            "parent_post_id": _take(tid_u, np.where(is_extra_root, -1, ep_tid)),
            "child_account_id": _take(uid_u, c_uid[rows]),
            "child_post_id": _take(tid_u, np.where(is_retweet, -1, ec_tid)),
            "kind": pd.Series(np.where(is_retweet, "retweet", "reply")).astype("string"),
            "time": time,
            "delay_s": delay_s,
            "delay_raw_s": raw_delay_s,
            "node_first_edge": pd.array(first_edge, dtype="boolean"),
        }
    )

    # ---- accounts: every uid seen in a usable line
    used = keep | (is_root_line & ~dup) | self_loop | back_edge
    seen = np.zeros(len(uid_u), dtype=bool)
    seen[p_uid[used & ~is_root_line]] = True
    seen[c_uid[used]] = True
    uid_codes = np.flatnonzero(seen)
    accounts = pd.DataFrame({"account_id": _take(uid_u, uid_codes)})
    accounts = accounts.sort_values("account_id", kind="stable").reset_index(drop=True)

    # ---- posts: root tweets and reply tweets
    roots = root_info.dropna(subset=["root_post_id"])
    root_posts = pd.DataFrame(
        {
            "post_id": roots["root_post_id"],
            "account_id": roots["root_account_id"],
            "kind": "original",
            "parent_post_id": pd.NA,
            "cascade_id": roots["cascade_id"],
        }
    )
    reply_mask = ~is_retweet & first_edge
    reply_posts = pd.DataFrame(
        {
            "post_id": engagements["child_post_id"][reply_mask],
            "account_id": engagements["child_account_id"][reply_mask],
            "kind": "reply",
            "parent_post_id": engagements["parent_post_id"][reply_mask],
            "cascade_id": engagements["cascade_id"][reply_mask],
        }
    )
    if texts is not None:
        text_by_cascade = texts.drop_duplicates("cascade_id").set_index("cascade_id")["text"]
        root_posts["text"] = root_posts["cascade_id"].map(text_by_cascade).astype("string").to_numpy()
        reply_posts["text"] = pd.NA
    posts = pd.concat([root_posts, reply_posts], ignore_index=True)
    n_post_candidates = len(posts)
    dup_posts = posts["post_id"].duplicated(keep="first")
    quirks.append(
        quirk(
            "posts",
            "tweet appears as more than one node (several trees or nodes)",
            int(dup_posts.sum()),
            "one post kept (root role first, then the lowest cascade id)",
        )
    )
    posts = posts[~dup_posts]
    known = posts["parent_post_id"].isin(posts["post_id"].unique()).fillna(False).astype(bool)
    unresolved_parent = posts["parent_post_id"].notna() & ~known
    quirks.append(
        quirk(
            "posts",
            "reply to a tweet that is not in posts",
            int(unresolved_parent.sum()),
            "parent_post_id set to NA (the engagement keeps the raw parent tweet id)",
        )
    )
    posts = posts.assign(parent_post_id=posts["parent_post_id"].where(known))
    posts.insert(2, "created_at", snowflake_to_utc(posts["post_id"]).array)
    posts = posts.astype(
        {
            c: "string"
            for c in ("post_id", "account_id", "kind", "parent_post_id", "cascade_id")
            + (("text",) if "text" in posts else ())
        }
    )
    posts = posts.sort_values("post_id", kind="stable").reset_index(drop=True)

    # ---- cascades: labels, events, roots
    labels = read_labels(label_text)
    n_label_lines = len(labels)
    dup_label = labels["cascade_id"].duplicated(keep="first")
    quirks.append(quirk("cascades", "duplicate label.txt ids", int(dup_label.sum()), "first label kept"))
    labels = labels[~dup_label]
    label_all = read_label_all(paths["label_all"])
    label_all = label_all.drop_duplicates("cascade_id", keep="first")
    trees = pd.DataFrame({"cascade_id": tree_uniques.astype(object)})
    cascades = trees.merge(labels[["cascade_id", "label"]], on="cascade_id", how="outer")
    quirks.append(
        quirk("cascades", "tree file without a label", int(cascades["label"].isna().sum()), "kept with label NA")
    )
    no_tree = ~labels["cascade_id"].isin(trees["cascade_id"].unique())
    empty_tree = labels["cascade_id"].isin(pd.Series(counts["empty_trees"], dtype=object).unique())
    quirks.append(
        quirk(
            "cascades",
            "tree file without any edge line",
            len(counts["empty_trees"]),
            "kept (when labelled) as a cascade without engagements",
        )
    )
    quirks.append(
        quirk(
            "cascades",
            "label without a tree file",
            int((no_tree & ~empty_tree).sum()),
            "kept as a cascade without engagements",
        )
    )
    cascades = cascades.merge(label_all, on="cascade_id", how="left")
    disagree = cascades["label_all"].notna() & cascades["label"].notna() & (cascades["label_all"] != cascades["label"])
    quirks.append(quirk("cascades", "label.txt and label_All disagree", int(disagree.sum()), "label.txt kept"))
    quirks.append(
        quirk(
            "cascades",
            "cascade without an event id in label_All",
            int(cascades["event_id"].isna().sum()),
            "event_id NA (group splits treat it as its own event)",
        )
    )
    cascades = cascades.merge(root_info, on="cascade_id", how="left")
    cascades["created_at"] = snowflake_to_utc(cascades["cascade_id"]).array
    quirks.append(
        quirk(
            "cascades",
            "created_at decoded from the source tweet id (snowflake)",
            int(cascades["created_at"].notna().sum()),
            "for splits and windows only; never a model input",
        )
    )
    cascades["is_misinformation"] = is_misinformation(cascades["label"], label_map)
    cascades["label_source"] = f"{subset}/label.txt (Ma et al. 2017)"
    if assignment is not None:
        split = assignment.drop_duplicates("cascade_id").set_index("cascade_id")["split"]
        cascades["split"] = cascades["cascade_id"].map(split)
    else:
        cascades["split"] = pd.NA
    quirks += _eventsep_quirks(cascades, texts, assignment, root_posts)
    cascades = cascades[
        [
            "cascade_id",
            "root_post_id",
            "root_account_id",
            "created_at",
            "label",
            "is_misinformation",
            "label_source",
            "event_id",
            "collection_origin",
            "split",
        ]
    ]
    cascades = cascades.astype(
        {
            c: "string"
            for c in (
                "cascade_id",
                "root_post_id",
                "root_account_id",
                "label",
                "label_source",
                "event_id",
                "collection_origin",
                "split",
            )
        }
    )
    cascades = cascades.sort_values("cascade_id", kind="stable").reset_index(drop=True)
    engagements = engagements.sort_values("engagement_id", kind="stable").reset_index(drop=True)

    source = str(archive)
    if texts is not None:
        source_posts = f"{source}::{subset}/tree/*.txt + {optional['source_texts']}"
    else:
        source_posts = f"{source}::{subset}/tree/*.txt"
    return AdapterResult(
        tables={"accounts": accounts, "posts": posts, "cascades": cascades, "engagements": engagements},
        source_files={
            "cascades": f"{source}::{subset}/label.txt + {paths['label_all']}",
            "engagements": f"{source}::{subset}/tree/*.txt",
            "accounts": f"{source}::{subset}/tree/*.txt",
            "posts": source_posts,
        },
        rows_read={
            "engagements": int(n_lines_read),
            "cascades": int(n_label_lines),
            "accounts": int(len(accounts)),
            "posts": int(n_post_candidates),
        },
        quirks=quirks,
        rejected=rejected_frame(rejected_parts),
    )


def _eventsep_quirks(
    cascades: pd.DataFrame, texts: pd.DataFrame | None, assignment: pd.DataFrame | None, root_posts: pd.DataFrame
) -> list[dict]:
    """Data-card lines for the optional event-separated files: texts found / trees, split sizes, and
    disagreements with the trees (counted, never used to change a label)."""
    n_trees = len(cascades)
    out = []
    if texts is None:
        out.append(
            quirk(
                "posts",
                "source-tweet texts found (twitter15_16_eventsep)",
                0,
                f"0 of {n_trees} trees: source_texts file absent; model is text-free",
            )
        )
    else:
        found = cascades["cascade_id"].isin(texts["cascade_id"].unique())
        n_text = int(root_posts["text"].notna().sum()) if "text" in root_posts else 0
        out.append(
            quirk(
                "posts",
                "source-tweet texts found (twitter15_16_eventsep)",
                int(found.sum()),
                f"{int(found.sum())} of {n_trees} trees have a source text; set on {n_text} root posts' text "
                "(before posts are de-duplicated)",
            )
        )
        extra = ~texts["cascade_id"].isin(cascades["cascade_id"].unique())
        out.append(quirk("posts", "source text for a tweet without a tree or label", int(extra.sum()), "ignored"))
        merged = cascades[["cascade_id", "label"]].merge(texts, on="cascade_id")
        disagree = merged["label"].notna() & (merged["label"] != merged["text_label"])
        out.append(
            quirk(
                "cascades",
                "label in the source-text file disagrees with label.txt",
                int(disagree.sum()),
                "label.txt kept",
            )
        )
    if assignment is None:
        out.append(
            quirk(
                "cascades",
                "event-separated split assigned (Wu & Hooi)",
                0,
                f"0 of {n_trees} trees: split files absent; split NA",
            )
        )
    else:
        sizes = cascades["split"].value_counts().to_dict()
        detail = ", ".join(f"{name} {int(sizes.get(name, 0))}" for name in EVENTSEP_SPLITS)
        out.append(
            quirk(
                "cascades",
                "event-separated split assigned (Wu & Hooi)",
                int(cascades["split"].notna().sum()),
                f"of {n_trees} trees: {detail}; column split",
            )
        )
        twice = assignment["cascade_id"].duplicated(keep="first")
        out.append(quirk("cascades", "tweet listed in more than one split file", int(twice.sum()), "first split kept"))
    return out
