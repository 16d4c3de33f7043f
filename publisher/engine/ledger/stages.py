"""The first step of a two-step create, recorded before the second (a Meta container id).

Some platforms create a post in two requests: a container, then its publication. A process
killed between the two must not make a second container and publish both: the container's
id is committed here, on the claimed row, before the second request goes out, so the next
attempt (or the lookup after a crash) continues from that container.
"""

from __future__ import annotations

import datetime as dt

from publisher.engine.ledger.part import LedgerPart
from publisher.engine.ledger.schema import CLAIMED, Row, ts


class Stages(LedgerPart):
    def record_stage(self, row: Row, stage: str, at: dt.datetime, reason: str) -> bool:
        """Store `stage` on a row this process has claimed ("" forgets one). False when the
        row is no longer ours (its lease ran out and another process settled it): then the
        second step must not be made."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE posts SET stage = ?, updated_at = ? WHERE id = ? AND state = ? "
                "AND claimed_by = ?",
                (stage, ts(at), row.id, CLAIMED, self.actor),
            )
            if cursor.rowcount != 1:
                return False
            self._audit(at, row.key, row.platform, row.part, CLAIMED, CLAIMED, reason)
        return True
