"""Stage runners: file in, file out. The Snakemake scripts and the CLI call these; they know nothing of Snakemake.

Each runner reads the previous stage's Parquet/JSON files, calls the plain functions of the stage
module and writes its outputs deterministically (sorted rows, seeded models).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import features, graphs, models, ranking
from spreadwatch.evaluation import records
from spreadwatch.evaluation.records import positive_index, skipped_record
from spreadwatch.ingest import read_canonical
from spreadwatch.safe_csv import write_csv
from spreadwatch.schema import DATASET_NAME_PATTERN

log = logging.getLogger(__name__)

TRUTH_SOURCE_KINDS = ("news_lowcred", "human_misinfo_seeder")


def _write(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


# ---- graphs ---------------------------------------------------------------------------------------
def run_graphs(canonical_dir: str | Path, edges_out: str | Path, network_out: str | Path,
               coordination_out: str | Path, window_s: float = 60.0) -> None:
    """Account retweet network (edges + per-account metrics) and co-engagement pairs."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    edges = graphs.account_edges(tables["engagements"], tables["cascades"])
    metrics = graphs.account_network_metrics_from_edges(edges)  # sparse matrices, no million-edge DiGraph
    log.info("retweet network: %d accounts, %d edges", len(metrics), len(edges))
    pairs = graphs.co_engagement_pairs(tables["engagements"], window_s=window_s)
    log.info("co-engagement pairs within %.0f s: %d", window_s, len(pairs))
    _write(edges, edges_out)
    _write(metrics, network_out)
    _write(pairs, coordination_out)


# ---- features -------------------------------------------------------------------------------------
def run_account_features(canonical_dir, network_path, coordination_path, out_path,
                         text_cache_dir=None) -> pd.DataFrame:
    """Account feature table; with ``text_cache_dir`` also the MiniLM text family (cached there)."""
    tables = read_canonical(canonical_dir, ("accounts", "posts", "engagements"))
    text = None
    if text_cache_dir is not None:
        from spreadwatch.text import MiniLMEmbedder

        embedder = MiniLMEmbedder(cache_dir=text_cache_dir)
        text = features.text_features(tables["accounts"], tables["posts"], embedder.embed)
        log.info("text features: %d columns", text.shape[1])
    table = features.account_features(
        tables["accounts"], tables["posts"],
        network_metrics=pd.read_parquet(network_path),
        coordination=pd.read_parquet(coordination_path),
        engagements=tables["engagements"],
        text=text,
    )
    log.info("account features: %d accounts x %d features", *table.shape)
    _write(table.reset_index(), out_path)
    return table


def run_cascade_features(canonical_dir, account_features_path, account_scores_path, out_path,
                         cutoff_s: float | None = None) -> pd.DataFrame:
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    account_table = pd.read_parquet(account_features_path).set_index("account_id")
    scores = pd.read_parquet(account_scores_path).set_index("account_id")["bot_probability"].dropna()
    table = features.cascade_features(
        tables["cascades"], tables["engagements"], account_table, scores, cutoff_s=cutoff_s
    )
    log.info("cascade features: %d cascades x %d features", *table.shape)
    _write(table.reset_index(), out_path)
    return table


# ---- models ---------------------------------------------------------------------------------------
def _labelled_accounts(features_path, canonical_dir):
    table = pd.read_parquet(features_path).set_index("account_id")
    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"].set_index("account_id")
    labels = accounts["label"].reindex(table.index)
    return table, labels


def cascade_target(cascades: pd.DataFrame, target: str) -> pd.Series:
    """The cascade label to learn: ``is_misinformation`` (binary) or ``label`` (dataset classes)."""
    series = cascades.set_index("cascade_id")[target]
    if target == "is_misinformation":
        return series.astype("boolean").map({True: "misinformation", False: "other"}).astype("string")
    return series.astype("string")


