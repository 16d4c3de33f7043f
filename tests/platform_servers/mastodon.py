"""A local Mastodon server: instance info (v1 and v2), media (v2) with descriptions,
statuses with Idempotency-Key, the account's statuses rendered as Mastodon renders them (HTML,
links split into invisible/ellipsis spans, hashtags as links).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import grapheme
from twitter_text import extract_urls_with_indices

from tests.platform_servers import Answer, PlatformServer, Recorded, bearer, next_id

TOKEN = "test-mastodon-token-0123456789abcdef"
READ_ONLY_TOKEN = "test-mastodon-read-only-token-0123456789"
ACCOUNT_ID = "109000000000000001"
VERSION = "4.3.2"
MAX_DESCRIPTION = 1500


def mastodon_length(text: str, per_url: int) -> int:
    """Mastodon's own counting: grapheme clusters, every http(s) URL as `per_url`."""
    pieces, position = [], 0
    for found in extract_urls_with_indices(text, extract_urls_without_protocol=False):
        start, end = found["indices"]
        pieces += [text[position:start], "x" * per_url]
        position = end
    pieces.append(text[position:])
    return grapheme.length("".join(pieces))


def render(text: str) -> str:
    """Mastodon's HTML for a plain-text status."""
    out, position = [], 0
    for found in extract_urls_with_indices(text, extract_urls_without_protocol=False):
        start, end = found["indices"]
        out.append(_tags(html.escape(text[position:start])))
        url = found["url"]
        scheme, rest = url.split("://", 1)
        out.append(
            f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener">'
            f'<span class="invisible">{scheme}://</span><span class="ellipsis">{html.escape(rest[:30])}'
            f'</span><span class="invisible">{html.escape(rest[30:])}</span></a>'
        )
        position = end
    out.append(_tags(html.escape(text[position:])))
    paragraphs = "".join(out).split("\n\n")
    return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs)


def _tags(escaped: str) -> str:
    return re.sub(
        r"(?<![\w/])#(\w+)",
        r'<a href="https://social.example/tags/\1" class="mention hashtag" rel="tag">#<span>\1</span></a>',
        escaped,
    )


