"""What staff write, as the studio shows it: every article, release, page and campaign with
its state, its go-live time, its approval, and the posts the publisher will make of it.

Read through the library only: files through `check.Checker` (the same reading, and the
same site address, as `publisher check`), campaigns through `campaign_reader`, posts
through the site's syndication record and the engine's own `sources` (so a post shown here
is the post the composer gets, also for an article that is not live yet).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from publisher.content import approvals
from publisher.content.campaign_reader import campaign_files, read_campaign
from publisher.content.campaigns import CalendarPost, Campaign
from publisher.content.check import Checker
from publisher.content.check_rules import ContentFile
from publisher.content.fields import ContentMeta
from publisher.content.slugs import slugify
from publisher.core.errors import Problem
from publisher.core.settings import PublisherSettings
from publisher.engine import sources
from publisher.engine.planned import Planned, calendar_key, item_key
from publisher.site import syndication_feed
from publisher.studio.state import Studio

KINDS = ("article", "release", "page", "campaign")


@dataclass
class Item:
    path: Path
    rel: str  # the path in the project (its approval key)
    kind: str  # "article" | "release" | "page" | "campaign"
    title: str
    status: str  # "published" | "draft" | "broken"
    lang: str = "id"
    uid: str = ""
    translation: bool = False
    url: str = ""  # site path, e.g. "berita/2027/judul/"
    golive: dt.datetime | None = None  # when it is live (date and embargo both passed)
    embargo: dt.datetime | None = None
    summary: str = ""
    meta: ContentMeta | None = None
    campaign: Campaign | None = None
    digest: str = ""  # approvals.file_digest of its text now
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The ledger key of its posts (articles and releases), "" for others."""
        return item_key(self.uid) if self.uid and self.kind in ("article", "release") else ""

    def posts(self) -> list[CalendarPost]:
        return list(self.campaign.posts) if self.campaign else []


@dataclass
class Library:
    """Every item of the project, read now (unchanged files come from the studio's memo)."""

    items: list[Item]
    settings: PublisherSettings
    approvals: approvals.Approvals
    conf: dict[str, Any]
    index: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # the studio's, kept between requests

    def by_rel(self, rel: str) -> Item | None:
        return next((i for i in self.items if i.rel == rel), None)

    def by_key(self, key: str) -> tuple[Item | None, CalendarPost | None]:
        """The item (and calendar post) behind a ledger key."""
        if "keys" not in self.index:
            found: dict[str, tuple[Item, CalendarPost | None]] = {}
            for item in self.items:
                if item.key:
                    found[item.key] = (item, None)
                if item.campaign is not None:
                    for post in item.campaign.posts:
                        found[calendar_post_key(item.campaign, post)] = (item, post)
            self.index["keys"] = found
        return self.index["keys"].get(key, (None, None))  # type: ignore[no-any-return]

    def approval_state(self, item: Item, post: CalendarPost | None = None) -> str:
        """ "approved", "changed" (approved before, edited since), "waiting" or "off"."""
        if item.kind == "page" or (item.kind == "campaign" and post is None):
            return "off"
        if post is not None:
            key = self.post_key(item, post)
            digest = approvals.post_digest(post)
        else:
            key, digest = item.rel, item.digest
        if self.approvals.approved(key, digest):
            return "approved"
        if not self.approvals.required:
            return "off"
        return "changed" if key in self.approvals.records else "waiting"

    def post_key(self, item: Item, post: CalendarPost) -> str:
        keys = self.memo.setdefault("post_keys", {})
        if (item.rel, post.id) not in keys:
            keys[(item.rel, post.id)] = approvals.post_key(self.approvals.root, item.path, post.id)
        return str(keys[(item.rel, post.id)])

    def planned(self) -> list[Planned]:
        """The posts of every article, release and calendar post, as the engine plans them:
        live or not, approved or not (the calendar shows why one waits)."""
        items = [i for i in self.items if i.key and i.meta and not i.translation]
        campaigns = [i.campaign for i in self.items if i.campaign is not None]
        tags = {c.slug: list(c.hashtags) for c in campaigns}
        fallback = self.conf.get("OG_DEFAULT_IMAGE")
        planned, articles = site_posts(items, self.settings, tags, fallback)
        planned += sources.calendar_items(
            campaigns, self.settings.content, self.settings.site_url, articles
        )
        return planned


