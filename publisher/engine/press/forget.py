"""A journalist's removal request: off the press list, and their delivery history gone.

`publisher press forget EMAIL` removes the address's entries from the press list (the rest
of the file is kept as written, comments too), every ledger row and audit row filed under
its pseudonymous id, the .eml files of the outbox and the adapter's journal entries. SQLite
is told to overwrite what it deletes (secure_delete) and the WAL is folded in, so the rows
do not linger in the file. One audit row says that a removal happened, without the id.
Ledger backups made before keep the history until they are deleted (docs/press.md).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from publisher.content import press_list
from publisher.core.environment import Environment
from publisher.core.errors import ContentError
from publisher.core.settings import PublisherSettings
from publisher.engine.fanout import ERASED
from publisher.engine.ledger import Ledger
from publisher.engine.press import keys
from publisher.engine.press.planner import PLATFORM


@dataclass(frozen=True)
class Removed:
    entries: int  # entries of the press list
    rows: int  # ledger rows (deliveries)
    audits: int  # their audit rows
    files: int  # outbox .eml files and journal entries


def remove_entries(path: Path, address: str) -> int:
    """Take every entry with `address` out of the press list file; the rest stays as is."""
    if not path.is_file():
        return 0
    raw = path.read_text(encoding="utf-8")
    listed = press_list.load(path)
    wanted = press_list.normal_address(address)
    lines = [p.line for p in listed.journalists if press_list.normal_address(p.email) == wanted]
    # Entries left out as broken are found by their raw text.
    try:
        spans = press_list.entry_spans(raw)
    except ValueError as error:
        raise ContentError(path, 1, str(error)) from None
    text = raw.split("\n")
    doomed = [
        (start, end)
        for start, end in spans
        if start + 1 in lines
        or any(wanted == press_list.normal_address(w) for w in _addresses(text[start:end]))
    ]
    if not doomed:
        return 0
    keep = [line for number, line in enumerate(text) if not any(s <= number < e for s, e in doomed)]
    mode = path.stat().st_mode & 0o777
    handle, name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(keep))
    os.chmod(name, mode)
    os.replace(name, path)
    return len(doomed)


def _addresses(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        key, _, value = line.strip().lstrip("- ").partition(":")
        if key.strip() == "email":
            found.append(value.strip().strip("'\""))
    return found


def forget(
    settings: PublisherSettings, env: Environment, ledger: Ledger, address: str, now: dt.datetime
) -> Removed:
    entries = remove_entries(settings.press.list, address)
    try:
        key = keys.checked_key(ledger, keys.load_key(settings.root / "var", env, create=False))
    except keys.PressKeyError:
        if ledger.get_meta(keys.FINGERPRINT) is not None:
            raise  # deliveries exist, but not under this key: never pretend they are gone
        return Removed(entries, 0, 0, 0)  # no key was ever made: nothing was ever sent
    rid = press_list.recipient_id(key, address)
    pattern = f"mail:%:{rid}"
    conn = ledger.conn
    conn.execute("PRAGMA secure_delete = ON")
    with ledger.transaction():
        rows = conn.execute(
            "DELETE FROM posts WHERE platform = ? AND key LIKE ?", (PLATFORM, pattern)
        ).rowcount
        audits = conn.execute(
            "DELETE FROM audit WHERE platform = ? AND key LIKE ?", (PLATFORM, pattern)
        ).rowcount
        if rows or audits:
            why = f"a recipient's delivery history was removed on request ({rows} rows)"
            ledger._audit(now, "press:removal", PLATFORM, 0, None, "removed", why)
        ledger.set_meta(ERASED, now.isoformat())
    ledger.checkpoint()
    files = 0
    suffix = f"+{rid}"
    for folder, pattern_glob in (
        (settings.outbox / PLATFORM, f"*{suffix}.eml"),
        (settings.root / "var" / "mail" / "journal", f"*{suffix}.state.json"),
    ):
        for path in folder.glob(pattern_glob) if folder.is_dir() else ():
            path.unlink(missing_ok=True)
            files += 1
    return Removed(entries, rows, audits, files)