def run_evaluate(task: str, features_path, canonical_dir, protocol: str, model: str, seeds: list[int],
                 out_json, target: str = "is_misinformation", text_cache_dir=None, engager_bag: bool = False,
                 root_history: bool = True) -> dict:
    """Evaluate one (task, protocol, model) and write its metrics JSON.

    Cascade models (logreg/rf/hgb) are ``models.CascadeModel``: the cascade features plus the engager
    history fitted inside each training fold, and claim-title embeddings when ``text_cache_dir`` is given
    and the cascades have titles."""
    if task == "bot":
        table, labels = _labelled_accounts(features_path, canonical_dir)
        groups = times = None
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"].set_index("cascade_id")
        labels = cascade_target(cascades.reset_index(), target).reindex(table.index)
        groups = cascades["event_id"].reindex(table.index)
        times = cascades["created_at"].reindex(table.index)
    side = protocol_side_data(task, canonical_dir, table.index, text_cache_dir)
    known = labels.notna() & protocol_rows(protocol, groups, times, side["assignment"])
    make_classifier = None
    if model in models.BASELINES:
        if task != "cascade":
            raise ValueError(f"{model} is a cascade leakage baseline")
        engagements = read_canonical(canonical_dir, ("engagements",))["engagements"]
        inputs = models.baseline_inputs(cascades.reset_index(), engagements).reindex(table.index)
        if model == "source_time_only":
            known &= inputs["source_time_s"].notna()
        table = inputs
        make_classifier = lambda seed: models.make_baseline(model, seed)  # noqa: E731
    if model in ("bigcn", "botrgcn"):  # torch graph models (spreadwatch.gnn, docs/gnn.md): same folds, graphs bound in
        from spreadwatch import gnn

        table, make_classifier = gnn.evaluation_setup(task, model, table, canonical_dir)
    if task == "cascade" and model in models.MODEL_NAMES:
        make_classifier = cascade_model_factory(model, canonical_dir, text_cache_dir, engager_bag=engager_bag,
                                                root_history=root_history)
    if task == "cascade" and model == "text_only":
        make_classifier = text_only_factory(canonical_dir, text_cache_dir)
        if make_classifier is None:
            return _skipped(task, protocol, model, seeds, out_json, "no claim texts (or text_features off)")
    X, y = table[known], labels[known].astype(str)
    if y.nunique() < 2 or y.value_counts().min() < 5:
        return _skipped(task, protocol, model, seeds, out_json,
                        f"needs two classes with >= 5 labelled rows each; have {y.value_counts().to_dict()}")
    try:
        record, _ = models.evaluate(
            X, y, task=task, protocol=protocol, model=model, seeds=seeds,
            groups=None if groups is None else groups[known].astype(str),
            times=None if times is None else times[known].astype("int64"),
            make_classifier=make_classifier,
            assignment=None if side["assignment"] is None else side["assignment"][known],
            text_groups=None if side["text_groups"] is None else side["text_groups"][known],
        )
    except models.ProtocolNotApplicable as reason:
        return _skipped(task, protocol, model, seeds, out_json, str(reason))
    extra = {"target": target if task == "cascade" else "label"}
    if task == "cascade" and model in models.MODEL_NAMES:
        extra["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
    models.write_metrics(record, out_json, extra)
    log.info("%s %s %s: %s", task, protocol, model,
             {k: round(v["mean"], 4) for k, v in record["metrics"].items() if k in ("roc_auc", "accuracy", "f1")})
    return record


def _skipped(task: str, protocol: str, model: str, seeds: list[int], out_json, reason: str) -> dict:
    """Write and return a skipped metrics record (the protocol cannot run on this data, and why)."""
    record = records.write(skipped_record(task, protocol, model, reason, seeds), out_json)
    log.warning("%s %s %s skipped: %s", task, protocol, model, reason)
    return record.to_dict()


def protocol_side_data(task: str, canonical_dir, index: pd.Index, text_cache_dir=None) -> dict:
    """Per-row side data of the protocols (index as ``index``): ``assignment`` (cascades.split, the fixed
    event-separated split) and ``text_groups`` (one id per normalised claim text, joined by MiniLM cosine
    >= 0.9 when ``text_cache_dir`` is given), each None when the dataset has none. Bot tasks have neither."""
    if task != "cascade":
        return {"assignment": None, "text_groups": None}
    from spreadwatch.evaluation.rumour import text_side_data

    tables = read_canonical(canonical_dir, ("cascades", "posts"))
    side = text_side_data(tables["cascades"], tables["posts"], cache_dir=text_cache_dir,
                          embed=text_cache_dir is not None)
    keys = pd.Index(index.astype(str))
    return {name: None if side[name] is None else side[name].reindex(keys).set_axis(index)
            for name in ("assignment", "text_groups")}


def protocol_rows(protocol: str, groups, times, assignment) -> pd.Series | bool:
    """Rows a protocol can use: those with the side data it needs (event id, start time, split)."""
    needs = models.protocol_registry.get(protocol).needs
    keep = True
    for need, values in (("groups", groups), ("times", times), ("assignment", assignment)):
        if need in needs and values is not None:
            keep = keep & values.notna()
    return keep


def text_only_factory(canonical_dir, text_cache_dir, psa: bool = False):
    """``seed -> TextOnlyModel`` with the MiniLM claim-text embeddings bound in, or None without texts."""
    from spreadwatch.evaluation.rumour import TextOnlyModel

    tables = read_canonical(canonical_dir, ("cascades", "posts"))
    embeddings = cascade_text_embeddings(tables["cascades"], text_cache_dir, tables["posts"])
    if embeddings is None:
        return None
    publishers = tables["cascades"].set_index("cascade_id")["root_account_id"].astype("string")
    return lambda seed: TextOnlyModel(text_embeddings=embeddings, publishers=publishers, psa=psa,  # noqa: E731
                                      random_state=seed)


# ---- cascade model: fold-safe extras and early detection ---------------------------------------
EARLY_KS = (5, 10, 20, 50)
CASCADE_FOLD_INPUTS = ("engager history hist_* (models.EngagerHistory, fitted on each training fold; training rows "
                       "from inner 5-fold splits)")


def cascade_text_embeddings(cascades: pd.DataFrame, cache_dir, posts: pd.DataFrame | None = None) -> pd.DataFrame | None:
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


def cascade_model_factory(model: str, canonical_dir, text_cache_dir=None, engagements=None,
                          history_engagements=None, engager_bag: bool = False, root_history: bool = True):
    """``seed -> models.CascadeModel`` with the participation pairs (and title embeddings) bound in.
    ``engagements`` are the ones seen (default: all); ``history_engagements`` the ones counted for the
    training-fold history (default: the same)."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements", "posts"))
    cascades = tables["cascades"]
    seen = tables["engagements"] if engagements is None else engagements
    participants = features.participation(cascades, seen)
    history = None if history_engagements is None else features.participation(cascades, history_engagements)
    text = cascade_text_embeddings(cascades, text_cache_dir, tables["posts"])
    roots = root_pairs(cascades) if root_history else None
    return lambda seed: models.CascadeModel(model=model, random_state=seed, participants=participants,  # noqa: E731
                                            history_participants=history, text_embeddings=text,
                                            engager_bag=engager_bag, root_participants=roots)


def cascade_fold_inputs(text_cache_dir=None, engager_bag: bool = False, root_history: bool = True) -> str:
    """What the cascade model fits inside each training fold (written to metrics files and model cards)."""
    parts = [CASCADE_FOLD_INPUTS]
    if root_history:
        parts.append("root-account history root_hist_* (the same, over each cascade's root account)")
    if engager_bag:
        parts.append("bag-of-engagers logistic regression bag_p_* (models.EngagerBag, out-of-fold inside the training fold)")
    if text_cache_dir:
        parts.append("claim-title PCA")
    return " + ".join(parts)


def early_cutoffs(minutes=features.EARLY_MINUTES, ks=EARLY_KS) -> dict[str, dict]:
    """Named early-detection cut-offs: ``{"10min": {"cutoff_s": 600}, ..., "k5": {"first_k": 5}, ...}``."""
    cutoffs = {f"{m}min": {"cutoff_s": 60.0 * m} for m in minutes}
    cutoffs.update({f"k{k}": {"first_k": int(k)} for k in ks})
    return cutoffs


def run_cascade_features_early(canonical_dir, account_features_path, account_scores_path, out_path,
                               minutes=features.EARLY_MINUTES, ks=EARLY_KS) -> pd.DataFrame:
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
    _write(out, out_path)
    return out


def run_early_detection(features_path, early_features_path, canonical_dir, protocol: str, model: str,
                        seeds: list[int], out_json, target: str = "is_misinformation", text_cache_dir=None,
                        metrics=("accuracy", "roc_auc", "f1"), engager_bag: bool = False,
                        root_history: bool = True) -> dict:
    """Early-detection metrics of one (protocol, model), written as ``cascade_early__{protocol}__{model}``.

    For each cut-off the model is trained and tested on the features of the engagements seen by then
    (training cascades' full participation still counts for the engager history: they are past data).
    Leakage baselines see only the source, so their numbers are the same at every cut-off. The record is
    the full-cascade record (task ``cascade_early``) plus ``metrics_by_cutoff``: ``{cutoff: {metric:
    {mean, sd, n}}}`` over the whole test set of each seed (``pooled``)."""
    full = pd.read_parquet(features_path).set_index("cascade_id")
    early = pd.read_parquet(early_features_path)
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    cascades = tables["cascades"].set_index("cascade_id")
    labels = cascade_target(tables["cascades"], target).reindex(full.index)
    groups = cascades["event_id"].reindex(full.index)
    times = cascades["created_at"].reindex(full.index)
    side = protocol_side_data("cascade", canonical_dir, full.index, text_cache_dir)
    known = labels.notna() & protocol_rows(protocol, groups, times, side["assignment"])
    y = labels[known].astype(str)
    split_args = {"groups": groups[known].astype(str), "times": times[known].astype("int64"),
                  **{name: None if value is None else value[known] for name, value in side.items()}}

    def run(table, make_classifier):
        record, _ = models.evaluate(table.loc[y.index], y, task="cascade_early", protocol=protocol, model=model,
                                    seeds=seeds, make_classifier=make_classifier, **split_args)
        return record

    def pick(record):
        return {m: record["pooled"][m] for m in metrics if m in record["pooled"]}

    if model in models.BASELINES:
        inputs = models.baseline_inputs(tables["cascades"], tables["engagements"]).reindex(full.index)
        record = run(inputs, lambda seed: models.make_baseline(model, seed))
        by_cutoff = {name: pick(record) for name in early["cutoff"].unique()}
    else:
        settings = {"engager_bag": engager_bag, "root_history": root_history}  # the headline model's settings
        record = run(full, cascade_model_factory(model, canonical_dir, text_cache_dir, **settings))
        by_cutoff = {}
        from spreadwatch.progress import progress

        for name, part in progress(list(early.groupby("cutoff", sort=False)), "early detection: cut-offs",
                                   unit="cut-off"):
            table = part.drop(columns="cutoff").set_index("cascade_id")
            table = table.loc[:, table.notna().any()]
            seen = features.truncate_engagements(tables["engagements"], **_parse_cutoff(name))
            factory = cascade_model_factory(model, canonical_dir, text_cache_dir, engagements=seen,
                                            history_engagements=tables["engagements"], **settings)
            by_cutoff[name] = pick(run(table, factory))
            log.info("early %s %s %s: %s", protocol, model, name,
                     {k: round(v["mean"], 4) for k, v in by_cutoff[name].items()})
    by_cutoff["full"] = pick(record)
    if model not in models.BASELINES:
        record["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
    models.write_metrics(record, out_json, {"target": target, "metrics_by_cutoff": by_cutoff,
                                            "metrics_by_cutoff_basis": "pooled over each seed's test set"})
    return record


def _parse_cutoff(name: str) -> dict:
    if name.startswith("k"):
        return {"first_k": int(name[1:])}
    return {"cutoff_s": 60.0 * float(name.removesuffix("min"))}


def run_score(task: str, features_path, canonical_dir, model: str, seed: int, scores_out, model_out,
              target: str = "is_misinformation", text_cache_dir=None, engager_bag: bool = False,
              root_history: bool = True, model_source: str = "in_domain", prior: float | None = None,
              credibility=None) -> pd.DataFrame:
    """Score every row: out-of-fold probabilities for labelled rows (5-fold), a model fitted on all
    labelled rows for the rest; explanations from the full model. Writes scores and the skops model.

    ``model_source`` (``auto``/``shipped``/``in_domain``, ``portable.resolve_model_source``): bots with
    too few labels (auto) or ``shipped`` are scored by the shipped portable bot model
    (``portable.score_accounts_shipped``, prior-adjusted to ``prior``); cascades have no shipped model
    yet, so they keep the in-domain path (NaN without labels). Every output has ``score_source``
    (``in_domain_model`` / ``shipped_model`` / ``not_scored``) and ``model_id``; cascades also get
    ``credibility_label`` from the ``credibility`` ratings table (domains: Lin pc1 / Iffy+) and
    ``label_source`` (``in_domain_labels`` / ``credibility_list``).

    Cascades are scored by ``models.CascadeModel`` (cascade features + engager history, and the claim-title
    PCA with ``text_cache_dir``), refitted per fold, so a labelled cascade's score never comes from a
    model that saw its label, not even through its participants' history. The saved skops file holds
    the final classifier (``SpreadClassifier``); its fold-fitted inputs are described in the model card."""
    from spreadwatch import portable

    key = "account_id" if task == "bot" else "cascade_id"
    if task == "bot":
        table, labels = _labelled_accounts(features_path, canonical_dir)
        source = portable.resolve_model_source(model_source, labels)
        log.info("bot model source: %s (asked %s; labels %s)", source, model_source,
                 labels.value_counts().to_dict())
        if source == "shipped":
            return _score_bots_shipped(canonical_dir, scores_out, model_out, prior)
        make_model = lambda seed: models.SpreadClassifier(model=model, random_state=seed)  # noqa: E731
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"]
        labels = cascade_target(cascades, target).reindex(table.index)
        make_model = cascade_model_factory(model, canonical_dir, text_cache_dir, engager_bag=engager_bag,
                                           root_history=root_history)
    score_name = "bot_probability" if task == "bot" else "misinfo_probability"
    out = pd.DataFrame(index=table.index)
    out["label"] = labels.astype("string")
    out[score_name] = np.nan
    known = labels.notna()
    y = labels[known].astype(str)
    if y.nunique() >= 2 and y.value_counts().min() >= 5:
        full = make_model(seed).fit(table[known], y)
        positive = positive_index(full.classes_)
        positive_label = full.classes_[positive]
        # out-of-fold probabilities for labelled rows, so scores never come from a model that saw the row
        for split in models.make_splits("stratified_5fold", y.to_numpy(), seed):
            fold = make_model(seed).fit(table[known].iloc[split.train], y.iloc[split.train])
            proba = fold.predict_proba(table[known].iloc[split.test])
            column = int(np.flatnonzero(fold.classes_ == positive_label)[0])
            out.loc[y.index[split.test], score_name] = proba[:, column]
        unknown = ~known
        if unknown.any():
            out.loc[unknown, score_name] = full.predict_proba(table[unknown])[:, positive]
        classifier = full if task == "bot" else full.classifier_
        inputs = table if task == "bot" else full._augment(table)
        out = out.join(models.explain(classifier, inputs, positive_index=positive))
        models.save_model(classifier, model_out)
        card = {"task": task, "model": model, "seed": seed, "positive_class": str(positive_label),
                "features": list(classifier.feature_names_in_), "n_labelled": int(known.sum()),
                "class_counts": {str(k): int(v) for k, v in y.value_counts().sort_index().items()}}
        if task == "cascade":
            card["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
            card["scores"] = "out-of-fold (stratified 5-fold, model and engager history refitted per fold) for labelled cascades"
    else:
        card = {"task": task, "model": model, "skipped": "not enough labels to train"}
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    if not Path(model_out).exists():
        Path(model_out).write_bytes(b"")
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    out = out.reset_index().rename(columns={"index": key}).sort_values(key, kind="stable")
    out["score_source"] = np.where(out[score_name].notna(), "in_domain_model", "not_scored")
    out["model_id"] = f"in_domain:{model}"
    if task == "cascade":
        ratings = credibility_ratings_or_none(credibility)
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"]
        out["credibility_label"] = out[key].astype(str).map(portable.credibility_labels(cascades, ratings)).astype("string")
        out["label_source"] = pd.Series(np.where(out["label"].notna(), "in_domain_labels",
                                                 np.where(out["credibility_label"].notna(), "credibility_list", None)),
                                        index=out.index, dtype="string")
    _write(out, scores_out)
    return out


def credibility_ratings_or_none(credibility) -> pd.DataFrame | None:
    """A domain ratings table from a DataFrame, a Parquet/CSV path, or ``(registry_path, data_root)``;
    None (logged) when the source_credibility files are absent."""
    if credibility is None or isinstance(credibility, pd.DataFrame):
        return credibility
    if isinstance(credibility, (tuple, list)):
        from spreadwatch.ingest import DatasetNotAvailable

        try:
            return credibility_ratings(*credibility)
        except (DatasetNotAvailable, FileNotFoundError, KeyError) as error:
            log.info("no source-credibility ratings (%s): cascades get no credibility label", error)
            return None
    path = Path(credibility)
    if not path.exists():
        log.info("no source-credibility ratings at %s: cascades get no credibility label", path)
        return None
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _score_bots_shipped(canonical_dir, scores_out, model_out, prior: float | None = None) -> pd.DataFrame:
    """Bot scores from the shipped portable model (no training here); the model card records which."""
    from spreadwatch import portable

    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"]
    out = portable.score_accounts_shipped(accounts, prior)
    model = portable.load_bot_model()
    scored = out["bot_probability"].notna()
    card = {"task": "bot", "model": "shipped_portable", "model_id": model.model_id,
            "positive_class": "bot", "score_source": "shipped_model",
            "prior": float(out["prior"].iloc[0]) if len(out) else model.prior,
            "n_scored": int(scored.sum()), "n_not_scored": int((~scored).sum()),
            "tiers": {str(k): int(v) for k, v in out["bot_tier"].value_counts().sort_index().items()},
            "expected_bot_share": float(out.loc[scored, "bot_probability"].mean()) if scored.any() else None,
            "card": "src/spreadwatch/shipped/bot_model.card.md"}
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    Path(model_out).write_bytes((portable.SHIPPED_DIR / portable.BOT_MODEL_FILE).read_bytes())
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    log.info("shipped bot model %s: %d scored, %d not scored", model.model_id, card["n_scored"], card["n_not_scored"])
    _write(out, scores_out)
    return out


# ---- ranking --------------------------------------------------------------------------------------
def planted_sources(accounts: pd.DataFrame) -> set[str]:
    """Ground-truth misinformation sources where a dataset plants them (synthetic account kinds)."""
    kinds = accounts["account_kind"].astype("string")
    return set(accounts.loc[kinds.isin(TRUTH_SOURCE_KINDS).fillna(False).astype(bool), "account_id"].astype(str))


def model_reason_text(scores: pd.DataFrame) -> pd.Series:
    """'feature up/down' text of the top two model reasons per account (index account_id)."""
    if "reason_1_feature" not in scores:
        return pd.Series(dtype="string")
    texts = {}
    for row in scores.itertuples(index=False):
        parts = []
        for i in (1, 2):
            name, effect = getattr(row, f"reason_{i}_feature"), getattr(row, f"reason_{i}_effect")
            if isinstance(name, str) and effect == effect and abs(effect) >= 0.01:
                parts.append(f"{name} {'raises' if effect > 0 else 'lowers'} it by {abs(effect):.2f}")
        texts[row.account_id] = ", ".join(parts)
    return pd.Series(texts, dtype="string")


def run_rank(canonical_dir, account_scores_path, cascade_scores_path, coordination_path,
             ranked_accounts_out, ranked_domains_out, metrics_dir, weights: dict | None = None,
             ks=(10, 50, 100), reviews_path=None, reviews_db_path=None, dataset=None,
             evidence_out=None, evidence_top_n: int = 50) -> dict:
    """Rank accounts and domains; write the ranked CSVs and rank metrics where ground truth exists
    (a skipped ``rank__planted_sources__*`` record where none does), and with ``evidence_out`` the
    evidence of the first ``evidence_top_n`` accounts for the report (``evidence.account_evidence``).

    With a reviews file, ``review_status`` / ``reviewer`` columns are added, dismissed accounts go
    to the bottom and confirmed accounts count as true sources for precision@k. The review desk's
    database (``reviews_db_path``, verdicts of ``dataset``) is read as well; the latest verdict wins."""
    tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements"))
    account_scores = pd.read_parquet(account_scores_path)
    cascade_scores = pd.read_parquet(cascade_scores_path)
    components = ranking.account_components(
        tables["cascades"], tables["engagements"], cascade_scores, account_scores,
        pd.read_parquet(coordination_path),
    )
    ranked = ranking.rank_accounts(components, weights, model_reason_text(account_scores))
    accounts = tables["accounts"].set_index("account_id")
    for column in ("screen_name", "name", "label"):
        ranked[column] = ranked["account_id"].map(accounts[column]).astype("string")
    # the ranking treats a missing bot probability as 0; the list shows it as missing, with its source
    by_account = account_scores.assign(account_id=account_scores["account_id"].astype(str)).set_index("account_id")
    ranked["bot_probability"] = ranked["account_id"].astype(str).map(by_account["bot_probability"]).astype(float)
    sources = by_account["score_source"] if "score_source" in by_account else pd.Series(
        np.where(by_account["bot_probability"].notna(), "in_domain_model", "not_scored"), index=by_account.index)
    ranked["bot_score_source"] = ranked["account_id"].astype(str).map(sources).fillna("not_scored").astype("string")
    reviews = merge_reviews(read_reviews(reviews_path), read_reviews_db(reviews_db_path, dataset))
    ranked = apply_reviews(ranked, reviews)
    Path(ranked_accounts_out).parent.mkdir(parents=True, exist_ok=True)
    write_csv(ranked, ranked_accounts_out, float_format="%.6g")
    domains = ranking.rank_domains(tables["cascades"], cascade_scores, tables["engagements"])
    write_csv(domains, ranked_domains_out, float_format="%.6g")
    if evidence_out is not None:
        from spreadwatch import evidence

        tables["posts"] = read_canonical(canonical_dir, ("posts",))["posts"]
        edges = ranking.reshare_edges(tables["cascades"], tables["engagements"]) if len(tables["engagements"]) \
            else pd.DataFrame(columns=["cascade_id", "source", "target"])
        evidence.write_evidence(evidence.account_evidence(ranked, tables, edges, pd.read_parquet(coordination_path),
                                                          top_n=evidence_top_n), evidence_out)
    truth = planted_sources(tables["accounts"]) | set(reviews.loc[reviews["verdict"] == "confirmed", "account_id"])
    truth -= review_exclusions(reviews)
    summary = {}
    if truth:
        orderings = {"combined": ranked["account_id"].tolist()}
        for name in ("total_retweets", "followers", "fib"):
            score = ranking.baseline_scores(name, components, tables["accounts"])
            orderings[name] = sorted(score.index, key=lambda account: (-score[account], account))
        base_rate = len(truth) / max(len(components), 1)
        for name, ordered in orderings.items():
            record = {
                "task": "rank", "protocol": "planted_sources", "model": name,
                "n_train": 0, "n_test": len(ordered), "n_truth": len(truth),
                "metrics": {"precision_at_k": ranking.precision_at_k(ordered, truth, ks),
                            "r_precision": ranking.r_precision(ordered, truth),
                            "max_precision_at_k": {str(k): min(1.0, len(truth) / k) for k in ks},
                            "random_expectation": base_rate},
                "seeds": [],
            }
            models.write_metrics(record, Path(metrics_dir) / f"rank__planted_sources__{name}.json")
            summary[name] = record["metrics"]["precision_at_k"]
        log.info("precision@k against %d planted sources (random %.3f): %s", len(truth), base_rate, summary)
    else:
        for name in PLANTED_RANKERS:
            records.write(skipped_record("rank", "planted_sources", name, "no planted sources or confirmed reviews"),
                          Path(metrics_dir) / f"rank__planted_sources__{name}.json")
    return summary


PLANTED_RANKERS = ("combined", "total_retweets", "followers", "fib")  # the files rank__planted_sources__* of run_rank


# ---- two-window ranking evaluation, domain evaluation, reviews, pseudonymised export -------------
MISINFO_POSITIVE_CLASSES = ("misinformation", "false", "fake")


def _usable_cascade_scores(cascade_scores_path) -> pd.DataFrame:
    """Cascade scores whose positive class means misinformation (else an empty table, so the
    ranking falls back to given labels only: e.g. a 4-class Twitter15 model scores 'unverified')."""
    if cascade_scores_path is None or not Path(cascade_scores_path).exists():
        return pd.DataFrame({"cascade_id": pd.Series(dtype="string"), "misinfo_probability": pd.Series(dtype=float)})
    scores = pd.read_parquet(cascade_scores_path)
    card_path = Path(cascade_scores_path).parent.parent / "models" / "cascade_model.skops.json"
    if card_path.exists():
        positive = json.loads(card_path.read_text()).get("positive_class")
        if positive is not None and str(positive) not in MISINFO_POSITIVE_CLASSES:
            log.info("cascade model's positive class is %r: its scores are not used as misinformation", positive)
            return scores.iloc[0:0]
    return scores


def run_two_window(canonical_dir, account_scores_path, cascade_scores_path, metrics_dir, rankers,
                   weights: dict | None = None, coordination_window_s: float = 60.0, ks=(10, 100, 1000),
                   share: float = 0.5, reviews_path=None, select: bool = True,
                   reviews_db_path=None, dataset=None) -> dict:
    """Rank on window 1, dismantle window 2; write ``rank__two_window__{ranker}.json`` per ranker.

    Dismissed reviews are excluded from every ranking; truth for precision@k = planted sources."""
    tables = read_canonical(canonical_dir, ("accounts", "cascades", "engagements"))
    if "time" not in tables["engagements"] or not tables["engagements"]["time"].notna().any():
        reason = "engagements have no time (e.g. FakeNewsNet share lists): no windows to rank on and dismantle"
        for name in rankers:
            records.write(skipped_record("rank", "two_window", name, reason),
                          Path(metrics_dir) / f"rank__two_window__{name}.json")
        log.info("two-window evaluation skipped: %s", reason)
        return {}
    reviews = merge_reviews(read_reviews(reviews_path), read_reviews_db(reviews_db_path, dataset))
    truth = planted_sources(tables["accounts"])
    by_ranker = ranking.two_window_records(
        tables["cascades"], tables["engagements"], tables["accounts"], _usable_cascade_scores(cascade_scores_path),
        pd.read_parquet(account_scores_path), weights=weights, coordination_window_s=coordination_window_s,
        truth=truth or None, ks=tuple(ks), share=share, exclude=review_exclusions(reviews), select=select,
    )
    summary = {}
    for name in rankers:
        models.write_metrics(by_ranker[name], Path(metrics_dir) / f"rank__two_window__{name}.json")
        summary[name] = by_ranker[name]["metrics"]
    log.info("two-window removed share at k: %s", {n: m["removed_share_at_k"] for n, m in summary.items()})
    return summary


def credibility_ratings(registry_path, data_root=None, name: str = "source_credibility") -> pd.DataFrame:
    """The domain rating table (Lin et al. pc1, Iffy+) from the ``source_credibility`` registry entry."""
    from spreadwatch.ingest import load_registry, load_with_adapter, resolve_data_root

    entry = load_registry(registry_path)[name]
    return load_with_adapter(name, entry, resolve_data_root(data_root)).tables["domains"]


def run_domain_eval(canonical_dir, cascade_scores_path, ratings: pd.DataFrame, metrics_dir,
                    ks=(10, 20, 50), lists=("lin_pc1", "iffy_plus")) -> dict:
    """Evaluate domain rankings against Lin et al. pc1 and Iffy+; writes ``domains__{list}__{ranker}.json``.

    Rankers: ``predicted`` (out-of-fold misinformation probability x reach, ``rank_domains``) and
    ``labelled`` (the given labels' misinformation share x reach: an upper reference). ``lists`` names
    the ratings' score column and list column (synthetic data: ``credibility``, ``low_credibility``).
    A ranker without inputs gets a record with ``skipped`` so every expected file exists."""
    tables = read_canonical(canonical_dir, ("cascades", "engagements"))
    cascades = tables["cascades"]
    rankings = {}
    scores = _usable_cascade_scores(cascade_scores_path)
    if len(scores) and scores["misinfo_probability"].notna().any():
        rankings["predicted"] = ranking.rank_domains(cascades, scores, tables["engagements"])
    given = cascades[["cascade_id"]].assign(
        misinfo_probability=cascades["is_misinformation"].astype("boolean").astype("Float64").astype(float))
    if given["misinfo_probability"].notna().any():
        rankings["labelled"] = ranking.rank_domains(cascades, given, tables["engagements"])
    summary = {}
    for ranker in ("predicted", "labelled"):
        if ranker in rankings:
            by_list = ranking.domain_evaluation(rankings[ranker], ratings, ks, score_column=lists[0], list_column=lists[1])
        else:
            reason = "no usable misinformation predictions" if ranker == "predicted" else "no cascade labels"
            by_list = {name: skipped_record("domains", name, ranker, reason).to_dict() for name in lists}
        for list_name, record in by_list.items():
            record["model"] = ranker
            models.write_metrics(record, Path(metrics_dir) / f"domains__{list_name}__{ranker}.json")
            summary[f"{list_name}/{ranker}"] = {k: record["metrics"].get(k) for k in ("spearman", "precision_at_k")}
    log.info("domain evaluation: %s", summary)
    return summary


REVIEW_COLUMNS = ("account_id", "verdict", "reviewer", "note", "date")
VERDICTS = ("confirmed", "dismissed", "unsure")


class ReviewFileError(ValueError):
    """A reviews file has problems; the message names file, row and column of each."""


def read_reviews(path) -> pd.DataFrame:
    """The latest review per account from a CSV (columns ``REVIEW_COLUMNS``; reviewer, note, date optional).

    A missing path or file gives an empty table. Raises ``ReviewFileError`` listing every problem as
    ``file: row N, column 'c': ...`` (row = line number in the file, header = line 1).
    Columns out: account_id, verdict, reviewer, note, date (latest per account by date, then file order).
    """
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in REVIEW_COLUMNS})
    if not path or not Path(path).exists():
        return empty
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("account_id", "verdict") if c not in frame.columns]
    if missing:
        raise ReviewFileError(f"{path}: required column(s) {missing} missing; columns are {list(frame.columns)}")
    problems = []
    for c in REVIEW_COLUMNS:
        if c not in frame:
            frame[c] = ""
    frame = frame[list(REVIEW_COLUMNS)].apply(lambda s: s.str.strip())
    frame["verdict"] = frame["verdict"].str.lower()
    parsed = pd.to_datetime(frame["date"].where(frame["date"] != ""), errors="coerce", utc=True, format="mixed")
    for i, row in frame.iterrows():
        line = int(i) + 2
        if not row["account_id"]:
            problems.append(f"{path}: row {line}, column 'account_id': empty")
        if row["verdict"] not in VERDICTS:
            problems.append(f"{path}: row {line}, column 'verdict': {row['verdict']!r} is not one of {', '.join(VERDICTS)}")
        if row["date"] and pd.isna(parsed[i]):
            problems.append(f"{path}: row {line}, column 'date': {row['date']!r} is not a date (use YYYY-MM-DD)")
    if problems:
        raise ReviewFileError("\n".join(problems))
    frame["_date"], frame["_line"] = parsed, np.arange(len(frame))
    latest = frame.sort_values(["account_id", "_date", "_line"], na_position="first", kind="stable")
    latest = latest.groupby("account_id", sort=True).tail(1)
    return latest[list(REVIEW_COLUMNS)].astype("string").sort_values("account_id").reset_index(drop=True)


def read_reviews_db(path, dataset) -> pd.DataFrame:
    """Current verdicts of ``dataset`` in the review desk's SQLite store (``spreadwatch serve``), read-only.

    A missing path or file gives an empty table. Columns out: as ``read_reviews``."""
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in REVIEW_COLUMNS})
    if not path or not dataset or not Path(path).exists():
        return empty
    from spreadwatch.desk.db import read_verdicts

    return read_verdicts(path, dataset)


def merge_reviews(*tables: pd.DataFrame) -> pd.DataFrame:
    """One review per account from several sources: the latest by date; on equal or missing dates the
    later table wins (pass the CSV first, the desk database last). Columns as ``read_reviews``."""
    frame = pd.concat([t[list(REVIEW_COLUMNS)].astype("string") for t in tables], ignore_index=True)
    if frame.empty:
        return frame
    frame["_date"] = pd.to_datetime(frame["date"].where(frame["date"].fillna("") != ""), errors="coerce",
                                    utc=True, format="mixed")
    frame["_order"] = np.arange(len(frame))
    latest = frame.sort_values(["account_id", "_date", "_order"], na_position="first", kind="stable")
    latest = latest.groupby("account_id", sort=True).tail(1)
    return latest[list(REVIEW_COLUMNS)].sort_values("account_id").reset_index(drop=True)


def review_exclusions(reviews: pd.DataFrame) -> set[str]:
    """Accounts reviewers dismissed: they leave the ranked lists."""
    return set(reviews.loc[reviews["verdict"] == "dismissed", "account_id"].astype(str))


def apply_reviews(ranked: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Add ``review_status`` (confirmed/dismissed/unsure/unreviewed) and ``reviewer``; dismissed
    accounts move below every other account (rank renumbered), confirmed ones stay where they rank."""
    table = ranked.copy()
    by_id = reviews.set_index("account_id")
    table["review_status"] = table["account_id"].astype(str).map(by_id["verdict"]).fillna("unreviewed").astype("string")
    table["reviewer"] = table["account_id"].astype(str).map(by_id["reviewer"]).astype("string")
    dismissed = table["review_status"] == "dismissed"
    table = pd.concat([table[~dismissed], table[dismissed]], ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def pseudonym(value, salt: str, prefix: str = "") -> str | None:
    """Salted HMAC-SHA-256 pseudonym (first 16 hex digits) of a value; None for missing values.

    The prefix names the field and is part of the hashed message, so each field has its own key: the
    same text as a screen name and as a display name gives unrelated pseudonyms."""
    import hashlib
    import hmac

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    message = f"{prefix}\x1f{value}".encode("utf-8")
    digest = hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()[:16]
    return f"{prefix}{digest}"


EXPORT_NUMERIC = ("rank", "score", *ranking.COMPONENTS, "n_cascades_seeded", "n_misinfo_cascades_seeded",
                  "reshares_of_misinfo", "total_reshares_received")


def pseudonymise_ranked(ranked: pd.DataFrame, salt: str) -> pd.DataFrame:
    """Ranked accounts for sharing: ids and names replaced by salted hashes, free text dropped.

    Columns out: account_pseudonym, screen_name_pseudonym, name_pseudonym, the numeric columns in
    ``EXPORT_NUMERIC`` that exist, label and review_status (closed vocabularies)."""
    if not salt or len(salt) < 8:
        raise ValueError("a salt of at least 8 characters is required (keep it secret; it is what makes the hashes unlinkable)")
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


# ---- bot model: cross-dataset (leave-one-dataset-out) evaluation ----------------------------------
def portable_profiles(accounts_by_dataset: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One table of portable profile features for several bot datasets.

    Columns in: each dataset's canonical accounts. The screen-name/name bigram model is fitted once on
    the names of all datasets together, without labels. Columns out: ``models.LODO_META_COLUMNS``
    (``dataset`` = label provenance, ``screen_name_key`` = lower-cased handle for overlap checks) and
    the features of ``features.portable_profile_features``; rows sorted by (dataset, account_id).
    """
    names = [a["screen_name"] for a in accounts_by_dataset.values() if "screen_name" in a]
    name_model = features.fit_name_model(pd.concat(names) if names else pd.Series([], dtype="string"))
    frames = []
    for name in sorted(accounts_by_dataset):
        accounts = accounts_by_dataset[name]
        table = features.portable_profile_features(accounts, name_model=name_model)
        meta = pd.DataFrame({
            "account_id": accounts["account_id"].astype(str).to_numpy(),
            "dataset": name,
            "label": accounts["label"].astype("string").to_numpy(),
            "id_kind": accounts["id_kind"].astype("string").to_numpy() if "id_kind" in accounts else pd.NA,
            "screen_name_key": (accounts["screen_name"].astype("string").str.lower().to_numpy()
                                if "screen_name" in accounts else pd.NA),
        })
        frames.append(pd.concat([meta, table.reset_index(drop=True)], axis=1))
    table = pd.concat(frames, ignore_index=True)
    feature_columns = sorted(c for c in table.columns if c not in models.LODO_META_COLUMNS)
    table = table[list(models.LODO_META_COLUMNS) + feature_columns]
    table[feature_columns] = table[feature_columns].astype(float)
    return table.sort_values(["dataset", "account_id"], kind="stable").reset_index(drop=True)


def run_bot_portable_profiles(datasets: list[str], registry: dict, data_root, out_path) -> pd.DataFrame:
    """Load each dataset with its adapter, keep the rows the validator accepts, write ``portable_profiles``."""
    from spreadwatch.ingest import load_with_adapter, resolve_data_root
    from spreadwatch.schema import validate_tables

    root = resolve_data_root(str(data_root) if data_root else None)
    accounts = {}
    for name in datasets:
        result = load_with_adapter(name, registry[name], root)
        accepted = validate_tables(result.tables, result.source_files).tables["accounts"]
        accounts[name] = accepted
        log.info("%s: %d accounts, labels %s", name, len(accepted),
                 accepted["label"].value_counts(dropna=False).to_dict())
    table = portable_profiles(accounts)
    log.info("portable profiles: %d rows x %d features", len(table), table.shape[1] - len(models.LODO_META_COLUMNS))
    _write(table, out_path)
    return table


def run_bot_leave_one_dataset_out(profiles_path, held_out: str, model: str, seeds: list[int], out_json,
                                  calibration: str | None = None, min_shared: float = 0.5,
                                  predictions_out=None) -> dict:
    """Leave-one-dataset-out metrics for one held-out dataset and model (``models.leave_one_dataset_out``);
    with ``predictions_out`` also the per-account held-out bot probabilities (Parquet: account_id,
    label, seed_{s} columns) — the evidence a reviewer looks at."""
    table = pd.read_parquet(profiles_path)
    record, proba = models.leave_one_dataset_out(table, held_out, model=model, seeds=list(seeds),
                                                 calibration=calibration, min_shared=min_shared)
    if predictions_out is not None:
        labels = table[table["dataset"] == held_out].drop_duplicates("account_id").set_index("account_id")["label"]
        out = proba.rename_axis("account_id").reset_index()
        out.insert(1, "label", out["account_id"].map(labels).astype("string"))
        _write(out.sort_values("account_id", kind="stable"), predictions_out)
    models.write_metrics(record, out_json, {"target": "label"})
    log.info("leave-one-dataset-out %s %s: %s", held_out, model,
             {k: round(v["mean"], 4) for k, v in record["metrics"].items() if k in ("roc_auc", "accuracy", "f1")})
    return record


def run_bot_cross_dataset_summary(metric_paths: list, out_csv) -> pd.DataFrame:
    """One row per (held-out dataset, model) from the leave-one-dataset-out metrics files, plus a
    ``mean (two-class held-out sets)`` row per model averaging datasets with both classes."""
    rows = []
    for path in sorted(str(p) for p in metric_paths):
        record = records.read(path).to_dict()
        row = {"held_out": record["held_out"], "model": record["model"], "n_train": record["n_train"],
               "n_test": record["n_test"], "n_features": len(record["features"]),
               "train_datasets": " ".join(sorted(record["train_sources"]))}
        for key in ("roc_auc", "pr_auc", "f1", "accuracy", "brier"):
            value = (record["metrics"].get(key) or {}).get("mean")
            row[key] = np.nan if value is None else float(value)
        rows.append(row)
    table = pd.DataFrame(rows)
    means = []
    for model, group in table.groupby("model", sort=True):
        two_class = group[group["roc_auc"].notna()]
        means.append({"held_out": "mean (two-class held-out sets)", "model": model,
                      "n_test": int(two_class["n_test"].sum()),
                      **{k: float(two_class[k].mean()) for k in ("roc_auc", "pr_auc", "f1", "accuracy", "brier")}})
    table = pd.concat([table, pd.DataFrame(means)], ignore_index=True)
    table[["n_train", "n_test", "n_features"]] = table[["n_train", "n_test", "n_features"]].astype("Int64")
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out_csv, float_format="%.4f")
    return table
