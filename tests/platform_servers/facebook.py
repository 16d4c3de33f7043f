"""A local Graph API for one Facebook Page: /feed, /photos, the Page itself, its feed.

Errors come as Graph does them: a JSON `error` with `code` (190 token, 200 permission,
32 Page rate limit, 506 duplicate, 1/2 transient) and mostly HTTP 400. Facebook sends no
429: `fail_next(429)` answers HTTP 400 with code 32 and the usage header that says when to
come back, as the Graph API does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.platform_servers import Answer, PlatformServer, Recorded, bearer

PAGE_ID = "104123456789012"
PAGE_TOKEN = "EAAtestpagetoken0123456789abcdefghij"
PAGE_NAME = "TPPO Bengkulu Tengah"
MAX_MESSAGE = 63206
REGAIN_MINUTES = 30


def graph_error(status: int, code: int, message: str, **extra: Any) -> Answer:
    body = {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf123",
            **extra,
        }
    }
    return Answer(status, body)


class FacebookServer(PlatformServer):
    name = "facebook"
    CREATE = r"/(feed|photos)$"

    def __init__(self) -> None:
        super().__init__()
        self.photos: list[dict[str, Any]] = []
        self.rate_window = REGAIN_MINUTES * 60.0

    def without_id(self, answer: Answer, how: str) -> Answer:
        body = dict(answer.body or {})
        for key in [k for k in ("id", "post_id") if k in body]:
            if how == "missing":
                body.pop(key)
            else:
                body[key] = self.broken_id(body[key], how)
        return Answer(answer.status, body, answer.headers)

    def answer_permalink(self, url: str) -> None:
        """Every post's `permalink_url` in the feed becomes `url` (e.g. another host's)."""
        with self.lock:
            for post in self.posts:
                post["permalink_url"] = url

    def error(self, status: int, message: str = "") -> Answer:
        if status == 429:
            answer = graph_error(400, 32, "(#32) Page request limit reached")
            usage = {
                PAGE_ID: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 30,
                        "estimated_time_to_regain_access": round(self.rate_window / 60),
                    }
                ]
            }
            answer.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return answer
        if status == 401:
            return graph_error(
                401, 190, "Error validating access token: Session has expired", error_subcode=463
            )
        if status == 403:
            return graph_error(
                403, 200, "(#200) The user hasn't authorized the application to perform this action"
            )
        if status >= 500:
            code = 2 if status == 503 else 1
            text = (
                "Service temporarily unavailable" if code == 2 else "An unknown error has occurred."
            )
            return graph_error(status, code, text, is_transient=True)
        return graph_error(status, 100, message or "(#100) Invalid parameter")

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        token = (
            bearer(request) or request.param("access_token") or request.form().get("access_token")
        )
        if token != PAGE_TOKEN:
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.revoked:
            return graph_error(
                400,
                190,
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                error_subcode=460,
            )
        if request.method == "GET" and re.fullmatch(r"/v\d+\.\d+/?", request.path):
            return self.many(request)
        match = re.fullmatch(r"/(v\d+\.\d+)/(\w+)(?:/(\w+))?", request.path)
        if not match:
            return graph_error(400, 2500, "Unknown path components")
        _version, node, edge = match.groups()
        if node != PAGE_ID:
            return graph_error(
                400,
                100,
                f"Unsupported {request.method.lower()} request. Object with ID '{node}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                error_subcode=33,
            )
        if request.method == "GET" and edge is None:
            return Answer(
                200,
                {"id": PAGE_ID, "name": PAGE_NAME, "link": f"https://www.facebook.com/{PAGE_ID}"},
            )
        if request.method == "GET" and edge == "feed":
            limit = int(request.param("limit") or 25)
            with self.lock:
                latest = [p for p in reversed(self.posts) if self.visible(p)][:limit]
            data = [
                {k: p[k] for k in ("id", "message", "permalink_url", "created_time") if k in p}
                for p in latest
            ]
            return Answer(200, {"data": data, "paging": {}})
        if request.method == "POST" and edge == "feed":
            return self.publish(request.form(), photo=None)
        if request.method == "POST" and edge == "photos":
            fields, files = request.form(), request.files()
            if "source" not in files and not fields.get("url"):
                return graph_error(400, 324, "(#324) Requires upload file")
            return self.publish(fields, photo=files.get("source"))
        return graph_error(400, 100, "Unsupported request")

    def publish(self, fields: dict[str, str], photo: Any) -> Answer:
        message = fields.get("caption") if photo is not None else fields.get("message")
        message = message or ""
        if photo is None and not message and not fields.get("link"):
            return graph_error(400, 100, "(#100) Missing message or attachment")
        if len(message) > MAX_MESSAGE:
            return graph_error(400, 100, "(#100) The message is too long")
        with self.lock:
            if message and any(p["message"] == message for p in self.posts):
                return graph_error(400, 506, "(#506) Duplicate status message")
            post_id = f"{PAGE_ID}_{900000000000 + len(self.posts)}"
            post = {
                "id": post_id,
                "message": message,
                "link": fields.get("link"),
                "permalink_url": f"https://www.facebook.com/{post_id.replace('_', '/posts/')}",
                "created_time": "2027-03-01T03:00:00+0000",
                "photo": photo,
            }
            self.keep(post)
            if photo is not None:
                photo_id = str(700000000000 + len(self.photos))
                self.photos.append({"id": photo_id, "post_id": post_id, "upload": photo})
                return Answer(200, {"id": photo_id, "post_id": post_id})
        return Answer(200, {"id": post_id})

    def many(self, request: Recorded) -> Answer:
        """GET /?ids=a,b&fields=...: several posts at once. Reactions and comments come as
        totals (`summary(total_count)`); their lists stay empty with `limit(0)`, and without
        it this server refuses to name the people (a test must see no one's name asked for)."""
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        fields = request.param("fields") or ""
        if not 1 <= len(ids) <= 50:
            return graph_error(400, 100, "(#100) ids must name 1 to 50 objects")
        for edge in ("reactions", "comments"):
            if edge in fields and f"{edge}.summary(total_count).limit(0)" not in fields:
                return graph_error(400, 100, f"(#100) this test server lists no one ({edge})")
        out: dict[str, Any] = {}
        with self.lock:
            for post_id in ids:
                post = next((p for p in self.posts if p["id"] == post_id), None)
                if post is None:
                    return graph_error(
                        400,
                        100,
                        f"(#803) Some of the aliases you requested do not exist: {post_id}",
                    )
                counts = self.counts_now(post, post_id)
                node: dict[str, Any] = {"id": post_id}
                if "shares" in fields and counts["reposts"]:  # Graph leaves out 0 shares
                    node["shares"] = {"count": counts["reposts"]}
                if "reactions" in fields:
                    node["reactions"] = {"data": [], "summary": {"total_count": counts["likes"]}}
                if "comments" in fields:
                    node["comments"] = {
                        "data": [],
                        "summary": {"order": "ranked", "total_count": counts["replies"],
                                    "can_comment": True},
                    }  # fmt: skip
                out[post_id] = node
        return Answer(200, out)
