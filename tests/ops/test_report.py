"""The campaign report: the sample campaign run through the engine against the local platform
servers on a fake clock (tests/report_support.py), then reported as data, HTML, PDF and CSV,
from the library and from `publisher report`. The engagement figures are the ones the servers
gave through the real client libraries, read 1 hour, 1 day and 7 days after each send."""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.core.timeutil import format_wib, parse_time
from publisher.engine import metrics_job
from publisher.engine.campaign_report import Period, build_report
from publisher.ops.report import render
from publisher.platforms.metrics import COUNTS
from tests.report_support import SLUG, CampaignRun, project_copy, run_sample_campaign

PEOPLE = r"liking_users|retweeted_by|favourited_by|reblogged_by|getLikes|getRepostedBy"
SENT = {"x": 9, "mastodon": 9, "bluesky": 10, "facebook": 8, "telegram": 8}
OFFERED = {"x": 5, "mastodon": 3, "bluesky": 4, "facebook": 3, "telegram": 0}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CampaignRun]:
    root = project_copy(tmp_path_factory.mktemp("report") / "project")
    with run_sample_campaign(root) as done:
        yield done


@pytest.fixture(scope="module")
def report(run: CampaignRun) -> Any:
    return build_report(run.settings, run.ledger, SLUG, run.clock.now)


@pytest.fixture(scope="module")
def templates(run: CampaignRun) -> Path:
    return run.root / "theme" / "templates"


def test_what_went_out_per_platform(report: Any) -> None:
    totals = {t.platform: t for t in report.platforms}
    assert {p: t.sent for p, t in totals.items()} == SENT
    assert {p: t.failed for p, t in totals.items()} == {**dict.fromkeys(SENT, 0), "facebook": 1}
    day = [p for p in report.posts if format_wib(p.sent_at or p.due_at).startswith("2027-07-30")]
    assert sorted((p.name, p.platform) for p in day if p.platform == "x") == [
        ("hdapo27-08-hari-dunia", "x"), ("hdapo27-09-siapa-saja", "x")]  # fmt: skip
    first = next(p for p in report.posts if p.platform == "x")
    assert first.name == "hdapo27-01-pembukaan" and first.url.startswith("https://x.com/i/web/")
    assert format_wib(first.sent_at) == "2027-07-20 09:00 WIB"
    thread = next(
        p for p in report.posts if p.name.endswith("lima-pertanyaan") and p.platform == "x"
    )
    assert thread.parts == 3
    assert report.series.posts["x"][report.series.days.index(metrics_job.dt.date(2027, 7, 30))] == 2


def test_engagement_is_what_the_servers_said(run: CampaignRun, report: Any) -> None:
    readings = run.ledger.readings()
    sent = [r for r in run.ledger.rows(states=["sent"])]
    for row in sent:
        mine = [r for r in readings if r.post_id == row.id]
        if row.platform == "telegram":
            assert mine == []  # nothing is asked of a platform that gives nothing
            continue
        assert [r.point for r in mine] == list(metrics_job.POINTS), (row.key, row.platform)
        server = run.servers[row.platform]
        post = next(p for p in server.posts if row.remote_id in (p.get("id"), p.get("uri")))
        for reading in mine:
            assert reading.read_at >= row.sent_at + metrics_job.dt.timedelta(seconds=reading.point)
            said = server.counts_at(row.remote_id, post["_created"], reading.read_at.timestamp())
            for name, value in reading.counts.as_dict().items():
                offered = name in _offered(row.platform)
                assert value == (said[name] if offered else None), (row.platform, name)
    # X's first reading met a rate limit: it waited for the reset the server announced.
    x_first = min((r for r in readings if r.platform == "x"), key=lambda r: r.read_at)
    reset = run.servers["x"].rate_reset
    assert x_first.read_at.timestamp() >= reset
    # The report shows the latest reading of each post, added up per platform.
    x_total = sum(
        max((r for r in readings if r.post_id == row.id), key=lambda r: r.read_at).counts.views
        for row in sent
        if row.platform == "x"
    )
    assert next(t for t in report.platforms if t.platform == "x").counts["views"] == x_total > 0
    for server in run.servers.values():
        assert server.requests_to(PEOPLE) == []  # counts only, never who engaged


