"""What one tick did, and what the helpers of a tick may see of it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from publisher.core.settings import PublisherSettings
from publisher.engine.ledger import Ledger, Row
from publisher.platforms.base import Adapter


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


class TickContext(Protocol):
    """What the scheduler lends to the helpers it calls during a tick (reconcile)."""

    ledger: Ledger
    adapters: Mapping[str, Adapter]
    settings: PublisherSettings
    log: logging.Logger
    # Does this process hold the ledger's single-instance lock? Then every claim made by
    # another process belongs to a process that died.
    sole_instance: bool