class MastodonServer(PlatformServer):
    name = "mastodon"
    CREATE = r"^/api/v1/statuses$"

    def __init__(self, max_characters: int = 500, per_url: int = 23) -> None:
        super().__init__()
        self.max_characters = max_characters
        self.per_url = per_url
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.rate_window = 300.0  # Mastodon's API limits count in 5-minute windows
        self.reset_at = self.clock() + dt.timedelta(seconds=self.rate_window)
        self.instance_reads = 0

    def without_id(self, answer: Answer, how: str) -> Answer:
        body = dict(answer.body or {})
        if how == "missing":
            body.pop("id", None)
        else:
            body["id"] = self.broken_id(body.get("id"), how)
        return Answer(answer.status, body, answer.headers)

    def answer_url(self, url: str | None, *, times: int = 1) -> None:
        """The next create answers with this `url` (and `uri`), e.g. another host's."""

        def change(answer: Answer) -> Answer:
            return Answer(answer.status, {**answer.body, "url": url, "uri": url}, answer.headers)

        self.mangle_next(change, path=self.CREATE, times=times)

    def error(self, status: int, message: str = "") -> Answer:
        texts = {
            401: "The access token is invalid",
            403: "This action is outside the authorized scopes",
            404: "Record not found",
            422: "Validation failed",
            429: "Too many requests",
            500: "We're sorry, but something went wrong on our end.",
        }
        headers = {}
        if status == 429:
            self.reset_at = self.clock() + dt.timedelta(seconds=self.rate_window)
            headers = {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": self.reset_at.isoformat(timespec="milliseconds").replace(
                    "+00:00", "Z"
                ),
            }
        if status in (502, 503, 504):  # nginx in front of Mastodon answers with HTML
            page = f"<html><body><h1>{status}</h1></body></html>".encode()
            return Answer(status, page, {"Content-Type": "text/html", **headers})
        return Answer(status, {"error": message or texts.get(status, "Error")}, headers)

    def account(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "username": "tppo",
            "acct": "tppo",
            "display_name": "TPPO Bengkulu Tengah",
            "url": f"{self.url}/@tppo",
        }

    def instance(self, v2: bool) -> dict[str, Any]:
        configuration = {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": self.per_url,
            },
            "media_attachments": {
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                "image_size_limit": 16777216,
            },
        }
        info: dict[str, Any] = {
            "title": "Social Example",
            "version": VERSION,
            "configuration": configuration,
        }
        if v2:
            info |= {"domain": "social.example", "api_versions": {"mastodon": 2}}
        else:
            info |= {"uri": "social.example"}
        return info

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        path = request.path.rstrip("/")
        if request.method == "GET" and path in ("/api/v1/instance", "/api/v2/instance"):
            self.instance_reads += 1
            return Answer(200, self.instance(path.startswith("/api/v2")))
        token = bearer(request)
        if self.revoked and token in (TOKEN, READ_ONLY_TOKEN):
            return self.error(401, "The access token was revoked")
        if token not in (TOKEN, READ_ONLY_TOKEN):
            return self.error(401)
        if request.method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return Answer(200, self.account())
        if request.method == "GET" and path == "/api/v1/statuses":  # Mastodon 4.3: id[]=
            wanted = request.query.get("id[]", [])
            with self.lock:
                found = [s for s in self.posts if s["id"] in wanted]
            return Answer(200, [self.public(s) for s in found])
        match = re.fullmatch(r"/api/v1/statuses/(\w+)", path)
        if request.method == "GET" and match:
            with self.lock:
                status = next((s for s in self.posts if s["id"] == match.group(1)), None)
            return Answer(200, self.public(status)) if status else self.error(404)
        match = re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path)
        if request.method == "GET" and match:
            limit = int(request.param("limit") or 20)
            with self.lock:
                mine = match.group(1) == ACCOUNT_ID
                latest = [s for s in reversed(self.posts) if mine and self.visible(s)][:limit]
            return Answer(200, [self.public(s) for s in latest])
        if request.method != "POST":
            return self.error(404)
        if token == READ_ONLY_TOKEN:
            return self.error(403)
        if path == "/api/v2/media":
            return self.upload(request)
        if path == "/api/v1/statuses":
            return self.post_status(request)
        return self.error(404)

    def upload(self, request: Recorded) -> Answer:
        files, fields = request.files(), request.form()
        if "file" not in files:
            return self.error(422, "Validation failed: File can't be blank")
        description = fields.get("description", "")
        if len(description) > MAX_DESCRIPTION:
            return self.error(422, "Validation failed: Description is too long")
        with self.lock:
            media_id = str(110_000_000_000_000_000 + len(self.media))
            self.media[media_id] = {
                "id": media_id,
                "type": "image",
                "url": f"{self.url}/media/{media_id}.png",
                "description": description,
                "mime": files["file"].content_type,
                "size": len(files["file"].data),
            }
        return Answer(200, self.media[media_id])

    def post_status(self, request: Recorded) -> Answer:
        fields = request.form()
        text = fields.get("status", "")
        media_ids = request.form_list("media_ids[]")
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and key in self.idempotency:  # the same status again, never a second one
                return Answer(200, self.public(self.idempotency[key]))
            if not text and not media_ids:
                return self.error(422, "Validation failed: Text can't be blank")
            if mastodon_length(text, self.per_url) > self.max_characters:
                return self.error(
                    422,
                    f"Validation failed: Text character limit of {self.max_characters} exceeded",
                )
            if any(m not in self.media for m in media_ids):
                return self.error(422, "Validation failed: Media attachments are invalid")
            reply = fields.get("in_reply_to_id")
            if reply and not any(s["id"] == reply for s in self.posts):
                return self.error(404)
            status = {
                "id": next_id(len(self.posts)),
                "text": text,
                "language": fields.get("language"),
                "visibility": fields.get("visibility", "public"),
                "in_reply_to_id": reply,
                "media_ids": media_ids,
                "idempotency_key": key,
            }
            self.keep(status)
            if key:
                self.idempotency[key] = status
        return Answer(200, self.public(status))

    def public(self, status: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": status["id"],
            "created_at": "2027-03-01T03:00:00.000Z",
            "in_reply_to_id": status["in_reply_to_id"],
            "visibility": status["visibility"],
            "language": status["language"],
            "uri": f"{self.url}/users/tppo/statuses/{status['id']}",
            "url": f"{self.url}/@tppo/{status['id']}",
            "content": render(status["text"]),
            "media_attachments": [self.media[m] for m in status["media_ids"]],
            "account": self.account(),
            "card": None,
            **self.counts(status),
        }

    def counts(self, status: dict[str, Any]) -> dict[str, int]:
        counts = self.counts_now(status, status["id"])
        return {
            "reblogs_count": counts["reposts"],
            "favourites_count": counts["likes"],
            "replies_count": counts["replies"],
        }
