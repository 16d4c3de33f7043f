"""The platforms: derived from the adapter classes of the modules listed here, once.

Adding a platform is one module (a SPEC and an adapter class, see publisher.platforms.base)
and one line in PLATFORM_MODULES. Everything else (settings, `check`, the composer,
`accounts`, the docs table, the tests) asks this module.

An enabled platform with all its credentials posts for real; any other enabled platform
falls back to the outbox, so the engine always runs end to end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from publisher.core.environment import Environment, read_environment
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import utc_now
from publisher.core.words import did_you_mean
from publisher.platforms.base import Adapter, AdapterContext, BaseAdapter
from publisher.platforms.catalog import (
    ADAPTERS,
    FANOUT,
    ITEM_PLATFORMS,
    LABELS,
    PLATFORMS,
    SPECS,
    count,
    default_limits,
    fits,
    hashtag_problem,
    label,
    limit_for,
    spec,
    with_overrides,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.outbox import OutboxAdapter

__all__ = [
    "ADAPTERS",
    "FANOUT",
    "ITEM_PLATFORMS",
    "LABELS",
    "PLATFORMS",
    "SPECS",
    "Adapter",
    "AdapterChoice",
    "BaseAdapter",
    "OutboxAdapter",
    "build_adapters",
    "choose_adapters",
    "count",
    "default_limits",
    "fits",
    "hashtag_problem",
    "label",
    "limit_for",
    "platform_limits",
    "spec",
    "with_overrides",
]

# Tests replace this to force every platform into the outbox.
REAL_ADAPTERS: dict[str, type[BaseAdapter]] = dict(ADAPTERS)


def platform_limits(settings: PublisherSettings) -> dict[str, PlatformLimits]:
    return with_overrides(settings.limits)


# --- settings ------------------------------------------------------------------------------


def validate(settings: PublisherSettings) -> PublisherSettings:
    """Check PUBLISHER's platform names and limit overrides; an empty list means all."""
    for name in settings.platforms:
        if name not in SPECS:
            raise settings.error(
                "platforms",
                f"has '{name}', which is not a platform{did_you_mean(name, PLATFORMS)} "
                f"(use: {', '.join(PLATFORMS)})",
            )
    try:
        with_overrides(settings.limits)
    except (ValueError, TypeError) as exc:
        raise settings.error("limits", f"is not valid: {exc}") from None
    return settings if settings.platforms else replace(settings, platforms=ITEM_PLATFORMS)


def enabled(settings: PublisherSettings) -> tuple[str, ...]:
    # Unlisted: every social platform. E-mail to the press list only when listed by name:
    # mailing people is a choice to make, not a default (docs/press.md).
    return settings.platforms or ITEM_PLATFORMS


# --- credentials ---------------------------------------------------------------------------


def variable_names() -> tuple[str, ...]:
    """Every environment variable any platform reads."""
    return tuple(dict.fromkeys(v for s in SPECS.values() for v in s.variables))


def secret_names() -> tuple[str, ...]:
    """The variables whose values are never shown (tokens, keys, passwords)."""
    return tuple(dict.fromkeys(v for s in SPECS.values() for v in s.secrets))


def environment(root: Path, environ: Mapping[str, str] | None = None) -> Environment:
    """Every platform variable from the environment or `root/.env` (read once)."""
    return read_environment(root, variable_names(), environ)


def missing(platform: str, env: Environment | Mapping[str, str]) -> list[str]:
    """The platform's required variables that are not set (names only, never values)."""
    have = (
        env.has if isinstance(env, Environment) else (lambda n: bool(str(env.get(n, "")).strip()))
    )
    return [name for name in spec(platform).credentials if not have(name)]


def configured(env: Environment) -> list[str]:
    return [name for name in PLATFORMS if not missing(name, env)]


def context(
    settings: PublisherSettings,
    limits: PlatformLimits,
    clock: Callable[[], dt.datetime] = utc_now,
) -> AdapterContext:
    folder = None if settings.feed_is_url else Path(settings.feed)
    cache = settings.root / "var" / "cache"  # beside the ledger's default place, git-ignored
    return AdapterContext(limits, settings.site_url, folder, cache_dir=cache, clock=clock)


def real_adapter(
    platform: str,
    settings: PublisherSettings,
    env: Environment | Mapping[str, str],
    limits: PlatformLimits | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
) -> BaseAdapter | None:
    """The platform's real adapter when all its credentials are set, else None (outbox)."""
    env = env if isinstance(env, Environment) else Environment(env)
    cls = REAL_ADAPTERS.get(platform)
    if cls is None or missing(platform, env):
        return None
    limits = limits or platform_limits(settings)[platform]
    return cls.from_environment(env, context(settings, limits, clock))


# --- choosing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterChoice:
    platform: str
    adapter: Adapter
    mode: str  # "real" | "outbox"
    note: str  # why this mode, for logs and `publisher accounts` (never a secret)


def choose_adapters(
    settings: PublisherSettings,
    env: Environment | Mapping[str, str],
    clock: Callable[[], dt.datetime] = utc_now,
    outbox: Path | None = None,
) -> list[AdapterChoice]:
    settings = validate(settings)
    env = env if isinstance(env, Environment) else Environment(env)
    limits = platform_limits(settings)
    choices = []
    for platform in settings.platforms:
        adapter = real_adapter(platform, settings, env, limits[platform], clock)
        if adapter is not None:
            choices.append(AdapterChoice(platform, adapter, "real", "credentials configured"))
            continue
        note = (
            "credentials found, but no adapter for this platform yet"
            if not missing(platform, env)
            else "no credentials configured"
        )
        # A platform's own outbox where it has one (e-mail writes .eml files).
        make_box = getattr(ADAPTERS.get(platform), "outbox", None) or OutboxAdapter
        box = make_box(limits[platform], outbox or settings.outbox, clock)
        choices.append(AdapterChoice(platform, box, "outbox", note))
    return choices


def build_adapters(
    settings: PublisherSettings,
    env: Environment | Mapping[str, str],
    clock: Callable[[], dt.datetime] = utc_now,
    outbox: Path | None = None,
) -> dict[str, Adapter]:
    return {c.platform: c.adapter for c in choose_adapters(settings, env, clock, outbox)}


def _duration(value: dt.timedelta | None) -> str:
    if not value:
        return "no"
    seconds = int(value.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def docs_table() -> list[dict[str, Any]]:
    """One row per platform for docs/platforms.md (a test keeps the page in step)."""
    return [
        {
            "platform": s.label,
            "text limit": s.limits.max_text,
            "threads": "yes" if s.threads else "no",
            "lookup reads": s.lookup_reads if s.can_lookup else "no lookup",
            "shows within": _duration(s.visible_within) if s.can_lookup else "n/a",
            "looks for": _duration(s.lookup_window) if s.can_lookup else "n/a",
            "read-after-write": "yes" if s.read_after_write else "no",
            "idempotent create": _duration(s.idempotent_for),
            "credentials": ", ".join(f"`{name}`" for name in s.credentials),
        }
        for s in SPECS.values()
    ]


def docs_markdown() -> str:
    """docs_table() as the Markdown table docs/platforms.md holds."""
    rows = docs_table()
    names = list(rows[0])
    lines = ["| " + " | ".join(names) + " |", "|" + " --- |" * len(names)]
    lines += ["| " + " | ".join(str(row[n]) for n in names) + " |" for row in rows]
    return "\n".join(lines) + "\n"
