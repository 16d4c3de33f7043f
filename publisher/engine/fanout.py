"""Fan-out channels: one item to many recipients, each delivery a ledger group of its own.

A social platform gets one post per item; a fan-out channel (a PlatformSpec with `fanout`,
e-mail) gets one message per item and recipient. Its planner (a `FanOut`, such as
publisher/engine/press/planner.py) says each tick which deliveries are wanted; this module
stores them with the same rules as the sync of social posts (publisher/engine/syncing.py):

- a delivery's key names its recipient by a pseudonymous id, never an address;
- a group attempted in any way is frozen: never recomposed, never planned twice;
- an untouched group (all pending) is recomposed when its digest changes, and withdrawn
  (stale) when its planner, having read all its sources, no longer wants it;
- a delivery marked `create=False` keeps its group planned but never starts one (a release
  long live is not sent to someone who joined the list since);
- on the very first tick, what was already due is recorded as seeded, not sent.

At send time the engine asks the planner for the recipient's address (`recipient`), just
before the claim; a recipient who left the list, or may no longer have it (an embargoed
copy after accreditation ended), gets nothing and the row goes stale. The address reaches
the adapter in the DraftPart and nothing stores it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from publisher.core.timeutil import format_wib
from publisher.engine.events import event
from publisher.engine.ledger import DEAD, PENDING, SEEDED, STALE, Ledger, LedgerError, NewPart, Row
from publisher.engine.report import TickReport


@dataclass(frozen=True)
class Composed:
    parts: list[NewPart]
    error: str = ""  # why it cannot be composed: the row is dead (cause "compose")


@dataclass(frozen=True)
class Delivery:
    key: str  # ends with the recipient's pseudonymous id
    due: dt.datetime
    digest: str  # changes whenever the message (or its time) would change
    compose: Callable[[], Composed]  # called only for a new or changed group
    create: bool = True  # False: keep an existing group, never start one
    seed_first_run: bool = True  # on the first tick, record it as seeded when already due


@dataclass
class FanOutPlan:
    deliveries: list[Delivery] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    complete: bool = True  # every source was read: what is not planned now is withdrawn


class FanOut(Protocol):
    """A fan-out channel's planner."""

    def plan(self, now: dt.datetime, ledger: Ledger) -> FanOutPlan: ...

    def recipient(self, row: Row, now: dt.datetime) -> tuple[str, str] | None:
        """(address, pseudonymous id) of the row's recipient if it may be sent now, or None."""
        ...


class FanOutSync:
    """One fan-out channel's sync, with the groups it knows between ticks."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.known: set[str] | None = None  # keys of every group of this channel
        self.generation = ""  # the ledger's erase mark when `known` was read

    def tick(
        self,
        planner: FanOut,
        ledger: Ledger,
        now: dt.datetime,
        at: dt.datetime,
        first_run: bool,
        report: TickReport,
        log: logging.Logger,
        redact: Callable[[str], str],
    ) -> None:
        """Plan, then store; a planner that breaks costs its channel this tick, nothing more."""
        try:
            plan = planner.plan(now, ledger)
        except (LedgerError, sqlite3.DatabaseError):
            raise
        except Exception as exc:
            plan = FanOutPlan(problems=[f"{self.platform}: {type(exc).__name__}: {exc}"])
            plan.complete = False
        for problem in plan.problems:
            message = redact(problem)
            report.problems.append(message)
            log.warning("%s", message)
        self.run(ledger, plan, now, at, first_run, report, log)

    def run(
        self,
        ledger: Ledger,
        plan: FanOutPlan,
        now: dt.datetime,
        at: dt.datetime,
        first_run: bool,
        report: TickReport,
        log: logging.Logger,
    ) -> None:
        generation = ledger.get_meta(ERASED) or ""
        if self.known is None or generation != self.generation:  # a removal deleted groups
            self.known = {k for k, p in ledger.group_keys() if p == self.platform}
            self.generation = generation
        known = self.known
        untouched = {
            key: info for (key, p), info in ledger.untouched_groups().items() if p == self.platform
        }
        seen: set[str] = set()
        with ledger.transaction():
            for d in plan.deliveries:
                seen.add(d.key)
                info = untouched.get(d.key)
                if info is None and (d.key in known or not d.create):
                    continue  # frozen, or not to be started
                if (
                    info is not None
                    and info.source_hash == d.digest
                    and "withdrawn" not in info.causes
                ):
                    continue
                composed = d.compose()
                state, reason, cause = PENDING, "", ""
                if first_run and d.seed_first_run and d.due <= now:
                    state, reason = SEEDED, "live before the first run"
                    report.seeded += len(composed.parts)
                elif composed.error:
                    state, reason, cause = DEAD, composed.error, "compose"
                    fields = event("compose", d.key, self.platform, 1, 1, DEAD, reason=reason)
                    log.error("cannot compose %s: %s", d.key, reason, extra=fields)
                ledger.put_group(
                    d.key, self.platform, d.due, composed.parts, d.digest, at, state, reason, cause
                )
                known.add(d.key)
            if not plan.complete:
                return
            for key in sorted(set(untouched) - seen):
                for row in ledger.rows(key=key, platform=self.platform, states=[PENDING]):
                    why = (
                        f"withdrawn: no longer planned for {self.platform} (as of {format_wib(at)})"
                    )
                    ledger.move(row.id, STALE, at, why, [PENDING], cause="withdrawn")


class FanOuts:
    """A scheduler's fan-out channels: platform -> its planner, and the sync of its rows."""

    def __init__(self, planners: Mapping[str, FanOut] | None = None) -> None:
        self.planners = dict(planners or {})
        self.syncs = {p: FanOutSync(p) for p in self.planners}

    def tick(
        self,
        enabled: Collection[str],
        ledger: Ledger,
        now: dt.datetime,
        at: dt.datetime,
        first_run: bool,
        report: TickReport,
        log: logging.Logger,
        redact: Callable[[str], str],
    ) -> None:
        """Each enabled channel's deliveries into the ledger (after the sync of posts)."""
        for platform, planner in self.planners.items():
            if platform in enabled:
                self.syncs[platform].tick(planner, ledger, now, at, first_run, report, log, redact)

    def recipients(
        self, platform: str, moment: Callable[[], dt.datetime]
    ) -> Callable[[Row], tuple[str, str] | None] | None:
        """What a platform's run asks before each claim (None: not a fan-out channel)."""
        planner = self.planners.get(platform)
        if planner is None:
            return None
        return lambda row: planner.recipient(row, moment())


# Engine meta set by a removal that deletes ledger rows (publisher/engine/press/forget.py):
# a running sync reads its known groups again.
ERASED = "erased_at"
