"""What should go out: live site items (Atom feed + syndication.json) and campaign calendars.

The site part reads `feeds/all.atom.xml` with feedparser and `feeds/syndication.json` (written
by publisher.syndication_feed in the same build) from the output folder or the deployed
site's URL. syndication.json is the list of live items, since the Atom feed keeps only the
newest FEED_MAX_ITEMS; the Atom entry with the same id gives the canonical link as readers
see it. Calendar posts come from campaigns/ through publisher.campaigns.

A source that could not be read completely is reported and marked incomplete: the scheduler
then withdraws nothing it planned from that source (a network error is not a deletion).

The scheduler never trusts a folder to say what is live. Each syndication record carries
the item's go-live (`golive`, ISO 8601 UTC: max(date, embargo, the embargo of what it
translates or belongs to), written by the site); the item is due no earlier than that, by
the scheduler's own clock. A record without `golive` (an older build) is due at
max(published, embargo). A folder built for a future time (`build --now`, marked by
`.future-build`) is not read at all. A translation is never posted on its own: the pair goes
out once, under the original's key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import requests

from publisher.content import approvals
from publisher.content.golive import future_build
from publisher.content.press import static_path
from publisher.core.errors import ContentError, PublisherError
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import TimeFormatError, parse_time
from publisher.engine.planned import Planned, calendar_key, item_key
from publisher.platforms import registry
from publisher.platforms.draft import Media
from publisher.platforms.media import variant_path

ATOM_PATH = "feeds/all.atom.xml"
SYNDICATION_PATH = "feeds/syndication.json"
CAMPAIGN_URL = "kampanye/{slug}/"  # the campaign landing pages of publisher.campaign_pages
TIMEOUT = 20  # seconds for each feed request: a slow site must not stall the tick forever


@dataclass
class Snapshot:
    planned: list[Planned] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    complete: set[str] = field(default_factory=set)  # "item", "cal": read without errors


class SourceError(PublisherError):
    pass


def _fetch(feed: str, relative: str) -> bytes:
    if feed.startswith(("http://", "https://")):
        url = f"{feed.rstrip('/')}/{relative}"
        try:
            response = requests.get(url, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SourceError(f"{url}: cannot be read ({exc})") from None
        return response.content
    refused = future_build(Path(feed))
    if refused is not None:
        raise SourceError(refused)
    path = Path(feed) / relative
    try:
        return path.read_bytes()
    except OSError:
        raise SourceError(f"{path}: missing; build the site first (publisher build)") from None


def _absolute(url: str, base: str) -> str:
    if not url or url.startswith(("http://", "https://")) or not base:
        return url
    return f"{base.rstrip('/')}/{url.lstrip('/')}"


def _site_file(src: str, base: str, feed: str) -> str:
    if src and not src.startswith(("http://", "https://")):
        # A local build without SITEURL: the image file is in the output folder.
        return _absolute(src, base) if base else str(Path(feed) / src.lstrip("/"))
    return src


def _time(value: Any, what: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_time(str(value))
    except TimeFormatError as exc:
        raise SourceError(f"{what}: {exc}") from None


SiteResult = tuple[list[Planned], list[str], bool, dict[str, str]]


class SiteMemo:
    """The last result per feed, kept by one scheduler: a feed that did not change is not
    parsed again. feedparser takes ~100 ms for 1,000 entries, half of a tick's budget, and
    the feed rarely changes."""

    def __init__(self) -> None:
        self.results: dict[str, tuple[str, SiteResult]] = {}


def read_site(
    feed: str,
    site_url: str = "",
    campaign_tags: Mapping[str, list[str]] | None = None,
    memo: SiteMemo | None = None,
) -> SiteResult:
    """Live items as Planned records, problems, completeness, and article slug -> URL."""
    try:
        raw_json = _fetch(feed, SYNDICATION_PATH)
    except SourceError as exc:
        return [], [str(exc)], False, {}
    try:
        raw_atom, atom_error = _fetch(feed, ATOM_PATH), ""
    except SourceError as exc:
        raw_atom, atom_error = b"", str(exc)
    tags = json.dumps(sorted((campaign_tags or {}).items()))
    digest = hashlib.sha256(
        b"|".join([raw_json, raw_atom, site_url.encode(), tags.encode()])
    ).hexdigest()
    remembered = memo.results.get(feed) if memo else None
    if remembered and remembered[0] == digest:
        planned, problems, complete, slugs = remembered[1]
        return list(planned), list(problems), complete, dict(slugs)
    result = _parse_site(feed, raw_json, raw_atom, atom_error, site_url, campaign_tags or {})
    if memo is not None:
        memo.results[feed] = (digest, result)
    return list(result[0]), list(result[1]), result[2], dict(result[3])


def _parse_site(
    feed: str,
    raw_json: bytes,
    raw_atom: bytes,
    atom_error: str,
    site_url: str,
    campaign_tags: Mapping[str, list[str]],
) -> SiteResult:
    problems: list[str] = [atom_error] if atom_error else []
    try:
        document = json.loads(raw_json)
        records = document["items"]
        if not isinstance(records, list):
            raise TypeError("'items' is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        return [], [f"{feed}/{SYNDICATION_PATH}: not a syndication file ({exc})"], False, {}
    links: dict[str, str] = {}
    if raw_atom:
        links, problem = atom_links(raw_atom)
        if problem:
            problems.append(f"{feed}/{ATOM_PATH}: not a readable feed ({problem})")
    base = site_url or (feed if feed.startswith(("http://", "https://")) else "")
    planned, slugs = [], {}
    complete = True
    seen: set[str] = set()
    for index, rec in enumerate(records):
        where = f"{feed}/{SYNDICATION_PATH} item {index + 1}"
        if isinstance(rec, dict) and _translation(rec, seen):
            continue  # the pair is posted once, under the original's key
        try:
            item = _site_item(rec, where, links, base, feed, campaign_tags)
        except (SourceError, KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{where}: skipped ({exc})")
            complete = False
            continue
        planned.append(item)
        seen.add(item.key)
        if rec.get("slug"):
            slugs[str(rec["slug"])] = item.link
    return planned, problems, complete, slugs


def _translation(rec: dict[str, Any], seen: set[str]) -> bool:
    """Is this record the translation of an item (told so, or the second with its uid)?"""
    if rec.get("translation_of") or rec.get("translation") is True:
        return True
    return item_key(str(rec.get("uid", "")).strip()) in seen


def golive_of(rec: dict[str, Any], where: str) -> dt.datetime | None:
    """The record's go-live: its `golive`, else the latest of `published` and `embargo`."""
    stated = _time(rec.get("golive"), where)
    if stated is not None:
        return stated
    times = [t for t in (_time(rec.get(k), where) for k in ("published", "embargo")) if t]
    return max(times) if times else None


