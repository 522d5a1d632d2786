"""Features stage: account features, cascade features and cascade features at early cut-offs."""

from __future__ import annotations

import logging

import pandas as pd

from spreadwatch import features
from spreadwatch.evaluation.cutoffs import EARLY_KS, early_cutoffs
from spreadwatch.ingest import read_canonical
from spreadwatch.pipeline._io import write_parquet

log = logging.getLogger(__name__)


def account_text_table(accounts: pd.DataFrame, posts: pd.DataFrame, text_cache_dir) -> pd.DataFrame:
    """``features.text_features`` with MiniLM embeddings cached in ``text_cache_dir`` (index account_id)."""
    from spreadwatch.text import MiniLMEmbedder

    embedder = MiniLMEmbedder(cache_dir=text_cache_dir)
    return features.text_features(accounts, posts, embedder.embed)


def account_feature_table(
    tables: dict[str, pd.DataFrame], network_path, coordination_path, text=None, **options
) -> pd.DataFrame:
    """``features.account_features`` of canonical ``tables`` (accounts, posts, engagements: the whole
    dataset or one shard) with the graphs stage's network metrics and co-engagement pairs read from their
    files. ``options`` go to ``account_features`` (a shard's reference time, name models and
    ``drop_uninformative=False``). Index account_id, one row per account."""
    return features.account_features(
        tables["accounts"],
        tables["posts"],
        network_metrics=pd.read_parquet(network_path),
        coordination=pd.read_parquet(coordination_path),
        engagements=tables["engagements"],
        text=text,
        **options,
    )


def run_account_features(canonical_dir, network_path, coordination_path, out_path, text_cache_dir=None) -> pd.DataFrame:
    """Account feature table; with ``text_cache_dir`` also the MiniLM text family (cached there)."""
    tables = read_canonical(canonical_dir, ("accounts", "posts", "engagements"))
    text = None
    if text_cache_dir is not None:
        text = account_text_table(tables["accounts"], tables["posts"], text_cache_dir)
        log.info("text features: %d columns", text.shape[1])
    table = account_feature_table(tables, network_path, coordination_path, text=text)
    log.info("account features: %d accounts x %d features", *table.shape)
    write_parquet(table.reset_index(), out_path)
    return table


def run_cascade_features(
    canonical_dir, account_features_path, account_scores_path, out_path, cutoff_s: float | None = None
) -> pd.DataFrame:
    """Cascade feature table (``features.cascade_features``; columns cascade_id + features) from the canonical
    cascades and engagements, the account features and the accounts' bot probabilities."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    account_table = pd.read_parquet(account_features_path).set_index("account_id")
    scores = pd.read_parquet(account_scores_path).set_index("account_id")["bot_probability"].dropna()
    table = features.cascade_features(
        tables["cascades"], tables["engagements"], account_table, scores, cutoff_s=cutoff_s
    )
    log.info("cascade features: %d cascades x %d features", *table.shape)
    write_parquet(table.reset_index(), out_path)
    return table


def run_cascade_features_early(
    canonical_dir, account_features_path, account_scores_path, out_path, minutes=features.EARLY_MINUTES, ks=EARLY_KS
) -> pd.DataFrame:
    """Cascade features at every early-detection cut-off, one long table: columns cutoff, cascade_id,
    features (a feature a cut-off cannot have, e.g. growth after the cut-off, is NaN there)."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    account_table = pd.read_parquet(account_features_path).set_index("account_id")
    scores = pd.read_parquet(account_scores_path).set_index("account_id")["bot_probability"].dropna()
    parts = []
    from spreadwatch.progress import progress

    for name, cut in progress(list(early_cutoffs(minutes, ks).items()), "early features: cut-offs", unit="cut-off"):
        table = features.cascade_features(tables["cascades"], tables["engagements"], account_table, scores, **cut)
        parts.append(table.reset_index().assign(cutoff=name))
        log.info("early features %s: %d cascades x %d features", name, *table.shape)
    out = pd.concat(parts, ignore_index=True)
    out = out[["cutoff", "cascade_id"] + [c for c in out.columns if c not in ("cutoff", "cascade_id")]]
    write_parquet(out, out_path)
    return out