def _checker(studio: Studio) -> Checker:
    """The checker that reads the files: made again only when the settings or the hotline
    data change (making one reads data/hotlines.yaml, a tenth of a second)."""
    layout = studio.project.layout
    stamp = tuple(_stat(p) for p in (studio.project.settings_file, layout.hotlines_file))
    kept = studio.memo.get("checker")
    if kept is None or kept[0] != stamp:
        kept = (stamp, Checker(studio.project, parsed=studio.memo.setdefault("parsed", {})))
        studio.memo["checker"] = kept
    checker: Checker = kept[1]
    checker.targets, checker.problems = {}, []  # what one reading of the files found
    return checker


def _stat(path: Path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


def load(studio: Studio) -> Library:
    with studio.read_lock:
        return _load(studio)


def _load(studio: Studio) -> Library:
    settings = studio.settings
    checker = _checker(studio)
    items: list[Item] = []
    layout = studio.project.layout
    for path in sorted(layout.content.rglob("*.md")):
        checker.problems = []
        found = checker.guarded(path, checker.read_content, path)
        if found is not None:
            checker.guarded(path, checker.index_content, found)
        items.append(_content_item(studio, path, found, list(checker.problems)))
    for path in campaign_files(layout.campaigns):
        items.append(_campaign_item(studio, path))
    return Library(items, settings, studio.approvals(), studio.project.conf(), memo=studio.memo)


def file_key(studio: Studio, path: Path) -> str:
    """approvals.file_key, once per file and process (it resolves the path on disk)."""
    keys = studio.memo.setdefault("file_keys", {})
    if str(path) not in keys:
        keys[str(path)] = approvals.file_key(studio.root, path)
    return str(keys[str(path)])


def _content_item(
    studio: Studio, path: Path, found: ContentFile | None, problems: list[Problem]
) -> Item:
    rel = file_key(studio, path)
    if found is None:
        return Item(path, rel, "article", path.stem, "broken", problems=problems)
    meta = found.meta
    times = [t for t in (meta.date, meta.embargo) if t is not None]
    return Item(
        path,
        rel,
        meta.kind,
        meta.title,
        meta.status,
        lang=meta.lang,
        uid=meta.uid or "",
        translation=meta.translation,
        url=found.url,
        golive=max(times) if times else None,
        embargo=meta.embargo,
        summary=meta.summary,
        meta=meta,
        digest=approvals.file_digest(path),
        problems=problems,
    )


def _campaign_item(studio: Studio, path: Path) -> Item:
    stamp = _stat(path)
    memo = studio.memo.setdefault("campaigns", {})
    remembered = memo.get(str(path))
    if remembered is None or remembered[0] != stamp:
        remembered = (stamp, read_campaign(path))
        memo[str(path)] = remembered
    campaign, problems = remembered[1]
    rel = file_key(studio, path)
    if campaign is None:
        return Item(path, rel, "campaign", path.stem, "broken", problems=list(problems))
    return Item(
        path,
        rel,
        "campaign",
        campaign.title,
        campaign.status or "published",
        lang=campaign.lang,
        url=sources.CAMPAIGN_URL.format(slug=campaign.slug),
        summary=campaign.summary,
        campaign=campaign,
        digest=approvals.file_digest(path),
        problems=list(problems),
    )


def site_posts(
    items: list[Item],
    settings: PublisherSettings,
    tags: dict[str, list[str]],
    fallback_image: dict[str, str] | None,
) -> tuple[list[Planned], dict[str, str]]:
    """Planned posts of articles and releases, through the same two steps as a live item:
    the build's syndication record (site), then the engine's reading of it (sources)."""
    articles = [
        SimpleNamespace(meta=i.meta, slug=(i.meta.slug or slugify(i.title)), url=i.url)
        for i in items
        if i.meta is not None
    ]
    document = syndication_feed.build_document(articles, "", fallback_image)
    with tempfile.TemporaryDirectory(prefix="studio-posts-") as folder:
        target = Path(folder) / sources.SYNDICATION_PATH
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        planned, _problems, _ok, slugs = sources.read_site(folder, settings.site_url, tags)
    return planned, slugs


def calendar_post_key(campaign: Campaign, post: CalendarPost) -> str:
    return calendar_key(campaign.slug, post.id)
