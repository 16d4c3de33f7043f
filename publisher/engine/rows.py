"""A ledger row as a person sees it: its fields in words, and what to do about it."""

from __future__ import annotations

from typing import Any

from publisher.core.timeutil import format_wib
from publisher.engine.ledger import DEAD, FAILED, STALE, UNKNOWN, Row


def fix_for(row: Row) -> str:
    """The command (or step) that deals with a row needing attention."""
    who = f"{row.key} --platform {row.platform}"
    if row.state == FAILED:
        when = format_wib(row.next_attempt_at) if row.next_attempt_at else "soon"
        return f"retried automatically at {when}; now: publisher retry {who}"
    never = f"; or, never to post it: publisher dismiss {who} --reason TEXT"
    if row.state == DEAD and row.cause == "compose":
        return "fix the post's text or image (it is recomposed on the next tick)" + never
    if row.state == DEAD:
        return f"fix the cause above, then: publisher retry {who}" + never
    if row.state == UNKNOWN and row.next_attempt_at is not None:
        return f"nothing yet: the publisher looks for it at {format_wib(row.next_attempt_at)}"
    if row.state == UNKNOWN:
        return (
            f"look on {row.platform}, then: publisher resolve {who} --sent URL  "
            f"(or --not-sent to send it again)"
        )
    if row.state == STALE:
        return (
            f"to post it anyway: publisher retry {who}; to accept that it never goes out: "
            f"publisher dismiss {who} --reason TEXT"
        )
    return ""


def row_dict(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "platform": row.platform,
        "part": row.part,
        "parts": row.parts,
        "state": row.state,
        "due": format_wib(row.due_at),
        "attempts": row.attempts,
        "reason": row.reason,
        "url": row.url,
        "sent_at": format_wib(row.sent_at) if row.sent_at else None,
        "next_attempt": format_wib(row.next_attempt_at) if row.next_attempt_at else None,
        "fix": fix_for(row),
    }
