"""What in a PushApp configuration the extension cannot use, each in words that name the fix.

Checked once at start, all together, so one restart fixes everything. The extension does not
raise at configuration time: jupyter_server would only log a warning and answer 404 on every
push route. Instead it keeps the server running and answers every push route with 503 and
these messages (see app.py).
"""

from __future__ import annotations

from typing import Any, Callable

from .tokens import MIN_SECRET_BYTES as MIN_SHARE_SECRET_BYTES

BROKER_SCHEMES = ("memory://", "redis://", "rediss://", "unix://")

# option -> (what it must be, test of a value)
_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {}


def _rule(what: str, check: Callable[[Any], bool], *names: str) -> None:
    for name in names:
        _RULES[name] = (what, check)


def _positive(v: Any) -> bool:
    return v > 0  # (False for NaN)


def _not_negative(v: Any) -> bool:
    return v >= 0


_rule("a number > 0", _positive, "heartbeat_interval", "max_event_bytes", "queue_max_events",
      "queue_max_bytes", "redis_buffer_events", "max_patterns", "max_patterns_per_connection",
      "share_max_ttl", "kernel_poll_interval", "kernel_idle_poll_interval",
      "share_write_max_bytes", "push_turn_seconds")
_rule("a number >= 0", _not_negative, "history_size", "dead_peer_timeout",
      "redis_publish_timeout", "push_rest_seconds", "publish_wait_timeout")
_rule("a number >= 0 (0: no limit)", _not_negative, "max_connections",
      "max_connections_per_credential", "max_publish_rate", "max_publish_burst")
_rule("a number >= 0", _not_negative, "share_write_rate", "share_write_burst")


def config_problems(values: Any) -> list[str]:
    """The problems in `values` (a PushApp, or anything with its option names as
    attributes); empty when the extension can use every setting."""
    problems = []
    for name, (what, check) in _RULES.items():
        value = getattr(values, name, None)
        if value is not None and not check(value):
            problems.append(f"PushApp.{name} must be {what}, not {value!r}")
    rate, burst = getattr(values, "max_publish_rate", 0), getattr(values, "max_publish_burst", 1)
    if rate > 0 and 0 <= burst < 1:
        problems.append(
            f"PushApp.max_publish_burst must be >= 1 while max_publish_rate limits publishing "
            f"(else nothing can be published), not {burst!r}"
        )
    broker_url = getattr(values, "broker_url", "memory://")
    if not broker_url.startswith(BROKER_SCHEMES):
        problems.append(
            f"PushApp.broker_url {_redacted(broker_url)!r} is not understood: use memory:// "
            "(this process) or redis://host:port/db (rediss:// for TLS, unix:///path.sock)"
        )
    secret = getattr(values, "share_secret", "")
    if secret and len(secret.encode()) < MIN_SHARE_SECRET_BYTES:
        problems.append(
            f"PushApp.share_secret has {len(secret.encode())} bytes; it must have at least "
            f"{MIN_SHARE_SECRET_BYTES}: generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))', or leave it unset "
            "(a generated secret is kept in share_secret_file)"
        )
    base = getattr(values, "share_base_url", "")
    if base and not base.startswith(("http://", "https://")):
        problems.append(
            f"PushApp.share_base_url must be an http:// or https:// URL, not {base!r}"
        )
    return problems


def _redacted(url: str) -> str:
    """`url` without a password (`scheme://user:***@host`)."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
