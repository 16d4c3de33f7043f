"""A Telegram channel through the Bot API over plain HTTP (python-telegram-bot is async-only).

Text goes out with `parse_mode=HTML`: every character of our text is escaped, and each URL
becomes an <a href> whose visible text is the URL itself, so what Telegram counts (the text
after entity parsing) is exactly our text: 4096 UTF-16 units, 1024 for a photo caption.
The bot token is part of every URL (`/bot<token>/method`): messages never show a URL or an
exception text that could carry it. The Bot API cannot read a channel's history, so `lookup`
cannot tell (None).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from typing import Any

import requests

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms import counters
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    MediaProblem,
    Stop,
    accepted,
    check_text,
    credentials,
    deadline_session,
    guard_logs,
    load_media,
    media_request,
    network_failure,
    permanent,
    rate_limited,
    retry_after,
    retryable,
    scrub,
    server_error,
    unknown,
    verified,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.counting.twitter import find_urls
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.spec import PlatformSpec

DEFAULT_BASE_URL = "https://api.telegram.org"


def count_utf16(text: str, limits: PlatformLimits) -> int:
    return counters.utf16_length(text)


SPEC = PlatformSpec(
    name="telegram",
    label="Telegram",
    limits=PlatformLimits("telegram", 4096, 1024, None, 1, 10 * 1024 * 1024, False),
    counter=count_utf16,
    credentials=("TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"),
    secrets=("TELEGRAM_BOT_TOKEN",),
    optional=("TELEGRAM_BASE_URL",),
    can_lookup=False,  # the Bot API cannot read a channel's history
    lookup_reads="nothing: the Bot API cannot read a channel's history",
    # No lookup, so no wait: an unknown outcome goes to a person at once.
    visible_within=dt.timedelta(0),
    lookup_window=dt.timedelta(0),
    read_after_write=False,
    id_format=re.compile(r"[1-9][0-9]{0,15}"),  # a message id: a positive integer
    post_hosts=("t.me",),
)
VARIABLES = SPEC.credentials
ADMIN_FIX = (
    "add the bot to the channel as an administrator allowed to post messages "
    "(channel > Administrators > Add admin)"
)


def to_html(text: str) -> str:
    """Our text in Telegram's HTML: <, > and & escaped, URLs as links showing themselves."""
    out, position = [], 0
    for start, end, url in find_urls(text, bare_domains=False):
        out.append(html.escape(text[position:start], quote=False))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>')
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def message_url(chat: dict[str, Any], message_id: int | str) -> str | None:
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):  # a private channel: links work for its members
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return None


class TelegramAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> TelegramAdapter:
        return cls(
            env.get("TELEGRAM_BOT_TOKEN"),
            env.get("TELEGRAM_CHAT_ID"),
            context.limits,
            base_url=env.get("TELEGRAM_BASE_URL") or DEFAULT_BASE_URL,
            clock=context.clock,
        )

    def __init__(
        self,
        bot_token: str,
        chat_id: str,
        limits: PlatformLimits | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        session: requests.Session | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(limits)
        self.clock = clock
        self._token = bot_token
        guard_logs([bot_token])
        self.chat_id = chat_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = deadline_session(timeout, deadline, session=session)

    def _url(self, method: str) -> str:
        return f"{self.base_url}/bot{self._token}/{method}"

    # --- post ------------------------------------------------------------------------
    def _fields(self, part: DraftPart, reply_to: str | None) -> tuple[str, dict[str, Any]]:
        fields: dict[str, Any] = {"chat_id": self.chat_id, "parse_mode": "HTML"}
        if reply_to:
            fields["reply_parameters"] = {"message_id": int(reply_to)}
        if part.media:
            return "sendPhoto", {**fields, "caption": to_html(part.text)}
        return "sendMessage", {**fields, "text": to_html(part.text)}

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        method, fields = self._fields(part, reply_to)
        request = {
            "endpoint": f"POST /bot<token>/{method}",
            "data": fields,
            "media": media_request(part),
        }
        problem = check_text(SPEC, part, self.limits)
        if problem:
            return permanent(SPEC, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        kwargs: dict[str, Any] = {"json": fields}
        if part.media:
            try:
                image = load_media(part.media[0], self.limits.max_media_bytes, timeout=self.timeout)
            except MediaProblem as exc:
                return (retryable if exc.retryable else permanent)(SPEC, str(exc), request)
            # multipart: nested fields travel as JSON text, as the Bot API expects
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
            kwargs = {"data": form, "files": {"photo": (image.name, image.data, image.mime)}}
        try:
            answer = self.session.post(self._url(method), timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            return network_failure(SPEC, exc, request, posting=True)
        body = _body(answer)
        if answer.status_code == 200 and not body:  # accepted, but the answer is unreadable
            return unknown(SPEC, "the answer to the post could not be read", request)
        if answer.status_code != 200 or not body.get("ok"):
            return self._refused(answer, body, request, posting=True)
        message = body.get("result")
        message = message if isinstance(message, dict) else {}
        message_id = message.get("message_id")
        chat = message.get("chat")
        url = message_url(chat if isinstance(chat, dict) else {}, str(message_id))
        # A group's messages have no public link: the id alone is enough there.
        return accepted(SPEC, message_id, url, request, url_required=False)

    # --- answers ---------------------------------------------------------------------
    def _refused(
        self,
        answer: requests.Response,
        body: dict[str, Any],
        request: dict[str, Any],
        *,
        posting: bool,
    ) -> PostResult:
        status = int(body.get("error_code") or answer.status_code)
        description = scrub(str(body.get("description") or answer.reason or ""), [self._token])
        lowered = description.lower()
        parameters = body.get("parameters") or {}
        if status == 429:
            wait = parameters.get("retry_after") or answer.headers.get("Retry-After")
            return rate_limited(SPEC, retry_after(wait, self.clock()), "retry_after", request)
        if status >= 500:
            return server_error(SPEC, status, description, request, posting=posting)
        if status in (401, 404):  # the Bot API answers 404 to a malformed token
            return credentials(SPEC, f"{status} {description}", ["TELEGRAM_BOT_TOKEN"], request)
        if status == 403:
            return credentials(SPEC, f"403 {description}", [], request, ADMIN_FIX)
        if parameters.get("migrate_to_chat_id"):
            new_id = parameters["migrate_to_chat_id"]
            fix = f"the chat moved: set TELEGRAM_CHAT_ID to {new_id}"
            return credentials(SPEC, f"{status} {description}", [], request, fix)
        if "chat not found" in lowered or "chat_id" in lowered:
            return credentials(SPEC, f"{status} {description}", ["TELEGRAM_CHAT_ID"], request)
        return permanent(SPEC, f"{status} refused ({description})", request)

    # --- verify ----------------------------------------------------------------------
    def verify(self) -> PostResult:
        """getMe (the token), getChat (the channel), getChatMember (the bot may post)."""
        try:
            me = self._ask("getMe", {})
            chat = self._ask("getChat", {"chat_id": self.chat_id})
            member = self._ask("getChatMember", {"chat_id": self.chat_id, "user_id": me["id"]})
        except Stop as refused:
            return refused.result
        allowed = member.get("status") == "creator" or (
            member.get("status") == "administrator" and member.get("can_post_messages", True)
        )
        if not allowed:
            return credentials(
                SPEC,
                f"the bot @{me.get('username')} cannot post in the channel",
                [],
                {},
                ADMIN_FIX,
            )
        name = f"@{chat['username']}" if chat.get("username") else str(chat.get("title", ""))
        url = f"https://t.me/{chat['username']}" if chat.get("username") else None
        return verified(name, url)

    def _ask(self, method: str, fields: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = self.session.post(self._url(method), json=fields, timeout=self.timeout)
        except requests.RequestException as exc:
            raise Stop(network_failure(SPEC, exc, {}, posting=False)) from None
        body = _body(answer)
        if answer.status_code != 200 or not body.get("ok"):
            raise Stop(self._refused(answer, body, {}, posting=False))
        return body.get("result") or {}


def _body(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


ADAPTER = TelegramAdapter
