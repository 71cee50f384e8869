"""What the server records as an event's `source`: the publisher's object as it sent it, with
its notebook `path` made the contents API's path (relative to the server's root, `/`-separated)
when a kernel sent it as a path on the server's disk.

A kernel learns its notebook from `JPY_SESSION_NAME`, which jupyter_server sets to an absolute
path when the session was created with a `name` (as JupyterLab does) and to the API path
otherwise. The kernel cannot tell the root from the directories below it; the server can.
"""

from __future__ import annotations

import os
from typing import Any, Mapping


def api_path(path: str, root_dir: str | None) -> str:
    """`path` relative to `root_dir` when it is an absolute path inside it; else unchanged."""
    if not root_dir or not os.path.isabs(path):
        return path
    for root, inside in ((root_dir, path), (os.path.realpath(root_dir), os.path.realpath(path))):
        relative = os.path.relpath(inside, root)
        if relative != os.curdir and relative != os.pardir \
                and not relative.startswith(os.pardir + os.sep):
            return relative.replace(os.sep, "/")
    return path


def with_api_path(source: Mapping[str, Any], root_dir: str | None) -> Mapping[str, Any]:
    """`source` with its `path` as `api_path` gives it (a copy only when that changes it)."""
    path = source.get("path")
    if isinstance(path, str):
        relative = api_path(path, root_dir)
        if relative != path:
            return {**source, "path": relative}
    return source
