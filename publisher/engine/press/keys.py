"""The key of the press list's pseudonymous ids (publisher.content.press_list.recipient_id).

From PRESS_ID_KEY in the environment or `.env`, else from var/press-id.key, made once (32
random bytes, owner-only). The key must never change: every delivery of the ledger is filed
under ids made with it, and a new key would make every journalist a stranger who gets every
release again. So its fingerprint is written into the ledger the first time, and a ledger
that knows another fingerprint refuses to plan or remove anything.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from publisher.core.environment import Environment
from publisher.core.errors import PublisherError
from publisher.engine.ledger import Ledger

ENV = "PRESS_ID_KEY"
FILE = "press-id.key"
FINGERPRINT = "press_id_key"  # engine meta


class PressKeyError(PublisherError):
    """The press list's key is missing or not the one the ledger knows."""


def key_file(var: Path) -> Path:
    return var / FILE


def load_key(var: Path, env: Environment | None = None, create: bool = True) -> bytes:
    """The key: PRESS_ID_KEY, else var/press-id.key (made now when `create`)."""
    if env is not None and env.get(ENV):
        return env.get(ENV).encode("utf-8")
    path = key_file(var)
    if not path.is_file():
        if not create:
            raise PressKeyError(f"{path}: no press list key yet (nothing was sent by e-mail)")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes starting at once make one key, not two
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip().encode("utf-8")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise PressKeyError(f"{path}: the press list key file is empty; restore it from a backup")
    return text.encode("utf-8")


def fingerprint(key: bytes) -> str:
    return hmac.new(key, b"tppo-press-list", hashlib.sha256).hexdigest()[:16]


def checked_key(ledger: Ledger, key: bytes) -> bytes:
    """`key`, once the ledger agrees it is the key its deliveries were filed under."""
    mine = fingerprint(key)
    known = ledger.get_meta(FINGERPRINT)
    if known is None:
        ledger.set_meta(FINGERPRINT, mine)
    elif known != mine:
        raise PressKeyError(
            f"the press list key ({ENV} or var/{FILE}) is not the one this ledger's deliveries "
            "were made with, so every journalist would get every release again; nothing is "
            f"sent by e-mail until the old key is back (restore var/{FILE} or {ENV})"
        )
    return key