def _offered(platform: str) -> tuple[str, ...]:
    from publisher.platforms import catalog

    return catalog.SPECS[platform].metrics


def test_a_platform_without_metrics_says_so_never_zero(report: Any, templates: Path) -> None:
    telegram = next(t for t in report.platforms if t.platform == "telegram")
    assert telegram.counts == dict.fromkeys(COUNTS)
    posts = [p for p in report.posts if p.platform == "telegram"]
    assert posts and all(p.engagement.note == "not offered by Telegram" for p in posts)
    page = render.html(report, templates)
    row = re.search(r"<th scope=\"row\">Telegram</th>(.*?)</tr>", page, re.S).group(1)
    engagement = row.split("</td>", 2)[2]  # after the sent and failed columns
    assert "not offered by Telegram" in engagement and not re.search(r">\s*0\s*<", engagement)
    mastodon = re.search(r"<th scope=\"row\">Mastodon</th>(.*?)</tr>", page, re.S).group(1)
    assert mastodon.count("not offered by Mastodon") == 2  # quotes and views


def test_the_csv_tells_a_count_not_offered_from_one_not_measured(report: Any) -> None:
    """Instagram gives likes, comments, reposts and views, but Meta's insights give none
    before they are measured: such a count is not said to be "not offered"."""
    from dataclasses import replace

    line = next(p for p in report.posts if p.platform == "x")
    counts = {**dict.fromkeys(COUNTS), "reposts": 3}
    post = replace(line, platform="instagram", label="Instagram",
                   engagement=replace(line.engagement, counts=counts))  # fmt: skip
    [row] = csv.DictReader(io.StringIO(render.csv_text(replace(report, posts=[post]))))
    assert row["engagement_note"] == (
        "quotes: not offered by Instagram; likes, replies, views: no figure from Instagram"
    )
    assert row["reposts"] == "3" and row["likes"] == ""


def test_what_failed_and_why(report: Any) -> None:
    failures = {(f.name, f.platform): f for f in report.failures}
    dead = failures[("hdapo27-03-dokumen", "facebook")]
    assert dead.state == "dead" and "Invalid parameter" in dead.reason
    retried = failures[("hdapo27-04-saluran-bantuan", "mastodon")]
    assert retried.state == "sent" and "503" in retried.history[0][2]
    assert len(failures) == 2


def test_when_each_page_went_live(report: Any) -> None:
    release = next(p for p in report.pages if p.uid == "sp-2027-001" and not p.translation)
    assert format_wib(release.live_at) == "2027-07-30 09:00 WIB" and release.how == "rebuilt"
    english = next(p for p in report.pages if p.translation)
    assert english.lang == "en" and english.live_at == release.live_at


def test_the_html_has_links_times_and_charts(report: Any, templates: Path) -> None:
    page = render.html(report, templates)
    first = next(p for p in report.posts if p.platform == "bluesky")
    assert f'<a href="{first.url}">hdapo27-01-pembukaan</a>' in page
    assert page.count("<svg") >= 2 and "Posts per day" in page and "Interactions gathered" in page
    # Readable without colour: only black, white and patterns.
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', page))
    assert colours <= {"#000", "#fff"}
    assert 'stroke-dasharray="7 4"' in page and "url(#posts-hatch)" in page
    assert "Invalid parameter" in page and "2027-07-30 09:00 WIB" in page


def test_the_csv_has_one_line_per_post_and_platform(report: Any, run: CampaignRun) -> None:
    lines = list(csv.DictReader(io.StringIO(render.csv_text(report))))
    assert len(lines) == len(report.posts) == sum(SENT.values()) + 1
    telegram = next(r for r in lines if r["platform"] == "telegram")
    assert telegram["engagement_note"] == "not offered by Telegram"
    assert all(telegram[name] == "" for name in COUNTS)
    x = next(r for r in lines if r["platform"] == "x" and r["post"] == "hdapo27-01-pembukaan")
    line = next(p for p in report.posts if p.platform == "x")
    assert int(x["views"]) == line.engagement.counts["views"] > 0
    assert x["sent_wib"] == "2027-07-20 09:00 WIB" and x["url"] == line.url
    dead = next(r for r in lines if r["state"] == "dead")
    assert dead["platform"] == "facebook" and "Invalid parameter" in dead["reason"]


