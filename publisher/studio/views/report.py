"""Campaign reports: the list of campaigns, and each one's report as `publisher report`
makes it (the same HTML, its charts inline; PDF and CSV to download)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from publisher.content.campaign_reader import load_campaigns
from publisher.engine.campaign_report import find_campaign
from publisher.ops.report import campaign_report, render
from publisher.studio.web import error, studio_of
from publisher.studio.web import render as page

STYLESHEET = "/report/style.css"
KINDS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def report_list(request: Request) -> Response:
    studio = studio_of(request)
    campaigns, _problems = load_campaigns(studio.settings.campaigns)
    campaigns.sort(key=lambda c: c.start, reverse=True)
    return page(request, "reports.html", {"title": "Laporan", "nav": "report",
                                          "campaigns": campaigns})  # fmt: skip


def report_file(request: Request) -> Response:
    studio = studio_of(request)
    templates = studio.project.require_theme() / "templates"
    name = str(request.path_params["name"])
    if name == "style.css":
        text = render.environment(templates).get_template("report/report.css").render(pdf=False)
        return Response(text, media_type="text/css; charset=utf-8")
    slug, _, fmt = name.partition(".")
    if fmt not in ("", *KINDS):
        return error(request, 404, "Halaman ini tidak ada.")
    settings = studio.settings
    find_campaign(settings, slug)  # an unknown campaign is a PublisherError: shown as such
    report = campaign_report(settings, slug, studio.now())
    if fmt == "pdf":
        data = render.pdf(report, templates)
    elif fmt == "csv":
        data = render.csv_text(report).encode("utf-8")
    else:
        return HTMLResponse(render.html(report, templates, stylesheet=STYLESHEET))
    filename = f"laporan-{slug}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, media_type=KINDS[fmt], headers=headers)