ATOM = "{http://www.w3.org/2005/Atom}"


def atom_links(raw: bytes) -> tuple[dict[str, str], str]:
    """Entry id -> its link (rel alternate), and "" or why the feed could not be read.

    Our own build writes the feed well-formed, and only ids and links are needed: the
    standard library's parser reads them in a few ms, where feedparser (kept for a feed that
    is not well-formed) takes about 100 ms for 1,000 entries, half of a tick's budget.
    """
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        parsed = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
        problem = str(parsed.bozo_exception) if parsed.bozo and not parsed.entries else ""
        found = {e.get("id", ""): e.get("link", "") for e in parsed.entries if e.get("link")}
        return found, problem
    links: dict[str, str] = {}
    for entry in root.iter(f"{ATOM}entry"):
        ident = (entry.findtext(f"{ATOM}id") or "").strip()
        for link in entry.iter(f"{ATOM}link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                links.setdefault(ident, link.get("href", ""))
    return links, ""


def _site_item(
    rec: dict[str, Any],
    where: str,
    links: Mapping[str, str],
    base: str,
    feed: str,
    campaign_tags: Mapping[str, list[str]],
) -> Planned:
    uid = str(rec["uid"]).strip()
    if not uid:
        raise SourceError("no uid")
    golive = golive_of(rec, where)
    if golive is None:
        raise SourceError("no published time")
    syndicate_at = _time(rec.get("syndicate_at"), where)
    # Never before its go-live, whatever a folder or syndicate_at says.
    due = max(golive, syndicate_at) if syndicate_at else golive
    social = {("" if k == "default" else k): str(v) for k, v in (rec.get("social") or {}).items()}
    image = None
    if rec.get("image"):
        src = _site_file(str(rec["image"].get("url") or ""), base, feed)
        shaped = rec["image"].get("variants")  # made for platforms that need a shape
        variants = tuple(
            (str(aspect), _site_file(url, base, feed))
            for aspect, url in (shaped.items() if isinstance(shaped, dict) else ())
            if isinstance(url, str) and url
        )
        image = Media(src, str(rec["image"].get("alt") or ""), variants)
    campaign = str(rec.get("campaign") or "")
    return Planned(
        key=item_key(uid),
        kind=str(rec.get("kind") or "article"),
        due=due,
        title=str(rec.get("title") or ""),
        text=social.get("", ""),
        wording={k: v for k, v in social.items() if k},
        platforms=tuple(rec.get("platforms") or ()),
        link=_absolute(links.get(str(rec.get("feed_id"))) or str(rec.get("url") or ""), base),
        image=image,
        hashtags=tuple(campaign_tags.get(campaign, ())),
        campaign=campaign,
        lang=str(rec.get("lang") or "id"),
        origin=where,
    )


def read_campaigns(directory: Path) -> tuple[list[Any], list[str], bool]:
    """Published campaigns, problems, and whether every file read without errors."""
    from publisher.content.campaign_reader import load_campaigns  # the calendar format lives there

    if not directory.exists():
        return [], [], True
    campaigns, problems = load_campaigns(directory)
    complete = not any(getattr(p, "severity", "error") == "error" for p in problems)
    live = [c for c in campaigns if getattr(c, "status", "published") == "published"]
    return live, [str(p) for p in problems], complete


def calendar_items(
    campaigns: list[Any], content: Path, site_url: str, articles: Mapping[str, str]
) -> list[Planned]:
    """One Planned per published calendar post. Campaign hashtags are not added: campaign
    authors write them in the text, so what `publisher check` counted is what goes out."""
    known = {c.slug for c in campaigns}
    planned = []
    for campaign in campaigns:
        for post in campaign.posts:
            if getattr(post, "status", "published") != "published":
                continue
            image = None
            if post.image is not None:
                local = content / post.image.src.lstrip("/")
                where = str(local) if local.exists() else _absolute(post.image.src, site_url)
                public = _absolute(static_path(post.image.src), site_url) if site_url else ""
                shapes = shaped_on_site(post.image.src, site_url)
                image = Media(where, post.image.alt, shapes, public)
            planned.append(
                Planned(
                    key=calendar_key(campaign.slug, post.id),
                    kind="calendar",
                    due=post.at,
                    title=campaign.title,
                    text=post.text,
                    wording=dict(post.wording),
                    platforms=tuple(post.platforms or campaign.platforms),
                    link=resolve_link(post.link, site_url, articles, known),
                    image=image,
                    campaign=campaign.slug,
                    thread=bool(post.thread),
                    lang=getattr(campaign, "lang", "id") or "id",
                    origin=f"{campaign.path}:{post.line}",
                )
            )
    return planned


def shaped_on_site(src: str, site_url: str) -> tuple[tuple[str, str], ...]:
    """Where the build puts a calendar image in the shapes platforms ask for (calendar posts
    are not in syndication.json; the names are fixed: publisher.platforms.media)."""
    if not site_url:
        return ()
    aspects = dict.fromkeys(a for s in registry.SPECS.values() for a in s.image_aspects)
    return tuple((a, _absolute(variant_path(static_path(src), a), site_url)) for a in aspects)


def resolve_link(
    slug: str | None, site_url: str, articles: Mapping[str, str], campaigns: set[str]
) -> str:
    """A calendar post's `link` slug -> the page address: an article, a campaign or a page."""
    if not slug:
        return ""
    if slug.startswith(("http://", "https://")):
        return slug
    slug = slug.strip("/")
    if slug in articles:
        return articles[slug]
    path = CAMPAIGN_URL.format(slug=slug) if slug in campaigns else f"{slug}/"
    return _absolute(path, site_url)


def _approved_posts(
    root: Path, campaigns: list[Any], snap: Snapshot, ok: bool
) -> tuple[list[Any], bool]:
    """Approval (publisher/content/approvals.py): with `required: true`, a calendar post is
    planned only while its current text is approved; an unreadable approvals file plans none
    and withdraws none (the source is then incomplete)."""
    try:
        allowed = approvals.load(root)
    except ContentError as exc:
        snap.problems.append(str(exc))
        return [replace(c, posts=[]) for c in campaigns], False
    if not allowed.required:
        return campaigns, ok
    kept = [
        replace(c, posts=[p for p in c.posts if allowed.allows_post(c.path, p)]) for c in campaigns
    ]
    return kept, ok


def snapshot(
    settings: PublisherSettings,
    *,
    site: bool = True,
    calendars: bool = True,
    memo: SiteMemo | None = None,
) -> Snapshot:
    """Everything planned now, from every source; bad input becomes a problem, never a raise."""
    snap = Snapshot()
    campaigns: list[Any] = []
    if calendars:
        try:
            campaigns, problems, ok = read_campaigns(settings.campaigns)
        except Exception as exc:  # a broken calendar must not stop the site's posts
            campaigns, problems, ok = [], [f"{settings.campaigns}: cannot be read ({exc})"], False
        snap.problems += problems
        campaigns, ok = _approved_posts(settings.root, campaigns, snap, ok)
        if ok:
            snap.complete.add("cal")
    articles: dict[str, str] = {}
    if site:
        tags = {c.slug: list(c.hashtags) for c in campaigns}
        items, problems, ok, articles = read_site(settings.feed, settings.site_url, tags, memo)
        snap.planned += items
        snap.problems += problems
        if ok:
            snap.complete.add("item")
    snap.planned += calendar_items(campaigns, settings.content, settings.site_url, articles)
    return snap
