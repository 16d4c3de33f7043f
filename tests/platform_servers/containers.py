"""A local Graph-style API that publishes in two steps, as Instagram's and Threads' do.

`POST /{v}/{user}/<create>` makes a container (fetching `image_url` at that moment, as Meta
cURLs the media: a non-200 is refused with code 9004/2207052); `GET /{v}/{container}`
says its status (IN_PROGRESS for the first `in_progress_reads` reads, then FINISHED, or
ERROR/EXPIRED when scripted); `POST /{v}/{user}/<publish>` publishes a FINISHED one (a
container not finished: 9007/2207027; expired: 2207020) within the publishing quota of the
last 24 h on the server's clock (`quota_total`; over it: code 9, subcode 2207042), which
`GET /{v}/{user}/<limit>` reports. The account's posts, a post's permalink, the account
itself and `/debug_token` (with `token_expires_at`) can be read, and a post's insights
(`GET /{v}/{post}/insights?metric=a,b`: Meta's `data` list of lifetime values, from
tests/platform_servers/engagement.py; a metric the platform does not document is refused
with code 100, a post that does not exist with 100/33, as any unknown object). Errors are Graph's JSON
`error` with `code`, mostly HTTP 400; an expired token is code 190 subcode 463.

Meta documents no refusal of a second publication of the same container, so this server
makes a second post: a test catches an adapter that publishes a container twice.
Subclasses say the edges, fields and limits of their platform.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import requests

from tests.platform_servers import Answer, PlatformServer, Recorded, bearer
from tests.platform_servers.facebook import graph_error

DAY = 86400.0


class ContainerServer(PlatformServer):
    VERSION = ""
    USER_ID = ""
    TOKEN = ""
    USERNAME = ""
    CREATE_EDGE = ""
    PUBLISH_EDGE = ""
    LIMIT_EDGE = ""
    LIST_EDGE = ""
    REPLIES_EDGE: str | None = None  # replies listed apart from posts (Threads)
    STATUS_FIELD = ""
    DETAIL_FIELD = ""
    TEXT_FIELD = ""
    QUOTA_TOTAL = 0
    REPLY_QUOTA_TOTAL: int | None = None
    # The media insights metrics the platform documents -> the engagement count that answers
    # it (None: documented, but not one this server models; answered 0).
    INSIGHTS: ClassVar[dict[str, str | None]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.CREATE = rf"/{self.PUBLISH_EDGE}$"  # the request that makes a post
        self.containers: dict[str, dict[str, Any]] = {}
        self.fetched: list[tuple[str, int]] = []  # (image_url, status) Meta's fetches
        self.in_progress_reads = 0  # status reads answered IN_PROGRESS before FINISHED
        self.fail_containers = False  # new containers end in ERROR
        self.quota_total = self.QUOTA_TOTAL
        self.token_expires_at = 0.0  # /debug_token's expires_at; 0: never
        self.token_expired = False
        self.rate_window = 30 * 60.0

    # --- scripting -----------------------------------------------------------------
    def expire_token(self) -> None:
        """The long-lived token ran out: every call is refused with code 190/463."""
        self.token_expired = True

    def expire_containers(self) -> None:
        """Every container not published is past its 24 hours."""
        with self.lock:
            for container in self.containers.values():
                if container["status"] != "PUBLISHED":
                    container["status"] = "EXPIRED"

    def published(self, container_id: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["container"] == container_id]

    # --- what a platform says --------------------------------------------------------
    def validate(self, fields: dict[str, str]) -> Answer | None:
        """The platform's refusal of a container's fields, or None."""
        return None

    def check_image(self, data: bytes) -> Answer | None:
        """The platform's refusal of the image it fetched, or None."""
        return None

    def post_fields(self, container: dict[str, Any]) -> dict[str, Any]:
        return {}

    def permalink(self, post_id: str) -> str:
        raise NotImplementedError

    # --- answers ---------------------------------------------------------------------
    def without_id(self, answer: Answer, how: str) -> Answer:
        body = dict(answer.body or {})
        if how == "missing":
            body.pop("id", None)
        else:
            body["id"] = self.broken_id(body.get("id"), how)
        return Answer(answer.status, body, answer.headers)

    def error(self, status: int, message: str = "") -> Answer:
        if status == 429:
            answer = graph_error(400, 4, "(#4) Application request limit reached")
            usage = {
                self.USER_ID: [
                    {
                        "type": "instagram",
                        "call_count": 100,
                        "estimated_time_to_regain_access": round(self.rate_window / 60),
                    }
                ]
            }
            answer.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return answer
        if status == 401:
            return self.expired()
        if status == 403:
            return graph_error(
                403, 10, "(#10) Application does not have permission for this action"
            )
        if status >= 500:
            code = 2 if status == 503 else 1
            return graph_error(status, code, "An unexpected error has occurred.", is_transient=True)
        return graph_error(status, 100, message or "(#100) Invalid parameter")

    def expired(self) -> Answer:
        return graph_error(
            400, 190, "Error validating access token: Session has expired.", error_subcode=463
        )

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        token = bearer(request) or request.param("access_token")
        if token != self.TOKEN:
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expired:
            return self.expired()
        if self.revoked:
            return graph_error(
                400, 190, "Error validating access token: The session was invalidated.",
                error_subcode=460,
            )  # fmt: skip
        match = re.fullmatch(rf"/{re.escape(self.VERSION)}/(\w+)(?:/(\w+))?", request.path)
        if not match:
            return graph_error(400, 2500, "Unknown path components")
        node, edge = match.groups()
        fields = request.form() if request.method == "POST" else {}
        if node == "debug_token" and request.method == "GET":
            return self.debug_token(request)
        if node == self.USER_ID:
            return self.user_route(request, edge, fields)
        if edge is None and request.method == "GET":
            return self.node(node)
        if edge == "insights" and request.method == "GET":
            return self.insights(node, request.param("metric") or "")
        return graph_error(400, 100, f"Unsupported {request.method.lower()} request.")

    def user_route(self, request: Recorded, edge: str | None, fields: dict[str, str]) -> Answer:
        if edge is None and request.method == "GET":
            return Answer(200, {"id": self.USER_ID, "username": self.USERNAME, "name": "TPPO"})
        if edge == self.CREATE_EDGE and request.method == "POST":
            return self.create(fields)
        if edge == self.PUBLISH_EDGE and request.method == "POST":
            return self.publish(fields)
        if edge == self.LIMIT_EDGE and request.method == "GET":
            return self.limit()
        if edge in (self.LIST_EDGE, self.REPLIES_EDGE) and request.method == "GET":
            limit = int(request.param("limit") or 25)
            replies = self.REPLIES_EDGE is not None and edge == self.REPLIES_EDGE
            with self.lock:
                latest = [
                    p
                    for p in reversed(self.posts)
                    if self.visible(p)
                    and (self.REPLIES_EDGE is None or bool(p["reply_to"]) == replies)
                ][:limit]
            keys = ("id", self.TEXT_FIELD, "permalink", "timestamp")
            return Answer(200, {"data": [{k: p[k] for k in keys if k in p} for p in latest]})
        return graph_error(400, 100, "Unsupported request")

    def debug_token(self, request: Recorded) -> Answer:
        if request.param("input_token") != self.TOKEN:
            return graph_error(400, 190, "Invalid OAuth access token")
        data = {
            "type": "USER",
            "application": "TPPO Publisher",
            "expires_at": int(self.token_expires_at),
            "is_valid": True,
            "user_id": self.USER_ID,
        }
        return Answer(200, {"data": data})

    def node(self, node: str) -> Answer:
        with self.lock:
            container = self.containers.get(node)
            if container is not None:
                if container["status"] == "IN_PROGRESS":
                    container["reads"] += 1
                    if container["reads"] > self.in_progress_reads:
                        container["status"] = "ERROR" if container["fail"] else "FINISHED"
                body = {"id": node, self.STATUS_FIELD: container["status"]}
                if container["status"] == "ERROR":
                    body[self.DETAIL_FIELD] = "ERROR: the media could not be processed"
                return Answer(200, body)
            post = next((p for p in self.posts if p["id"] == node), None)
        if post is not None:
            return Answer(200, {"id": node, "permalink": post["permalink"]})
        return graph_error(
            400, 100, f"Unsupported get request. Object with ID '{node}' does not exist",
            error_subcode=33,
        )  # fmt: skip

    def insights(self, node: str, metric: str) -> Answer:
        names = [n for n in metric.split(",") if n]
        unknown = [n for n in names if n not in self.INSIGHTS]
        if not names or unknown:
            allowed = ", ".join(self.INSIGHTS)
            return graph_error(400, 100, f"(#100) metric must be one of: {allowed}")
        with self.lock:
            post = next((p for p in self.posts if p["id"] == node), None)
            counts = self.counts_now(post, node) if post is not None else {}
        if post is None:
            return self.node(node)  # 100/33: no such object
        if post.get("no_insights"):  # Meta: "an empty data set instead of 0"
            return Answer(200, {"data": []})
        data = []
        for name in names:
            ours = self.INSIGHTS[name]
            data.append({
                "name": name, "period": "lifetime",
                "values": [{"value": counts[ours] if ours else 0}],
                "title": name.capitalize(), "description": f"The number of {name}.",
                "id": f"{node}/insights/{name}/lifetime",
            })  # fmt: skip
        return Answer(200, {"data": data})

    def create(self, fields: dict[str, str]) -> Answer:
        refused = self.validate(fields)
        if refused is not None:
            return refused
        url = fields.get("image_url")
        if url:
            try:
                fetched = requests.get(url, timeout=5)
                status, data = fetched.status_code, fetched.content
            except requests.RequestException:
                status, data = 0, b""
            self.fetched.append((url, status))
            if status != 200:
                return graph_error(
                    400, 9004, "Media could not be fetched from this uri", error_subcode=2207052
                )
            refused = self.check_image(data)
            if refused is not None:
                return refused
        with self.lock:
            container_id = str(17_900_000_000_000_000 + len(self.containers) + 1)
            self.containers[container_id] = {
                "id": container_id,
                "fields": dict(fields),
                "status": "IN_PROGRESS",
                "reads": 0,
                "fail": self.fail_containers,
                "created": self.now(),
            }
        return Answer(200, {"id": container_id})

    def used(self, reply: bool) -> int:
        since = self.now() - DAY
        return sum(
            1 for p in self.posts if p["_created"] > since and bool(p.get("reply_to")) == reply
        )

    def limit(self) -> Answer:
        with self.lock:
            entry: dict[str, Any] = {
                "quota_usage": self.used(False),
                "config": {"quota_total": self.quota_total, "quota_duration": int(DAY)},
            }
            if self.REPLY_QUOTA_TOTAL is not None:
                entry["reply_quota_usage"] = self.used(True)
                entry["reply_config"] = {
                    "quota_total": self.REPLY_QUOTA_TOTAL,
                    "quota_duration": int(DAY),
                }
        return Answer(200, {"data": [entry]})

    def publish(self, fields: dict[str, str]) -> Answer:
        with self.lock:
            container = self.containers.get(fields.get("creation_id", ""))
            if container is None:
                return graph_error(400, 100, "(#100) Invalid parameter: creation_id")
            if container["status"] == "EXPIRED":
                return graph_error(
                    400, -2, "The media you are trying to access has expired.",
                    error_subcode=2207020,
                )  # fmt: skip
            if container["status"] in ("IN_PROGRESS", "ERROR"):
                return graph_error(400, 9007, "Media ID is not available", error_subcode=2207027)
            reply = bool(container["fields"].get("reply_to_id"))
            total = self.REPLY_QUOTA_TOTAL if reply and self.REPLY_QUOTA_TOTAL else self.quota_total
            if self.used(reply) >= total:
                return graph_error(
                    400, 9,
                    "You reached maximum number of posts that is allowed to be published by "
                    "Content Publishing API.", error_subcode=2207042,
                )  # fmt: skip
            post_id = str(18_000_000_000_000_000 + len(self.posts) + 1)
            post = {
                "id": post_id,
                "container": container["id"],
                self.TEXT_FIELD: container["fields"].get(self.TEXT_FIELD, ""),
                "permalink": self.permalink(post_id),
                "timestamp": "2027-03-01T03:00:00+0000",
                "reply_to": container["fields"].get("reply_to_id"),
                "image_url": container["fields"].get("image_url"),
                "alt_text": container["fields"].get("alt_text"),
                **self.post_fields(container),
            }
            container["status"] = "PUBLISHED"
            self.keep(post)
        return Answer(200, {"id": post_id})
