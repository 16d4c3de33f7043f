"""The studio of one project: its paths, accounts, sessions, locks and the settings of this
installation. One object, made by publisher.studio.app.create_app and passed to every view
(request.app.state.studio); nothing lives in a module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.content import approvals
from publisher.core.project import Project
from publisher.core.settings import PublisherSettings, for_project
from publisher.core.timeutil import utc_now
from publisher.platforms import registry
from publisher.studio.accounts import Accounts
from publisher.studio.security import LoginThrottle, Sessions, load_secret

LOCAL_DEFAULTS: dict[str, Any] = {"push": False}


@dataclass
class Studio:
    project: Project
    clock: Callable[[], dt.datetime] = utc_now
    secure_cookies: bool = False  # set when served over https only (behind nginx with TLS)
    environ: dict[str, str] | None = None  # platform credentials (tests pass their own)
    sessions: Sessions = field(init=False)
    accounts: Accounts = field(init=False)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # One writer at a time for files, approvals and git: two saves must not interleave.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    # One reading of the files at a time: the reader it uses is shared (studio.items).
    read_lock: threading.Lock = field(default_factory=threading.Lock)
    memo: dict[str, Any] = field(default_factory=dict)  # parsed files, keyed by stat
    jobs: dict[str, Any] = field(default_factory=dict)  # the publish-now job

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sessions = Sessions(load_secret(self.folder / "secret"))
        self.accounts = Accounts(self.folder / "users.json")

    # --- paths ------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def folder(self) -> Path:
        """var/studio/: accounts, the session key, this installation's settings."""
        return self.project.var / "studio"

    @property
    def settings(self) -> PublisherSettings:
        return registry.validate(for_project(self.project))

    def now(self) -> dt.datetime:
        return self.clock()

    # --- approvals (data/approvals.yaml, read through the content layer) -------------------
    def approvals(self) -> approvals.Approvals:
        return approvals.load(self.root)

    # --- this installation's settings (var/studio/settings.json) -------------------------
    def local(self) -> dict[str, Any]:
        try:
            raw = json.loads((self.folder / "settings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        return {**LOCAL_DEFAULTS, **{k: raw[k] for k in LOCAL_DEFAULTS if k in raw}}

    def set_local(self, **values: Any) -> None:
        data = {**self.local(), **{k: v for k, v in values.items() if k in LOCAL_DEFAULTS}}
        write_atomic(self.folder / "settings.json", json.dumps(data, indent=2) + "\n")


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` in one rename: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        if mode is None and path.exists():
            mode = path.stat().st_mode & 0o777
        os.fchmod(handle, 0o644 if mode is None else mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
