"""Share tokens: signed (HS256 JWT), scoped to channel patterns, expiring; read-only unless
minted with write patterns (then they may publish to the controls those name).

A token carries its patterns, its expiry and the key's *generation*; revoking every link
bumps the generation, so older tokens stop verifying. The secret and the generation live in
one small file (mode 0600) so links survive a server restart.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import jwt

from .auth import ShareGrant
from .channels import PatternSet, check_pattern
from .exceptions import AuthError, InvalidInput

AUDIENCE = "jupyter_push:share"
ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32


# --------------------------------------------------------------------------- scopes


def pattern_covers(outer: str, inner: str) -> bool:
    """True when every channel `inner` matches is also matched by `outer` (both valid patterns)."""
    o, i = outer.split("/"), inner.split("/")
    if inner.startswith("$") and not outer.startswith("$") and "*" in outer:
        return False  # wildcards never reach the reserved `$` channels
    for k, segment in enumerate(o):
        if segment == "**":
            return True  # the rest of `inner`, including nothing, is matched
        if k >= len(i):
            return False
        if i[k] == "**":
            return False  # `inner` reaches arbitrarily deep, `outer` does not
        if segment != "*" and segment != i[k]:
            return False  # a literal covers only itself (not `*`)
    return len(i) == len(o)


def uncovered(granted: Iterable[str], requested: Iterable[str]) -> list[str]:
    """The requested patterns that no granted pattern covers (empty when all are allowed)."""
    granted = tuple(granted)
    return [r for r in requested if not any(pattern_covers(g, r) for g in granted)]


def check_write_patterns(read: Sequence[str], write: Any) -> list[str]:
    """The write patterns of a link reading `read`: valid, not `$` channels, and covered by
    the read patterns (a link writes only to channels it names). Raises InvalidInput."""
    if write is None:
        return []
    if isinstance(write, str):
        write = [write]
    if not isinstance(write, list | tuple):
        raise InvalidInput('"write" must be a list of channel patterns')
    for w in write:
        check_pattern(w)
        if w.startswith("$"):
            raise InvalidInput(f"write pattern {w!r}: a share link never writes to '$' channels")
    outside = uncovered(read, write)
    if outside:
        raise InvalidInput(
            f"write pattern {outside[0]!r} is outside the link's channels {list(read)}: "
            "a link writes only to channels it names"
        )
    return list(dict.fromkeys(write))


# --------------------------------------------------------------------------- key file


@dataclass
class Keys:
    secret: str
    generation: int = 0


class KeyFile:
    """The signing secret and revocation generation, persisted at `path`.

    With a configured secret only the generation is stored. The file is re-read when another
    process (a second server sharing the data directory) changes it. If it cannot be written
    (a read-only home), the keys live in memory only and `write_error` says why.
    """

    write_error: str | None = None

    def __init__(self, path: Path, configured_secret: str = ""):
        if configured_secret and len(configured_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"PushApp.share_secret must be at least {MIN_SECRET_BYTES} bytes; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        self.path = path
        self.configured_secret = configured_secret
        self._mtime: float | None = None
        self.keys = self._load()

    def _load(self) -> Keys:
        stored = self._read()
        secret = self.configured_secret or stored.get("secret")
        generation = stored.get("generation", 0)
        if not isinstance(generation, int):
            generation = 0
        if not isinstance(secret, str) or len(secret.encode()) < MIN_SECRET_BYTES:
            keys = Keys(secrets.token_urlsafe(48), generation)
            self._write(keys)
            return keys
        keys = Keys(secret, generation)
        if not self.path.exists():
            self._write(keys)
        return keys

    def _read(self) -> dict[str, object]:
        try:
            self._mtime = self.path.stat().st_mtime
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, keys: Keys) -> None:
        record: dict[str, object] = {"generation": keys.generation}
        if not self.configured_secret:
            record["secret"] = keys.secret
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(record, f)
            os.replace(tmp, self.path)
            self._mtime = self.path.stat().st_mtime
            self.write_error = None
        except OSError as e:
            self.write_error = f"cannot write {self.path}: {e}"

    def current(self) -> Keys:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = None
        if mtime != self._mtime:
            self.keys = self._load()
        return self.keys

    def bump_generation(self) -> int:
        keys = self.current()
        self.keys = Keys(keys.secret, keys.generation + 1)
        self._write(self.keys)
        return self.keys.generation


# --------------------------------------------------------------------------- tokens


class KeyStore(Protocol):
    """Where the signing secret and the revocation generation live: a KeyFile, or Redis
    (server/shared_keys.py) for servers that share a key prefix."""

    write_error: str | None

    def current(self) -> Keys: ...

    def bump_generation(self) -> int | Awaitable[int]: ...


@dataclass(frozen=True)
class MintedLink:
    token: str
    expires: int
    id: str  # logged with every write, never the token
    write: tuple[str, ...] = ()



class ShareTokens:
    """Mints and verifies share tokens (the `ShareVerifier` that `PushAuth` uses)."""

    def __init__(self, keys: KeyStore, max_ttl: float):
        self.keys = keys
        self.max_ttl = max_ttl

    def mint(
        self, patterns: Sequence[str], ttl: float, now: float | None = None
    ) -> tuple[str, int]:
        """A read-only token for `patterns`, valid `ttl` seconds (see `mint_link`)."""
        link = self.mint_link(patterns, ttl, now=now)
        return link.token, link.expires

    def mint_link(
        self, patterns: Sequence[str], ttl: float, *, write: Sequence[str] | None = None,
        now: float | None = None,
    ) -> MintedLink:
        """A token for `patterns`, valid `ttl` seconds, that may also publish to the controls
        matching `write` (each a pattern the read patterns cover, never a `$` channel).
        Raises InvalidInput for bad arguments."""
        if not isinstance(patterns, list | tuple) or not patterns:
            raise InvalidInput('"channels" must be a non-empty list of channel patterns')
        for p in patterns:
            check_pattern(p)
        writes = check_write_patterns(patterns, write)
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl > 0:
            raise InvalidInput(f'"ttl" must be a positive number of seconds, got {ttl!r}')
        if ttl > self.max_ttl:
            raise InvalidInput(
                f"ttl {ttl:g} s is longer than this server allows ({self.max_ttl:g} s, "
                "PushApp.share_max_ttl)"
            )
        now = time.time() if now is None else now
        expires = int(now + ttl)
        keys = self.keys.current()
        link_id = secrets.token_hex(6)
        claims: dict[str, object] = {
            "aud": AUDIENCE,
            "iat": int(now),
            "exp": expires,
            "ch": list(dict.fromkeys(patterns)),
            "gen": keys.generation,
            "jti": link_id,
        }
        if writes:
            claims["wr"] = writes
        token = jwt.encode(claims, keys.secret, algorithm=ALGORITHM)
        return MintedLink(token, expires, link_id, tuple(writes))

    def verify(self, token: str) -> ShareGrant:
        keys = self.keys.current()
        try:
            claims = jwt.decode(
                token,
                keys.secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["exp", "aud", "ch", "gen"]},
            )
        except jwt.ExpiredSignatureError as e:
            raise AuthError(401, "this share link has expired; ask its owner for a new one") from e
        except jwt.InvalidTokenError as e:
            raise AuthError(401, "invalid share token: not issued by this server") from e
        if claims["gen"] != keys.generation:
            raise AuthError(401, "this share link was revoked; ask its owner for a new one")
        patterns = claims["ch"]
        try:
            if not isinstance(patterns, list) or not patterns:
                raise InvalidInput("no patterns")
            for p in patterns:
                check_pattern(p)
        except InvalidInput as e:
            raise AuthError(401, "invalid share token: malformed channel patterns") from e
        writes = claims.get("wr")
        try:
            write = PatternSet(check_write_patterns(patterns, writes)) if writes else None
        except InvalidInput as e:
            raise AuthError(401, "invalid share token: malformed write patterns") from e
        link = claims.get("jti")
        return ShareGrant(PatternSet(patterns), float(claims["exp"]), write,
                          link if isinstance(link, str) else None)

    def revoke_all(self) -> int | Awaitable[int]:
        """Invalidate every token issued so far; returns (or resolves to) the new generation."""
        return self.keys.bump_generation()


def share_url(push_url: str, token: str, patterns: Sequence[str]) -> str:
    """The SSE URL of a share link: `{push_url}events?access=TOKEN&channel=…` (never any
    other credential)."""
    query = urlencode([("access", token), *(("channel", p) for p in patterns)], safe="/*:")
    return f"{push_url}events?{query}"
