"""spreadwatch: find social bots and the sources of misinformation in account and cascade data.

One module per stage: ``ingest`` (adapters + validation into the canonical tables of
``docs/data-model.md``), ``graphs`` (networkx propagation graphs), ``features``, ``models``
(sklearn-style estimators and leakage-safe evaluation), ``ranking`` and ``report``.
``simulate`` generates the embedded synthetic platform.
"""

__version__ = "0.1.0"
