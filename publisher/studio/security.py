"""The studio's security seams: signed session cookies, CSRF tokens, the login throttle,
the response headers, and paths that never leave their folder.

Every request passes through these in publisher.studio.web, never in a view: a view cannot
forget them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "studio_session"
SESSION_SECONDS = 12 * 3600  # a working day; then log in again
# The site's headers (deploy/nginx.conf; tests/studio/test_security.py holds them equal),
# and no-store: studio pages hold unpublished text.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), browsing-topics=()"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def load_secret(path: Path) -> bytes:
    """The key that signs sessions: made once per installation, readable by its owner only."""
    try:
        value = path.read_bytes()
        if len(value) >= 32:
            return value
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(48)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(value)
    return value


@dataclass(frozen=True)
class Session:
    nonce: str  # new at every login: a session id known before login is worth nothing after
    user: str = ""  # "" before login
    fingerprint: str = ""  # of the user's password hash: a new password ends old sessions


class Sessions:
    """Sessions are signed cookies (itsdangerous); a logout revokes its nonce until the
    cookie would have expired anyway."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.signer = URLSafeTimedSerializer(secret, salt="studio-session")
        self.revoked: dict[str, float] = {}

    def new(self, user: str = "", fingerprint: str = "") -> Session:
        return Session(secrets.token_urlsafe(18), user, fingerprint)

    def dumps(self, session: Session) -> str:
        return str(self.signer.dumps([session.nonce, session.user, session.fingerprint]))

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            nonce, user, fingerprint = self.signer.loads(value, max_age=SESSION_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        if nonce in self.revoked:
            return None
        return Session(str(nonce), str(user), str(fingerprint))

    def revoke(self, session: Session) -> None:
        now = time.monotonic()
        self.revoked = {n: t for n, t in self.revoked.items() if t > now}
        self.revoked[session.nonce] = now + SESSION_SECONDS

    def csrf_token(self, session: Session) -> str:
        """The token every form of this session carries (HMAC of the session's nonce)."""
        return hmac.new(self.secret, b"csrf|" + session.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, token: str) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(session), token)


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass
class LoginThrottle:
    """Failed logins: at most `per_name` for one name and `per_address` from one address in
    `window` seconds; then that name or address waits until its oldest failure ages out."""

    per_name: int = 5
    per_address: int = 20
    window: float = 15 * 60
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, name: str, address: str) -> int:
        """Seconds to wait before this name may try from this address (0: go ahead)."""
        now = time.monotonic()
        waits = [0.0]
        for key, limit in (
            (f"name:{name.lower()}", self.per_name),
            (f"ip:{address}", self.per_address),
        ):
            seen = self._recent(key, now)
            if len(seen) >= limit:
                waits.append(seen[0] + self.window - now)
        return int(max(waits)) + (1 if max(waits) > 0 else 0)

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        for key in (f"name:{name.lower()}", f"ip:{address}"):
            self._recent(key, now).append(now)
        if len(self.failures) > 10_000:  # many names tried: forget the ones gone quiet
            self.failures = {k: v for k, v in self.failures.items() if v}

    def succeeded(self, name: str) -> None:
        self.failures.pop(f"name:{name.lower()}", None)

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self.failures.setdefault(key, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen


def inside(base: Path, relative: str) -> Path | None:
    """`base/relative` if it stays inside `base` once resolved (no `..`, no encoded escape,
    no absolute path, no symlink out); None otherwise."""
    text = relative
    for _ in range(3):  # %252e%252e: decoded twice by a careless proxy is still refused
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    if "\x00" in text or "\\" in text or text.startswith("/"):
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    root = base.resolve()
    path = root.joinpath(*parts).resolve() if parts else root
    if path != root and root not in path.parents:
        return None
    return path


def local_next(target: str | None, default: str = "/") -> str:
    """A redirect target after login: a path on this site only (never `//host` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
