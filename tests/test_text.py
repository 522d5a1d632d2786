"""The real offline MiniLM model (no mocks): semantic similarity and the on-disk cache."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    from spreadwatch.text import MiniLMEmbedder

    return MiniLMEmbedder(cache_dir=tmp_path_factory.mktemp("emb"))


def test_embeddings_are_normalised_and_semantic(embedder):
    vectors = embedder.embed(
        [
            "Breaking: vaccine contains microchips, share before they delete this!",
            "Shocking truth: the shots have tracking chips inside, spread the word",
            "Lovely sunny afternoon at the beach with my kids",
            "",
        ]
    )
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2


def test_cache_is_reused(embedder, tmp_path):
    from spreadwatch.text import MiniLMEmbedder

    first = embedder.embed(["a cached sentence"])
    reloaded = MiniLMEmbedder(cache_dir=embedder.cache_dir)
    assert (embedder.cache_dir / "cache.npz").exists()
    assert len(reloaded._cache) == len(embedder._cache)
    np.testing.assert_allclose(reloaded.embed(["a cached sentence"]), first)
    assert reloaded._loaded is None  # every text was cached: the model was never loaded
