"""A new post in a campaign's calendar, from a form: the studio writes its YAML block (the
format of docs/writing.md), `check` judges it, and it is saved like any edit."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from publisher.content import approvals
from publisher.platforms import registry
from publisher.studio import document, items, saving
from publisher.studio.web import done, error, render, studio_of, user_of


def post_block(form: FormData, platforms: list[str]) -> list[str]:
    """The post's YAML lines; every value quoted where YAML would read it otherwise, and the
    text as a `|` block (no line of it can end the block)."""
    text = str(form.get("text") or "").replace("\r\n", "\n").strip("\n")
    block = [
        f"  - id: {document.scalar(' '.join(str(form.get('id') or '').split()))}",
        f"    at: {document.scalar(' '.join(str(form.get('at') or '').split()))}",
    ]
    if platforms:
        block.append(f"    platforms: [{', '.join(platforms)}]")
    block.append("    text: |")
    block += [f"      {line}" if line.strip() else "" for line in text.split("\n")]
    link = " ".join(str(form.get("link") or "").split())
    if link:
        block.append(f"    link: {document.scalar(link)}")
    if form.get("thread") == "on":
        block.append("    thread: true")
    return block


def add_post(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    path = saving.editable(studio, str(form.get("file") or ""))
    item = items.load(studio).by_rel(approvals.file_key(studio.root, path))
    if item is None or item.campaign is None:
        return error(request, 404, "Naskah ini tidak ditemukan.")
    chosen = [p for p in form.getlist("platforms") if p in registry.PLATFORMS]
    platforms = [] if set(chosen) == set(item.campaign.platforms) else chosen
    current = saving.read(path)
    text = document.with_post(current, post_block(form, platforms))
    post_id = " ".join(str(form.get("id") or "").split())
    result = saving.save(studio, user, path, str(form.get("base") or ""), text,
                         f"Studio: add post {post_id} to {item.rel}")  # fmt: skip
    if not result.saved:
        context = {
            "title": item.title,
            "nav": "items",
            "item": item,
            "problems": [p for p in result.problems if p.severity == "error"],
            "conflict": result.conflict,
            "values": {k: str(v) for k, v in form.items()},
            "chosen": chosen,
            "base": document.digest(current),
        }
        return render(request, "post_form.html", context, status=409 if result.conflict else 422)
    return done(request, "/item", {"file": item.rel, "post": post_id}, done="saved",
                what=f"{item.rel} ({post_id})", commit=result.commit, note=result.note)  # fmt: skip
