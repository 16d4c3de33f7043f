"""The calendar: a week or a month of everything that goes out or goes live."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from starlette.requests import Request
from starlette.responses import Response

from publisher.core.timeutil import to_wib
from publisher.platforms import registry
from publisher.studio import agenda, items, ledger_view
from publisher.studio.web import render, studio_of


def _day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def calendar(request: Request) -> Response:
    studio = studio_of(request)
    now = studio.now()
    today = to_wib(now).date()
    params = request.query_params
    view = "month" if params.get("view") == "month" else "week"
    day = _day(params.get("day"), today)
    if view == "week":
        first = agenda.week_start(day)
        days = 7
        previous, following = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    else:
        month = _month_start(day)
        first = agenda.week_start(month)
        last = _month_start(day, 1) - dt.timedelta(days=1)
        days = ((last - first).days // 7 + 1) * 7
        previous, following = _month_start(day, -1), _month_start(day, 1)
    filters = agenda.Filters(
        params.get("campaign", ""), params.get("platform", ""), params.get("state", "")
    )
    library = items.load(studio)
    start, end = agenda.day_bounds(first, days)
    with ledger_view.reading(studio) as ledger:
        rows = ledger_view.all_rows(studio, ledger) if ledger else []
        paused = ledger_view.paused(ledger)
    found = agenda.entries(library, rows, paused, start, end, now)
    kept = [e for e in (filters.keep(e) for e in found) if e is not None]
    by_day = {d: list(es) for d, es in groupby(kept, key=lambda e: e.day)}
    context = {
        "title": "Kalender",
        "nav": "calendar",
        "view": view,
        "day": day,
        "today": today,
        "days": [first + dt.timedelta(days=n) for n in range(days)],
        "month": day.month,
        "by_day": by_day,
        "count": len(kept),
        "previous": previous,
        "following": following,
        "filters": filters,
        "campaigns": [i.campaign for i in library.items if i.campaign is not None],
        "platforms": [(p, registry.label(p)) for p in library.settings.platforms],
        "states": agenda.STATES,
        "filter_query": _query(filters),
    }
    return render(request, "calendar.html", context)


def _query(filters: agenda.Filters) -> str:
    parts = [f"{k}={v}" for k, v in vars(filters).items() if v]
    return "&".join(parts)
