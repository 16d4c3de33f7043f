"""Forking a part of the build: when it is safe, and what the child must not keep open.

A fork copies no thread but the caller's, so a lock held by another thread would never be
released in the child: the build forks only from a single-threaded process.
"""

from __future__ import annotations

import os
import threading


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def close_inherited(keep: set[int]) -> None:
    """Close every file the build had open but the pipes, as subprocess does: a helper left
    behind by a killed build must not hold the ledger's lock or an output file."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))
