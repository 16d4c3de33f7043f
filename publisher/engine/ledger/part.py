"""What each part of the ledger (engine facts, platform states, stages, metrics) uses of
`Ledger`, declared once: its connection, its actor, its transaction and its audit row."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager


class LedgerPart:
    conn: sqlite3.Connection
    actor: str

    def transaction(self) -> AbstractContextManager[None]:  # provided by Ledger
        raise NotImplementedError

    def _audit(  # provided by Ledger
        self,
        now: dt.datetime,
        key: str,
        platform: str,
        part: int,
        from_state: str | None,
        to_state: str,
        reason: str,
    ) -> None:
        raise NotImplementedError
