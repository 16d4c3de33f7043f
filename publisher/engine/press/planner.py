"""Who gets which release e-mail, and when: the press list's fan-out planner.

Each tick (publisher/engine/fanout.py stores what it plans, with the engine's guarantees):

- embargoed copy (`mail:<uid>:embargo:<rid>`): a published, approved release whose embargo
  has not lifted goes, `lead` (24 h) before the lift, to every journalist accredited now
  who follows one of its topics or its campaign and reads one of its languages. At the
  send the engine asks again (`recipient`): still on the list, still accredited, and the
  embargo still ahead; otherwise nothing goes (the release itself follows at go-live);
- the release (`mail:<uid>:release:<rid>`): once the built site lists it, at its go-live, to
  every journalist who follows it, in the first of their languages it exists in; not to one
  whose embargoed copy went out (or may have: it is not sent twice). A journalist who joins
  later than `window` after the go-live is not sent it;
- a correction (`mail:<uid>:fix-<date>:<rid>`): once the site shows it, to everyone whose
  copy (release or embargoed) was sent and did not already show it, in that copy's language.

Journalists are known by their pseudonymous id (press_list.recipient_id); the address is
looked up only at the send.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.content import phones, press_list
from publisher.content.fields import Correction
from publisher.content.press_list import Journalist, PressList
from publisher.content.release_doc import DocContext, ReleaseDoc, build_doc, doc_context
from publisher.core.environment import Environment
from publisher.core.errors import PublisherError
from publisher.core.project import Project
from publisher.core.settings import PublisherSettings
from publisher.engine.fanout import Composed, Delivery, FanOutPlan
from publisher.engine.ledger import Ledger as LedgerT
from publisher.engine.ledger import NewPart, Row
from publisher.engine.press import keys
from publisher.engine.press.message import CORRECTION, EMBARGO, RELEASE, Composer
from publisher.engine.press.releases import Release, ReleaseReader, Version, live_releases, stamp
from publisher.engine.sources import SourceError

PLATFORM = "email"
Printer = Callable[[ReleaseDoc, Path], None]  # renders a release's PDF into a file


def mail_key(uid: str, kind: str, rid: str) -> str:
    return f"mail:{uid}:{kind}:{rid}"


def parse_key(key: str) -> tuple[str, str, str] | None:
    """(uid, kind, rid) of a mail key."""
    if not key.startswith("mail:"):
        return None
    uid, kind, rid = ([*key[5:].rsplit(":", 2), "", ""])[:3]
    return (uid, kind, rid) if uid and kind and rid else None


def fix_kind(correction: dt.datetime) -> str:
    return "fix-" + correction.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")


def _like(uid: str) -> str:
    return uid.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Tick:
    """What one tick read: the journalists by id, and the embargoes still ahead."""

    people: dict[str, Journalist]
    lifts: dict[str, dt.datetime]


class PressMail:
    """The e-mail channel's planner (a publisher.engine.fanout.FanOut)."""

    def __init__(
        self,
        settings: PublisherSettings,
        env: Environment,
        printer: Printer | None = None,
        project: Project | None = None,
    ) -> None:
        self.settings = settings
        self.env = env
        self.printer = printer
        self.project = project or Project.from_settings_file(settings.settings_file)
        layout = self.project.layout
        self.reader = ReleaseReader(layout, settings.root)
        self.composer = Composer(layout.theme / "templates")
        self.pdfs = settings.root / "var" / "cache" / "press-pdf"
        self.tick = Tick({}, {})
        self._key: bytes | None = None
        self._list: tuple[Any, PressList] | None = None
        self._context: tuple[Any, DocContext] | None = None
        self._docs: dict[Path, tuple[Any, ReleaseDoc]] = {}
        self._book: tuple[Any, phones.Phonebook] | None = None

    # --- what is read -----------------------------------------------------------------
    def key(self, ledger: LedgerT) -> bytes:
        if self._key is None:
            found = keys.load_key(self.settings.root / "var", self.env)
            self._key = keys.checked_key(ledger, found)
        return self._key

    def press_list(self) -> PressList:
        path = self.settings.press.list
        mark = stamp(path)
        if self._list is None or self._list[0] != mark:
            self._list = (mark, press_list.load(path))
        return self._list[1]

    def context(self) -> DocContext:
        layout = self.project.layout
        files = [layout.press_file, layout.hotlines_file, self.project.settings_file]
        mark = tuple(stamp(p) for p in files)
        if self._context is None or self._context[0] != mark:
            self._context = (mark, doc_context(self.project, self.settings.site_url))
            self._docs = {}
        return self._context[1]

    def phonebook(self) -> phones.Phonebook:
        """The hotline guard's numbers (held ones and near misses are never mailed)."""
        path = self.project.layout.hotlines_file
        mark = stamp(path)
        if self._book is None or self._book[0] != mark:
            self._book = (mark, phones.Phonebook.load(path) if mark else phones.Phonebook())
        return self._book[1]

    def doc(self, version: Version) -> ReleaseDoc:
        mark = (stamp(version.path), version.meta)
        kept = self._docs.get(version.path)
        if kept is None or kept[0] != mark:
            kept = (mark, build_doc(self.context(), version.path, version.meta))
            self._docs[version.path] = kept
        return kept[1]

    # --- the plan ---------------------------------------------------------------------
    def plan(self, now: dt.datetime, ledger: LedgerT) -> FanOutPlan:
        out = FanOutPlan()
        try:
            key = self.key(ledger)
            listed = self.press_list()
        except PublisherError as exc:
            out.problems.append(str(exc))
            out.complete = False
            return out
        out.problems += [f"{p} (not mailed)" for p in listed.problems]
        people = listed.by_id(key)
        releases, rule = self.reader.releases(out.problems)
        approved = self.reader.approved(out.problems)
        if approved is None:
            out.complete = False
        try:
            live = live_releases(self.settings.feed)
        except SourceError as exc:
            out.problems.append(str(exc))
            out.complete, live = False, {}
        lifts: dict[str, dt.datetime] = {}
        for uid, release in releases.items():
            meta = release.original.meta
            lift = rule.at(meta)
            if uid in live:
                self._golive(release, live[uid].golive, rule, now, people, ledger, out)
                self._corrections(release, live[uid].corrections, people, ledger, out)
            elif meta.embargo and lift and lift > now and meta.status == "published" and approved:
                lifts[uid] = lift
                versions = [
                    v
                    for v in release.versions
                    if v.meta.status == "published" and approved.allows_file(v.path)
                ]
                self._advance(release, versions, lift, now, people, out)
        self.tick = Tick(people, lifts)
        return out

    def _wanted(
        self, person: Journalist, release: Release, versions: list[Version]
    ) -> Version | None:
        meta = release.original.meta
        if not person.follows(meta.topics, meta.campaign):
            return None
        by_lang = {v.meta.lang: v for v in versions}
        lang = person.language_for(by_lang)
        return by_lang[lang] if lang else None

    def _advance(self, release: Release, versions: list[Version], lift: dt.datetime, now: dt.datetime,
                 people: dict[str, Journalist], out: FanOutPlan) -> None:  # fmt: skip
        due = lift - self.settings.press.lead
        for rid, person in people.items():
            version = self._wanted(person, release, versions)
            if version is None or not person.accredited_at(now):
                continue
            out.deliveries.append(
                self._delivery(
                    mail_key(release.uid, EMBARGO, rid), due, version, EMBARGO, seed=False
                )
            )

    def _golive(self, release: Release, golive: dt.datetime, rule: Any, now: dt.datetime,
                people: dict[str, Journalist], ledger: LedgerT, out: FanOutPlan) -> None:  # fmt: skip
        versions = [release.original] + [
            v
            for v in release.translations
            if v.meta.status == "published" and (rule.at(v.meta) or golive) <= now
        ]
        sql = "SELECT key FROM posts WHERE platform = ? AND key LIKE ? ESCAPE '\\' AND state IN ('sent', 'claimed', 'unknown')"
        covered = {
            r[0].rsplit(":", 1)[-1]
            for r in ledger.conn.execute(sql, (PLATFORM, f"mail:{_like(release.uid)}:{EMBARGO}:%"))
        }
        fresh = now - golive <= self.settings.press.window
        for rid, person in people.items():
            version = self._wanted(person, release, versions)
            if version is None or rid in covered:
                continue
            key = mail_key(release.uid, RELEASE, rid)
            out.deliveries.append(self._delivery(key, golive, version, RELEASE, create=fresh))

    def _corrections(self, release: Release, shown: tuple[dt.datetime, ...], people: dict[str, Journalist],
                     ledger: LedgerT, out: FanOutPlan) -> None:  # fmt: skip
        if not shown:
            return
        sql = (
            "SELECT key, language, text FROM posts WHERE platform = ? AND state = 'sent' AND "
            "(key LIKE ? ESCAPE '\\' OR key LIKE ? ESCAPE '\\')"
        )
        uid = _like(release.uid)
        got = ledger.conn.execute(
            sql, (PLATFORM, f"mail:{uid}:{RELEASE}:%", f"mail:{uid}:{EMBARGO}:%")
        )
        for key, language, text in got.fetchall():
            rid = key.rsplit(":", 1)[-1]
            if rid not in people:
                continue
            try:
                already = set(json.loads(text).get("corrections") or ())
            except (ValueError, AttributeError):
                already = set()
            version = next(
                (v for v in release.versions if v.meta.lang == language), release.original
            )
            for correction in version.meta.corrections or release.original.meta.corrections:
                if correction.date in shown and correction.date.isoformat() not in already:
                    kind = fix_kind(correction.date)
                    out.deliveries.append(
                        self._delivery(
                            mail_key(release.uid, kind, rid),
                            correction.date,
                            version,
                            CORRECTION,
                            correction,
                        )
                    )

    # --- one delivery -----------------------------------------------------------------
    def _delivery(self, key: str, due: dt.datetime, version: Version, kind: str,
                  correction: Correction | None = None, create: bool = True, seed: bool = True) -> Delivery:  # fmt: skip
        doc = self.doc(version)
        fix = (correction.date.isoformat(), correction.text) if correction else None
        parts = [doc.digest(), kind, repr(fix), due.isoformat(), self.printer is not None]
        digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
        return Delivery(key, due, digest, lambda: self.compose(doc, kind, correction), create, seed)

    def compose(self, doc: ReleaseDoc, kind: str, correction: Correction | None) -> Composed:
        try:
            message = self.composer.message(doc, kind, correction, pdf=self.printer is not None)
            media: list[dict[str, str]] = []
            if self.printer is not None and kind != CORRECTION:
                media.append({"path_or_url": str(self.pdf(doc)), "alt": doc.pdf_name})
        except Exception as exc:  # a broken template or PDF: the row says why, the tick goes on
            return Composed([NewPart("", [], doc.url, doc.lang)], f"{doc.source.name}: {exc}")
        for match in phones.scan(f"{message.subject}\n{message.text}", self.phonebook()):
            return Composed(
                [NewPart("", [], doc.url, doc.lang)], f"{doc.source.name}: {match.message()}"
            )
        return Composed([NewPart(message.stored(doc), media, doc.url, doc.lang)])

    def pdf(self, doc: ReleaseDoc) -> Path:
        """The release's PDF, rendered once per version of its document."""
        assert self.printer is not None
        target = self.pdfs / f"{doc.uid}-{doc.lang}-{doc.digest()[:20]}.pdf"
        if not target.is_file():
            self.pdfs.mkdir(parents=True, exist_ok=True)
            self.printer(doc, target)
        return target

    # --- at the send ------------------------------------------------------------------
    def recipient(self, row: Row, now: dt.datetime) -> tuple[str, str] | None:
        parsed = parse_key(row.key)
        if parsed is None:
            return None
        uid, kind, rid = parsed
        person = self.tick.people.get(rid)
        if person is None:
            return None
        if kind == EMBARGO:
            lift = self.tick.lifts.get(uid)
            if lift is None or lift <= now or not person.accredited_at(now):
                return None
        return person.email, rid
