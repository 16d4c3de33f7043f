"""A few small JSON values kept on disk between processes, each for a limited time.

`publisher tick` is a new process every minute: what an adapter learns once a day (Mastodon's
instance information) is kept here instead of asked for on every tick. Our own few lines
rather than a cache library: one JSON file per key, written atomically, nothing else to
manage. A cache that cannot be read or written is simply not used; it never stops a post.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher.core.timeutil import utc_now


class DiskCache:
    def __init__(self, folder: Path | None, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.folder = folder
        self.clock = clock

    def path(self, key: str) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        prefix = "".join(c if c.isalnum() else "-" for c in key.split(":", 1)[0])[:24]
        return self.folder / f"{prefix}-{digest}.json"

    def get(self, key: str, max_age: dt.timedelta) -> Any | None:
        """The value stored under `key` if it was written less than `max_age` ago."""
        path = self.path(key)
        if path is None:
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            written = dt.datetime.fromisoformat(stored["written"])
            if stored["key"] != key or written.tzinfo is None:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        age = self.clock() - written
        # A time in the future (the clock was set back) is as good as no time.
        if age < dt.timedelta(0) or age >= max_age:
            return None
        return stored.get("value")

    def put(self, key: str, value: Any) -> None:
        path = self.path(key)
        if path is None:
            return
        record = {"key": key, "written": self.clock().isoformat(), "value": value}
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(temp, path)
        except (OSError, TypeError, ValueError):
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
