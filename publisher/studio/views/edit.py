"""Writing: a new file from `publisher new`'s templates, and the editor of an existing one
(its fields, its Markdown body with a rendered preview, and `check`'s problems beside the
field or line they concern). Saving refuses errors and files changed on disk meanwhile."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from publisher.content import approvals
from publisher.content.check import check_tree
from publisher.content.scaffold import FOLDERS
from publisher.core.errors import Problem
from publisher.studio import document, items, saving
from publisher.studio.checking import check_text
from publisher.studio.document import Document
from publisher.studio.render import markdown_html, preview_document
from publisher.studio.web import done, error, render, studio_of, user_of

KINDS = {"post": "Berita baru", "release": "Siaran pers baru", "campaign": "Kampanye baru"}


def new_page(request: Request) -> Response:
    kind = request.query_params.get("kind", "post")
    if kind not in FOLDERS:
        return error(request, 404, "Jenis naskah ini tidak ada.")
    context = {"title": KINDS[kind], "nav": "items", "kind": kind, "heading": KINDS[kind]}
    return render(request, "new.html", context)


def new_file(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    kind = str(form.get("kind") or "post")
    if kind not in FOLDERS:
        return error(request, 400, "Jenis naskah ini tidak ada.")
    title = " ".join(str(form.get("title") or "").split())
    path, saved = saving.new_file(studio, user, kind, title, str(form.get("slug") or "").strip())
    rel = approvals.file_key(studio.root, path)
    return done(request, "/edit", {"file": rel}, done="created", what=rel,
                commit=saved.commit, note=saved.note)  # fmt: skip


def edit_page(request: Request) -> Response:
    studio = studio_of(request)
    path = saving.editable(studio, request.query_params.get("file", ""))
    text = saving.read(path)
    problems = [p for p in check_tree(studio.root, only=[path])]
    return _form(request, path, text, document.digest(text), problems)


def _candidate(request: Request, form: FormData) -> tuple[Path, Document, str]:
    studio = studio_of(request)
    path = saving.editable(studio, str(form.get("file") or ""))
    source = document.parse(str(form.get("source") or saving.read(path)))
    values = {k: str(v) for k, v in form.items() if k.startswith("field:") or k == "body"}
    return path, source, document.rebuild(source, values, str(form.get("extra") or ""))


def save(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    path, _source, text = _candidate(request, form)
    base = str(form.get("base") or "")
    if form.get("action") != "save":
        return _form(request, path, text, base, check_text(studio.project, path, text))
    result = saving.save(studio, user, path, base, text)
    if result.conflict:
        return _form(request, path, text, base, result.problems, conflict=True, status=409)
    if not result.saved:
        return _form(request, path, text, base, result.problems, refused=True, status=422)
    rel = approvals.file_key(studio.root, path)
    return done(request, "/edit", {"file": rel}, done="saved", what=rel,
                commit=result.commit, note=result.note)  # fmt: skip


def check(request: Request, form: FormData) -> Response:
    """For the editor's script: the problems and the rendered body of the text as typed."""
    studio = studio_of(request)
    path, _source, text = _candidate(request, form)
    doc = document.parse(text)
    rest = doc.place(check_text(studio.project, path, text))
    return JSONResponse(
        {
            "fields": {f.key: [_line(p) for p in f.problems] for f in doc.fields},
            "body": [_line(p) for p in rest if p.line >= doc.body_line],
            "general": [_line(p) for p in rest if p.line < doc.body_line],
            "preview": _preview(request, doc),
        }
    )


def _line(problem: Problem) -> dict[str, object]:
    return {"line": problem.line, "severity": problem.severity, "message": problem.message}


def _preview(request: Request, doc: Document) -> str:
    conf = studio_of(request).project.conf()
    stylesheet = request.app.state.static_url("preview.css")
    return preview_document(markdown_html(doc.body, conf), request.state.lang, stylesheet)


def _form(
    request: Request,
    path: Path,
    text: str,
    base: str,
    problems: list[Problem],
    conflict: bool = False,
    refused: bool = False,
    status: int = 200,
) -> Response:
    studio = studio_of(request)
    rel = approvals.file_key(studio.root, path)
    doc = document.parse(text)
    rest = doc.place(problems)
    library = items.load(studio)
    item = library.by_rel(rel)
    context = {
        "title": item.title if item else rel,
        "nav": "items",
        "rel": rel,
        "item": item,
        "doc": doc,
        "base": base,
        "body_problems": [p for p in rest if p.line >= doc.body_line],
        "general": [p for p in rest if p.line < doc.body_line],
        "errors": sum(p.severity == "error" for p in problems),
        "conflict": conflict,
        "refused": refused,
        "disk": saving.read(path) if conflict else "",
        "approval": library.approval_state(item) if item else "off",
        "preview": _preview(request, doc),
        "choices": _choices(doc),
    }
    return render(request, "edit.html", context, status=status)


def _choices(doc: Document) -> Mapping[str, tuple[str, ...]]:
    """Fields with a fixed set of values get a list to pick from (the values `check` knows)."""
    known = {
        "status": ("published", "draft"),
        "lang": ("id", "en"),
        "translation": ("false", "true"),
    }
    return {
        f.key: known[f.key]
        for f in doc.fields
        if f.simple and f.key in known and f.value in known[f.key]
    }
