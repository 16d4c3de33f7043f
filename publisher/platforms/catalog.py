"""The platforms, derived once from the adapter classes of the modules listed here.

Adding a platform is one module (a SPEC and an adapter class, see publisher.platforms.base)
and one line in PLATFORM_MODULES. What a platform is (name, label, limits, how it counts)
is asked here by name; choosing and building adapters is publisher.platforms.registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import fields, replace

from publisher.platforms.base import BaseAdapter
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.spec import PlatformSpec

# The one list of platforms, in the order they are shown. Each module defines ADAPTER.
PLATFORM_MODULES = (
    "x",
    "mastodon",
    "bluesky",
    "facebook",
    "telegram",
    "instagram",
    "threads",
    "email",
)

ADAPTERS: dict[str, type[BaseAdapter]] = {}
for _module in PLATFORM_MODULES:
    _adapter = importlib.import_module(f"publisher.platforms.{_module}").ADAPTER
    ADAPTERS[_adapter.spec.name] = _adapter
del _module, _adapter

SPECS: dict[str, PlatformSpec] = {name: cls.spec for name, cls in ADAPTERS.items()}
PLATFORMS: tuple[str, ...] = tuple(SPECS)
LABELS: dict[str, str] = {name: s.label for name, s in SPECS.items()}
# What an article or a calendar post may name in `platforms:` and `social:`: not the fan-out
# channels (e-mail), whose rows their own planner makes.
ITEM_PLATFORMS: tuple[str, ...] = tuple(n for n, s in SPECS.items() if not s.fanout)
FANOUT: tuple[str, ...] = tuple(n for n, s in SPECS.items() if s.fanout)


def spec(name: str) -> PlatformSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"unknown platform '{name}' (use: {', '.join(PLATFORMS)})") from None


def label(name: str) -> str:
    return LABELS.get(name, name)


# --- limits --------------------------------------------------------------------------------


def default_limits() -> dict[str, PlatformLimits]:
    return {name: s.limits for name, s in SPECS.items()}


def with_overrides(overrides: Mapping[str, Mapping[str, object]]) -> dict[str, PlatformLimits]:
    """The documented limits with some fields changed, e.g. {"facebook": {"max_text": 2000}}.

    Raises ValueError naming the unknown platform or field, so a settings typo is not ignored.
    """
    limits = default_limits()
    names = {f.name for f in fields(PlatformLimits)} - {"name"}
    for platform, changes in overrides.items():
        if platform not in limits:
            raise ValueError(f"unknown platform '{platform}' (use: {', '.join(PLATFORMS)})")
        for key in changes:
            if key not in names:
                raise ValueError(
                    f"unknown limit '{key}' for {platform} (use: {', '.join(sorted(names))})"
                )
        limits[platform] = replace(limits[platform], **changes)  # type: ignore[arg-type]
    return limits


# --- counting, by platform name (adapters ask their own SPEC) --------------------------------


def count(platform: str, text: str, limits: PlatformLimits | None = None) -> int:
    """Length of `text` as `platform` counts it."""
    return spec(platform).count(text, limits)


def limit_for(platform: str, *, caption: bool = False, limits: PlatformLimits | None = None) -> int:
    return spec(platform).limit_for(caption=caption, limits=limits)


def fits(
    platform: str, text: str, *, caption: bool = False, limits: PlatformLimits | None = None
) -> bool:
    """Does `text` fit in one post (or one photo caption) on `platform`?"""
    return spec(platform).fits(text, caption=caption, limits=limits)


def hashtag_problem(platform: str, tag: str) -> str | None:
    return spec(platform).hashtag_problem(tag)
