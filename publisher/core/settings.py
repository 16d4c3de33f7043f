"""Typed publisher settings: pelicanconf's `PUBLISHER = {...}` dict, validated once at start.

Every mistake is reported as `pelicanconf.py:LINE: error: ...` (a ContentError, so the CLI
prints one line and exits 1). Secrets never live here: they come from the environment or a
git-ignored `.env` through `load_secrets`, and their values are never shown by `repr`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pelican.settings import get_settings_from_file

from publisher.content.fields import PLATFORMS, did_you_mean
from publisher.core.errors import ContentError
from publisher.platforms import counters

ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    "platforms": list(PLATFORMS),
    "tick_seconds": 60,
    "catch_up_hours": 6,
    "per_tick_cap": 5,
    "lease_seconds": 300,
    "reconcile_seconds": 60,
    "backoff": {"base_seconds": 60, "max_seconds": 6 * 3600, "max_attempts": 8},
    "feed": "output",
    "ledger": "var/ledger.sqlite3",
    "outbox": "outbox",
    "deploy_command": "",
    "campaigns": "campaigns",
    "site_url": "",
    "limits": {},
}
BACKOFF_KEYS = ("base_seconds", "max_seconds", "max_attempts")

# Environment variables per platform (the real adapters of issue 6 read them from Secrets).
SECRET_VARS: dict[str, tuple[str, ...]] = {
    "x": ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"),
    "mastodon": ("MASTODON_BASE_URL", "MASTODON_ACCESS_TOKEN"),
    "bluesky": ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"),
    "facebook": ("FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_TOKEN"),
    "telegram": ("TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"),
}


class SettingsError(ContentError):
    """A bad PUBLISHER setting, located in the settings file."""


@dataclass(frozen=True)
class Backoff:
    base_seconds: int
    max_seconds: int
    max_attempts: int


@dataclass(frozen=True)
class PublisherSettings:
    root: Path
    settings_file: Path
    content: Path
    platforms: tuple[str, ...]
    tick_seconds: int
    catch_up: dt.timedelta
    per_tick_cap: int
    lease_seconds: int
    # After a crash or an ambiguous answer (timeout, 502/504, duplicate refusal) the engine
    # waits this long, then looks for the post on the platform before sending it again:
    # time for the platform to finish what it accepted. 0 is for the crash tests only.
    reconcile_seconds: int
    backoff: Backoff
    feed: str  # a folder (the build output) or an http(s) URL of the deployed site
    ledger: Path
    outbox: Path
    deploy_command: str
    campaigns: Path
    site_url: str  # absolute origin used to make relative links absolute; may be ""
    limits: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def feed_is_url(self) -> bool:
        return self.feed.startswith(("http://", "https://"))


class _Checker:
    """Validates one PUBLISHER dict; errors point at the line of the offending key."""

    def __init__(self, raw: Mapping[str, Any], source: Path) -> None:
        self.raw = raw
        self.source = source
        try:
            self.lines = source.read_text(encoding="utf-8").split("\n")
        except OSError:
            self.lines = []

    def line(self, key: str) -> int:
        pattern = re.compile(rf"""["']{re.escape(key)}["']\s*:""")
        for number, text in enumerate(self.lines, 1):
            if pattern.search(text):
                return number
        for number, text in enumerate(self.lines, 1):
            if text.startswith("PUBLISHER"):
                return number
        return 1

    def fail(self, key: str, message: str) -> SettingsError:
        return SettingsError(self.source, self.line(key), f"PUBLISHER['{key}'] {message}")

    def integer(self, key: str, value: Any, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be a whole number of at least {minimum}, not {value!r}")
        return value

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"must be text, not {value!r}")
        return value.strip()


def from_dict(
    raw: Mapping[str, Any] | None,
    *,
    root: Path,
    settings_file: Path,
    content: Path | None = None,
    site_url: str = "",
) -> PublisherSettings:
    """Validate a PUBLISHER dict (missing keys take DEFAULTS); relative paths are under `root`."""
    check = _Checker(raw or {}, settings_file)
    if raw is not None and not isinstance(raw, Mapping):
        raise SettingsError(settings_file, check.line("PUBLISHER"), "PUBLISHER must be a dict")
    for key in raw or {}:
        if key not in DEFAULTS:
            raise check.fail(str(key), f"is not a setting{did_you_mean(str(key), set(DEFAULTS))}")
    value = {**DEFAULTS, **(raw or {})}

    platforms = value["platforms"]
    if not isinstance(platforms, (list, tuple)) or not all(isinstance(p, str) for p in platforms):
        raise check.fail("platforms", "must be a list of platform names")
    for name in platforms:
        if name not in PLATFORMS:
            raise check.fail(
                "platforms",
                f"has '{name}', which is not a platform{did_you_mean(name, PLATFORMS)} "
                f"(use: {', '.join(PLATFORMS)})",
            )
    backoff_raw = value["backoff"]
    if not isinstance(backoff_raw, Mapping):
        raise check.fail("backoff", "must be a dict with " + ", ".join(BACKOFF_KEYS))
    for key in backoff_raw:
        if key not in BACKOFF_KEYS:
            raise check.fail(
                "backoff", f"has an unknown key '{key}'{did_you_mean(key, BACKOFF_KEYS)}"
            )
    backoff_value = {**DEFAULTS["backoff"], **backoff_raw}
    backoff = Backoff(
        base_seconds=check.integer("backoff", backoff_value["base_seconds"], 1),
        max_seconds=check.integer("backoff", backoff_value["max_seconds"], 1),
        max_attempts=check.integer("backoff", backoff_value["max_attempts"], 1),
    )
    limits = value["limits"]
    if not isinstance(limits, Mapping) or not all(isinstance(v, Mapping) for v in limits.values()):
        raise check.fail("limits", "must be a dict of platform -> {max_text: ...}")
    try:
        counters.with_overrides(limits)
    except (ValueError, TypeError) as exc:
        raise check.fail("limits", f"is not valid: {exc}") from None
    catch_up = value["catch_up_hours"]
    if isinstance(catch_up, bool) or not isinstance(catch_up, (int, float)) or catch_up < 0:
        raise check.fail(
            "catch_up_hours", f"must be a number of hours (0 or more), not {catch_up!r}"
        )
    feed = check.text("feed", value["feed"])
    if not feed:
        raise check.fail("feed", "must name the output folder or the site's URL")
    site = check.text("site_url", value["site_url"]) or site_url

    def path(key: str) -> Path:
        text = check.text(key, value[key])
        if not text:
            raise check.fail(key, "must be a path")
        return (root / text).resolve()

    return PublisherSettings(
        root=root,
        settings_file=settings_file,
        content=(content or root / "content").resolve(),
        platforms=tuple(dict.fromkeys(platforms)),
        tick_seconds=check.integer("tick_seconds", value["tick_seconds"], 1),
        catch_up=dt.timedelta(hours=catch_up),
        per_tick_cap=check.integer("per_tick_cap", value["per_tick_cap"], 1),
        lease_seconds=check.integer("lease_seconds", value["lease_seconds"], 10),
        reconcile_seconds=check.integer("reconcile_seconds", value["reconcile_seconds"], 0),
        backoff=backoff,
        feed=feed if feed.startswith(("http://", "https://")) else str((root / feed).resolve()),
        ledger=path("ledger"),
        outbox=path("outbox"),
        deploy_command=check.text("deploy_command", value["deploy_command"]),
        campaigns=path("campaigns"),
        site_url=site.rstrip("/"),
        limits={name: dict(overrides) for name, overrides in limits.items()},
    )


def load_settings(settings_file: Path | None = None, **overrides: Any) -> PublisherSettings:
    """Read PUBLISHER (and PATH, SITEURL) from a Pelican settings file and validate them.

    `overrides` replace keys of the PUBLISHER dict (tests and `rehearse` use this).
    """
    settings_file = (settings_file or ROOT / "pelicanconf.py").resolve()
    if not settings_file.exists():
        raise SettingsError(settings_file, 1, "the settings file does not exist")
    conf = get_settings_from_file(str(settings_file))
    root = settings_file.parent
    raw = conf.get("PUBLISHER")
    merged = {**(raw or {}), **overrides} if isinstance(raw, Mapping) or raw is None else raw
    site_url = str(conf.get("SITEURL") or conf.get("SITE_ORIGIN") or "")
    return from_dict(
        merged,
        root=root,
        settings_file=settings_file,
        content=root / str(conf.get("PATH") or "content"),
        site_url=site_url,
    )


class Secrets:
    """Platform credentials from the environment or `.env`; values never appear in repr/str."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {k: v for k, v in values.items() if v}

    def for_platform(self, platform: str) -> dict[str, str] | None:
        """All of the platform's variables, or None when any is missing."""
        names = SECRET_VARS.get(platform, ())
        if not names or any(name not in self._values for name in names):
            return None
        return {name: self._values[name] for name in names}

    def configured(self) -> list[str]:
        return [p for p in SECRET_VARS if self.for_platform(p) is not None]

    def values(self, names: Iterable[str] | None = None) -> list[str]:
        """The values themselves (of `names` only, when given): for the redactor, and for
        tests that check logs never contain them."""
        if names is None:
            return list(self._values.values())
        return [self._values[name] for name in names if name in self._values]

    def __repr__(self) -> str:
        return f"Secrets(configured={self.configured()})"

    __str__ = __repr__


def load_secrets(root: Path = ROOT, environ: Mapping[str, str] | None = None) -> Secrets:
    """Known secret variables from `root/.env`, overridden by the real environment."""
    env = os.environ if environ is None else environ
    names = {name for group in SECRET_VARS.values() for name in group}
    dotenv = root / ".env"
    from_file = dotenv_values(dotenv) if dotenv.is_file() else {}
    values = {n: v for n, v in from_file.items() if n in names and v}
    values.update({n: env[n] for n in names if env.get(n)})
    return Secrets(values)
