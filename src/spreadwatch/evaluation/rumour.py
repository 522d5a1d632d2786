"""Rumour detection with the claim text: text-only baseline, publisher-style aggregation, side data.

- ``cascade_texts(cascades, posts)``: the claim text of each cascade (``cascades.title``, else the root
  post's ``text``; Twitter15/16 source tweets come from ``twitter15_16_eventsep``).
- ``TextOnlyModel``: MiniLM embeddings reduced by a PCA fitted on the training rows only, then an L2
  logistic regression (the text-only baseline every cascade model is compared with).
- ``PublisherStyle``: Wu & Hooi's publisher-style aggregation (PSA) made fold-safe: a cascade's publisher
  (root account) is described by the mean embedding of the publisher's *other* claims among the training
  rows; test rows see only training claims.
- ``text_side_data``: the side tables the evaluation needs (texts, embeddings, text groups, publishers,
  split assignment) for one dataset's canonical tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spreadwatch.evaluation.protocols import duplicate_text_groups, near_duplicate_groups

NEAR_DUPLICATE_COSINE = 0.9  # MiniLM cosine at or above which two claim texts count as the same claim


def cascade_texts(cascades: pd.DataFrame, posts: pd.DataFrame | None = None) -> pd.Series:
    """Claim text per cascade (index cascade_id, string, NA when none): the title when the cascade has
    one, else the ``text`` of its root post (``root_post_id``, else the cascade's original post)."""
    table = cascades.set_index("cascade_id")
    text = table["title"].astype("string") if "title" in table else pd.Series(pd.NA, index=table.index, dtype="string")
    if posts is not None and "text" in posts and posts["text"].notna().any():
        by_post = posts.dropna(subset=["text"]).drop_duplicates("post_id").set_index("post_id")["text"]
        root = table["root_post_id"].astype("string").map(by_post) if "root_post_id" in table else None
        originals = posts[posts["kind"].astype(str) == "original"].dropna(subset=["text", "cascade_id"])
        by_cascade = originals.drop_duplicates("cascade_id").set_index("cascade_id")["text"]
        fallback = pd.Series(table.index, index=table.index).map(by_cascade)
        post_text = fallback if root is None else root.fillna(fallback)
        text = text.fillna(post_text.astype("string"))
    text = text.where(text.str.strip().str.len() > 0)
    text.index = text.index.astype(str)
    return text.rename("claim_text")


class PublisherStyle(BaseEstimator):
    """Fold-safe publisher-style aggregation. ``fit(embeddings, publishers)`` on training rows (index
    cascade_id); ``transform(index)``: for a training row the mean embedding of its publisher's *other*
    training rows, for any other row the mean of all the publisher's training rows; zeros (and
    ``known`` = 0) when the publisher has none."""

    def fit(self, embeddings: pd.DataFrame, publishers: pd.Series) -> PublisherStyle:
        pub = publishers.reindex(embeddings.index).astype("string")
        self.train_index_ = pd.Index(embeddings.index)
        self.publishers_ = pub
        frame = embeddings[pub.notna().to_numpy()]
        groups = pub[pub.notna()].to_numpy()
        self.sums_ = frame.groupby(groups).sum()
        self.counts_ = frame.groupby(groups).size()
        self.embeddings_ = embeddings
        return self

    def transform(self, index: pd.Index, publishers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        pub = publishers.reindex(index).astype("string")
        dim = self.embeddings_.shape[1]
        sums = self.sums_.reindex(pub.to_numpy()).to_numpy(dtype=float)
        counts = self.counts_.reindex(pub.to_numpy()).to_numpy(dtype=float)
        sums = np.nan_to_num(sums, nan=0.0).reshape(len(index), dim)
        counts = np.nan_to_num(counts, nan=0.0)
        own = np.asarray(index.isin(self.train_index_))
        if own.any():
            sums[own] -= self.embeddings_.reindex(index[own]).to_numpy(dtype=float)
            counts[own] -= 1
        known = counts > 0
        out = np.zeros_like(sums)
        out[known] = sums[known] / counts[known, None]
        return out, known.astype(float)


class TextOnlyModel(ClassifierMixin, BaseEstimator):
    """Text-only baseline: the claim-text embeddings (``side.text_embeddings``, index cascade_id) of the rows
    in X, reduced by a PCA fitted on the training rows only (``components``), then logistic regression.
    X only supplies the index. With ``side.publishers`` (cascade_id -> publisher) and ``psa=True`` the PSA
    mean embedding of the publisher's other training claims is added (projected by the same PCA) with its
    known flag. Hyperparameters in ``__init__``, data in ``fit(X, y, side=models.CascadeSideData(...))``."""

    def __init__(self, components: int = 32, C: float = 1.0, psa: bool = False, random_state: int = 0):
        self.components = components
        self.C = C
        self.psa = psa
        self.random_state = random_state

    def _embeddings(self, index) -> pd.DataFrame:
        return self.side_.text_embeddings.reindex(pd.Index(index).astype(str)).fillna(0.0)

    def _features(self, index) -> np.ndarray:
        emb = self._embeddings(index)
        parts = [self.pca_.transform(emb.to_numpy(dtype=float))]
        if self.psa_ is not None:
            publishers = self.side_.publishers
            mean, known = self.psa_.transform(emb.index, publishers.set_axis(publishers.index.astype(str)))
            parts += [self.pca_.transform(mean) * known[:, None], known[:, None]]
        return np.hstack(parts)

    def fit(self, X: pd.DataFrame, y, side=None):
        if side is None or side.text_embeddings is None:
            raise ValueError("TextOnlyModel needs side.text_embeddings")
        self.side_ = side
        emb = self._embeddings(X.index)
        k = max(1, min(self.components, len(emb) - 1, emb.shape[1]))
        self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(emb.to_numpy(dtype=float))
        self.psa_ = None
        if self.psa and side.publishers is not None:
            self.psa_ = PublisherStyle().fit(emb, side.publishers.set_axis(side.publishers.index.astype(str)))
        self.classifier_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000))
        self.classifier_.fit(self._features(X.index), np.asarray(y))
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.classifier_.predict_proba(self._features(X.index))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def text_side_data(cascades: pd.DataFrame, posts: pd.DataFrame | None, cache_dir=None, embed: bool = True) -> dict:
    """Side data of one dataset's cascades (all indexed by cascade_id as strings): ``texts``,
    ``text_groups`` (``protocols.duplicate_text_groups``, joined by MiniLM cosine >= 0.9 when embeddings
    are computed; None when no cascade has a text), ``publishers`` (root account), ``assignment``
    (``cascades.split`` or None) and ``embeddings`` (MiniLM, cached in ``cache_dir``; None without texts
    or with ``embed=False``)."""
    table = cascades.set_index(cascades["cascade_id"].astype(str))
    texts = cascade_texts(cascades, posts)
    has_text = bool(texts.notna().any())
    out = {
        "texts": texts,
        "text_groups": duplicate_text_groups(texts) if has_text else None,
        "publishers": table["root_account_id"].astype("string") if "root_account_id" in table else None,
        "assignment": (table["split"].astype("string") if "split" in table and table["split"].notna().any() else None),
        "embeddings": None,
    }
    if has_text and embed:
        from spreadwatch.text import MiniLMEmbedder

        vectors = MiniLMEmbedder(cache_dir=cache_dir).embed(texts.fillna("").tolist())
        out["embeddings"] = pd.DataFrame(vectors, index=texts.index)
        out["text_groups"] = near_duplicate_groups(out["text_groups"], out["embeddings"], NEAR_DUPLICATE_COSINE)
    return out
