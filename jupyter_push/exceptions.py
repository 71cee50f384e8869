"""The package's exceptions: one `PushError` base, so `except PushError` catches everything
jupyter_push raises on purpose.

Each exception's message says what went wrong and, where the user can act, what to change.
Errors that come from bad input are also `ValueError`s; the others keep the built-in base
they always had (`ConnectionError`, `RuntimeError`, `PermissionError`), so existing
`except` clauses still work.
"""

from __future__ import annotations


class PushError(Exception):
    """Base of every exception jupyter_push raises on purpose."""


class InvalidInput(PushError, ValueError):
    """Bad input from a client; the message says what is wrong and is safe to show."""


class InvalidChannel(InvalidInput):
    """A channel name or pattern that breaks the naming rules."""


class EventTooLarge(InvalidInput):
    """An event larger than the server accepts (`PushApp.max_event_bytes`)."""
