"""What one tick did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from publisher.engine.ledger import Row


@dataclass
class TickReport:
    now: dt.datetime
    rebuilt: bool = False
    seeded: int = 0
    stale: int = 0
    sent: list[Row] = field(default_factory=list)
    failed: list[Row] = field(default_factory=list)  # failed, dead or unknown after this tick
    problems: list[str] = field(default_factory=list)
    stopped: bool = False
    busy: list[str] = field(default_factory=list)  # platforms still sending past their budget
