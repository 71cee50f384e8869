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


class WriteRefused(InvalidInput):
    """A publish refused for who sent it or how fast, not for its shape: `status` is 403, 413
    or 429; `retry_after` (seconds) with 429."""

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class AuthError(PushError):
    """A credential was presented but cannot be accepted. `status` is 401 or 403."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class BrokerUnavailable(PushError):
    """The broker cannot store events now (its engine is unreachable); try again later."""


class AlreadyPublished(PushError):
    """A publisher resent a frame the broker had stored already (possibly through another
    server): nothing is stored again."""


class UnusableConfig(PushError, ValueError):
    """A setting the server extension cannot use; the message names the fix."""


class NoServer(PushError, RuntimeError):
    """No jupyter_push server could be found (or reached)."""


class HTTPFailure(PushError, RuntimeError):
    """The server answered with an error; the message is the server's. `status` is its code."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class SubscribeError(PushError, RuntimeError):
    """The server refused the subscription; the message is the server's."""
