"""A local Telegram Bot API for one bot and one channel.

It parses `parse_mode=HTML` strictly, as Telegram documents it (only its tags; every <, > and &
outside a tag or entity refused with "can't parse entities"), and measures the text after
entity parsing in UTF-16 units against 4096 (1024 for a caption).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from tests.platform_servers import Answer, PlatformServer, Recorded

BOT_ID = 7000000001
BOT_TOKEN = f"{BOT_ID}:AAHtestTokenForTheLocalBotApi_0123456"
CHANNEL = {
    "id": -1001234567890,
    "type": "channel",
    "title": "TPPO Bengkulu Tengah",
    "username": "tppo_bteng",
}
TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-z-]+)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
MAX_PHOTO = 10 * 1024 * 1024


def parse_html(text: str) -> tuple[str | None, str]:
    """(error, plain text) of a Telegram HTML message."""
    plain, stack, position = [], [], 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if not match:
                offset = len(text[:position].encode())
                return f"can't parse entities: Unexpected start tag at byte offset {offset}", ""
            closing, name = match.group(1), match.group(2)
            if name not in TAGS:
                return f'can\'t parse entities: Unsupported start tag "{name}"', ""
            if closing:
                if not stack or stack.pop() != name:
                    return f'can\'t parse entities: Unmatched end tag "{name}"', ""
            else:
                if name == "a" and 'href="' not in match.group(3):
                    return "can't parse entities: a tag without href", ""
                stack.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if not match:
                return "can't parse entities: Character '&' is reserved", ""
            plain.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            return "can't parse entities: Character '>' is reserved", ""
        else:
            plain.append(char)
            position += 1
    if stack:
        return (
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"",
            "",
        )
    return None, "".join(plain)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramServer(PlatformServer):
    name = "telegram"
    CREATE = r"/send(Message|Photo)$"

    def __init__(self, bot_is_admin: bool = True) -> None:
        super().__init__()
        self.bot_is_admin = bot_is_admin
        self.rate_window = 17.0

    def without_id(self, answer: Answer, how: str) -> Answer:
        body = dict(answer.body or {})
        result = dict(body.get("result") or {})
        if how == "missing":
            result.pop("message_id", None)
        else:
            result["message_id"] = self.broken_id(result.get("message_id"), how)
        return Answer(answer.status, {**body, "result": result}, answer.headers)

    def error(self, status: int, message: str = "") -> Answer:
        texts = {
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden: bot is not a member of the channel chat",
            404: "Not Found",
            429: f"Too Many Requests: retry after {round(self.rate_window)}",
            500: "Internal Server Error",
        }
        body: dict[str, Any] = {
            "ok": False,
            "error_code": status,
            "description": message or texts.get(status, "Error"),
        }
        if status == 429:
            body["parameters"] = {"retry_after": round(self.rate_window)}
        if status in (502, 503, 504):  # nginx in front of the Bot API
            return Answer(
                status,
                f"<html><body><h1>{status}</h1></body></html>".encode(),
                {"Content-Type": "text/html"},
            )
        return Answer(status, body)

    def bad(self, description: str) -> Answer:
        return self.error(400, f"Bad Request: {description}")

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if not match or not re.fullmatch(r"\d+:[\w-]{30,}", match.group(1)):
            return self.error(404)
        if match.group(1) != BOT_TOKEN or self.revoked:
            return self.error(401)
        fields = self.fields(request)
        method = match.group(2)
        if method == "getMe":
            return self.ok(
                {"id": BOT_ID, "is_bot": True, "first_name": "TPPO", "username": "tppo_bteng_bot"}
            )
        chat = fields.get("chat_id")
        if str(chat) not in (f"@{CHANNEL['username']}", str(CHANNEL["id"])):
            return self.bad("chat not found")
        if method == "getChat":
            return self.ok(CHANNEL)
        if method == "getChatMember":
            status = "administrator" if self.bot_is_admin else "left"
            return self.ok(
                {
                    "status": status,
                    "can_post_messages": self.bot_is_admin,
                    "user": {"id": BOT_ID, "is_bot": True},
                }
            )
        if method == "sendMessage":
            return self.send(fields, "text", 4096, None)
        if method == "sendPhoto":
            photo = request.files().get("photo") if "multipart" in request.content_type else None
            if photo is None and not fields.get("photo"):
                return self.bad("there is no photo in the request")
            if photo is not None and len(photo.data) > MAX_PHOTO:
                return self.bad("file is too big")
            return self.send(fields, "caption", 1024, photo)
        return self.error(404)

    @staticmethod
    def fields(request: Recorded) -> dict[str, Any]:
        if "application/json" in request.content_type:
            return request.json() or {}
        values: dict[str, Any] = dict(request.form())
        for key in ("reply_parameters", "link_preview_options"):
            if isinstance(values.get(key), str):
                values[key] = json.loads(values[key])
        return values

    def ok(self, result: Any) -> Answer:
        return Answer(200, {"ok": True, "result": result})

    def send(self, fields: dict[str, Any], key: str, limit: int, photo: Any) -> Answer:
        raw = fields.get(key) or ""
        if fields.get("parse_mode") == "HTML":
            problem, text = parse_html(raw)
            if problem:
                return self.bad(problem)
        else:
            text = raw
        if key == "text" and not text.strip():
            return self.bad("message text is empty")
        if utf16(text) > limit:
            return self.bad(
                "message is too long" if key == "text" else "message caption is too long"
            )
        reply = (fields.get("reply_parameters") or {}).get("message_id")
        with self.lock:
            if reply is not None and not any(p["message_id"] == reply for p in self.posts):
                return self.bad("message to be replied not found")
            message = {
                "message_id": len(self.posts) + 1,
                "chat": CHANNEL,
                "date": 1800000000,
                key: text,
                "html": raw,
                "reply_to": reply,
            }
            if photo is not None:
                message["photo"] = [
                    {"file_id": f"photo{len(self.posts)}", "file_size": len(photo.data)}
                ]
                message["upload"] = photo
            self.keep(message)
        hidden = ("html", "upload", "reply_to", "_created")
        public = {k: v for k, v in message.items() if k not in hidden}
        return self.ok(public)
