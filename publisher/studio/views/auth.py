"""Logging in and out, and the language of the studio."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from publisher.studio.security import fingerprint, local_next
from publisher.studio.web import LANG_COOKIE, redirect, render, studio_of, user_of


def login_page(request: Request) -> Response:
    if user_of(request) is not None:
        return redirect(local_next(request.query_params.get("next")))
    context = {"title": "Masuk", "next": request.query_params.get("next", "/"), "name": ""}
    return render(request, "login.html", context)


def login(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    name = " ".join(str(form.get("name") or "").split())
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "unknown"
    target = local_next(str(form.get("next") or "/"))
    context = {"title": "Masuk", "next": target, "name": name}
    wait = studio.throttle.wait(name, address)
    if wait:
        return render(request, "login.html", {**context, "wait": wait}, status=429)
    user = studio.accounts.check(name, password)
    if user is None:
        studio.throttle.failed(name, address)
        return render(request, "login.html", {**context, "failed": True}, status=401)
    studio.throttle.succeeded(name)
    # A new session (and nonce) at login: an id known before it is worth nothing after.
    request.state.session = studio.sessions.new(user.name, fingerprint(user.password_hash))
    request.state.session_changed = True
    return redirect(target)


def logout(request: Request, form: FormData) -> Response:
    studio = studio_of(request)
    studio.sessions.revoke(request.state.session)
    request.state.session = studio.sessions.new()
    request.state.session_changed = True
    return redirect("/login")


def language(request: Request) -> Response:
    chosen = "en" if request.query_params.get("to") == "en" else "id"
    response = RedirectResponse(local_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="strict")
    return response
