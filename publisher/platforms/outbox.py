"""The outbox "platform": each post becomes a JSON file under outbox/<platform>/.

It needs no credentials, so a fresh machine shows the whole flow; it stands in for a real
platform with that platform's limits, so what lands here is what would be sent there. The file
name comes from the ledger key and part, and is written atomically (temp file + rename): a file
that exists was sent, which lets `lookup` settle an `unknown` row after a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any
from urllib.parse import quote

from publisher.core.timeutil import utc_now
from publisher.platforms import catalog
from publisher.platforms.base import BaseAdapter
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart, PostResult


def file_name(key: str, number: int) -> str:
    """`item:abc` part 1 -> `item+abc.1.json`; quoting keeps distinct keys distinct."""
    return f"{quote(key, safe='-_').replace('%3A', '+')}.{number}.json"


class OutboxAdapter(BaseAdapter):
    mode = "outbox"
    can_lookup = True  # the folder is read back
    idempotent_for = None
    # The file is renamed into place before the send returns: the next read sees it.
    visible_within = dt.timedelta(0)
    lookup_window = dt.timedelta(0)
    read_after_write = True

    def __init__(
        self,
        limits: PlatformLimits,
        directory: Path,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        # The platform it stands in for: its counting rules, for previews.
        self.spec = catalog.spec(limits.name)
        super().__init__(limits)
        self.directory = directory / limits.name
        self.clock = clock

    def path_for(self, key: str, number: int) -> Path:
        return self.directory / file_name(key, number)

    def _request(self, part: DraftPart, key: str, reply_to: str | None) -> dict[str, Any]:
        return {
            "platform": self.name,
            "key": key,
            "part": part.number,
            "parts": part.total,
            "reply_to": reply_to,
            "text": part.text,
            "media": [{"path_or_url": m.path_or_url, "alt": m.alt} for m in part.media],
            "language": part.language,
            "link": part.link,
        }

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        request = self._request(part, key, reply_to)
        if preview:
            return PostResult(ok=True, request=request)
        path = self.path_for(key, part.number)
        if path.exists():  # already "on the platform": sending twice is what we must never do
            return self._found(path, request)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {**request, "posted_at": self.clock().astimezone(dt.UTC).isoformat()}
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)
        return PostResult(ok=True, remote_id=path.stem, url=path.as_uri(), request=request)

    def _found(self, path: Path, request: dict[str, Any]) -> PostResult:
        return PostResult(ok=True, remote_id=path.stem, url=path.as_uri(), request=request)

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        path = self.path_for(part.key, part.number)
        if path.exists():
            return self._found(path, {})
        return PostResult(ok=False, error="not in the outbox")
