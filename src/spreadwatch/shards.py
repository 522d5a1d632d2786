"""Sharding: the account tables split by a stable hash of the account id, account features and bot
scores computed once per shard (a Snakemake job each, so a cluster runs them in parallel) and gathered.

A sharded run gives the same files as an unsharded one (``tests/test_shards.py``):

- ``write_shards`` writes ``accounts`` (by ``account_id``), ``posts`` (by author ``account_id``) and
  ``engagements`` (by the engaging ``child_account_id``) of shard ``i`` to ``{out}/{i}-of-{n}/`` and
  ``context.json``: what the features need from the whole dataset (reference time, per-column name
  bigram models).
- Global inputs stay global: the account network metrics and the co-engagement pairs (whole-graph
  computations, ``rule graphs``) and, with text features on, the PCA-reduced text table.
- ``gather_account_features`` drops the columns without information over all shards, as the unsharded
  ``features.account_features`` does.
- Bot scores: ``fit_account_model`` decides the model source as ``pipeline.score.run_score`` does
  (``portable.resolve_model_source``: in-domain with enough labels, else the shipped portable model) and,
  in-domain, fits the full model and the five out-of-fold models once (they need every labelled
  account); ``score_account_shard`` applies them and the explanations (or the shipped model) to one
  shard; ``gather_account_scores`` concatenates. Predictions and explanations are per-row, so the split changes
  nothing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import features, models
from spreadwatch.evaluation.records import positive_index
from spreadwatch.evaluation.truth import labelled_accounts
from spreadwatch.ingest import read_canonical
from spreadwatch.pipeline.features import account_feature_table, account_text_table
from spreadwatch.pipeline.score import fit_with_folds, out_of_fold_probability

log = logging.getLogger(__name__)

HASH_KEY = "spreadwatch-shrd"  # 16 bytes: pandas' SipHash key; fixed, so shards are stable everywhere
SHARDED_TABLES = {"accounts": "account_id", "posts": "account_id", "engagements": "child_account_id"}
N_FOLDS = 5  # models.make_splits("stratified_5fold")
NAME_COLUMNS = ("screen_name", "name")


def shard_of(ids: pd.Series, n_shards: int) -> np.ndarray:
    """Shard number (0 .. n_shards - 1) of each id: SipHash (fixed key) of the id as text, modulo n.

    Stable across runs, machines and Python hash seeds; missing ids go to shard 0."""
    if n_shards < 1:
        raise ValueError(f"n_shards must be >= 1, got {n_shards}")
    text = pd.Series(ids, copy=False).astype("string").fillna("").astype(object)
    hashes = pd.util.hash_pandas_object(text, index=False, hash_key=HASH_KEY, categorize=False)
    return (hashes.to_numpy(dtype=np.uint64) % np.uint64(n_shards)).astype(np.int64)


def shard_name(i: int, n_shards: int) -> str:
    """Snakemake's scatter item name of shard ``i`` (0-based): ``'{i+1}-of-{n}'``."""
    return f"{i + 1}-of-{n_shards}"


def parse_shard_name(name: str) -> tuple[int, int]:
    """``'2-of-4'`` -> ``(1, 4)`` (0-based shard, number of shards)."""
    item, _, total = str(name).partition("-of-")
    return int(item) - 1, int(total)


def dataset_context(accounts: pd.DataFrame, posts: pd.DataFrame) -> dict:
    """What a shard's account features need from the whole dataset (JSON-serialisable):
    ``reference_time`` (ISO text or None) and ``name_models`` (``features.fit_name_model`` per name column)."""
    reference = features.reference_time(accounts, posts)
    name_models = {}
    for column in NAME_COLUMNS:
        series = features._column(accounts, column)
        if series is not None:
            name_models[column] = features.fit_name_model(series.astype("string"))
    return {
        "reference_time": None if reference is None else pd.Timestamp(reference).isoformat(),
        "name_models": name_models,
    }


