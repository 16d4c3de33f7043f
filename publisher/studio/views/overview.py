"""Status at a glance: the heartbeat, each platform's last sends and credentials, the next
go-live times, and how much needs a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from publisher.content import golive
from publisher.engine import heartbeat
from publisher.engine.ledger import DEAD, SENT, Row
from publisher.platforms import registry
from publisher.studio import items, ledger_view, publishing
from publisher.studio.web import render, studio_of


@dataclass
class PlatformLine:
    name: str
    label: str
    mode: str  # "real" | "outbox"
    note: str
    sent: list[Row] = field(default_factory=list)
    refused: str = ""  # the last credentials refusal
    paused: str | None = None


def overview(request: Request) -> Response:
    studio = studio_of(request)
    settings = studio.settings
    now = studio.now()
    env = registry.environment(settings.root, studio.environ)
    with ledger_view.reading(studio) as ledger:
        health = heartbeat.check(ledger, heartbeat.default_max_age(settings), now)
        counts = ledger.counts() if ledger else {}
        paused = ledger_view.paused(ledger)
        parked = ledger_view.parked(ledger)
        lines = []
        for choice in registry.choose_adapters(settings, env):
            line = PlatformLine(
                choice.platform, registry.label(choice.platform), choice.mode, choice.note
            )
            if ledger is not None:
                line.sent = ledger.rows(
                    platform=choice.platform, states=[SENT], order="sent_at DESC, id DESC"
                )[:3]
                refused = [
                    r
                    for r in ledger.rows(platform=choice.platform, states=[DEAD])
                    if r.cause == "credentials"
                ]
                line.refused = refused[-1].reason if refused else ""
            line.refused = parked.get(choice.platform, line.refused)
            line.paused = paused.get(choice.platform)
            lines.append(line)
    library = items.load(studio)
    waiting = [
        i
        for i in library.items
        if i.kind in ("article", "release") and library.approval_state(i) in ("waiting", "changed")
    ]
    context = {
        "title": "Ringkasan",
        "nav": "overview",
        "health": health,
        "counts": counts,
        "attention": sum(counts.get(s, 0) for s in ledger_view.ATTENTION),
        "platforms": lines,
        "golive": golive.pending(settings.content, now)[:5],
        "required": library.approvals.required,
        "waiting": waiting,
        "job": publishing.current(studio),
    }
    return render(request, "overview.html", context)
