"""notify(): a notification for people, on the reserved channel `$notify`.

JupyterLab and Notebook 7 show it as a toast that links back to the notebook (the event's
`source.path`); the viewer page of a share link covering the channel shows it as an alert,
and as a browser notification when the reader allowed them.
"""

from __future__ import annotations

from typing import Any, Literal

from .reserved import NOTIFY

Level = Literal["info", "success", "warning", "error"]
LEVELS: tuple[Level, ...] = ("info", "success", "warning", "error")


def notification(message: str, level: str = "info", **details: Any) -> dict[str, Any]:
    """The data of a notification event: `{"message", "level", **details}`."""
    if not isinstance(message, str) or not message:
        raise ValueError("notify(message): message must be a non-empty string")
    if level not in LEVELS:
        raise ValueError(f"notify(level={level!r}): use one of {', '.join(LEVELS)}")
    reserved = {"message", "level"} & details.keys()
    if reserved:
        raise ValueError(f"notify(): {', '.join(sorted(reserved))} cannot be a detail")
    return {"message": message, "level": level, **details}


def notify(message: str, level: str = "info", channel: str = NOTIFY, **details: Any) -> None:
    """Tell the people watching: a toast in JupyterLab, an alert on share-link pages.
    `level` is info, success, warning or error; `details` (JSON values) travel along.
    Returns at once, like push()."""
    from .client.api import push

    push(channel, notification(message, level, **details))
