"""Models by kind. One module each:

- ``estimators``: named sklearn models and ``SpreadClassifier`` (fit / predict_proba, explicit seeds).
- ``baselines``: the cascade leakage baselines (start time alone, source account alone).
- ``cascade``: ``CascadeModel`` with its fold-safe ``EngagerHistory`` and ``EngagerBag``.
- ``explain``: per-row feature contributions of a fitted ``SpreadClassifier``.
- ``persistence``: skops save / load (no pickle), byte-reproducible, trusted types only.
- ``calibration``: prior adjustment and calibration quality of bot probabilities.
- ``gnn``: BiGCN (cascades) and BotRGCN (accounts) in plain torch (imported on its own: ``models.gnn``).

The cross-validation loop, metrics, splits and leave-one-dataset-out live in ``spreadwatch.evaluation``;
they are re-exported here, with the models, so ``spreadwatch.models.X`` call sites keep working.
"""

from spreadwatch.models.baselines import (
    BASELINES,
    SourceTimeBaseline,
    SourceUserBaseline,
    baseline_inputs,
    make_baseline,
)
from spreadwatch.models.calibration import adjust_prior, calibration_metrics
from spreadwatch.models.cascade import (
    CascadeModel,
    CascadeSideData,
    EngagerBag,
    EngagerHistory,
    incidence_matrix,
    inner_splits,
)
from spreadwatch.models.estimators import (
    CALIBRATIONS,
    MODEL_NAMES,
    SpreadClassifier,
    job_threads,
    make_estimator,
)
from spreadwatch.models.explain import explain
from spreadwatch.models.persistence import TRUSTED_TYPES, load_model, save_model

# Evaluation names re-exported for ``spreadwatch.models.X`` call sites. Looked up on first use, because
# spreadwatch.evaluation imports the models (its default classifier): importing it here would be a cycle.
_EVALUATION_NAMES = {
    "evaluate": "cv",
    "make_splits": "cv",
    "LODO_META_COLUMNS": "lodo",
    "leave_one_dataset_out": "lodo",
    "lodo_feature_plan": "lodo",
    "lodo_meta": "lodo",
    "POSITIVE_LABELS": "metrics",
    "classification_metrics": "metrics",
    "positive_index": "metrics",
    "write_metrics": "metrics",
    "ProtocolNotApplicable": "protocols",
    "Split": "protocols",
}


def __getattr__(name: str):
    import importlib

    if name in ("protocol_registry", "PROTOCOLS"):
        registry = importlib.import_module("spreadwatch.evaluation.protocols")
        return registry if name == "protocol_registry" else registry.PROTOCOL_NAMES
    if name in _EVALUATION_NAMES:
        return getattr(importlib.import_module(f"spreadwatch.evaluation.{_EVALUATION_NAMES[name]}"), name)
    raise AttributeError(f"module 'spreadwatch.models' has no attribute {name!r}")


__all__ = [
    "BASELINES",
    "CALIBRATIONS",
    "LODO_META_COLUMNS",
    "MODEL_NAMES",
    "POSITIVE_LABELS",
    "PROTOCOLS",
    "TRUSTED_TYPES",
    "CascadeModel",
    "CascadeSideData",
    "EngagerBag",
    "EngagerHistory",
    "ProtocolNotApplicable",
    "SourceTimeBaseline",
    "SourceUserBaseline",
    "Split",
    "SpreadClassifier",
    "adjust_prior",
    "baseline_inputs",
    "calibration_metrics",
    "classification_metrics",
    "evaluate",
    "explain",
    "incidence_matrix",
    "inner_splits",
    "job_threads",
    "leave_one_dataset_out",
    "load_model",
    "lodo_feature_plan",
    "lodo_meta",
    "make_baseline",
    "make_estimator",
    "make_splits",
    "positive_index",
    "protocol_registry",
    "save_model",
    "write_metrics",
]
