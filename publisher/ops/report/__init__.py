"""`publisher report` and the studio's report page: a campaign's report assembled by the
engine (publisher.engine.campaign_report) and rendered here (render.py, charts.py) as
HTML, PDF or CSV."""

from __future__ import annotations

import datetime as dt

from publisher.core.errors import PublisherError
from publisher.core.project import Project
from publisher.core.settings import PublisherSettings
from publisher.engine.campaign_report import CampaignReport, Period, build_report
from publisher.engine.ledger import Ledger
from publisher.ops.report import render

FORMATS = ("html", "pdf", "csv")


class NoLedger(PublisherError):
    pass


def campaign_report(
    settings: PublisherSettings, slug: str, now: dt.datetime, period: Period | None = None
) -> CampaignReport:
    """The report of campaign `slug` from the project's ledger (never created by a read)."""
    path = settings.ledger
    if not path.exists():
        raise NoLedger(
            f"{path}: no ledger yet, so nothing has been sent from this project; run the "
            "publisher first (`publisher run`), or set PUBLISHER['ledger'] to where it is"
        )
    ledger = Ledger.open(path, actor="report")
    try:
        return build_report(settings, ledger, slug, now, period or Period())
    finally:
        ledger.close()


def rendered(report: CampaignReport, project: Project, fmt: str) -> bytes:
    templates = project.require_theme() / "templates"
    if fmt == "pdf":
        return render.pdf(report, templates)
    if fmt == "csv":
        return render.csv_text(report).encode("utf-8")
    return render.html(report, templates).encode("utf-8")
