"""The kernel token, kept in a file (mode 0600) so that it survives a server restart: kernels
and scripts holding it reach the restarted server without being told a new one."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def stable_kernel_token(path: Path) -> tuple[str, str | None]:
    """The token stored at `path`, made and stored there first if missing; and why it could
    not be stored (None when it was), in which case the token lasts until the server stops."""
    try:
        token = json.loads(path.read_text()).get("token")
        if isinstance(token, str) and len(token) >= 32:
            return token, None
    except (OSError, ValueError, AttributeError):
        pass
    token = secrets.token_urlsafe(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"token": token}, f)
        os.replace(tmp, path)
    except OSError as e:
        return token, str(e)
    return token, None
