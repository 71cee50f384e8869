"""Brokers store events (ids, retained values, history) and relay them to the hub."""

from .base import Broker, Draft
from .memory import MemoryBroker

__all__ = ["Broker", "Draft", "MemoryBroker"]
