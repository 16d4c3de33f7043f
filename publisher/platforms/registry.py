"""Adapter registry: one adapter per enabled platform.

A platform with credentials posts for real through its adapter (publisher/adapters/real.py);
every other enabled platform falls back to the outbox, so the engine always runs end to end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher.core.settings import PublisherSettings, Secrets
from publisher.core.timeutil import utc_now
from publisher.platforms import counters
from publisher.platforms.base import Adapter, BaseAdapter, PostResult, PreviewPart
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.outbox import OutboxAdapter
from publisher.platforms.real import REAL_FACTORIES

__all__ = [
    "Adapter",
    "AdapterChoice",
    "BaseAdapter",
    "OutboxAdapter",
    "PostResult",
    "PreviewPart",
    "build_adapters",
    "platform_limits",
]

# platform -> factory(settings, credentials, limits)
RealFactory = Callable[[PublisherSettings, dict[str, str], PlatformLimits], Adapter]
REAL_ADAPTERS: dict[str, RealFactory] = REAL_FACTORIES


@dataclass(frozen=True)
class AdapterChoice:
    platform: str
    adapter: Adapter
    mode: str  # "real" | "outbox"
    note: str  # why this mode, for logs and `publisher accounts` (never a secret)


def platform_limits(settings: PublisherSettings) -> dict[str, PlatformLimits]:
    return counters.with_overrides(settings.limits)


def choose_adapters(
    settings: PublisherSettings,
    secrets: Secrets,
    clock: Callable[[], dt.datetime] = utc_now,
    outbox: Path | None = None,
) -> list[AdapterChoice]:
    limits = platform_limits(settings)
    choices = []
    for platform in settings.platforms:
        credentials = secrets.for_platform(platform)
        factory = REAL_ADAPTERS.get(platform)
        if credentials and factory:
            adapter = factory(settings, credentials, limits[platform])
            choices.append(AdapterChoice(platform, adapter, "real", "credentials configured"))
            continue
        note = (
            "credentials found, but no adapter for this platform yet"
            if credentials
            else "no credentials configured"
        )
        adapter = OutboxAdapter(limits[platform], outbox or settings.outbox, clock)
        choices.append(AdapterChoice(platform, adapter, "outbox", note))
    return choices


def build_adapters(
    settings: PublisherSettings,
    secrets: Secrets,
    clock: Callable[[], dt.datetime] = utc_now,
    outbox: Path | None = None,
) -> dict[str, Adapter]:
    return {c.platform: c.adapter for c in choose_adapters(settings, secrets, clock, outbox)}
