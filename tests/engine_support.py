"""Helpers for the publisher engine's tests: a settable clock, settings, planned posts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pelican

from publisher.build import BuildResult, build_site
from publisher.planned import Media, Planned
from publisher.settings import PublisherSettings, from_dict
from publisher.timeutil import parse_time
from tests.support import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "engine"
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"
SITE = "https://tppo.example.go.id"
PLUGINS = ["tests.engine_site_plugin", "publisher.feeds"]


class Clock:
    """A clock the test moves by hand; the code under test only ever reads it."""

    def __init__(self, start: str | dt.datetime) -> None:
        self.now = parse_time(start)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: str | dt.datetime) -> dt.datetime:
        self.now = parse_time(when)
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def make_settings(tmp: Path, **publisher: Any) -> PublisherSettings:
    raw = {
        "ledger": str(tmp / "var" / "ledger.sqlite3"),
        "outbox": str(tmp / "outbox"),
        "feed": str(tmp / "output"),
        "campaigns": str(tmp / "campaigns"),
        **publisher,
    }
    return from_dict(
        raw, root=tmp, settings_file=tmp / "pelicanconf.py", content=tmp / "content", site_url=SITE
    )


def item(key: str = "item:a", due: str = "2027-03-01 10:00", **fields: Any) -> Planned:
    base: dict[str, Any] = {
        "kind": "article",
        "title": f"Judul {key}",
        "text": f"Teks untuk {key}.",
        "link": f"{SITE}/berita/{key.split(':')[-1]}/",
    }
    base.update(fields)
    if isinstance(base.get("image"), tuple):
        base["image"] = Media(*base["image"])
    return Planned(key=key, due=parse_time(due), **base)


def outbox_files(outbox: Path) -> dict[str, dict[str, Any]]:
    """Every outbox file, by path relative to the outbox."""
    return {
        str(p.relative_to(outbox)): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(outbox.rglob("*.json"))
    }


def make_project(tmp: Path) -> Path:
    """A project tree in `tmp`: the fixture content and campaigns (tests may edit them) and
    the real data/ folder, which the build's checks read."""
    shutil.copytree(FIXTURES / "content", tmp / "content")
    shutil.copytree(FIXTURES / "campaigns", tmp / "campaigns")
    shutil.copytree(ROOT / "data", tmp / "data")
    return tmp


def build_fixture_site(content: Path, output: Path, now: dt.datetime) -> BuildResult:
    """The fixture content built by real Pelican with our plugins (Pelican's simple theme,
    so the engine's tests do not depend on the site's theme)."""
    return build_site(
        ROOT / "pelicanconf.py",
        output=output,
        now=now,
        overrides={
            "PATH": str(content),
            "THEME": str(SIMPLE_THEME),
            "SITEURL": SITE,
            "RELATIVE_URLS": False,
            "FEED_DOMAIN": SITE,
            "PLUGINS": PLUGINS,
        },
    )
