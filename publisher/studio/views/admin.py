"""Settings (admins: approval on or off, pushing each commit) and "publish now" (editors)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from publisher.studio import approving, gitrepo, publishing
from publisher.studio.web import done, render, studio_of, user_of


def settings_page(request: Request) -> Response:
    studio = studio_of(request)
    context = {
        "title": "Pengaturan",
        "nav": "settings",
        "required": studio.approvals().required,
        "push": studio.local()["push"],
        "repository": gitrepo.is_repository(studio.root),
        "upstream": gitrepo.has_upstream(studio.root),
        "accounts": sorted(studio.accounts.users().values(), key=lambda u: u.name),
    }
    return render(request, "settings.html", context)


def save_settings(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    user = user_of(request)
    assert user is not None
    studio.set_local(push=form.get("push") == "on")
    required = form.get("approval") == "on"
    note = commit = ""
    if required != studio.approvals().required:
        saved = approving.set_required(studio, user, required)
        commit, note = saved.commit, saved.note
    return done(request, "/settings", {}, done="settings", commit=commit, note=note)


def publish_page(request: Request) -> Response:
    context = {
        "title": "Terbitkan sekarang",
        "nav": "overview",
        "job": publishing.current(studio_of(request)),
    }
    return render(request, "publish.html", context)


def publish(request: Request, form: FormData) -> Response:
    user = user_of(request)
    assert user is not None
    publishing.start(studio_of(request), user.name)
    return done(request, "/publish", {}, done="publishing")
