"""The ledger's files: created private, opened with the engine's pragmas."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# Seconds a write waits for another process's write lock before giving up with LedgerError.
BUSY_TIMEOUT = 10.0
# Rows written in one go after which the WAL is checkpointed and truncated (a first run on a
# big site writes tens of thousands; the WAL would otherwise keep their size on disk).
LARGE_WRITE = 1000
# After a checkpoint SQLite truncates the WAL file to at most this many bytes.
WAL_SIZE_LIMIT = 4 * 1024 * 1024
PRIVATE = 0o600  # the ledger tells what was posted where, and when: only its owner reads it


def private_file(path: Path) -> None:
    """Create `path` readable and writable by its owner only, or narrow it if it exists.

    SQLite gives the -wal and -shm files the permissions of the database file, so the
    ledger's companions follow. Created here rather than with a umask: a umask is process
    wide, and the scheduler's threads and the site's build share the process.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if companion.stat().st_mode & 0o077:
                companion.chmod(PRIVATE)
        except FileNotFoundError:
            pass


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a committed claim survives a power cut
    conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    return conn
