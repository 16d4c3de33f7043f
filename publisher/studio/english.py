"""English for the studio's Indonesian phrases (publisher.studio.words)."""

from __future__ import annotations

ENGLISH: dict[str, str] = {}
