"""The reserved `$` channels: which exist, and which of them clients may publish to.

The server itself publishes kernel lifecycle (`$kernels/...`) and host metrics (`$system/...`);
nobody else may, so a subscriber can trust them. Notebooks and scripts publish notifications
(`$notify`), watchdog alerts (`$alerts/...`), watchdog rules (`$watch/...`) and controls
declarations (`$controls/...`; share links never publish to any `$` channel).
"""

from __future__ import annotations

from typing import Any

from .channels import check_channel, compile_pattern

NOTIFY = "$notify"
KERNELS = "$kernels"
SYSTEM = "$system"
ALERTS = "$alerts"
WATCH = "$watch"
CONTROLS = "$controls"  # declarations of controls (declarations.py), checked by the server

# reserved channels a kernel, a script or the Jupyter user may publish to
CLIENT_PUBLISHABLE = (NOTIFY, f"{ALERTS}/**", f"{WATCH}/**", f"{CONTROLS}/**")

_client_publishable = tuple(compile_pattern(p) for p in CLIENT_PUBLISHABLE)


def client_may_publish(channel: str) -> bool:
    """True for a reserved channel that clients may publish to (and for every ordinary one)."""
    return not channel.startswith("$") or any(match(channel) for match in _client_publishable)


def check_client_channel(channel: Any) -> str:
    """`channel` if a client (a kernel, a page, a script) may publish to it: a valid name, and
    of the `$` names only those above; else InvalidChannel saying why."""
    return check_channel(channel, allow_reserved=type(channel) is str
                         and client_may_publish(channel))


def kernel_channel(kernel_id: str) -> str:
    return f"{KERNELS}/{kernel_id}"


def kernel_resources_channel(kernel_id: str) -> str:
    return f"{KERNELS}/{kernel_id}/resources"
