"""Wrapper layers: TimeDistributed, Bidirectional, and the Wrapper base class."""

from lamina.layers.wrappers.time_distributed import TimeDistributed
from lamina.layers.wrappers.wrapper import Wrapper

__all__ = ["TimeDistributed", "Wrapper"]
