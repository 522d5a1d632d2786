"""Evaluation: the protocol registry (``protocols``) and the rumour-detection measurements (``rumour``)."""
from spreadwatch.evaluation.protocols import PROTOCOL_NAMES, PROTOCOLS, Protocol, ProtocolNotApplicable, Split

__all__ = ["PROTOCOL_NAMES", "PROTOCOLS", "Protocol", "ProtocolNotApplicable", "Split"]
