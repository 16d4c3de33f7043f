"""How the cold build grows with the archive: a table and a small SVG chart (issue 21).

bench/run_all.py calls `render_curves` for the table in docs/benchmarks.md and
`write_chart` for docs/benchmarks-build-curves.svg. The chart is a few lines of SVG written
here rather than with a plotting library: two panels of polylines need no dependency, and
the file stays a small, diffable text that GitHub shows inline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = Callable[[int, str], dict[str, Any]]
# (variant key in the build summary, label, colour, dash pattern: distinguishable without colour)
SERIES = (
    ("ours+search", "ours, with search (publisher build)", "#b3261e", ""),
    ("ours", "ours, search off", "#e8710a", "6 3"),
    ("stock", "stock Pelican, no search", "#1a73e8", "2 3"),
    ("hugo", "Hugo", "#188038", "10 3 2 3"),
)
WIDTH, HEIGHT, PAD = 640, 300, 48


def _slope(points: list[tuple[int, float]]) -> float | None:
    """Growth per extra 1,000 articles between the smallest and the largest size."""
    if len(points) < 2 or points[-1][0] == points[0][0]:
        return None
    (x0, y0), (x1, y1) = points[0], points[-1]
    return (y1 - y0) / (x1 - x0) * 1000


def _points(row: Row, sizes: list[int], variant: str, key: str) -> list[tuple[int, float]]:
    return [(s, row(s, variant)[key]) for s in sizes if row(s, variant).get(key) is not None]


def render_curves(row: Row, sizes: list[int], chart_name: str) -> list[str]:
    """The growth table: time and peak RSS per size, and the growth per 1,000 articles."""
    if len(sizes) < 2:
        return []
    head = " | ".join(f"{s:,}" for s in sizes)
    lines = [
        f"### Growth with the archive, {sizes[0]:,} to {sizes[-1]:,} articles",
        "",
        f"![Cold build time and peak RSS against the number of articles]({chart_name})",
        "",
        "Time (wall, s) and peak RSS (largest process, MB) of the cold build at each size "
        "(medians of the rounds above); *per 1,000 more* is the growth from the smallest to "
        "the largest size, per 1,000 articles added.",
        "",
        f"| build | time: {head} | per 1,000 more | peak RSS: {head} | per 1,000 more |",
        "| --- | " + " | ".join(["---:"] * (2 * len(sizes) + 2)) + " |",
    ]
    for variant, label, _colour, _dash in SERIES:
        times = _points(row, sizes, variant, "seconds")
        rss = _points(row, sizes, variant, "maxrss_mb")
        if not times:
            continue
        by_size_t, by_size_m = dict(times), dict(rss)
        t_cells = " | ".join(f"{by_size_t[s]:.1f}" if s in by_size_t else "–" for s in sizes)
        m_cells = " | ".join(f"{by_size_m[s]:.0f}" if s in by_size_m else "–" for s in sizes)
        t_slope, m_slope = _slope(times), _slope(rss)
        lines.append(
            f"| {label} | {t_cells} | "
            + ("–" if t_slope is None else f"{t_slope:+.2f} s")
            + f" | {m_cells} | "
            + ("–" if m_slope is None else f"{m_slope:+.1f} MB")
            + " |"
        )
    return [*lines, ""]


def _panel(row: Row, sizes: list[int], key: str, title: str, unit: str, left: int) -> list[str]:
    width = WIDTH // 2 - PAD - 20  # room on the right for the last point
    top, bottom = 28, HEIGHT - 40
    values = [v for variant, *_ in SERIES for _, v in _points(row, sizes, variant, key)]
    if not values:
        return []
    top_value = max(values) * 1.08
    x_max = max(sizes)

    def x(size: int) -> float:
        return left + size / x_max * width

    def y(value: float) -> float:
        return bottom - value / top_value * (bottom - top)

    parts = [
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{title}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{left + width}" y2="{bottom}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#555"/>',
    ]
    for fraction in (0.5, 1.0):
        value = top_value * fraction
        parts.append(
            f'<text x="{left - 4}" y="{y(value) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{value:.0f}</text>'
        )
    parts.append(f'<text x="{left - 4}" y="{bottom + 4}" font-size="10" text-anchor="end">0</text>')
    for size in sizes:
        parts.append(
            f'<text x="{x(size):.1f}" y="{bottom + 14}" font-size="10" '
            f'text-anchor="middle">{size / 1000:g}k</text>'
        )
    parts.append(
        f'<text x="{left + width / 2:.0f}" y="{bottom + 28}" font-size="10" '
        f'text-anchor="middle">articles ({unit} on the left)</text>'
    )
    for variant, _label, colour, dash in SERIES:
        points = _points(row, sizes, variant, key)
        if not points:
            continue
        coords = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dashing}/>'
        )
        for s, v in points:
            parts.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>')
    return parts


def write_chart(row: Row, sizes: list[int], path: Path) -> bool:
    """Two panels, time and peak RSS against articles; False (nothing written) for one size."""
    if len(sizes) < 2:
        return False
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 60}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 60}" font-family="sans-serif">',
        "<title>Cold build time and peak RSS against the number of articles</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT + 60}" fill="#fff"/>',
        *_panel(row, sizes, "seconds", "Cold build time", "seconds", PAD),
        *_panel(row, sizes, "maxrss_mb", "Peak RSS", "MB", WIDTH // 2 + PAD),
    ]
    for n, (_variant, label, colour, dash) in enumerate(SERIES):
        lx, ly = PAD + (n % 2) * (WIDTH // 2), HEIGHT + 14 + (n // 2) * 20
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 28}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dashing}/>'
        )
        parts.append(f'<text x="{lx + 34}" y="{ly + 4}" font-size="11">{label}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return True
