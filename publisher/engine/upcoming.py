"""What staff see before it is sent: scheduled items, production links, warnings.

`publisher plan`, `preview` and `rehearse` show every item that will be posted. The built
feeds list only what is live, so articles and releases still waiting for their go-live (a
future date or an embargo) are read here from content/, with the same front matter reader
the site uses, and planned at their go-live. Links are shown (and counted) at the production
site's address (publishconf.py's SITEURL, from SITE_URL), never at a local 127.0.0.1 build:
the only difference between a preview and production is the destination.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from publisher.content import frontmatter, scaffold
from publisher.content.fields import ContentMeta, kind_of, parse_content_meta
from publisher.core.errors import ContentError, PublisherError
from publisher.core.project import Layout, Project
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import WIB, format_wib
from publisher.engine import sources
from publisher.engine.planned import Planned, item_key
from publisher.platforms.draft import Media

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
PAST_WARNING = "dated in the past"


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def production_url(settings: PublisherSettings) -> str:
    """The production site's origin: publishconf.py's SITEURL (SITE_URL), else the
    publisher's own site_url; "" if neither is a public address."""
    candidates = []
    try:
        project = Project.from_settings_file(settings.settings_file)
        conf = Project.from_settings_file(project.production_settings_file).conf()
        candidates.append(str(conf.get("SITEURL") or conf.get("SITE_URL") or ""))
    except PublisherError:
        pass  # no readable settings file: the publisher's own site_url must do
    candidates.append(settings.site_url)
    for url in candidates:
        if url.startswith(("http://", "https://")) and not is_local(url):
            return url.rstrip("/")
    return ""


def at_production(url: str, production: str) -> str:
    """A local link (http://127.0.0.1:8000/berita/...) moved to the production origin."""
    if not production or not url or not is_local(url):
        return url
    origin = urlsplit(production)
    parts = urlsplit(url)
    base = origin.path.rstrip("/")
    return urlunsplit(
        (origin.scheme, origin.netloc, base + parts.path, parts.query, parts.fragment)
    )


def with_production_links(planned: Iterable[Planned], production: str) -> list[Planned]:
    return [
        replace(p, link=at_production(p.link, production)) if is_local(p.link) else p
        for p in planned
    ]


# --- items not live yet ------------------------------------------------------------------


def _url(meta: ContentMeta, layout_date: dt.datetime) -> str:
    """The page address the site gives the item (pelicanconf.py's ARTICLE_URL, and the
    reader's fixed release addresses)."""
    if meta.kind == "release":
        folder = "en/press-releases" if meta.lang == "en" else "siaran-pers"
        return f"{folder}/{meta.uid}/"
    year = layout_date.astimezone(WIB).year
    slug = meta.slug or scaffold.slug_for(meta.title)
    return f"en/news/{year}/{slug}/" if meta.lang == "en" else f"berita/{year}/{slug}/"


def scheduled(
    content: Path,
    site_url: str,
    now: dt.datetime,
    campaign_tags: Mapping[str, list[str]] | None = None,
    layout: Layout | None = None,
) -> tuple[list[Planned], list[str]]:
    """Published articles and releases whose go-live is still ahead of `now`, planned at
    their go-live (or syndicate_at, if later); problems as lines."""
    found: list[Planned] = []
    problems: list[str] = []
    if not content.exists():
        return found, problems
    page_dirs = layout.page_dirs if layout else ("pages",)
    release_dirs = layout.release_dirs if layout else ("siaran-pers",)
    for path in sorted(content.rglob("*.md")):
        try:
            kind = kind_of(path, content, page_dirs, release_dirs)
            if kind == "page":
                continue
            meta = parse_content_meta(frontmatter.parse(path), kind)
        except ContentError as exc:
            problems.append(str(exc.problem))
            continue
        if meta.status != "published" or not meta.uid or meta.translation or meta.date is None:
            continue  # a translation goes out with its original, once
        golive = max(t for t in (meta.date, meta.embargo) if t is not None)
        if golive <= now:
            continue  # live: the built feed has it
        due = max(golive, meta.syndicate_at) if meta.syndicate_at else golive
        image = meta.image or (meta.images[0] if meta.images else None)
        campaign = meta.campaign or ""
        found.append(
            Planned(
                key=item_key(meta.uid),
                kind=meta.kind,
                due=due,
                title=meta.title,
                text=meta.social.get("", ""),
                wording={k: v for k, v in meta.social.items() if k},
                platforms=tuple(meta.platforms),
                link=f"{site_url.rstrip('/')}/{_url(meta, meta.date)}" if site_url else "",
                image=Media(str(content / image.src.lstrip("/")), image.alt) if image else None,
                hashtags=tuple((campaign_tags or {}).get(campaign, ())),
                campaign=campaign,
                lang=meta.lang,
                origin=f"{path}: goes live {format_wib(golive)}",
            )
        )
    return found, problems


