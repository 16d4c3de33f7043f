"""Structured log lines: one per ledger event, with the fields an operator greps for.

The scheduler logs a human message and passes the event's fields with `extra=event(...)`;
the formatters here write them as `key=value` pairs (the default, for journald and cron
mail) or as one JSON object per line (`--log-format json`, for a log shipper):

    2027-03-02 10:00:00,532 INFO event=sent key=item:uji-baru platform=x part=1/1 state=sent url=...

Every line passes through the secret redactor as its last step, so a token inside an
exception text or a library's message never reaches the journal; then control characters
are shown as escapes (`printable`), so a platform's answer cannot move the cursor, clear a
terminal or start a forged line in the journal or cron's mail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from publisher.engine.ledger.schema import Row

FORMATS = ("text", "json")
# The order fields appear in a text line; anything else an event carries follows.
FIELD_ORDER = ("event", "key", "platform", "part", "state", "url", "remote_id", "retry_at")
_PLAIN = re.compile(r"^[\w.:/@+%?&=#~,-]+$")

Redact = Callable[[str], str]

# C0 and C1 controls (ESC, CR, LF, BEL...), DEL, and the Unicode controls that reorder or
# break lines (bidirectional overrides and isolates, line and paragraph separators).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character written as an escape (`\x1b`, `\n`, `\u202e`):
    text from a platform or from content shows as text, never as a terminal command."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unchanged(text: str) -> str:
    return text


def event(
    name: str,
    key: str,
    platform: str,
    part: int,
    parts: int,
    state: str,
    **more: Any,
) -> dict[str, Any]:
    """The `extra=` of a log call: `{"event": {...}}` (None values are left out)."""
    fields: dict[str, Any] = {
        "event": name,
        "key": key,
        "platform": platform,
        "part": f"{part}/{parts}",
        "state": state,
    }
    for field, value in more.items():
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if value is not None and value != "":
            fields[field] = value
    return {"event": fields}


def row_event(name: str, row: Row, state: str, **more: Any) -> dict[str, Any]:
    return event(name, row.key, row.platform, row.part, row.parts, state, **more)


def logfmt_value(value: Any) -> str:
    text = str(value)
    return text if _PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


def logfmt(fields: dict[str, Any]) -> str:
    ordered = [f for f in FIELD_ORDER if f in fields]
    ordered += sorted(f for f in fields if f not in FIELD_ORDER and f != "reason")
    if "reason" in fields:  # free text last, so the fixed fields line up in a terminal
        ordered.append("reason")
    return " ".join(f"{name}={logfmt_value(fields[name])}" for name in ordered)


def _redacted(fields: dict[str, Any], redact: Redact) -> dict[str, Any]:
    # Each value before it is quoted: escaping could otherwise turn a secret that contains
    # a quote or a backslash into a text the redactor no longer finds.
    return {k: redact(v) if isinstance(v, str) else v for k, v in fields.items()}


class TextFormatter(logging.Formatter):
    """`time LEVEL event=... key=...` for events, `time LEVEL message` for the rest."""

    def __init__(self, redact: Redact = unchanged, with_time: bool = True) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s" if with_time else "%(message)s")
        self.redact = redact

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "event", None)
        if isinstance(fields, dict):  # a copy: other handlers still see the human message
            line = printable(logfmt(_redacted(fields, self.redact)))
        else:  # a traceback, added after the message by `format`, keeps its lines
            line = printable(record.message)
        record = logging.makeLogRecord({**record.__dict__, "message": line})
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, the event's fields, message."""

    def __init__(self, redact: Redact = unchanged) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "event", None)
        if isinstance(fields, dict):
            data.update(fields)
        data["message"] = record.getMessage()
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(_redacted(data, self.redact), ensure_ascii=False)


def formatter(kind: str, redact: Redact = unchanged, with_time: bool = True) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(redact)
    return TextFormatter(redact, with_time)
