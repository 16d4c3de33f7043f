"""Helpers for the e-mail channel's tests: a project with releases and a press list, the
site's records made live by hand, and a scheduler whose e-mail goes to a local SMTP server.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from publisher.content.golive import iso_utc
from publisher.core.environment import Environment
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import Ledger
from publisher.engine.press.planner import PressMail
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.email import EmailAdapter
from publisher.platforms.registry import platform_limits
from publisher.site.release_pdf import printer_for
from tests.engine_support import Clock, make_settings
from tests.platform_servers.smtp import SmtpServer
from tests.support import ROOT

SENDER = "Humas TPPO <press@tppo.example.go.id>"
KEY = "test-press-key-0123456789abcdef"  # PRESS_ID_KEY of the tests' projects
EMBARGO = "2027-07-30 09:00"

RELEASE = """---
id: {uid}
title: {title}
date: {date}
{embargo}summary: Ringkasan siaran pers {uid}.
topics: [{topics}]
{campaign}contacts: [humas-pemkab]
images:
  - src: images/siaran-pers.svg
    alt: Ilustrasi lembar siaran pers.
    caption: Ilustrasi siaran pers.
    credit: Tim Program Pencegahan TPPO Bengkulu Tengah
attachments:
  - file: files/lembar-fakta-tppo.pdf
    title: Lembar fakta program
{extra}---

**Bengkulu Tengah —** Isi siaran pers {uid}. Dalam keadaan bahaya, hubungi polisi di 110.
Lihat [Butuh Bantuan?]({{filename}}/pages/bantuan.md).
"""

TRANSLATION = """---
id: {uid}
title: English {title}
lang: en
translation: true
date: {date}
{embargo}summary: Summary of release {uid}.
topics: [{topics}]
contacts: [humas-pemkab]
{extra}---

English text of release {uid}. In danger, call the police on 110.
"""


def write_release(root: Path, uid: str, *, date: str = EMBARGO, embargo: str | None = EMBARGO,
                  topics: str = "pencegahan", campaign: str = "", english: bool = False,
                  extra: str = "", title: str = "") -> Path:  # fmt: skip
    fields: dict[str, Any] = {
        "uid": uid,
        "title": title or f"Siaran pers {uid}",
        "date": date,
        "embargo": f"embargo: {embargo}\n" if embargo else "",
        "topics": topics,
        "campaign": f"campaign: {campaign}\n" if campaign else "",
        "extra": extra,
    }
    path = root / "content" / "siaran-pers" / f"{uid}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RELEASE.format(**fields), encoding="utf-8")
    if english:
        en = root / "content" / "siaran-pers" / "en" / f"{uid}.md"
        en.parent.mkdir(parents=True, exist_ok=True)
        en.write_text(TRANSLATION.format(**fields), encoding="utf-8")
    return path


def journalist(name: str, email: str, *, languages: str = "id", topics: str = "pencegahan",
               accredited: str | None = None, campaigns: str = "") -> str:  # fmt: skip
    lines = [f"  - name: {name}", "    outlet: Contoh Media", f"    email: {email}",
             f"    languages: [{languages}]", f"    topics: [{topics}]"]  # fmt: skip
    if campaigns:
        lines.append(f"    campaigns: [{campaigns}]")
    if accredited:
        lines.append(f"    accredited: {accredited}")
    return "\n".join(lines) + "\n"


def write_press_list(root: Path, entries: Iterable[str]) -> Path:
    path = root / "data" / "press-list.yaml"
    path.write_text("journalists:\n" + "".join(entries), encoding="utf-8")
    path.chmod(0o600)
    return path


def make_press_project(root: Path) -> Path:
    """A project in `root`: the real data/, theme, images and files; the help page."""
    shutil.copytree(ROOT / "data", root / "data", dirs_exist_ok=True)
    for shared in ("images", "files"):
        shutil.copytree(ROOT / "content" / shared, root / "content" / shared)
    page = root / "content" / "pages" / "bantuan.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("---\ntitle: Butuh Bantuan?\nslug: bantuan\n---\nIsi.\n", encoding="utf-8")
    (root / "campaigns").mkdir(exist_ok=True)
    (root / "pelicanconf.py").write_text(
        f"exec(open({str(ROOT / 'pelicanconf.py')!r}).read())\nPATH = 'content'\n"
        f"THEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    return root


def go_live(root: Path, uid: str, at: str | dt.datetime, corrections: Iterable[str] = ()) -> None:
    """Make `uid` live, as a build of the site does: its syndication record."""
    path = root / "output" / "feeds" / "syndication.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = json.loads(path.read_text()) if path.is_file() else {"version": 1, "items": []}
    doc["items"] = [r for r in doc["items"] if r["uid"] != uid]
    when = parse_time(at) if isinstance(at, str) else at
    doc["items"].append({"uid": uid, "kind": "release", "golive": iso_utc(when),
                         "corrections": [iso_utc(parse_time(c)) for c in corrections]})  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")


class PressRig:
    """A scheduler with only the e-mail channel, sending to `server` on the fake clock."""

    def __init__(
        self, root: Path, server: SmtpServer, clock: Clock, *, pdf: bool = True, **settings: Any
    ) -> None:
        self.root = root
        self.server = server
        self.clock = clock
        self.settings = make_settings(root, platforms=["email"], reconcile_seconds=0, **settings)
        self.env = Environment({"PRESS_ID_KEY": KEY})
        self.ledger = Ledger.open(self.settings.ledger)
        limits = platform_limits(self.settings)["email"]
        journal = root / "var" / "mail" / "journal"
        self.adapter = EmailAdapter(
            "127.0.0.1", SENDER, port=server.port, limits=limits, journal=journal, clock=clock
        )
        layout_theme = ROOT / "theme" / "templates"
        printer = (
            printer_for(layout_theme, root / "data" / "hotlines.yaml", root / "content")
            if pdf
            else None
        )
        self.planner = PressMail(self.settings, self.env, printer)
        self.scheduler = self.make()

    def make(self) -> Scheduler:
        return Scheduler(self.settings, self.ledger, {"email": self.adapter}, Snapshot, clock=self.clock,
                         fanout={"email": self.planner})  # fmt: skip

    def tick(self, when: str | None = None) -> Any:
        if when is not None:
            self.clock.set(when)
        report = self.scheduler.tick()
        self.scheduler.wait(30)
        return report

    def rows(self) -> list[Any]:
        return self.ledger.rows(platform="email")

    def close(self) -> None:
        self.ledger.close()
