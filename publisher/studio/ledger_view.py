"""The ledger as the studio reads and changes it: through `Ledger` and `engine.actions` only.

Every change is an action of the engine (retry, resolve, dismiss, pause, resume) run with
the ledger opened as `studio:<name>`, so the audit trail names the person. Pausing a
platform is the engine's own feature (`publisher pause --platform`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from publisher.engine import actions, heartbeat
from publisher.engine.ledger import (
    CLAIMED,
    DEAD,
    FAILED,
    PENDING,
    SEEDED,
    SENT,
    STALE,
    UNKNOWN,
    Ledger,
    Row,
)
from publisher.studio.state import Studio

ATTENTION = (FAILED, DEAD, UNKNOWN)
# The state a group of parts (one post on one platform) shows, worst first.
GROUP_ORDER = (UNKNOWN, DEAD, FAILED, CLAIMED, PENDING, STALE, SEEDED, SENT)


def actor(user_name: str) -> str:
    return f"studio:{user_name}"


@contextmanager
def reading(studio: Studio) -> Iterator[Ledger | None]:
    """The ledger for reading, or None when the publisher has never run here (a read must
    not create one)."""
    path = studio.settings.ledger
    if not path.exists():
        yield None
        return
    ledger = Ledger.open(path, actor="studio")
    try:
        yield ledger
    finally:
        ledger.close()


def all_rows(studio: Studio, ledger: Ledger) -> list[Row]:
    """Every row; read again only when the ledger may have changed: a tick ended (its
    heartbeat), a state count moved (a command), or the studio wrote. Reading 2,000 rows
    costs a quarter of a second, and most page views come between two ticks."""
    stamp = (ledger.get_meta(heartbeat.META_NAME), tuple(ledger.counts().items()),
             studio.memo.get("writes", 0))  # fmt: skip
    kept = studio.memo.get("rows")
    if kept is None or kept[0] != stamp:
        kept = (stamp, ledger.rows())
        studio.memo["rows"] = kept
    return list(kept[1])


@contextmanager
def writing(studio: Studio, user_name: str) -> Iterator[Ledger]:
    ledger = Ledger.open(studio.settings.ledger, actor=actor(user_name))
    try:
        yield ledger
    finally:
        ledger.close()
        studio.memo["writes"] = studio.memo.get("writes", 0) + 1


@dataclass(frozen=True)
class Group:
    """One post on one platform: its parts' rows, and the state it shows."""

    key: str
    platform: str
    rows: tuple[Row, ...]

    @functools.cached_property
    def state(self) -> str:
        states = {r.state for r in self.rows}
        return next(s for s in GROUP_ORDER if s in states)

    @property
    def when(self) -> dt.datetime:
        first = self.rows[0]
        if self.state == SENT and first.sent_at:
            return first.sent_at
        if self.state == FAILED:
            return min((r.next_attempt_at or r.due_at) for r in self.rows)
        return first.due_at

    @property
    def url(self) -> str | None:
        return self.rows[0].url

    @property
    def reason(self) -> str:
        return next((r.reason for r in self.rows if r.state == self.state and r.reason), "")


def groups(rows: Iterable[Row]) -> dict[tuple[str, str], Group]:
    parts: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        parts.setdefault((row.key, row.platform), []).append(row)
    return {k: Group(k[0], k[1], tuple(sorted(v, key=lambda r: r.part))) for k, v in parts.items()}


def paused(ledger: Ledger | None) -> dict[str, str]:
    """Platforms paused by a person: name -> reason."""
    return _platforms_in(ledger, "paused")


def parked(ledger: Ledger | None) -> dict[str, str]:
    """Platforms the engine parked because their credentials were refused: name -> reason."""
    return _platforms_in(ledger, "parked")


def _platforms_in(ledger: Ledger | None, state: str) -> dict[str, str]:
    if ledger is None:
        return {}
    return {n: s.reason for n, s in ledger.platform_states().items() if s.state == state}


def pause(studio: Studio, user_name: str, platform: str, reason: str) -> None:
    with writing(studio, user_name) as ledger:
        actions.pause(ledger, platform, studio.now(), reason)


def resume(studio: Studio, user_name: str, platform: str) -> None:
    with writing(studio, user_name) as ledger:
        actions.resume(ledger, platform, studio.now())


def retry(studio: Studio, user_name: str, key: str, platform: str | None) -> list[Row]:
    with writing(studio, user_name) as ledger:
        return actions.retry(ledger, key, studio.now(), platform)


def resolve(
    studio: Studio, user_name: str, key: str, platform: str, part: int, sent_url: str | None
) -> Row:
    with writing(studio, user_name) as ledger:
        return actions.resolve(
            ledger, key, studio.now(), sent_url=sent_url, platform=platform, part=part
        )


def dismiss(studio: Studio, user_name: str, key: str, platform: str, reason: str) -> list[Row]:
    with writing(studio, user_name) as ledger:
        return actions.dismiss(ledger, key, studio.now(), reason, platform)
