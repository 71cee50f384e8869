"""Plain HTTP calls to `{base}push/` (stdlib only), for the command line and `share()`:
JSON in, JSON out, HTTPFailure carrying the server's message."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from .._json import dumps
from ..exceptions import HTTPFailure, NoServer
from .discovery import WHAT_TO_DO, Server

TIMEOUT = 10.0


def call(server: Server, method: str, path: str, body: Any = None) -> Any:
    """JSON in, JSON out. HTTPFailure for an error answer; NoServer if nobody answers."""
    data = None if body is None else dumps(body)  # NaN as null, like push()
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if server.token:
        request.add_header("Authorization", f"token {server.token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raise HTTPFailure(e.code, _message(e)) from e
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        reason = getattr(e, "reason", e)
        raise NoServer(f"cannot reach jupyter_push at {server.url} ({reason}): {WHAT_TO_DO}") from e


def _message(error: urllib.error.HTTPError) -> str:
    try:
        body = error.read()
        return str(json.loads(body)["message"])
    except Exception:
        return str(error.reason)

