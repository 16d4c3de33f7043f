"""Typed publisher settings: the settings file's `PUBLISHER = {...}` dict, validated once.

Every mistake is reported as `pelicanconf.py:LINE: error: ...` (a SettingsError, so the CLI
prints one line and exits 1). Which platforms exist, and their limits, is the platform
registry's knowledge (publisher.platforms.registry.validate checks those two keys); this
module knows only the shape of the dict. Secrets never live here: see core.environment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.core.errors import ContentError
from publisher.core.project import Project
from publisher.core.words import did_you_mean

DEFAULTS: dict[str, Any] = {
    "platforms": None,  # None: every social platform of the registry (not e-mail)
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
    # Seconds one platform may spend sending in a tick; a slow platform stops there and
    # goes on at the next tick, while the others never wait for it.
    "platform_budget_seconds": 30,
    # utm_source/medium/campaign on links: off (the site has no analytics to read them, and
    # they cost up to 150 characters of a Bluesky post). True for sites that have analytics.
    "utm": False,
    # Releases by e-mail (docs/press.md): the press list, how long before an embargo lifts
    # accredited journalists get their copy, and how long after a go-live a release is
    # still sent (later, as after a long stop, it is not: a person sends it by hand).
    "press": {"list": "data/press-list.yaml", "lead_hours": 24, "window_hours": 72},
}
BACKOFF_KEYS = ("base_seconds", "max_seconds", "max_attempts")
PRESS_KEYS = ("list", "lead_hours", "window_hours")


class SettingsError(ContentError):
    """A bad PUBLISHER setting, located in the settings file."""


@dataclass(frozen=True)
class Backoff:
    base_seconds: int
    max_seconds: int
    max_attempts: int


@dataclass(frozen=True)
class PressSettings:
    list: Path  # data/press-list.yaml
    lead: dt.timedelta = dt.timedelta(hours=24)  # embargoed copies: this long before lift
    window: dt.timedelta = dt.timedelta(hours=72)  # a release is sent this long after go-live


@dataclass(frozen=True)
class PublisherSettings:
    root: Path
    settings_file: Path
    content: Path
    # Empty: every platform of the registry (publisher.platforms.registry.enabled()).
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
    platform_budget_seconds: int = 30
    utm: bool = False
    press: PressSettings = field(
        default_factory=lambda: PressSettings(Path("data/press-list.yaml"))
    )

    @property
    def feed_is_url(self) -> bool:
        return self.feed.startswith(("http://", "https://"))

    def error(self, key: str, message: str) -> SettingsError:
        """A SettingsError at the line of PUBLISHER[key] in the settings file."""
        return _Checker({}, self.settings_file).fail(key, message)


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

    platforms = value["platforms"] or ()
    if not isinstance(platforms, (list, tuple)) or not all(isinstance(p, str) for p in platforms):
        raise check.fail("platforms", "must be a list of platform names")
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
    catch_up = value["catch_up_hours"]
    if isinstance(catch_up, bool) or not isinstance(catch_up, (int, float)) or catch_up < 0:
        raise check.fail(
            "catch_up_hours", f"must be a number of hours (0 or more), not {catch_up!r}"
        )
    feed = check.text("feed", value["feed"])
    if not feed:
        raise check.fail("feed", "must name the output folder or the site's URL")
    site = check.text("site_url", value["site_url"]) or site_url
    if not isinstance(value["utm"], bool):
        raise check.fail("utm", f"must be True or False, not {value['utm']!r}")

    press_raw = value["press"]
    if not isinstance(press_raw, Mapping) or set(press_raw) - set(PRESS_KEYS):
        raise check.fail("press", "must be a dict with " + ", ".join(PRESS_KEYS))
    press_value = {**DEFAULTS["press"], **press_raw}
    press_list = check.text("press", press_value["list"])
    press = PressSettings(
        list=(root / (press_list or DEFAULTS["press"]["list"])).resolve(),
        lead=dt.timedelta(hours=check.integer("press", press_value["lead_hours"], 0)),
        window=dt.timedelta(hours=check.integer("press", press_value["window_hours"], 1)),
    )

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
        platform_budget_seconds=check.integer(
            "platform_budget_seconds", value["platform_budget_seconds"], 1
        ),
        utm=value["utm"],
        press=press,
    )


def load_settings(settings_file: Path | None = None, **overrides: Any) -> PublisherSettings:
    """Read PUBLISHER (and PATH, SITEURL) from a project's settings file and validate them.

    `overrides` replace keys of the PUBLISHER dict (tests and `rehearse` use this).
    """
    project = Project.from_settings_file(settings_file) if settings_file else Project.find()
    return for_project(project, **overrides)


def for_project(project: Project, **overrides: Any) -> PublisherSettings:
    conf = project.conf()
    raw = conf.get("PUBLISHER")
    merged = {**(raw or {}), **overrides} if isinstance(raw, Mapping) or raw is None else raw
    site_url = str(conf.get("SITEURL") or conf.get("SITE_ORIGIN") or "")
    return from_dict(
        merged,
        root=project.root,
        settings_file=project.settings_file,
        content=project.layout.content,
        site_url=site_url,
    )
