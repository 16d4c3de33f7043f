"""The campaign report in its three forms: HTML from the theme's Jinja templates
(theme/templates/report/), PDF from that HTML by WeasyPrint (the same inline SVG charts,
Debian's Noto Sans embedded), and CSV, one line per post and platform.

WeasyPrint is imported on first use: HTML and CSV never pay for it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.core.timeutil import format_wib, to_wib
from publisher.engine.campaign_pages import ALREADY, REBUILT, UNPUBLISHED, UNRECORDED, WAITING
from publisher.engine.campaign_report import CampaignReport, PostLine
from publisher.ops.report.charts import engagement_chart, posts_chart
from publisher.platforms import catalog
from publisher.platforms.metrics import COUNTS, not_offered
from publisher.site.print.job import FONT_DIR

# (Indonesian, English) for each count.
COUNT_LABELS = {
    "reposts": ("Dibagikan", "Reposts"),
    "likes": ("Disukai", "Likes"),
    "replies": ("Balasan", "Replies"),
    "quotes": ("Dikutip", "Quotes"),
    "views": ("Dilihat", "Views"),
}
STATE_LABELS = {
    "sent": "terkirim / sent",
    "failed": "gagal, dicoba lagi / failed, will retry",
    "dead": "gagal / failed for good",
    "unknown": "belum jelas / unclear",
    "pending": "menunggu / waiting",
    "claimed": "sedang dikirim / sending",
    "stale": "tidak dikirim / not sent",
    "seeded": "sudah tayang sebelumnya / live before",
}
LIVE_LABELS = {
    REBUILT: "situs dibangun ulang oleh publisher saat tayang / the publisher rebuilt the site at its go-live",
    ALREADY: "sudah tayang saat publisher pertama melihatnya / already live when the publisher first saw it",
    WAITING: "menunggu waktu tayang / waiting for its go-live",
    UNRECORDED: "menurut berkasnya; tidak tercatat di ledger / by its file; no record in the ledger",
    UNPUBLISHED: "belum diterbitkan / not published",
}


def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wib"] = format_wib
    env.filters["wib_time"] = lambda moment: format_wib(moment, with_date=False)
    env.filters["wib_day"] = lambda moment: to_wib(moment).strftime("%Y-%m-%d")
    env.filters["number"] = lambda value: f"{value:,}"
    return env


def _by_day(posts: Iterable[PostLine]) -> list[tuple[str, list[PostLine]]]:
    def day(post: PostLine) -> str:
        return to_wib(post.sent_at or post.due_at).strftime("%Y-%m-%d (%A)")

    return [(d, list(lines)) for d, lines in groupby(posts, key=day)]


def context(report: CampaignReport, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "posts_chart": posts_chart(report),
        "engagement_chart": engagement_chart(report),
        "by_day": _by_day(report.posts),
        "count_labels": COUNT_LABELS,
        "state_labels": STATE_LABELS,
        "live_labels": LIVE_LABELS,
        "stylesheet": None,
        "pdf": False,
        "fonts": "",
        **extra,
    }


def html(report: CampaignReport, templates: Path, stylesheet: str | None = None) -> str:
    """The report as one HTML page (its CSS inline, or linked from `stylesheet`)."""
    return (
        environment(templates)
        .get_template("report/report.html")
        .render(context(report, stylesheet=stylesheet))
    )


def css(report: CampaignReport, templates: Path) -> str:
    """The report's stylesheet, for a page that links it (the studio)."""
    return environment(templates).get_template("report/report.css").render(context(report))


def pdf(report: CampaignReport, templates: Path, fonts: Path = FONT_DIR) -> bytes:
    from weasyprint import HTML  # heavy: imported on first use
    from weasyprint.text.fonts import FontConfiguration

    page = (
        environment(templates)
        .get_template("report/report.html")
        .render(context(report, pdf=True, fonts=fonts.as_uri()))
    )
    config = FontConfiguration()
    document = HTML(string=page, base_url=str(templates)).render(font_config=config)
    return document.write_pdf(pdf_tags=True)  # type: ignore[no-any-return]


CSV_FIELDS = ("campaign", "post", "key", "platform", "parts", "state", "due_wib", "sent_wib",
              "url", "reason", *COUNTS, "engagement_read_wib", "engagement_note")  # fmt: skip


def _missing_note(post: PostLine, counts: dict[str, int | None]) -> str:
    spec = catalog.SPECS.get(post.platform)
    offered = spec.metrics if spec is not None else ()
    notes = []
    for given, say in ((False, not_offered(post.label)), (True, f"no figure from {post.label}")):
        names = [n for n in COUNTS if counts.get(n) is None and (n in offered) == given]
        if names:
            notes.append(f"{', '.join(names)}: {say}")
    return "; ".join(notes)


def csv_text(report: CampaignReport) -> str:
    """One line per post and platform; a count the platform does not give is empty, and
    the note says "not offered by <platform>"; one it gives but had no figure for when read
    (Meta's insights give none before they are measured) says "no figure from <platform>"."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for post in report.posts:
        counts = post.engagement.counts
        note = post.engagement.note
        if not note:
            note = _missing_note(post, counts)
        read = post.engagement.read_at
        writer.writerow(
            {
                "campaign": report.slug,
                "post": post.name,
                "key": post.key,
                "platform": post.platform,
                "parts": post.parts,
                "state": post.state,
                "due_wib": format_wib(post.due_at),
                "sent_wib": format_wib(post.sent_at) if post.sent_at else "",
                "url": post.url or "",
                "reason": post.reason,
                **{n: "" if counts.get(n) is None else counts[n] for n in COUNTS},
                "engagement_read_wib": format_wib(read) if read else "",
                "engagement_note": note,
            }
        )
    return out.getvalue()
