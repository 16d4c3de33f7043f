"""A single scheduler per ledger, enforced by the kernel."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from publisher.engine.ledger.schema import LedgerError


def _lock_path(ledger_path: Path) -> Path:
    ledger_path = ledger_path.resolve()
    return ledger_path.with_name(ledger_path.name + ".lock")


class InstanceLock:
    """One scheduler per ledger: an exclusive `flock` on `<ledger>.lock`.

    The kernel drops the lock when the process dies (even on SIGKILL), so a crash never
    leaves a stale lock behind, unlike a lock row or a pid file. While a process holds it, no
    other scheduler runs on that ledger, so any claim another process made belongs to one
    that died: the scheduler made under the lock (sole_instance=True) settles such claims at
    once instead of waiting for their lease to run out.
    """

    def __init__(self, ledger_path: Path) -> None:
        self.path = _lock_path(ledger_path)
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # as private as the ledger
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LedgerError(
                f"{self.path}: another publisher process (pid {holder}) is using this ledger; "
                "stop it first or wait for its tick to end"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
