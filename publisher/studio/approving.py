"""Recording approvals in data/approvals.yaml (read by publisher.content.approvals): an
editor approves the text they saw, and the record is one git commit in their name.
"""

from __future__ import annotations

from dataclasses import replace

from publisher.content import approvals
from publisher.content.approvals import Approval, Approvals
from publisher.core.errors import PublisherError
from publisher.studio import gitrepo, items
from publisher.studio.accounts import User
from publisher.studio.state import Studio, write_atomic


class ApprovalError(PublisherError):
    """An approval that cannot be recorded as asked (the text changed, nothing to approve)."""


def approve(
    studio: Studio, user: User, rel: str, post_id: str, seen: str
) -> tuple[str, gitrepo.Saved]:
    """Approve the item (or one calendar post) with the text whose digest the editor saw."""
    with studio.write_lock:
        library = items.load(studio)
        item = library.by_rel(rel)
        if item is None or item.kind == "page" or (item.kind == "campaign" and not post_id):
            raise ApprovalError(f"{rel}: nothing to approve there")
        if post_id:
            post = next((p for p in item.posts() if p.id == post_id), None)
            if post is None:
                raise ApprovalError(f"{rel}: the calendar has no post '{post_id}' any more")
            key = approvals.post_key(studio.root, item.path, post_id)
            digest = approvals.post_digest(post)
        else:
            key, digest = item.rel, item.digest
        if digest != seen:
            raise ApprovalError(
                f"{key}: the text changed since you opened it; read it again, then approve"
            )
        current = studio.approvals()
        record = Approval(key, digest, user.name, studio.now())
        done = _write(studio, user, replace(current, records={**current.records, key: record}),
                      f"Studio: approve {key}")  # fmt: skip
    return key, done


def approve_posts(studio: Studio, user: User, rel: str, seen: str) -> gitrepo.Saved:
    """Approve every post of a campaign calendar as the file is now (`seen`: its digest)."""
    with studio.write_lock:
        library = items.load(studio)
        item = library.by_rel(rel)
        if item is None or item.campaign is None:
            raise ApprovalError(f"{rel}: not a campaign")
        if item.digest != seen:
            raise ApprovalError(f"{rel}: the file changed since you opened it; read it again")
        current = studio.approvals()
        records = dict(current.records)
        for post in item.posts():
            key = approvals.post_key(studio.root, item.path, post.id)
            records[key] = Approval(key, approvals.post_digest(post), user.name, studio.now())
        return _write(studio, user, replace(current, records=records),
                      f"Studio: approve every post of {rel}")  # fmt: skip


def set_required(studio: Studio, user: User, required: bool) -> gitrepo.Saved:
    """Switch approval on or off. Switching it on approves, in this person's name, every
    article and release that is live now, as it is: the site does not go dark. Whatever is
    not live yet (scheduled items, calendar posts to come) then waits for an editor."""
    with studio.write_lock:
        current = studio.approvals()
        records = dict(current.records)
        if required and not current.required:
            now = studio.now()
            for item in items.load(studio).items:
                live = item.golive is not None and item.golive <= now
                if item.kind in ("article", "release") and item.status == "published" and live:
                    records[item.rel] = Approval(item.rel, item.digest, user.name, now)
        state = "on" if required else "off"
        return _write(studio, user, Approvals(current.root, required, records),
                      f"Studio: approval {state}")  # fmt: skip


def _write(studio: Studio, user: User, value: Approvals, message: str) -> gitrepo.Saved:
    path = approvals.path_of(studio.root)
    write_atomic(path, approvals.dump(value))
    return gitrepo.commit(studio.root, [path], message, user, push=studio.local()["push"])