def write_shards(canonical_dir, out_dir, n_shards: int) -> list[Path]:
    """Write the sharded account tables and ``context.json`` under ``out_dir``; returns the shard folders.

    Rows keep their canonical order inside a shard; every row lands in exactly one shard."""
    tables = read_canonical(canonical_dir, tuple(SHARDED_TABLES))
    out_dir = Path(out_dir)
    folders = [out_dir / shard_name(i, n_shards) for i in range(n_shards)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for table, key in SHARDED_TABLES.items():
        frame = tables[table]
        shard = shard_of(frame[key], n_shards)
        for i, folder in enumerate(folders):
            frame[shard == i].to_parquet(folder / f"{table}.parquet", index=False)
        log.info(
            "%s: %d rows in %d shards (largest %d)",
            table,
            len(frame),
            n_shards,
            int(np.bincount(shard, minlength=n_shards).max()) if len(frame) else 0,
        )
    context = dataset_context(tables["accounts"], tables["posts"])
    context["n_shards"] = n_shards
    (out_dir / "context.json").write_text(json.dumps(context, sort_keys=True) + "\n")
    return folders


# ---- account features ------------------------------------------------------------------------------
def run_account_text_features(canonical_dir, out_path, text_cache_dir) -> pd.DataFrame:
    """The MiniLM text family for the whole dataset (its PCA is fitted on all accounts): a global input
    of every shard's features."""
    tables = read_canonical(canonical_dir, ("accounts", "posts"))
    text = account_text_table(tables["accounts"], tables["posts"], text_cache_dir)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    text.reset_index().to_parquet(out_path, index=False)
    return text


def run_account_features_shard(
    shard_dir, context_path, network_path, coordination_path, out_path, text_path=None
) -> pd.DataFrame:
    """Account features of one shard (every column kept; ``gather_account_features`` drops the empty ones)."""
    tables = read_canonical(shard_dir, tuple(SHARDED_TABLES))
    context = json.loads(Path(context_path).read_text())
    reference = context.get("reference_time")
    text = None
    if text_path is not None:
        text = pd.read_parquet(text_path).set_index("account_id")
        text = text.reindex(pd.Index(sorted(tables["accounts"]["account_id"].astype(str)), name="account_id"))
    table = account_feature_table(
        tables,
        network_path,
        coordination_path,
        text=text,
        reference=None if reference is None else pd.Timestamp(reference),
        name_models=context.get("name_models") or None,
        drop_uninformative=False,
    )
    log.info("account features of shard %s: %d accounts x %d columns", Path(shard_dir).name, *table.shape)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    table.reset_index().to_parquet(out_path, index=False)
    return table


def gather_account_features(shard_paths, out_path) -> pd.DataFrame:
    """Concatenate the shards' account features, sorted by account id, without uninformative columns."""
    parts = [pd.read_parquet(p) for p in shard_paths]
    widest = max(parts, key=lambda p: p.shape[1])
    columns = list(widest.columns) + [c for p in parts for c in p.columns if c not in widest.columns]
    for path, part in zip(shard_paths, parts):
        missing = [c for c in columns if c not in part.columns]
        if missing and len(part):
            log.warning("%s lacks %s (no value in that shard): NaN there", path, missing)
    table = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    table = table.set_index("account_id").sort_index()
    table = table[features.informative_columns(table)].astype(float)
    features.assert_no_leaky_features(table)
    log.info("gathered account features: %d accounts x %d features from %d shards", *table.shape, len(parts))
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    table.reset_index().to_parquet(out_path, index=False)
    return table


# ---- bot scores ------------------------------------------------------------------------------------
def fold_model_paths(model_out) -> list[Path]:
    """Where ``fit_account_model`` writes the out-of-fold models: beside the full model."""
    model_out = Path(model_out)
    return [model_out.with_name(f"{model_out.stem}_fold{k}.skops") for k in range(N_FOLDS)]


def fit_account_model(
    features_path,
    canonical_dir,
    model: str,
    seed: int,
    model_out,
    folds_out,
    model_source: str = "in_domain",
    prior: float | None = None,
) -> dict:
    """Fit the bot model on every labelled account and the five out-of-fold models (as
    ``pipeline.score.run_score`` does); write them (skops), the model card and ``folds_out`` (account_id, fold:
    the fold whose model scores the account, -1 for unlabelled accounts). Returns the card.

    When ``portable.resolve_model_source(model_source, labels)`` says ``shipped``, nothing is fitted:
    the card is ``portable.shipped_bot_card`` (with ``prior``), which ``score_account_shard`` follows."""
    from spreadwatch import portable

    table, labels = labelled_accounts(features_path, canonical_dir)
    if portable.resolve_model_source(model_source, labels) == "shipped":
        return _shipped_model_files(canonical_dir, table.index, prior, model_out, folds_out)
    known = labels.notna()
    y = labels[known].astype(str)
    fold = pd.Series(-1, index=table.index, dtype="int64", name="fold")
    paths = fold_model_paths(model_out)
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    if y.nunique() >= 2 and y.value_counts().min() >= 5:
        make_model = lambda s: models.SpreadClassifier(model=model, random_state=s)  # noqa: E731
        full, fold_models, fold_of = fit_with_folds(make_model, table[known], y, seed)
        positive = positive_index(full.classes_)
        assert len(fold_models) == N_FOLDS
        for k, fitted in enumerate(fold_models):
            models.save_model(fitted, paths[k])
        fold.loc[fold_of.index] = fold_of
        models.save_model(full, model_out)
        card = {
            "task": "bot",
            "model": model,
            "seed": seed,
            "positive_class": str(full.classes_[positive]),
            "features": list(full.feature_names_in_),
            "n_labelled": int(known.sum()),
            "class_counts": {str(k): int(v) for k, v in y.value_counts().sort_index().items()},
        }
    else:
        card = {"task": "bot", "model": model, "skipped": "not enough labels to train"}
        for path in [Path(model_out), *paths]:
            path.write_bytes(b"")
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    fold.reset_index().to_parquet(folds_out, index=False)
    return card


def _shipped_model_files(canonical_dir, ids, prior, model_out, folds_out) -> dict:
    """The shipped-model source: the card of ``portable.shipped_bot_card`` over every account, a copy
    of the shipped skops file, empty fold models and every account in fold -1."""
    from spreadwatch import portable

    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"]
    model = portable.load_bot_model()
    card = portable.shipped_bot_card(portable.score_accounts_shipped(accounts, prior), model)
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    Path(model_out).write_bytes((portable.SHIPPED_DIR / portable.BOT_MODEL_FILE).read_bytes())
    for path in fold_model_paths(model_out):
        path.write_bytes(b"")
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    pd.DataFrame({"account_id": pd.Index(ids).astype(str), "fold": -1}).to_parquet(folds_out, index=False)
    log.info("shipped bot model %s for every shard", model.model_id)
    return card


def score_account_shard(features_path, shard_accounts_path, model_path, folds_path, out_path) -> pd.DataFrame:
    """Scores of one shard's accounts: out-of-fold probability for labelled accounts (the model of the
    fold that held the account out), the full model's for the rest, and the full model's explanations.
    Columns out: account_id, label, bot_probability, reason_{i}_feature, reason_{i}_effect, score_source,
    model_id (as ``pipeline.score.run_score`` writes them). When the model card says ``shipped_model``, the shard's
    canonical accounts are scored by ``portable.score_accounts_shipped`` at the card's prior instead
    (its columns, as the unsharded shipped path writes them)."""
    card_path = Path(str(model_path) + ".json")
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
    if card.get("score_source") == "shipped_model":
        from spreadwatch import portable

        out = portable.score_accounts_shipped(pd.read_parquet(shard_accounts_path), card.get("prior"))
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        out.to_parquet(out_path, index=False)
        return out
    accounts = pd.read_parquet(shard_accounts_path, columns=["account_id", "label"])
    ids = sorted(accounts["account_id"].astype(str))
    table = pd.read_parquet(features_path, filters=[("account_id", "in", ids)] if ids else None)
    table = table.set_index("account_id").reindex(pd.Index(ids, name="account_id"))
    folds = pd.read_parquet(folds_path).set_index("account_id")["fold"].reindex(table.index)
    out = pd.DataFrame(index=table.index)
    out["label"] = accounts.set_index(accounts["account_id"].astype(str))["label"].reindex(table.index).astype("string")
    out["bot_probability"] = np.nan
    if Path(model_path).stat().st_size > 0 and len(table):
        full = models.load_model(model_path)
        positive = positive_index(full.classes_)
        fold_models = [models.load_model(path) for path in fold_model_paths(model_path)]
        out["bot_probability"] = out_of_fold_probability(table, full, fold_models, folds, full.classes_[positive])
        out = out.join(models.explain(full, table, positive_index=positive))
    out = out.reset_index()
    out["score_source"] = np.where(out["bot_probability"].notna(), "in_domain_model", "not_scored")
    out["model_id"] = f"in_domain:{card.get('model', 'unknown')}"
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(out_path, index=False)
    return out


def gather_account_scores(shard_paths, out_path) -> pd.DataFrame:
    """Concatenate the shards' scores, sorted by account id (the unsharded ``scores/accounts.parquet``)."""
    out = pd.concat([pd.read_parquet(p) for p in shard_paths], ignore_index=True)
    out = out.sort_values("account_id", kind="stable").reset_index(drop=True)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(out_path, index=False)
    return out
