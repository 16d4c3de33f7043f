"""What each local platform server received, in one shape for every platform.

The engine's end-to-end tests compare posts across the outbox and the five real adapters;
each server keeps its posts the way its platform does (X's t.co text, Bluesky records,
Telegram messages), so this turns them into `Posted` records keyed by the remote id the
adapter reports (and the ledger stores). Fields a platform does not have are None, so a
test can tell "no alt text sent" from "this platform has no alt text".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.engine.ledger import Ledger


@dataclass(frozen=True)
class Posted:
    text: str  # as our adapter sent it, before the platform rewrote links
    images: int
    alts: tuple[str, ...] | None  # None: the platform takes no alt text (Facebook, Telegram)
    language: str | None  # None: the platform takes no language (X, Facebook, Telegram)
    reply_to: str | None  # the remote id of the post this one answers
    link: str | None = None  # Facebook's separate link field
    idempotency_key: str | None = None  # Mastodon only
    image_bytes: tuple[bytes, ...] = ()  # what arrived, where the server keeps the upload


def _x(server: Any) -> dict[str, Posted]:
    return {
        t["id"]: Posted(
            t["sent_text"], len(t["media_ids"]), tuple(t["alt"]), None, t["in_reply_to"]
        )
        for t in server.posts
    }


def _mastodon(server: Any) -> dict[str, Posted]:
    out = {}
    for s in server.posts:
        media = [server.media[m] for m in s["media_ids"]]
        out[s["id"]] = Posted(
            s["text"],
            len(media),
            tuple(m["description"] for m in media),
            s["language"],
            s["in_reply_to_id"],
            idempotency_key=s["idempotency_key"],
        )
    return out


def _bluesky(server: Any) -> dict[str, Posted]:
    out = {}
    for p in server.posts:
        record = p["record"]
        images = (record.get("embed") or {}).get("images", [])
        reply = record.get("reply")
        out[p["uri"]] = Posted(
            record["text"],
            len(images),
            tuple(i["alt"] for i in images),
            ",".join(record.get("langs") or []) or None,
            reply["parent"]["uri"] if reply else None,
        )
    return out


def _facebook(server: Any) -> dict[str, Posted]:
    out = {}
    for p in server.posts:
        photo = p["photo"]
        out[p["id"]] = Posted(
            p["message"],
            1 if photo else 0,
            None,
            None,
            None,
            link=p["link"],
            image_bytes=(photo.data,) if photo else (),
        )
    return out


def _telegram(server: Any) -> dict[str, Posted]:
    out = {}
    for m in server.posts:
        upload = m.get("upload")
        reply = m.get("reply_to")
        out[str(m["message_id"])] = Posted(
            m.get("text", m.get("caption", "")),
            1 if upload else 0,
            None,
            None,
            str(reply) if reply is not None else None,
            image_bytes=(upload.data,) if upload else (),
        )
    return out


READERS = {
    "x": _x,
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "facebook": _facebook,
    "telegram": _telegram,
}


def received(servers: dict[str, Any]) -> dict[str, dict[str, Posted]]:
    """platform -> remote id -> what that server accepted."""
    return {name: READERS[name](server) for name, server in servers.items()}


def from_outbox(outbox: Path) -> dict[str, dict[str, Posted]]:
    """The same shape from outbox files (remote id = file stem, as the outbox reports it)."""
    out: dict[str, dict[str, Posted]] = {}
    for path in sorted(outbox.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.setdefault(path.parent.name, {})[path.stem] = Posted(
            data["text"],
            len(data["media"]),
            tuple(m["alt"] for m in data["media"]),
            data["language"],
            data["reply_to"],
            link=data["link"],
        )
    return out


def by_ledger(
    ledger: Ledger, got: dict[str, dict[str, Posted]]
) -> dict[tuple[str, str, int], Posted]:
    """(platform, key, part) -> what arrived, matched through the remote ids in the ledger.

    Fails when a sent row has no post, and when a platform holds a post the ledger never
    sent: a repost is exactly what the engine must never make.
    """
    left = {platform: dict(posts) for platform, posts in got.items()}
    out = {}
    for row in ledger.rows(states=["sent"]):
        assert row.remote_id in left.get(row.platform, {}), (row, left.get(row.platform))
        out[(row.platform, row.key, row.part)] = left[row.platform].pop(row.remote_id)
    assert {p: posts for p, posts in left.items() if posts} == {}, "posts the ledger never sent"
    return out
