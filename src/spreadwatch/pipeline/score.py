"""Score stage: out-of-fold scores, explanations and the saved model (in-domain or the shipped bot model)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from spreadwatch import models
from spreadwatch.evaluation.cascade_inputs import (
    cascade_fold_inputs,
    cascade_model_factory,
)
from spreadwatch.evaluation.records import positive_index
from spreadwatch.evaluation.truth import (
    cascade_target,
    labelled_accounts,
)
from spreadwatch.ingest import credibility_ratings_or_none, read_canonical
from spreadwatch.pipeline._io import write_parquet

log = logging.getLogger(__name__)


def fit_with_folds(
    make_model, X: pd.DataFrame, y: pd.Series, seed: int, fit_params: dict | None = None
) -> tuple[object, list, pd.Series]:
    """The model fitted on every labelled row (``make_model(seed)``, ``fit_params`` passed to ``fit``), the
    models of the stratified 5-fold training splits, and each row's fold (the split whose model did not see
    it; index as ``y``, name fold)."""
    fit_params = fit_params or {}
    full = make_model(seed).fit(X, y, **fit_params)
    fold = pd.Series(-1, index=y.index, dtype="int64", name="fold")
    fold_models = []
    for k, split in enumerate(models.make_splits("stratified_5fold", y.to_numpy(), seed)):
        fold_models.append(make_model(seed).fit(X.iloc[split.train], y.iloc[split.train], **fit_params))
        fold.iloc[split.test] = k
    return full, fold_models, fold


def out_of_fold_probability(table: pd.DataFrame, full, fold_models: list, fold: pd.Series, positive_label) -> pd.Series:
    """Probability of ``positive_label`` for each row of ``table``: from ``fold_models[k]`` for rows whose
    ``fold`` (index as ``table``) is k, from ``full`` for rows with fold -1 (unlabelled); NaN elsewhere."""
    proba = pd.Series(np.nan, index=table.index, dtype=float)
    assignment = fold.to_numpy()
    for k, model in [*enumerate(fold_models), (-1, full)]:
        rows = table.index[assignment == k]
        if len(rows):
            column = int(np.flatnonzero(model.classes_ == positive_label)[0])
            proba.loc[rows] = model.predict_proba(table.loc[rows])[:, column]
    return proba


def run_score(
    task: str,
    features_path,
    canonical_dir,
    model: str,
    seed: int,
    scores_out,
    model_out,
    target: str = "is_misinformation",
    text_cache_dir=None,
    engager_bag: bool = False,
    root_history: bool = True,
    model_source: str = "in_domain",
    prior: float | None = None,
    credibility=None,
) -> pd.DataFrame:
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
        table, labels = labelled_accounts(features_path, canonical_dir)
        source = portable.resolve_model_source(model_source, labels)
        log.info("bot model source: %s (asked %s; labels %s)", source, model_source, labels.value_counts().to_dict())
        if source == "shipped":
            return _score_bots_shipped(canonical_dir, scores_out, model_out, prior)
        make_model = lambda seed: models.SpreadClassifier(model=model, random_state=seed)  # noqa: E731
        fit_params = {}
    else:
        table = pd.read_parquet(features_path).set_index("cascade_id")
        cascades = read_canonical(canonical_dir, ("cascades",))["cascades"]
        labels = cascade_target(cascades, target).reindex(table.index)
        make_model, fit_params = cascade_model_factory(
            model, canonical_dir, text_cache_dir, engager_bag=engager_bag, root_history=root_history
        )
    score_name = "bot_probability" if task == "bot" else "misinfo_probability"
    out = pd.DataFrame(index=table.index)
    out["label"] = labels.astype("string")
    out[score_name] = np.nan
    known = labels.notna()
    y = labels[known].astype(str)
    if y.nunique() >= 2 and y.value_counts().min() >= 5:
        full, fold_models, fold = fit_with_folds(make_model, table[known], y, seed, fit_params)
        positive = positive_index(full.classes_)
        positive_label = full.classes_[positive]
        # out-of-fold probabilities for labelled rows, so scores never come from a model that saw the row
        out[score_name] = out_of_fold_probability(
            table, full, fold_models, fold.reindex(table.index, fill_value=-1), positive_label
        )
        classifier = full if task == "bot" else full.classifier_
        inputs = table if task == "bot" else full._augment(table)
        out = out.join(models.explain(classifier, inputs, positive_index=positive))
        models.save_model(classifier, model_out)
        card = {
            "task": task,
            "model": model,
            "seed": seed,
            "positive_class": str(positive_label),
            "features": list(classifier.feature_names_in_),
            "n_labelled": int(known.sum()),
            "class_counts": {str(k): int(v) for k, v in y.value_counts().sort_index().items()},
        }
        if task == "cascade":
            card["fold_fitted_inputs"] = cascade_fold_inputs(text_cache_dir, engager_bag, root_history)
            card["scores"] = (
                "out-of-fold (stratified 5-fold, model and engager history refitted per fold) for labelled cascades"
            )
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
        out["credibility_label"] = (
            out[key].astype(str).map(portable.credibility_labels(cascades, ratings)).astype("string")
        )
        out["label_source"] = pd.Series(
            np.where(
                out["label"].notna(),
                "in_domain_labels",
                np.where(out["credibility_label"].notna(), "credibility_list", None),
            ),
            index=out.index,
            dtype="string",
        )
    write_parquet(out, scores_out)
    return out


def _score_bots_shipped(canonical_dir, scores_out, model_out, prior: float | None = None) -> pd.DataFrame:
    """Bot scores from the shipped portable model (no training here); the model card records which."""
    from spreadwatch import portable

    accounts = read_canonical(canonical_dir, ("accounts",))["accounts"]
    out = portable.score_accounts_shipped(accounts, prior)
    model = portable.load_bot_model()
    card = portable.shipped_bot_card(out, model)
    Path(model_out).parent.mkdir(parents=True, exist_ok=True)
    Path(model_out).write_bytes((portable.SHIPPED_DIR / portable.BOT_MODEL_FILE).read_bytes())
    Path(str(model_out) + ".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    log.info("shipped bot model %s: %d scored, %d not scored", model.model_id, card["n_scored"], card["n_not_scored"])
    write_parquet(out, scores_out)
    return out
