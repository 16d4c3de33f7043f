"""Pelican plugin part: campaign pages from campaigns/*.md.

Writes kampanye/index.html (current campaigns first, then upcoming, then past), one landing
page per published campaign at kampanye/<slug>/index.html (body, window, call to action, the
campaign's articles, its events and the calendar posts already sent), and an Atom feed of its
articles at feeds/kampanye/<slug>.atom.xml. Signals only; no network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Page
from pelican.generators import Generator

from publisher.content.campaign_reader import load_campaigns
from publisher.content.campaigns import CalendarPost, Campaign, CampaignEvent
from publisher.content.markdown_guard import MarkdownRefused, Renderer
from publisher.core.errors import ContentError
from publisher.core.timeutil import to_wib
from publisher.site import run

INDEX_SAVE_AS = "kampanye/index.html"
INDEX_URL = "kampanye/"
URL = "kampanye/{slug}/"
SAVE_AS = "kampanye/{slug}/index.html"
FEED_SAVE_AS = "feeds/kampanye/{slug}.atom.xml"
STATE_LABELS = {"current": "Sedang berjalan", "upcoming": "Akan datang", "past": "Selesai"}


@dataclass
class CampaignView:
    """What the templates need of one campaign; times already in WIB."""

    campaign: Campaign
    page: Page  # the landing page body as a Pelican content object ({filename} links resolved)
    url: str
    save_as: str
    feed_url: str
    state: str
    state_label: str
    start: dt.datetime
    end: dt.datetime
    cta_url: str
    articles: list[Any] = field(default_factory=list)
    posts: list[CalendarPost] = field(default_factory=list)  # published and already due
    events: list[CampaignEvent] = field(default_factory=list)
    post_links: dict[str, str] = field(default_factory=dict)  # post id -> site path of its link

    @property
    def title(self) -> str:
        return self.campaign.title

    @property
    def content(self) -> str:
        return self.page.content


def order_for_listing(campaigns: list[Campaign], now: dt.datetime) -> list[Campaign]:
    """Current campaigns first (ending soonest), then upcoming (soonest), then past (latest)."""

    def key(c: Campaign) -> tuple[int, float]:
        state = c.state(now)
        if state == "current":
            return (0, c.end.timestamp())
        if state == "upcoming":
            return (1, c.start.timestamp())
        return (2, -c.end.timestamp())

    return sorted(campaigns, key=key)


def campaigns_path(settings: dict[str, Any]) -> Path:
    configured = settings.get("CAMPAIGNS_PATH")
    return Path(configured) if configured else Path(settings["PATH"]).parent / "campaigns"


class CampaignGenerator(Generator):
    """Reads the campaigns after articles and pages are read; writes their pages and feeds."""

    def generate_context(self) -> None:
        campaigns, problems = load_campaigns(campaigns_path(self.settings))
        for problem in problems:  # the build refuses to write output with any of these
            run.of(self.settings).problems.append(
                ContentError(problem.path, problem.line, problem.message)
            )
        now = run.build_now(self.settings)
        live = [c for c in campaigns if c.status == "published"]
        slugs = self._targets(live)
        self.views = [self._view(c, now, slugs) for c in order_for_listing(live, now)]
        self.context["campaigns"] = self.views

    def _targets(self, live: list[Campaign]) -> dict[str, str]:
        """slug -> site path of every article, campaign and page, for `link` and `cta.link`."""
        # An article wins over a campaign, a campaign over a page: the publisher's order.
        targets = {a.slug: a.url for a in reversed(self.context.get("articles", []))}
        for campaign in live:
            targets.setdefault(campaign.slug, URL.format(slug=campaign.slug))
        for page in self.context.get("pages", []):
            targets.setdefault(page.slug, page.url)
        return targets

    def _view(self, campaign: Campaign, now: dt.datetime, targets: dict[str, str]) -> CampaignView:
        url = URL.format(slug=campaign.slug)
        save_as = SAVE_AS.format(slug=campaign.slug)
        page = Page(
            self._render(campaign),
            metadata={"title": campaign.title, "slug": campaign.slug, "lang": campaign.lang,
                      "url": url, "save_as": save_as, "status": "published"},
            settings=self.settings,
            source_path=str(campaign.path),
            context=self.context,
        )  # fmt: skip
        state = campaign.state(now)
        articles = [
            a for a in self.context.get("articles", [])
            if getattr(a.metadata.get("meta"), "campaign", None) == campaign.slug
        ]  # fmt: skip
        posts = [p for p in campaign.posts if p.status == "published" and p.at <= now]
        return CampaignView(
            campaign=campaign,
            page=page,
            url=url,
            save_as=save_as,
            feed_url=FEED_SAVE_AS.format(slug=campaign.slug),
            state=state,
            state_label=STATE_LABELS[state],
            start=to_wib(campaign.start),
            end=to_wib(campaign.end),
            cta_url=targets.get(campaign.cta.link, f"{campaign.cta.link}/"),
            articles=sorted(articles, key=lambda a: a.date, reverse=True),
            posts=sorted(posts, key=lambda p: p.at, reverse=True),
            events=sorted(campaign.events, key=lambda e: e.at),
            post_links={p.id: targets.get(p.link, f"{p.link}/") for p in posts if p.link},
        )

    def _render(self, campaign: Campaign) -> str:
        """The landing page's HTML: bounded and sanitised like every other page."""
        if not hasattr(self, "_renderer"):
            self._renderer = Renderer(self.settings["MARKDOWN"])
        try:
            return self._renderer.render(campaign.body)
        except MarkdownRefused as exc:  # the build refuses to write output with this
            line = campaign.body_line + exc.refusal.line - 1
            run.of(self.settings).problems.append(
                ContentError(campaign.path, line, exc.refusal.message)
            )
            return ""

    def generate_output(self, writer: Any) -> None:
        relative = self.settings.get("RELATIVE_URLS", False)
        writer.write_file(
            INDEX_SAVE_AS, self.get_template("campaigns"), self.context,
            relative_urls=relative, url=INDEX_URL, campaigns=self.views, page_name="kampanye",
        )  # fmt: skip
        for view in self.views:
            writer.write_file(
                view.save_as, self.get_template("campaign"), self.context,
                relative_urls=relative, url=view.url, campaign=view, page_name="kampanye",
            )  # fmt: skip
            writer.write_feed(
                view.articles, self.context, view.feed_url,
                feed_title=view.title,
            )  # fmt: skip


def _wib_filter(moment: dt.datetime) -> dt.datetime:
    return to_wib(moment)


def _add_generator(pelican: Any) -> type[Generator]:
    return CampaignGenerator


def _add_filters(pelican: Any) -> None:
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.setdefault("to_wib", _wib_filter)


def register() -> None:
    signals.initialized.connect(_add_filters)
    signals.get_generators.connect(_add_generator)
