"""Who may do what: the Jupyter user, the kernel token, share tokens.

The Jupyter token grants code execution, so kernels get a token of their own that is valid
only under `{base}push/`, and external pages get share tokens: scoped, expiring, read-only
unless minted with write patterns (then they may publish to those controls only).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from .channels import PatternSet
from .declarations import PREFIX as CONTROLS_PREFIX
from .exceptions import AuthError


@dataclass(frozen=True)
class Access:
    """What a request may do. `allowed` limits the channels (None: every channel)."""

    role: str  # "user" | "kernel" | "share"
    can_publish: bool = True
    allowed: PatternSet | None = None
    # The credential travelled in the request itself (header or query), not in a cookie, so
    # the request cannot be a cross-site forgery (the same rule as jupyter_server's tokens).
    explicit: bool = False
    # Unix time when a share token stops working (open streams are closed then).
    expires: float | None = None
    # A share link's write patterns (None: read-only) and its id (logged, never the token).
    write: PatternSet | None = None
    link: str | None = None


USER = Access("user")
KERNEL = Access("kernel", explicit=True)


@dataclass(frozen=True)
class ShareGrant:
    allowed: PatternSet
    expires: float
    write: PatternSet | None = None  # what the link may publish to (None: read-only)
    link: str | None = None  # the link's id


class ShareVerifier(Protocol):
    def verify(self, token: str) -> ShareGrant:
        """What a share token grants; raises AuthError if it is invalid, expired or revoked."""
        ...


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_from_headers(authorization: str | None) -> str | None:
    """The token in `Authorization: token X` (or `Bearer X`), if any."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


class PushAuth:
    def __init__(self, kernel_token: str, shares: ShareVerifier | None = None):
        self.kernel_token = kernel_token
        self.shares = shares

    def is_kernel_token(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.kernel_token.encode())  # type: ignore[union-attr]

    def identify(
        self, authorization: str | None, query_token: str | None, access_token: str | None
    ) -> Access | None:
        """The access granted by a push credential in the request, or None when there is
        none (the Jupyter identity provider then decides). Raises AuthError for a share
        token that is presented but not valid."""
        if access_token is not None:
            if self.shares is None:
                raise AuthError(401, "share tokens are not enabled on this server")
            grant = self.shares.verify(access_token)
            allowed = grant.allowed
            if grant.write is not None:  # it also reads the declarations of its controls
                allowed = PatternSet([*allowed.patterns,
                                      *(CONTROLS_PREFIX + w for w in grant.write.patterns)])
            return Access("share", can_publish=grant.write is not None, allowed=allowed,
                          explicit=True, expires=grant.expires, write=grant.write,
                          link=grant.link)
        token = token_from_headers(authorization) or query_token
        if self.is_kernel_token(token):
            return KERNEL
        return None
