"""Helpers shared by the client and kernel tests (now in tests/support/waiting.py)."""

from __future__ import annotations

from tests.support.waiting import subscribed

__all__ = ["subscribed"]
