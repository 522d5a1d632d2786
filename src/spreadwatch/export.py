"""The pseudonymised export of a ranking: salted hashes instead of ids and names, free text dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spreadwatch import ranking
from spreadwatch.reviews import VERDICTS
from spreadwatch.safe_csv import write_csv
from spreadwatch.schema import DATASET_NAME_PATTERN


def pseudonym(value, salt: str, prefix: str = "") -> str | None:
    """Salted HMAC-SHA-256 pseudonym (first 16 hex digits) of a value; None for missing values.

    The prefix names the field and is part of the hashed message, so each field has its own key: the
    same text as a screen name and as a display name gives unrelated pseudonyms."""
    import hashlib
    import hmac

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    message = f"{prefix}\x1f{value}".encode()
    digest = hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()[:16]
    return f"{prefix}{digest}"


EXPORT_NUMERIC = (
    "rank",
    "score",
    *ranking.COMPONENTS,
    "n_cascades_seeded",
    "n_misinfo_cascades_seeded",
    "reshares_of_misinfo",
    "total_reshares_received",
)


def pseudonymise_ranked(ranked: pd.DataFrame, salt: str) -> pd.DataFrame:
    """Ranked accounts for sharing: ids and names replaced by salted hashes, free text dropped.

    Columns out: account_pseudonym, screen_name_pseudonym, name_pseudonym, the numeric columns in
    ``EXPORT_NUMERIC`` that exist, label and review_status (closed vocabularies)."""
    if not salt or len(salt) < 8:
        raise ValueError(
            "a salt of at least 8 characters is required (keep it secret; it is what makes the hashes unlinkable)"
        )
    out = pd.DataFrame({"account_pseudonym": [pseudonym(v, salt, "a_") for v in ranked["account_id"]]})
    for column, prefix in (("screen_name", "s_"), ("name", "n_")):
        if column in ranked:
            out[f"{column}_pseudonym"] = [pseudonym(v, salt, prefix) for v in ranked[column]]
    for column in EXPORT_NUMERIC:
        if column in ranked:
            out[column] = ranked[column].to_numpy()
    for column, allowed in (("label", ("bot", "human")), ("review_status", (*VERDICTS, "unreviewed"))):
        if column in ranked:
            out[column] = ranked[column].astype("string").where(ranked[column].isin(allowed)).to_numpy()
    return out


def run_export(results_dir, dataset: str, salt: str, out_dir) -> list[Path]:
    """Write the pseudonymised ranked accounts and the domain ranking (domains are public) to ``out_dir``."""
    import re

    if not re.fullmatch(DATASET_NAME_PATTERN, dataset or ""):
        raise ValueError(f"dataset name {dataset!r} must match {DATASET_NAME_PATTERN} (letters, digits, _ and -)")
    base = Path(results_dir) / dataset
    if not (base / "ranked_accounts.csv").exists():
        raise ValueError(f"{base / 'ranked_accounts.csv'} not found: run the workflow for {dataset!r} first")
    ranked = pd.read_csv(base / "ranked_accounts.csv", dtype={"account_id": str, "screen_name": str, "name": str})
    shared = pseudonymise_ranked(ranked, salt)  # checks the salt before anything is written
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "ranked_accounts_pseudonymised.csv"]
    write_csv(shared, paths[0], float_format="%.6g")
    domains = base / "ranked_domains.csv"
    if domains.exists():
        table = pd.read_csv(domains)
        paths.append(out_dir / "ranked_domains.csv")
        write_csv(table.drop(columns=[c for c in ("top_reasons",) if c in table]), paths[1], float_format="%.6g")
    return paths
