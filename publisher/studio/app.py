"""The studio's ASGI application: the route table (each route's guard declared here, once),
the middleware and the static files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from importlib import resources

# Starlette parses forms with python-multipart and imports it only at the first form: import
# it here so a missing package stops the studio at start, not at a staff member's login.
import python_multipart  # noqa: F401
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from publisher.core.project import Project
from publisher.core.timeutil import utc_now
from publisher.studio.state import Studio
from publisher.studio.views import (
    admin,
    attention,
    auth,
    calendar,
    edit,
    files,
    items,
    overview,
    posts,
    report,
)
from publisher.studio.web import SessionMiddleware, action, environment, page

MAX_BODY = 8 * 1024 * 1024


def routes() -> list[BaseRoute]:
    return [
        page("/login", auth.login_page, role=None),
        action("/login", auth.login, role=None, name="login_post"),
        action("/logout", auth.logout, role="writer"),
        page("/lang", auth.language, role=None),
        page("/", overview.overview),
        page("/calendar", calendar.calendar),
        page("/items", items.item_list),
        page("/item", items.item_page),
        action("/approve", items.approve, role="editor"),
        action("/approve-posts", items.approve_posts, role="editor"),
        page("/new", edit.new_page),
        action("/new", edit.new_file, name="new_post"),
        page("/edit", edit.edit_page),
        action("/edit", edit.save, name="edit_post"),
        action("/check", edit.check),
        action("/add-post", posts.add_post),
        page("/attention", attention.attention),
        action("/attention/retry", attention.retry, role="editor"),
        action("/attention/resolve", attention.resolve, role="editor"),
        action("/attention/dismiss", attention.dismiss, role="editor"),
        action("/platforms/pause", attention.pause, role="editor"),
        action("/platforms/resume", attention.resume, role="editor"),
        page("/publish", admin.publish_page, role="editor"),
        action("/publish", admin.publish, role="editor", name="publish_post"),
        page("/settings", admin.settings_page, role="admin"),
        action("/settings", admin.save_settings, role="admin", name="settings_post"),
        page("/report", report.report_list),
        page("/report/{name}", report.report_file),
        page("/site/{path:path}", files.site_file),
        page("/files/{path:path}", files.content_file),
        Mount("/static", StaticFiles(packages=[("publisher.studio", "static")]), name="static"),
    ]


def create_app(
    project: Project,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
    secure_cookies: bool = False,
    environ: dict[str, str] | None = None,
) -> Starlette:
    studio = Studio(project, clock=clock, secure_cookies=secure_cookies, environ=environ)
    app = Starlette(
        routes=routes(), middleware=[Middleware(SessionMiddleware)], max_body_size=MAX_BODY
    )
    app.state.studio = studio
    app.state.templates = environment()
    versions = _static_versions()
    app.state.static_url = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
    return app


def _static_versions() -> dict[str, str]:
    """A digest per static file: its address changes when it does, so it can be cached."""
    folder = resources.files("publisher.studio") / "static"
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:10]
        for f in folder.iterdir()
        if f.is_file()
    }