def merged(live: list[Planned], upcoming: list[Planned]) -> list[Planned]:
    """The feed's items and the scheduled ones; an item in both is the feed's."""
    known = {p.key for p in live}
    return [*live, *(p for p in upcoming if p.key not in known)]


# --- warnings ----------------------------------------------------------------------------


def _placeholders() -> tuple[str, ...]:
    """The sentences `publisher new` writes for a person to replace, read from the scaffold
    itself so that a new placeholder is caught without a second list to keep."""
    when = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    texts = [
        scaffold.campaign_text("t", "t", when),
        scaffold.article_text("post", "t", "t", when),
        scaffold.article_text("release", "t", "t", when),
    ]
    found: set[str] = set()
    for text in texts:
        found.update(m.strip() for m in re.findall(r"Tulis [^.#'\"\n]+", text))
        found.update(re.findall(r"Teks yang lebih pendek untuk X", text))
    return tuple(sorted(found))


PLACEHOLDERS = _placeholders()


def warnings(
    planned: Iterable[Planned], now: dt.datetime, catch_up: dt.timedelta, known: set[str]
) -> list[str]:
    """A campaign post dated in the past (and not yet in the ledger: `known` are its keys);
    a text still holding a placeholder of `publisher new`."""
    out = []
    hours = catch_up.total_seconds() / 3600
    for item in planned:
        where = item.origin or item.key
        if item.kind == "calendar" and item.due < now and item.key not in known:
            out.append(
                f"{where}: {item.key} is {PAST_WARNING} ({format_wib(item.due)}): a post "
                f"planned after its time goes out at once if it is less than {hours:g} h "
                "late, else never (stale); give it a time ahead"
            )
        texts = [item.text, *item.wording.values()]
        for placeholder in PLACEHOLDERS:
            if any(placeholder.casefold() in t.casefold() for t in texts):
                out.append(
                    f"{where}: {item.key} still has the placeholder '{placeholder}' from "
                    "`publisher new`: write the post's own words"
                )
                break
    return out


# --- for plan and preview ----------------------------------------------------------------


@dataclass
class Outlook:
    """Every item that will be posted, as production will post it."""

    planned: list[Planned] = field(default_factory=list)
    scheduled: frozenset[str] = frozenset()  # keys of items not live yet
    problems: list[str] = field(default_factory=list)
    production: str = ""  # the production origin links were moved to ("" = none known)


def outlook(settings: PublisherSettings, now: dt.datetime) -> Outlook:
    """The live feeds and calendars, with the articles and releases still ahead of their
    go-live, every link at the production address."""
    snap = sources.snapshot(settings)
    production = production_url(settings)
    try:
        campaigns, _, _ = sources.read_campaigns(settings.campaigns)
    except Exception:  # the snapshot reported it already
        campaigns = []
    tags = {c.slug: list(c.hashtags) for c in campaigns}
    ahead, problems = scheduled(settings.content, production or settings.site_url, now, tags)
    planned = with_production_links(merged(snap.planned, ahead), production)
    live = {p.key for p in snap.planned}
    return Outlook(
        planned,
        frozenset(p.key for p in ahead if p.key not in live),
        [*snap.problems, *problems],
        production,
    )
