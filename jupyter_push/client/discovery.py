"""Finding the jupyter_push server: explicit arguments, then the environment a Jupyter server
gives its kernels, then the newest runtime file of a running server."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import NoServer

WHAT_TO_DO = "start Jupyter with jupyter_push installed, or pass --url/--token"


@dataclass(frozen=True)
class Server:
    url: str  # absolute URL of {base}push/, ending in "/"
    token: str | None

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[4:] + "ws" if self.url.startswith("http") else self.url + "ws"


def find_server(url: str | None = None, token: str | None = None) -> Server:
    """The server to talk to. Raises NoServer with a message saying what to do."""
    candidates = _advertised()
    if url:
        url = _with_slash(url)
        if token is None:
            token = next((t for u, t in candidates if u == url), None)
        return Server(url, token)
    if not candidates:
        raise NoServer(
            "no jupyter_push server found (JUPYTER_PUSH_URL is not set and no running server "
            f"left a runtime file): {WHAT_TO_DO}"
        )
    found_url, found_token = candidates[0]
    return Server(found_url, token if token is not None else found_token)


def restarted_elsewhere(server: Server) -> list[Server]:
    """Running servers, newest first, at another address that accept `server`'s token: the
    same server restarted on another port (the kernel token is kept across restarts)."""
    return [Server(url, token) for url, token in runtime_servers()
            if token is not None and token == server.token and url != server.url]


def _advertised() -> list[tuple[str, str | None]]:
    """(url, token) pairs, best first: the environment, then runtime files, newest first."""
    found: list[tuple[str, str | None]] = []
    env_url = os.environ.get("JUPYTER_PUSH_URL")
    if env_url:
        found.append((_with_slash(env_url), os.environ.get("JUPYTER_PUSH_TOKEN")))
    found.extend(runtime_servers())
    return found


def runtime_servers(
    runtime_dir: str | os.PathLike[str] | None = None,
) -> list[tuple[str, str | None]]:
    """(url, token) from `jupyter_push-<pid>.json` files of live servers, newest first."""
    if runtime_dir is None:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime_dir = jupyter_runtime_dir()
    files = []
    for path in Path(runtime_dir).glob("jupyter_push-*.json"):
        try:
            files.append((path.stat().st_mtime, path))
        except OSError:
            continue
    found = []
    for _, path in sorted(files, reverse=True):
        try:
            info = json.loads(path.read_text())
            url, pid = info["url"], int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(url, str) and _alive(pid):
            found.append((_with_slash(url), info.get("token")))
    return found


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
