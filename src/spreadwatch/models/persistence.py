"""Safe persistence: ``save_model`` / ``load_model`` with skops (no pickle), byte-reproducible files;
loading accepts only the model classes in ``TRUSTED_TYPES``."""

from __future__ import annotations

import json
from pathlib import Path

from spreadwatch.models.estimators import SpreadClassifier

TRUSTED_TYPES = [
    "spreadwatch.models.SpreadClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "numpy.dtype",
    "builtins.slice",
    # calibrated bot models (SpreadClassifier(calibration=...))
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.model_selection._split.StratifiedKFold",
]


def save_model(model: SpreadClassifier, path: str | Path) -> None:
    """Save with skops (a safe, inspectable format)."""
    import skops.io as sio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(_reproducible_skops(sio.dumps(model)))


def _reproducible_skops(data: bytes) -> bytes:
    """Re-pack a skops zip byte-reproducibly: skops names arrays and nodes by Python ``id()`` and stamps
    the wall-clock time, so ids are renumbered in schema order, entries sorted, timestamps fixed."""
    import io
    import zipfile

    mapping: dict[str, str] = {}

    def renumber(token) -> str:
        return mapping.setdefault(str(token), str(len(mapping) + 1))

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = int(renumber(value))
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    out[key] = renumber(value[: -len(".npy")]) + ".npy"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        schema = walk(json.loads(source.read("schema.json")))
        members = {"schema.json": json.dumps(schema, indent=2).encode("utf-8")}
        for info in source.infolist():
            if info.filename == "schema.json":
                continue
            stem = info.filename[: -len(".npy")] if info.filename.endswith(".npy") else None
            name = mapping[stem] + ".npy" if stem in mapping else info.filename
            members[name] = source.read(info)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED  # deflate is deterministic for one zlib build
            target.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()


def load_model(path: str | Path) -> SpreadClassifier:
    """Load a skops model, refusing any type outside ``TRUSTED_TYPES``."""
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=path)
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ValueError(f"{path}: refusing to load model with untrusted types {unexpected}")
    return sio.load(path, trusted=untrusted)
