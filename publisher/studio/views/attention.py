"""What needs a person: failed, unknown, dead and stale posts and paused platforms, with the
same actions as the CLI (retry, resolve, dismiss, pause, resume), audited in their name."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from publisher.engine import actions
from publisher.engine.ledger import STALE
from publisher.platforms import registry
from publisher.studio import ledger_view
from publisher.studio.accounts import User
from publisher.studio.web import done, error, render, studio_of, user_of


def attention(request: Request) -> Response:
    studio = studio_of(request)
    with ledger_view.reading(studio) as ledger:
        rows = (
            ledger.rows(states=ledger_view.ATTENTION, order="state, due_at, key, part")
            if ledger
            else []
        )
        stale = (
            ledger.rows(states=[STALE], order="updated_at DESC, key, part")[:20] if ledger else []
        )
        paused = ledger_view.paused(ledger)
    context = {
        "title": "Perlu tindakan",
        "nav": "attention",
        "rows": [(r, actions.fix_for(r)) for r in rows],
        "stale": [(r, actions.fix_for(r)) for r in stale],
        "paused": paused,
        "platforms": [(p, registry.label(p)) for p in studio.settings.platforms],
    }
    return render(request, "attention.html", context)


def _who(request: Request) -> User:
    user = user_of(request)
    assert user is not None  # the route's guard let only a logged-in editor through
    return user


def _text(form: FormData, name: str) -> str:
    return " ".join(str(form.get(name) or "").split())


def retry(request: Request, form: FormData) -> Response:
    key, platform = _text(form, "key"), _text(form, "platform") or None
    ledger_view.retry(studio_of(request), _who(request).name, key, platform)
    return done(request, "/attention", {}, done="retried", what=f"{key} ({platform or 'all'})")


def resolve(request: Request, form: FormData) -> Response:
    key, platform = _text(form, "key"), _text(form, "platform")
    part = int(_text(form, "part") or "1")
    sent = form.get("outcome") == "sent"
    url = _text(form, "url")
    if sent and not url.startswith(("https://", "http://")):
        return error(
            request,
            400,
            "Tulis alamat kiriman di platform (https://...) untuk mencatatnya terkirim.",
        )
    ledger_view.resolve(
        studio_of(request), _who(request).name, key, platform, part, url if sent else None
    )
    code = "resolved_sent" if sent else "resolved_not_sent"
    return done(request, "/attention", {}, done=code, what=f"{key} ({platform})")


def dismiss(request: Request, form: FormData) -> Response:
    key, platform, reason = _text(form, "key"), _text(form, "platform"), _text(form, "reason")
    ledger_view.dismiss(studio_of(request), _who(request).name, key, platform, reason)
    return done(request, "/attention", {}, done="dismissed", what=f"{key} ({platform})")


def pause(request: Request, form: FormData) -> Response:
    platform = _text(form, "platform")
    ledger_view.pause(studio_of(request), _who(request).name, platform, _text(form, "reason"))
    return done(request, "/attention", {}, done="paused", what=platform)


def resume(request: Request, form: FormData) -> Response:
    platform = _text(form, "platform")
    ledger_view.resume(studio_of(request), _who(request).name, platform)
    return done(request, "/attention", {}, done="resumed", what=platform)