def test_a_period_keeps_only_what_happened_in_it(run: CampaignRun) -> None:
    day = Period(parse_time("2027-07-30 00:00"), parse_time("2027-07-30 23:59"))
    found = build_report(run.settings, run.ledger, SLUG, run.clock.now, day)
    assert {p.name for p in found.posts} == {"hdapo27-08-hari-dunia", "hdapo27-09-siapa-saja"}
    assert found.failures == []


def test_the_pdf_has_the_same_figures_charts_and_embedded_fonts(
    report: Any, templates: Path, tmp_path: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(render.pdf(report, templates))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    x = next(t for t in report.platforms if t.platform == "x")
    assert f"{x.counts['views']:,}" in text and "not offered by Telegram" in text
    assert "Posts per day" in text and "Interactions gathered" in text
    assert (
        "X "
        + f"{x.counts['reposts'] + x.counts['likes'] + x.counts['replies'] + x.counts['quotes']:,}"
        in text
    )
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = [ln for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and all(re.match(r"\w{6}\+Noto-?Sans", ln) and " yes " in ln for ln in rows), fonts
    page = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(path), str(page)],
                   check=True)  # fmt: skip
    assert list(tmp_path.glob("page*.png"))


# --- `publisher report` -------------------------------------------------------------------


def _cli(run: CampaignRun, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--project", str(run.root), "report", *args])


def test_the_command_writes_to_standard_output_or_a_file(run: CampaignRun, tmp_path: Path) -> None:
    done = _cli(run, SLUG, "--format", "csv", "--from", "2027-07-30", "--to", "2027-07-30")
    assert done.exit_code == 0, done.output
    lines = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["post"] for r in lines} == {"hdapo27-08-hari-dunia", "hdapo27-09-siapa-saja"}
    target = tmp_path / "out" / "laporan.pdf"
    done = _cli(run, SLUG, "--format", "pdf", "--output", str(target))
    assert done.exit_code == 0 and target.read_bytes().startswith(b"%PDF-"), done.output
    assert "laporan.pdf: PDF" in done.stdout
    done = _cli(run, SLUG)
    assert done.exit_code == 0 and done.stdout.startswith("<!doctype html>")


def test_the_command_explains_its_refusals(run: CampaignRun, tmp_path: Path) -> None:
    done = _cli(run, "hari-dunia-anti-perdagangan-orang-2072")
    assert done.exit_code == 1 and "did you mean 'hari-dunia-anti-perdagangan-orang-2027'" in (
        done.stderr.lower()
    )
    assert "Traceback" not in done.output
    done = _cli(run, SLUG, "--from", "2027-08-01", "--to", "2027-07-01")
    assert done.exit_code == 2 and "--from must come before --to" in done.output
    empty = project_copy(tmp_path / "fresh")
    done = CliRunner().invoke(cli, ["--project", str(empty), "report", SLUG])
    assert done.exit_code == 1 and "no ledger yet" in done.stderr


def test_a_pdf_to_a_terminal_is_refused(run: CampaignRun) -> None:
    """In a real terminal (a pty): one line with the fix, and no PDF bytes on the screen."""
    main, child = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "publisher", "--project", str(run.root), "report", SLUG,
         "--format", "pdf"],
        stdout=child, stderr=subprocess.PIPE, text=True, timeout=120,
    )  # fmt: skip
    os.close(child)
    shown = b""
    try:
        while chunk := os.read(main, 4096):
            shown += chunk
    except OSError:
        pass
    os.close(main)
    assert done.returncode == 1 and "--output report.pdf" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and b"%PDF" not in shown
