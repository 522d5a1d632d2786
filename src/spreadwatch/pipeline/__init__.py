"""Stage runners: file in, one library call, file out. The workflow scripts and the CLI call these; they
know nothing of Snakemake.

One module per workflow stage: ``graphs``, ``features`` (account, cascade, early cut-offs), ``evaluate``,
``early_detection``, ``score``, ``rank``, ``two_window``, ``domain_eval``, ``cross_dataset`` (portable
profiles, leave-one-dataset-out, summary). Each reads the previous stage's Parquet/JSON files and writes
its outputs deterministically (sorted rows, seeded models).
"""
