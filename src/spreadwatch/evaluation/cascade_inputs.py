"""What an evaluation binds in besides the feature table: the protocols' side data (fixed split, claim-text
groups) and the cascade model factories (participation pairs, root history, claim-text embeddings)."""

from __future__ import annotations

import pandas as pd

from spreadwatch import features, models
from spreadwatch.ingest import read_canonical


def protocol_side_data(task: str, canonical_dir, index: pd.Index, text_cache_dir=None) -> dict:
    """Per-row side data of the protocols (index as ``index``): ``assignment`` (cascades.split, the fixed
    event-separated split) and ``text_groups`` (one id per normalised claim text, joined by MiniLM cosine
    >= 0.9 when ``text_cache_dir`` is given), each None when the dataset has none. Bot tasks have neither."""
    if task != "cascade":
        return {"assignment": None, "text_groups": None}
    from spreadwatch.evaluation.rumour import text_side_data

    tables = read_canonical(canonical_dir, ("cascades", "posts"))
    side = text_side_data(
        tables["cascades"], tables["posts"], cache_dir=text_cache_dir, embed=text_cache_dir is not None
    )
    keys = pd.Index(index.astype(str))
    return {
        name: None if side[name] is None else side[name].reindex(keys).set_axis(index)
        for name in ("assignment", "text_groups")
    }


def protocol_rows(protocol: str, groups, times, assignment) -> pd.Series | bool:
    """Rows a protocol can use: those with the side data it needs (event id, start time, split)."""
    needs = models.protocol_registry.get(protocol).needs
    keep = True
    for need, values in (("groups", groups), ("times", times), ("assignment", assignment)):
        if need in needs and values is not None:
            keep = keep & values.notna()
    return keep


def text_only_factory(canonical_dir, text_cache_dir, psa: bool = False):
    """(``seed -> TextOnlyModel``, its fit params: the MiniLM claim-text embeddings), or None without texts."""
    from spreadwatch.evaluation.rumour import TextOnlyModel

    tables = read_canonical(canonical_dir, ("cascades", "posts"))
    embeddings = cascade_text_embeddings(tables["cascades"], text_cache_dir, tables["posts"])
    if embeddings is None:
        return None
    publishers = tables["cascades"].set_index("cascade_id")["root_account_id"].astype("string")
    side = models.CascadeSideData(text_embeddings=embeddings, publishers=publishers)
    return (lambda seed: TextOnlyModel(psa=psa, random_state=seed)), {"side": side}


CASCADE_FOLD_INPUTS = (
    "engager history hist_* (models.EngagerHistory, fitted on each training fold; training rows "
    "from inner 5-fold splits)"
)


def cascade_text_embeddings(
    cascades: pd.DataFrame, cache_dir, posts: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """MiniLM embeddings of the cascades' claim texts (index cascade_id, 384 columns): the title, else the
    root post's text (``evaluation.rumour.cascade_texts``); None when no cascade has one. Embeddings are
    cached on disk in ``cache_dir``."""
    from spreadwatch.evaluation.rumour import cascade_texts

    titles = cascade_texts(cascades, posts)
    if cache_dir is None or not titles.notna().any():
        return None
    from spreadwatch.text import MiniLMEmbedder

    vectors = MiniLMEmbedder(cache_dir=cache_dir).embed(titles.fillna("").tolist())
    return pd.DataFrame(vectors, index=titles.index.astype(str))


def root_pairs(cascades: pd.DataFrame) -> pd.DataFrame | None:
    """(cascade_id, account_id) of each cascade's root account, or None when no cascade has one (UPFD)."""
    roots = cascades[["cascade_id", "root_account_id"]].dropna().astype(str)
    if roots.empty:
        return None
    return roots.rename(columns={"root_account_id": "account_id"}).sort_values("cascade_id").reset_index(drop=True)


def cascade_model_factory(
    model: str,
    canonical_dir,
    text_cache_dir=None,
    engagements=None,
    history_engagements=None,
    engager_bag: bool = False,
    root_history: bool = True,
):
    """(``seed -> models.CascadeModel``, its fit params: the participation pairs and title embeddings as
    ``models.CascadeSideData``). ``engagements`` are the ones seen (default: all); ``history_engagements``
    the ones counted for the training-fold history (default: the same)."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements", "posts"))
    cascades = tables["cascades"]
    seen = tables["engagements"] if engagements is None else engagements
    participants = features.participation(cascades, seen)
    history = None if history_engagements is None else features.participation(cascades, history_engagements)
    text = cascade_text_embeddings(cascades, text_cache_dir, tables["posts"])
    roots = root_pairs(cascades) if root_history else None
    side = models.CascadeSideData(
        participants=participants, history_participants=history, text_embeddings=text, root_participants=roots
    )
    return (lambda seed: models.CascadeModel(model=model, random_state=seed, engager_bag=engager_bag)), {"side": side}


def cascade_fold_inputs(text_cache_dir=None, engager_bag: bool = False, root_history: bool = True) -> str:
    """What the cascade model fits inside each training fold (written to metrics files and model cards)."""
    parts = [CASCADE_FOLD_INPUTS]
    if root_history:
        parts.append("root-account history root_hist_* (the same, over each cascade's root account)")
    if engager_bag:
        parts.append(
            "bag-of-engagers logistic regression bag_p_* (models.EngagerBag, out-of-fold inside the training fold)"
        )
    if text_cache_dir:
        parts.append("claim-title PCA")
    return " + ".join(parts)
