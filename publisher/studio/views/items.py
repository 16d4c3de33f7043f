"""The list of files, one item's page (state, approval, each network's card, history), and
the approval actions."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from publisher.content import approvals
from publisher.content.campaigns import CalendarPost
from publisher.content.scaffold import next_round_time
from publisher.core.errors import PublisherError
from publisher.studio import approving, document, gitrepo, items, ledger_view, previews, saving
from publisher.studio.items import KINDS, Item, Library
from publisher.studio.security import inside
from publisher.studio.state import Studio
from publisher.studio.web import done, error, render, studio_of, user_of


def item_list(request: Request) -> Response:
    studio = studio_of(request)
    library = items.load(studio)
    kind = request.query_params.get("kind", "")
    shown = [i for i in library.items if not kind or i.kind == kind]
    states = {i.rel: library.approval_state(i) for i in shown}
    context = {"title": "Naskah", "nav": "items", "items": shown, "kind": kind, "kinds": KINDS,
               "approval": states}  # fmt: skip
    return render(request, "items.html", context)


def item_page(request: Request) -> Response:
    studio = studio_of(request)
    library = items.load(studio)
    params = request.query_params
    key = params.get("key", "")
    post = None
    if params.get("file"):
        item = library.by_rel(params["file"])
        if item is not None and params.get("post") and item.campaign:
            post = next((p for p in item.campaign.posts if p.id == params["post"]), None)
            key = items.calendar_post_key(item.campaign, post) if post else ""
        elif item is not None:
            key = item.key
    else:
        item, post = library.by_key(key)
    if item is None and not key:
        return error(request, 404, "Naskah ini tidak ditemukan.")
    with ledger_view.reading(studio) as ledger:
        rows = ledger.rows(key=key) if ledger and key else []
        audit = ledger.audit(key) if ledger and key else []
        cards, card_error = [], ""
        if key and (item is None or item.kind != "campaign" or post is not None):
            try:
                cards = previews.cards(studio, library, key, ledger)
            except PublisherError as exc:
                card_error = str(exc)
    context = {
        "title": (post.id if post else item.title) if item else key,
        "nav": "calendar",
        "item": item,
        "post": post,
        "key": key,
        "rows": rows,
        "audit": audit[-30:],
        "cards": cards,
        "card_error": card_error,
        "approval": _approval(library, item, post),
        "posts": _posts(library, item) if item and item.campaign and post is None else [],
        "built": _built(studio, item),
        "history": gitrepo.history(studio.root, item.path) if item else [],
        "problems": item.problems if item else [],
        "new_post": _new_post(studio, item) if item and item.campaign else {},
        "base": document.digest(saving.read(item.path)) if item and item.campaign else "",
    }
    return render(request, "item.html", context)


def _new_post(studio: Studio, item: Item) -> dict[str, str]:
    """A new post's first values: the next free id, the next full hour (as `publisher new`)."""
    taken = {p.id for p in item.posts()}
    number = len(taken) + 1
    while f"pos-{number:02d}" in taken:
        number += 1
    when = next_round_time(studio.now()).strftime("%Y-%m-%d %H:%M")
    return {"id": f"pos-{number:02d}", "at": when, "text": "", "link": "", "thread": ""}


def _approval(library: Library, item: Item | None, post: CalendarPost | None) -> dict[str, Any]:
    if item is None:
        return {"state": "off"}
    state = library.approval_state(item, post)
    if post is not None:
        key, digest = library.post_key(item, post), approvals.post_digest(post)
    else:
        key, digest = item.rel, item.digest
    return {
        "state": state,
        "required": library.approvals.required,
        "record": library.approvals.records.get(key),
        "digest": digest,
        "possible": item.kind in ("article", "release") or post is not None,
    }


def _posts(library: Library, item: Item) -> list[tuple[CalendarPost, str]]:
    return [(p, library.approval_state(item, p)) for p in item.posts()]


def _built(studio: Studio, item: Item | None) -> str:
    """The built page of the item on this machine, if there is one."""
    if item is None or not item.url:
        return ""
    page = inside(studio.project.layout.output, item.url)
    return f"/site/{item.url}" if page is not None and (page / "index.html").is_file() else ""


def approve(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    rel = str(form.get("file") or "")
    post = str(form.get("post") or "")
    key, saved = approving.approve(studio, user, rel, post, str(form.get("digest") or ""))
    return done(
        request, "/item", {"file": rel, "post": post},
        done="approved", what=key, commit=saved.commit, note=saved.note,
    )  # fmt: skip


def approve_posts(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    rel = str(form.get("file") or "")
    saved = approving.approve_posts(studio, user, rel, str(form.get("digest") or ""))
    return done(
        request, "/item", {"file": rel},
        done="approved_all", what=rel, commit=saved.commit, note=saved.note,
    )  # fmt: skip
