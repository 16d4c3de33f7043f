"""When each page of a campaign went live: its articles and releases (and their
translations), from the content (their go-live time: publisher.content.golive), the
ledger's go-live records (when the publisher rebuilt the site for it) and the first post
that announced it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from publisher.content import frontmatter
from publisher.content.fields import ContentMeta, kind_of, parse_content_meta
from publisher.content.golive import GoLiveRule
from publisher.core.errors import ContentError
from publisher.engine.ledger import Ledger, Row

# How a page came to be live, as the report says it.
REBUILT = "rebuilt"  # the publisher rebuilt the site at its go-live
ALREADY = "already"  # live when the publisher first saw it (a normal build)
WAITING = "waiting"  # its go-live is still ahead
UNRECORDED = "unrecorded"  # live by its file; the publisher has no record of it
UNPUBLISHED = "unpublished"  # a draft or hidden


@dataclass(frozen=True)
class PageLine:
    uid: str
    title: str
    kind: str  # "article" | "release"
    lang: str
    translation: bool
    path: str  # under content/
    golive: dt.datetime | None  # max(date, embargo, its original's): publisher.content.golive
    live_at: dt.datetime | None  # when it went live, as far as the ledger and files tell
    how: str  # REBUILT, ALREADY, WAITING, UNRECORDED or UNPUBLISHED
    url: str | None  # the page, as the posts that announced it linked it
    first_post: dt.datetime | None  # the first of those posts


Item = tuple[str, ContentMeta]  # (its file under content/, its front matter)


def campaign_items(
    content: Path,
    slug: str,
    page_dirs: tuple[str, ...] = ("pages",),
    release_dirs: tuple[str, ...] = ("siaran-pers",),
) -> list[Item]:
    """Every article and release under `content` that belongs to campaign `slug` (and the
    translations of those), in file order; unreadable files are left out (check names them)."""
    found: list[Item] = []
    if not content.is_dir():
        return found
    for path in sorted(content.rglob("*.md")):
        try:
            kind = kind_of(path, content, page_dirs, release_dirs)
            if kind == "page":
                continue
            meta = parse_content_meta(frontmatter.parse(path), kind)
        except (ContentError, ValueError, OSError):
            continue
        found.append((str(path.relative_to(content)), meta))
    originals = {m.uid for _, m in found if m.campaign == slug and m.uid}
    return [
        (p, m) for p, m in found if m.campaign == slug or (m.translation and m.uid in originals)
    ]


def pages_of(
    ledger: Ledger, items: list[Item], rows: list[Row], now: dt.datetime
) -> list[PageLine]:
    rule = GoLiveRule((None, meta) for _path, meta in items)
    out = []
    for path, meta in items:
        uid = meta.uid or meta.slug or ""
        golive = rule.at(meta)
        own = [r for r in rows if r.key == f"item:{uid}"]
        sent = [r.sent_at for r in own if r.sent_at is not None]
        live_at, how = _live(ledger, meta, uid, golive, rule, now)
        out.append(
            PageLine(
                uid=uid,
                title=meta.title,
                kind=meta.kind,
                lang=meta.lang,
                translation=bool(meta.translation),
                path=path,
                golive=golive,
                live_at=live_at,
                how=how,
                url=None if meta.translation else next((r.link for r in own if r.link), None),
                first_post=None if meta.translation or not sent else min(sent),
            )
        )
    out.sort(key=lambda p: (p.live_at or p.golive or now, p.translation, p.uid))
    return out


def _live(
    ledger: Ledger,
    meta: ContentMeta,
    uid: str,
    golive: dt.datetime | None,
    rule: GoLiveRule,
    now: dt.datetime,
) -> tuple[dt.datetime | None, str]:
    if not rule.is_live(meta, dt.datetime.max.replace(tzinfo=dt.UTC)):
        return None, UNPUBLISHED
    records = [r for r in ledger.golive_records(uid) if golive is None or r[0] == golive]
    if records:
        at, seen, done = records[-1]
        if done is None:
            return at, WAITING
        return (done, REBUILT) if seen < at else (at, ALREADY)
    if golive is not None and golive > now:
        return golive, WAITING
    return golive, UNRECORDED
