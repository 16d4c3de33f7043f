"""The ledger's schema as numbered migrations, each applied once and recorded in `migrations`.

The sqlite-utils pattern: a new version appends a migration here; old ledgers are upgraded in
place at open, inside a transaction, so a half-applied migration never remains.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from publisher.core.errors import PublisherError
from publisher.core.timeutil import utc_now

STATES = ("pending", "claimed", "sent", "failed", "dead", "unknown", "seeded", "stale")
PENDING, CLAIMED, SENT, FAILED, DEAD, UNKNOWN, SEEDED, STALE = STATES
# A group (key, platform) whose rows are all in these states has never been attempted:
# it may be recomposed when its source changes. Anything else is frozen.
UNTOUCHED_CAUSES = {"", "compose", "withdrawn", "past"}
# Stale rows a person should hear about: fell due while the publisher was down ("late"), or
# planned already days past their time ("past"); not those withdrawn or dismissed.
UNSENT_CAUSES = ("late", "past")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # fixed width, so text order is time order in SQL


class LedgerError(PublisherError):
    """The ledger cannot be used (locked by another process, corrupt, unwritable)."""


def ts(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).strftime(TIME_FORMAT)


def from_ts(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)


def from_ts_required(text: str) -> dt.datetime:
    """A time column that is never empty (due_at, updated_at)."""
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class NewPart:
    """What to store for one part: the composed text and media, frozen once attempted."""

    text: str
    media: list[dict[str, str]] = field(default_factory=list)
    link: str = ""
    language: str = "id"


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    platform: str
    part: int
    parts: int
    due_at: dt.datetime
    state: str
    attempts: int
    lease_until: dt.datetime | None
    claimed_by: str | None
    next_attempt_at: dt.datetime | None
    remote_id: str | None
    url: str | None
    sent_at: dt.datetime | None
    reason: str
    cause: str
    text: str
    media: list[dict[str, str]]
    link: str
    language: str
    source_hash: str
    updated_at: dt.datetime
    # Since migration 2. When the last claim was made (the moment its request may have gone
    # out), when the window for finding an unclear send on the platform began (the end of
    # that send, or the claim of a process that died), and how many lookups were made in it.
    claimed_at: dt.datetime | None = None
    lookup_from: dt.datetime | None = None
    lookups: int = 0
    # Since migration 3. The id of the first step of a two-step create (a Meta container),
    # written before the second step: the next attempt continues from it.
    stage: str = ""

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> Row:
        return cls(
            id=r["id"],
            key=r["key"],
            platform=r["platform"],
            part=r["part"],
            parts=r["parts"],
            due_at=from_ts_required(r["due_at"]),
            state=r["state"],
            attempts=r["attempts"],
            lease_until=from_ts(r["lease_until"]),
            claimed_by=r["claimed_by"],
            next_attempt_at=from_ts(r["next_attempt_at"]),
            remote_id=r["remote_id"],
            url=r["url"],
            sent_at=from_ts(r["sent_at"]),
            reason=r["reason"],
            cause=r["cause"],
            text=r["text"],
            media=json.loads(r["media"]),
            link=r["link"],
            language=r["language"],
            source_hash=r["source_hash"],
            updated_at=from_ts(r["updated_at"]),  # type: ignore[arg-type]
            claimed_at=from_ts(r["claimed_at"]),
            lookup_from=from_ts(r["lookup_from"]),
            lookups=r["lookups"],
            stage=r["stage"],
        )


@dataclass(frozen=True)
class GroupInfo:
    """The sync's view of one (key, platform): its parts' states, causes and source hash."""

    states: tuple[str, ...]
    causes: tuple[str, ...]
    source_hash: str

    @property
    def untouched(self) -> bool:
        return all(
            s == PENDING or (s in (DEAD, STALE) and c in UNTOUCHED_CAUSES - {""})
            for s, c in zip(self.states, self.causes, strict=True)
        )


_STATE_CHECK = ", ".join(f"'{s}'" for s in STATES)

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "posts, audit, engine and golive tables",
        f"""
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            platform TEXT NOT NULL,
            part INTEGER NOT NULL,
            parts INTEGER NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ({_STATE_CHECK})),
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_until TEXT,
            claimed_by TEXT,
            next_attempt_at TEXT,
            remote_id TEXT,
            url TEXT,
            sent_at TEXT,
            reason TEXT NOT NULL DEFAULT '',
            cause TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            media TEXT NOT NULL DEFAULT '[]',
            link TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT 'id',
            source_hash TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (key, platform, part)
        );
        CREATE INDEX posts_state_due ON posts (state, due_at);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            key TEXT NOT NULL,
            platform TEXT NOT NULL,
            part INTEGER NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_key ON audit (key, platform, part);
        CREATE TABLE engine (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE golive (
            uid TEXT NOT NULL,
            at TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            done_at TEXT,
            PRIMARY KEY (uid, at)
        );
        """,
    ),
    (
        2,
        "event times of a send, lookups of unclear sends, platform pause and parking",
        """
        ALTER TABLE posts ADD COLUMN claimed_at TEXT;
        ALTER TABLE posts ADD COLUMN lookup_from TEXT;
        ALTER TABLE posts ADD COLUMN lookups INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE platforms (
            name TEXT PRIMARY KEY,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'paused', 'parked')),
            reason TEXT NOT NULL DEFAULT '',
            since TEXT,
            next_check_at TEXT,
            checks INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX posts_platform_state ON posts (platform, state)
        """,
    ),
    (
        3,
        "engagement counts read back from the platforms",
        """
        CREATE TABLE metrics (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            platform TEXT NOT NULL,
            part INTEGER NOT NULL,
            remote_id TEXT NOT NULL,
            point INTEGER NOT NULL,
            read_at TEXT NOT NULL,
            gone INTEGER NOT NULL DEFAULT 0,
            reposts INTEGER,
            likes INTEGER,
            replies INTEGER,
            quotes INTEGER,
            views INTEGER,
            UNIQUE (post_id, point)
        );
        CREATE INDEX metrics_key ON metrics (key, platform)
        """,
    ),
    (
        4,
        "the first step of a two-step create (a container id), recorded before the second",
        "ALTER TABLE posts ADD COLUMN stage TEXT NOT NULL DEFAULT ''",
    ),
    (
        5,
        "indexes for an archive: sent rows by time, unsent rows by cause",
        # Issue 21: what a tick reads must not grow with the archive. The engagement job
        # reads the posts sent in the last weeks (state, sent_at); the sync reads the unsent
        # rows a new source can cure (state, cause), not every stale row ever.
        """
        CREATE INDEX posts_state_sent ON posts (state, sent_at);
        CREATE INDEX posts_state_cause ON posts (state, cause)
        """,
    ),
]
# What the `platforms` table says of a platform (no row: open).
OPEN, PAUSED, PARKED = "open", "paused", "parked"


@dataclass(frozen=True)
class PlatformState:
    """A platform as a whole: open, paused by a person, or parked (credentials refused)."""

    name: str
    state: str = OPEN
    reason: str = ""
    since: dt.datetime | None = None
    next_check_at: dt.datetime | None = None  # parked: when the credentials are tried again
    checks: int = 0

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> PlatformState:
        return cls(
            r["name"],
            r["state"],
            r["reason"],
            from_ts(r["since"]),
            from_ts(r["next_check_at"]),
            r["checks"],
        )


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply the migrations this ledger lacks; returns the versions applied now."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = []
    for version, name, sql in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Checked inside the write lock: two processes opening a new ledger apply it once.
            if conn.execute("SELECT 1 FROM migrations WHERE version = ?", (version,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, utc_now().isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
