"""What a platform is, declared once per platform module: name, limits, credentials,
capabilities and documentation. `accounts`, `check`, the composer, the docs table and the
fake-server tests read these through publisher.platforms.registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from publisher.platforms.counters import PlatformLimits

DOCS = "docs/platforms.md"


@dataclass(frozen=True)
class PlatformSpec:
    name: str  # the key in settings, front matter and the ledger: "x", "mastodon", ...
    label: str  # how people call it: "X", "Mastodon", ...
    limits: PlatformLimits  # the documented limits; settings and servers may change them
    credentials: tuple[str, ...]  # environment variables that must all be set to post for real
    secrets: tuple[str, ...]  # those whose values must never be shown (tokens, passwords)
    optional: tuple[str, ...] = ()  # other variables it reads (base URLs, API versions)
    # "inline": the link is written in the text; "field": sent apart (Facebook's link card).
    link_policy: str = "inline"
    # Can the adapter read the account's own recent posts to find one (reconciliation)?
    can_lookup: bool = False
    # How long the platform refuses a second post for a repeated create of the same part
    # (Mastodon's Idempotency-Key): within it, resending after an unknown outcome is safe.
    idempotent_for: dt.timedelta | None = None
    alt_text: bool = True  # does it carry an image description?
    docs: str = DOCS  # where the account set-up is explained

    @property
    def variables(self) -> tuple[str, ...]:
        return (*self.credentials, *self.optional)

    @property
    def threads(self) -> bool:
        """Can a long text become a chain of replies?"""
        return self.limits.threads

    @property
    def anchor(self) -> str:
        return f"{self.docs}#{self.name}"
