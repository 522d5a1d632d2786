"""Evaluation: the protocol registry (``protocols``), the CV loop (``cv``), classification metrics and the metrics
writer (``metrics``), leave-one-dataset-out (``lodo``) and the rumour-detection measurements (``rumour``)."""

from spreadwatch.evaluation.protocols import PROTOCOL_NAMES, PROTOCOLS, Protocol, ProtocolNotApplicable, Split

__all__ = ["PROTOCOL_NAMES", "PROTOCOLS", "Protocol", "ProtocolNotApplicable", "Split"]
