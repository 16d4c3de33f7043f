"""Staff accounts: a name, a role and an argon2 hash, in var/studio/users.json (mode 0600).

The file is under var/ (git-ignored): accounts belong to one installation, never to the
repository. Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommendation); a login with an unknown name still runs one hash, so the answer time does
not tell which names exist.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from publisher.core.errors import PublisherError
from publisher.core.timeutil import utc_now

ROLES = ("writer", "editor", "admin")  # each may do what the ones before it may
MIN_PASSWORD = 12
_NAME = re.compile(r"^[\w][\w .'-]{0,62}[\w.]$|^\w$")


class AccountError(PublisherError):
    """A staff account cannot be made or read as asked."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    email: str = ""

    def may(self, role: str) -> bool:
        """Has this user at least `role`?"""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def git_email(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "staff"
        return self.email or f"{slug}@studio.invalid"


class Accounts:
    """The users file of one project; read on every login and request, so a removed account
    or a changed password takes effect at once."""

    def __init__(self, path: Path) -> None:
        # argon2 is imported here, not at the top: `publisher` imports this module for its
        # command line, and every other command starts without the studio's packages.
        from argon2 import PasswordHasher

        self.path = path
        self.hasher = PasswordHasher()
        # Verified against when the name is unknown: the same work as a real check.
        self._dummy = self.hasher.hash("not a password of anyone")

    def users(self) -> dict[str, User]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"{self.path}: the users file cannot be read ({exc})") from None
        return {
            name: User(name, str(v["role"]), str(v["password"]), str(v.get("email", "")))
            for name, v in (raw.get("users") or {}).items()
            if isinstance(v, dict) and v.get("role") in ROLES and v.get("password")
        }

    def get(self, name: str) -> User | None:
        return self.users().get(name)

    def add(
        self, name: str, role: str, password: str, email: str = "", replace: bool = False
    ) -> User:
        name = " ".join(name.split())
        if not _NAME.match(name):
            raise AccountError(
                f"'{name}': a name has 1 to 64 letters, digits, spaces, dots, ' or -"
            )
        if role not in ROLES:
            raise AccountError(f"role '{role}' is not one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
        users = self.users()
        if name in users and not replace:
            raise AccountError(f"'{name}' already has an account; add --replace to change it")
        users[name] = User(name, role, self.hasher.hash(password), email.strip())
        self._write(users)
        return users[name]

    def remove(self, name: str) -> None:
        users = self.users()
        if users.pop(name, None) is None:
            raise AccountError(f"'{name}' has no account")
        self._write(users)

    def check(self, name: str, password: str) -> User | None:
        """The user if the password is theirs, else None (same work either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        user = self.get(name)
        try:
            self.hasher.verify(user.password_hash if user else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def _write(self, users: dict[str, User]) -> None:
        """Atomically, and readable by the owner only (0600) from the first byte."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": 1,
            "updated": utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "users": {
                u.name: {"role": u.role, "password": u.password_hash, "email": u.email}
                for u in sorted(users.values(), key=lambda u: u.name)
            },
        }
        handle, temp = tempfile.mkstemp(prefix=".users-", dir=self.path.parent)
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=2)
                out.write("\n")
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
