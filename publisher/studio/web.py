"""The seams every request passes: the session and security headers (middleware), and the
guard of every route (login, role, CSRF token), declared once in the route table.

A page is `page(path, view, role)`: GET only, a login and the role required. An action is
`action(path, view, role)`: POST only, a login, the role, the form's CSRF token and, when
the browser sends one, an Origin of this very site; the view gets the parsed form. Views
are plain functions run in a worker thread (the library they call is blocking).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from publisher.core.errors import PublisherError
from publisher.core.timeutil import format_wib, to_wib
from publisher.platforms import registry
from publisher.studio import words
from publisher.studio.accounts import ROLES, User
from publisher.studio.render import post_segments
from publisher.studio.security import COOKIE, HEADERS, SESSION_SECONDS, fingerprint
from publisher.studio.state import Studio

LOG = logging.getLogger("publisher.studio")
PageView = Callable[[Request], Response]
ActionView = Callable[[Request, FormData], Response]
LANG_COOKIE = "studio_lang"
MAX_FORM_PART = 6 * 1024 * 1024  # a content file may have 5 MB (frontmatter.MAX_FILE_BYTES)


def studio_of(request: Request) -> Studio:
    return request.app.state.studio  # type: ignore[no-any-return]


def user_of(request: Request) -> User | None:
    return getattr(request.state, "user", None)


class SessionMiddleware(BaseHTTPMiddleware):
    """Loads the session and its user, sets the cookie and the site's security headers."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            return _secured(PlainTextResponse("Method not allowed", status_code=405))
        studio = studio_of(request)
        session = studio.sessions.loads(request.cookies.get(COOKIE))
        fresh = session is None
        if session is None:
            session = studio.sessions.new()
        user = studio.accounts.get(session.user) if session.user else None
        if session.user and (
            user is None or fingerprint(user.password_hash) != session.fingerprint
        ):
            session, user, fresh = studio.sessions.new(), None, True  # removed, or a new password
        request.state.session = session
        request.state.user = user
        request.state.lang = "en" if request.cookies.get(LANG_COOKIE) == "en" else "id"
        response = await call_next(request)
        session = request.state.session
        if fresh or getattr(request.state, "session_changed", False):
            response.set_cookie(
                COOKIE,
                studio.sessions.dumps(session),
                max_age=SESSION_SECONDS,
                httponly=True,
                samesite="strict",
                secure=studio.secure_cookies or request.url.scheme == "https",
                path="/",
            )
        static = request.url.path.startswith("/static/")
        return _secured(response, cache="public, max-age=31536000, immutable" if static else None)


def _secured(response: Response, cache: str | None = None) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    if cache:
        response.headers["Cache-Control"] = cache
    return response


@dataclass(frozen=True)
class Guard:
    role: str | None  # None: no login needed (the login page, static files)


def page(path: str, view: PageView, role: str | None = "writer", name: str | None = None) -> Route:
    async def endpoint(request: Request) -> Response:
        refused = _refuse(request, role, post=False)
        if refused is not None:
            return refused
        return await _run(request, view, request)

    route = Route(path, endpoint, methods=["GET"], name=name or view.__name__)
    route.guard = Guard(role)  # type: ignore[attr-defined]
    return route


def action(
    path: str, view: ActionView, role: str | None = "writer", name: str | None = None
) -> Route:
    async def endpoint(request: Request) -> Response:
        refused = _refuse(request, role, post=True)
        if refused is not None:
            return refused
        form = await request.form(max_part_size=MAX_FORM_PART)
        studio = studio_of(request)
        token = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
        if not studio.sessions.csrf_ok(request.state.session, token) or not _same_origin(request):
            return error(request, 403, words.FORM_EXPIRED)
        return await _run(request, view, request, form)

    route = Route(path, endpoint, methods=["POST"], name=name or view.__name__)
    route.guard = Guard(role)  # type: ignore[attr-defined]
    return route


def _refuse(request: Request, role: str | None, post: bool) -> Response | None:
    if role is None:
        return None
    user = user_of(request)
    if user is None:
        if post:
            return error(request, 403, words.LOGIN_FIRST)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if not user.may(role):
        return error(request, 403, words.role_needed(role, request.state.lang))
    return None


def _same_origin(request: Request) -> bool:
    """Defence in depth beside the token: a browser that says where a form came from must
    say this site. Under our no-referrer policy Chromium sends `Origin: null` even for our
    own forms, so Sec-Fetch-Site is asked first."""
    fetched = request.headers.get("sec-fetch-site")
    if fetched is not None:
        return fetched in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    host = request.headers.get("host", "")
    return origin in (f"{request.url.scheme}://{host}", f"https://{host}", f"http://{host}")


async def _run(request: Request, view: Callable[..., Response], *args: Any) -> Response:
    try:
        return await run_in_threadpool(view, *args)
    except PublisherError as exc:  # the library's message names the fix: show it as it is
        return error(request, 409, "\n".join(exc.lines()))
    except Exception:  # a bug: logged with its traceback; the person gets a page, not a trace
        LOG.exception("%s %s failed", request.method, request.url.path)
        return error(request, 500, words.BROKEN)


def error(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"message": message, "status": status}, status=status)


# --- templates ------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("publisher.studio", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wib"] = format_wib
    env.filters["wib_time"] = lambda moment: format_wib(moment, with_date=False)
    env.filters["wib_day"] = lambda moment: to_wib(moment).strftime("%Y-%m-%d")
    return env


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    studio = studio_of(request)
    lang = getattr(request.state, "lang", "id")
    session = getattr(request.state, "session", None)
    user = user_of(request)
    values = {
        "request": request,
        "user": user,
        "roles": ROLES,
        "lang": lang,
        "_": words.translator(lang),
        "day_name": words.day_name(lang),
        "state_label": words.state_label(lang),
        "month_name": words.month_name(lang),
        "csrf_token": studio.sessions.csrf_token(session) if session else "",
        "static": request.app.state.static_url,
        "now": studio.now(),
        "path": request.url.path,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "role_label": lambda role: words.ROLE_LABELS.get(role, role),
        "kind_label": lambda kind: words.KIND_LABELS.get(kind, kind),
        "field_label": lambda key: words.FIELD_LABELS.get(key, key),
        "post_segments": post_segments,
        "platform_label": _platform_label,
        "notices": words.notices(lang, _carried(request)),
        "nav": "",
        "site_name": str(studio.project.conf().get("SITENAME") or "Studio"),
        **context,
    }
    html = request.app.state.templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def _platform_label(name: str) -> str:
    return registry.label(name) if name in registry.PLATFORMS else name


def redirect(path: str, **params: Any) -> RedirectResponse:
    """303 to `path` (after a POST) with these query parameters."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return RedirectResponse(path + (f"?{urlencode(clean)}" if clean else ""), status_code=303)


def done(request: Request, path: str, keep: Mapping[str, Any], **message: Any) -> RedirectResponse:
    """303 to `path` telling the person what happened (done=CODE, what, commit, note). The
    message travels signed in `m`: a link made elsewhere cannot put words on our page."""
    clean = {k: str(v) for k, v in message.items() if v not in (None, "")}
    signed = studio_of(request).sessions.signer.dumps(clean, salt="studio-message")
    return redirect(path, **keep, m=signed)


def _carried(request: Request) -> dict[str, str]:
    value = request.query_params.get("m")
    if not value:
        return {}
    try:
        found = studio_of(request).sessions.signer.loads(value, salt="studio-message", max_age=600)
    except Exception:  # a tampered or old message is simply not shown
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
