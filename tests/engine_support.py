"""Helpers for the publisher engine's tests: a settable clock, settings, planned posts, and
the guards that keep the end-to-end runs on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pelican
import pytest
import requests

from publisher.core.settings import PublisherSettings, from_dict
from publisher.core.timeutil import parse_time
from publisher.engine.planned import Planned
from publisher.platforms import registry
from publisher.platforms.draft import Media
from publisher.site.build import BuildResult, build_site
from tests.support import ROOT, serve_folder

FIXTURES = ROOT / "tests" / "fixtures" / "engine"
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"
SITE = "https://tppo.example.go.id"
PLUGINS = ["tests.engine_site_plugin", "publisher.site.feeds"]


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
    return registry.validate(
        from_dict(
            raw,
            root=tmp,
            settings_file=tmp / "pelicanconf.py",
            content=tmp / "content",
            site_url=SITE,
        )
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
    so the engine's tests do not depend on the site's theme). Built as the live site at the
    test's time (`future=False`): these tests move the clock, not the site into a preview."""
    return build_site(
        ROOT / "pelicanconf.py",
        output=output,
        now=now,
        future=False,
        overrides={
            "PATH": str(content),
            "THEME": str(SIMPLE_THEME),
            "SITEURL": SITE,
            "RELATIVE_URLS": False,
            "FEED_DOMAIN": SITE,
            "PLUGINS": PLUGINS,
        },
    )


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any host but the loopback: a test that tries the network fails
    at once with a connection error, instead of depending on (or reaching) the Internet."""
    resolve = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach 127.0.0.1 only, not {name}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@contextmanager
def own_site_on_loopback(monkeypatch: pytest.MonkeyPatch, output: Path) -> Iterator[str]:
    """Serve the build output on 127.0.0.1 and send the adapters' image downloads from
    SITE there: the real adapters fetch article images by URL, as they do in production."""
    fetch = requests.get
    session_get = requests.Session.get

    def get(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.startswith(SITE + "/"):
            url = local + url[len(SITE) :]
        return fetch(url, *args, **kwargs)

    def get_in_session(session: requests.Session, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(SITE + "/"):  # the adapters fetch through a deadline session
            url = local + url[len(SITE) :]
        return session_get(session, url, *args, **kwargs)

    with serve_folder(output) as local:
        monkeypatch.setattr(requests, "get", get)
        monkeypatch.setattr(requests.Session, "get", get_in_session)
        yield local


_PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def log_events(log: str) -> list[dict[str, str]]:
    """The key=value fields of every event line of a log (quoted values are JSON strings);
    lines may start with a time and a level, as journald shows them."""
    out = []
    for line in log.splitlines():
        start = line.find("event=")
        if start == 0 or (start > 0 and line[start - 1] == " "):
            pairs = _PAIR.findall(line[start:])
            out.append({k: json.loads(v) if v.startswith('"') else v for k, v in pairs})
    return out
