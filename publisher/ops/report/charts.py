"""The report's two charts as geometry: posts sent per day (stacked bars, one pattern per
platform) and the engagement gathered by each day's end (one line per platform, each with
its own dash and marker, named at its end). The theme's templates draw them as inline SVG
(theme/templates/report/charts.html), so the look stays with the staff; nothing here
depends on colour, and the PDF draws the same SVG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from publisher.engine.campaign_report import CampaignReport

WIDTH, HEIGHT = 680, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 96, 16, 34  # room for the y labels, line names, x labels
# One look per platform, in catalogue order: a fill pattern for bars, a dash and a marker
# for lines. Black and white only: they must stay apart on a photocopy.
PATTERNS = ("solid", "hatch", "dots", "rows", "cross", "open", "grid")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "1 2", "12 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open", "square-open")


@dataclass(frozen=True)
class Style:
    platform: str
    label: str
    pattern: str
    dash: str
    marker: str


@dataclass(frozen=True)
class Tick:
    at: float
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    style: Style
    value: int
    day: dt.date


@dataclass(frozen=True)
class Line:
    style: Style
    segments: list[list[tuple[float, float]]]  # broken where a day has no reading
    end: tuple[float, float] | None  # where its name is written
    last: int | None


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    totals: list[Label] = field(default_factory=list)  # a day's total over its bar
    lines: list[Line] = field(default_factory=list)
    legend: list[Style] = field(default_factory=list)
    empty: str = ""  # why there is nothing to draw
    missing: list[Style] = field(default_factory=list)  # platforms that give no counts


def styles(report: CampaignReport) -> list[Style]:
    return [
        Style(t.platform, t.label, PATTERNS[n % 7], DASHES[n % 7], MARKERS[n % 7])
        for n, t in enumerate(report.platforms)
    ]


def _nice_max(value: int) -> tuple[int, int]:
    """A round top for the y axis, and the step between its labels."""
    value = max(value, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10**4,
                 2 * 10**4, 5 * 10**4, 10**5, 2 * 10**5, 5 * 10**5, 10**6):  # fmt: skip
        if value / step <= 5:
            return -(-value // step) * step, step
    step = 10 ** len(str(value))
    return -(-value // step) * step, step


def _x_ticks(chart: Chart, days: list[dt.date], slot: float) -> list[Tick]:
    every = max(1, -(-len(days) // 12))  # at most about a dozen dates
    return [
        Tick(chart.left + slot * (n + 0.5), day.strftime("%d/%m"))
        for n, day in enumerate(days)
        if n % every == 0
    ]


def _y_ticks(chart: Chart, top: int, step: int) -> list[Tick]:
    scale = (chart.bottom - chart.top) / top
    return [Tick(chart.bottom - v * scale, f"{v:,}") for v in range(0, top + 1, step)]


def posts_chart(report: CampaignReport) -> Chart:
    series, looks = report.series, styles(report)
    chart = Chart(
        "posts",
        "Kiriman per hari / Posts per day",
        "Stacked bars: how many posts went out each day (WIB), one pattern per platform.",
        legend=looks,
    )
    days = series.days
    daily = [sum(series.posts.get(s.platform, [0] * len(days))[n] for s in looks)
             for n in range(len(days))]  # fmt: skip
    if not days or not any(daily):
        chart.empty = "Belum ada kiriman / Nothing sent yet"
        return chart
    top, step = _nice_max(max(daily))
    slot = (chart.right - chart.left) / len(days)
    scale = (chart.bottom - chart.top) / top
    width = max(min(slot * 0.7, 28), 2)
    for n, day in enumerate(days):
        y = float(chart.bottom)
        x = chart.left + slot * n + (slot - width) / 2
        for look in looks:
            value = series.posts.get(look.platform, [0] * len(days))[n]
            if value:
                y -= value * scale
                chart.bars.append(Bar(x, y, width, value * scale, look, value, day))
        if daily[n]:
            chart.totals.append(Label(x + width / 2, y - 3, str(daily[n])))
    chart.x_ticks, chart.y_ticks = _x_ticks(chart, days, slot), _y_ticks(chart, top, step)
    return chart


def engagement_chart(report: CampaignReport) -> Chart:
    series = report.series
    looks = [s for s in styles(report) if series.interactions.get(s.platform) is not None]
    chart = Chart(
        "engagement",
        "Interaksi terkumpul / Interactions gathered",
        "Lines: reposts, likes, replies and quotes our posts had gathered by the end of each "
        "day, one line per platform, named at its end.",
        legend=looks,
    )
    chart.missing = [s for s in styles(report) if s not in looks]
    values = [v for s in looks for v in (series.interactions[s.platform] or []) if v is not None]
    if not series.days or not values:
        chart.empty = "Belum ada angka / No figures read yet"
        return chart
    top, step = _nice_max(max(values))
    slot = (chart.right - chart.left) / len(series.days)
    scale = (chart.bottom - chart.top) / top
    for look in looks:
        segments: list[list[tuple[float, float]]] = [[]]
        found = series.interactions[look.platform] or []
        for n, value in enumerate(found):
            if value is None:
                segments.append([])
                continue
            segments[-1].append((chart.left + slot * (n + 0.5), chart.bottom - value * scale))
        segments = [s for s in segments if s]
        last = next((v for v in reversed(found) if v is not None), None)
        end = segments[-1][-1] if segments else None
        chart.lines.append(Line(look, segments, end, last))
    _spread_names(chart)
    chart.x_ticks, chart.y_ticks = _x_ticks(chart, series.days, slot), _y_ticks(chart, top, step)
    return chart


def _spread_names(chart: Chart, gap: float = 11.0) -> None:
    """Line names at the lines' ends, moved apart where they would overlap."""
    ends = sorted((line.end[1], n) for n, line in enumerate(chart.lines) if line.end)
    placed: list[float] = []
    for y, n in ends:
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        line = chart.lines[n]
        assert line.end is not None
        chart.lines[n] = Line(line.style, line.segments, (line.end[0], y), line.last)
