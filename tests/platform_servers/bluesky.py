"""A local Bluesky PDS: sessions with real-shaped JWTs, blobs, post records, the author feed.

createRecord validates a post the way the PDS lexicon does: at most 300 graphemes and 3000
bytes of text, facets that cut the text at UTF-8 byte offsets onto what they claim, alt text
on every image, blobs that were uploaded, replies whose root and parent exist with their CID.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import grapheme

from tests.platform_servers import Answer, PlatformServer, Recorded, bearer

HANDLE = "tppo-bteng.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:tppobtengtest234567abcd"
MAX_BLOB = 1_000_000
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(scope: str, lifetime: int) -> str:
    """A JWT the atproto client can decode (it reads `exp` to know when to refresh)."""
    now = int(time.time())
    header = {"typ": "at+jwt", "alg": "ES256K"}
    payload = {
        "scope": scope,
        "sub": DID,
        "aud": "did:web:127.0.0.1",
        "iat": now,
        "exp": now + lifetime,
    }
    signature = hashlib.sha512(f"{scope}{now}{time.perf_counter_ns()}".encode()).digest()
    return (
        ".".join(_b64(json.dumps(part).encode()) for part in (header, payload))
        + "."
        + _b64(signature)
    )


def cid(data: bytes, prefix: str = "bafyrei") -> str:
    digest = hashlib.sha256(data).digest()
    return prefix + "".join(_B32[b % 32] for b in digest)[:52]


def tid(number: int) -> str:
    """A record key in the TID shape (13 sortable base32 characters)."""
    value, out = 1_700_000_000_000_000 + number, ""
    for _ in range(13):
        out = _B32[value % 32] + out
        value //= 32
    return out


class BlueskyServer(PlatformServer):
    """Late indexing (`index_after`) delays the AppView's getAuthorFeed only: the repository
    itself (getRecord, listRecords) has a record as soon as createRecord answered, as a PDS
    does."""

    name = "bluesky"
    CREATE = r"createRecord$"

    def __init__(self, access_lifetime: int = 7200) -> None:
        super().__init__()
        self.access_lifetime = access_lifetime
        self.blobs: dict[str, dict[str, Any]] = {}
        self.access = ""
        self.refresh = ""
        self.sessions = 0
        self.ended: set[str] = set()  # tokens of sessions that expired early
        self.rate_window = 3600.0

    def expire_sessions(self) -> None:
        """End the current session early: its tokens answer 400 ExpiredToken, as a PDS
        answers a token past its time, and a new login is needed."""
        with self.lock:
            self.ended |= {self.access, self.refresh}

    def without_id(self, answer: Answer, how: str) -> Answer:
        body = dict(answer.body or {})
        if how == "missing":
            body.pop("uri", None)
        else:
            body["uri"] = self.broken_id(body.get("uri"), how)
        return Answer(answer.status, body, answer.headers)

    def error(self, status: int, message: str = "") -> Answer:
        names = {
            400: ("InvalidRequest", "Input/record is invalid"),
            401: ("AuthenticationRequired", "Invalid identifier or password"),
            429: ("RateLimitExceeded", "Rate Limit Exceeded"),
            500: ("InternalServerError", "Internal Server Error"),
            502: ("UpstreamFailure", "Upstream Failure"),
            503: ("NotEnoughResources", "Service Unavailable"),
            504: ("UpstreamTimeout", "Upstream Timeout"),
        }
        error, default = names.get(status, ("Error", "Error"))
        headers = {}
        if status == 429:
            headers = {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(self.now() + self.rate_window)),
                "ratelimit-policy": "5000;w=3600",
            }
        return Answer(status, {"error": error, "message": message or default}, headers)

    def invalid(self, message: str) -> Answer:
        return self.error(400, f"Invalid app.bsky.feed.post record: {message}")

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        method = request.path.removeprefix("/xrpc/")
        expired = Answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
        revoked = Answer(
            401, {"error": "AuthenticationRequired", "message": "Token has been revoked"}
        )
        if method == "com.atproto.server.createSession":
            return self.create_session(request.json() or {})
        token = bearer(request)
        if method == "com.atproto.server.refreshSession":
            if self.revoked:
                return revoked
            if token != self.refresh or not self.refresh or token in self.ended:
                return expired
            return Answer(200, self.new_session())
        if token and token in self.ended:
            return expired
        if token and token == self.access and self.revoked:
            return revoked
        if not token or token != self.access:
            return Answer(401, {"error": "AuthenticationRequired", "message": "Invalid token"})
        if method == "com.atproto.server.getSession":
            return Answer(200, {"handle": HANDLE, "did": DID, "active": True})
        if method == "app.bsky.actor.getProfile":
            return Answer(
                200, {"did": DID, "handle": HANDLE, "displayName": "TPPO Bengkulu Tengah"}
            )
        if method == "com.atproto.repo.uploadBlob":
            return self.upload_blob(request)
        if method == "com.atproto.repo.createRecord":
            return self.create_record(request.json() or {})
        if method == "com.atproto.repo.getRecord":
            return self.get_record(request)
        if method == "com.atproto.repo.listRecords":
            return self.list_records(request)
        if method == "app.bsky.feed.getPosts":
            wanted = request.query.get("uris", [])
            if not 1 <= len(wanted) <= 25:
                return self.error(400, "uris must have 1 to 25 items")
            with self.lock:
                found = [p for p in self.posts if p["uri"] in wanted]
            return Answer(200, {"posts": [self.view(p) for p in found]})
        if method == "app.bsky.feed.getAuthorFeed":
            limit = int(request.param("limit") or 50)
            with self.lock:
                latest = [p for p in reversed(self.posts) if self.visible(p)][:limit]
            return Answer(200, {"feed": [{"post": self.view(p)} for p in latest]})
        return self.error(400, f"Method not implemented: {method}")

    def new_session(self) -> dict[str, Any]:
        self.sessions += 1
        self.access = jwt("com.atproto.access", self.access_lifetime)
        self.refresh = jwt("com.atproto.refresh", 90 * 86400)
        return {
            "accessJwt": self.access,
            "refreshJwt": self.refresh,
            "handle": HANDLE,
            "did": DID,
            "active": True,
        }

    def create_session(self, body: dict[str, Any]) -> Answer:
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != APP_PASSWORD:
            return self.error(401)
        if self.revoked:  # the app password was deleted
            return self.error(401)
        return Answer(200, self.new_session())

    def upload_blob(self, request: Recorded) -> Answer:
        if len(request.body) > MAX_BLOB:
            return Answer(400, {"error": "BlobTooLarge", "message": "This file is too large."})
        ref = cid(request.body, "bafkrei")
        mime = request.content_type or "*/*"
        if mime == "*/*":  # the PDS sniffs what the client did not say
            magic = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}
            mime = next((m for k, m in magic.items() if request.body.startswith(k)), mime)
        with self.lock:
            self.blobs[ref] = {"mimeType": mime, "size": len(request.body)}
        return Answer(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": ref},
                    "mimeType": mime,
                    "size": len(request.body),
                }
            },
        )

    def create_record(self, body: dict[str, Any]) -> Answer:
        if body.get("repo") not in (DID, HANDLE) or body.get("collection") != "app.bsky.feed.post":
            return self.error(400, "Invalid repo or collection")
        record = body.get("record") or {}
        problem = self.record_problem(record)
        if problem:
            return self.invalid(problem)
        with self.lock:
            uri = f"at://{DID}/app.bsky.feed.post/{tid(len(self.posts))}"
            post = {
                "uri": uri,
                "cid": cid(json.dumps(record, sort_keys=True).encode()),
                "record": record,
            }
            self.keep(post)
        return Answer(200, {"uri": post["uri"], "cid": post["cid"], "validationStatus": "valid"})

    def record_problem(self, record: dict[str, Any]) -> str | None:
        text = record.get("text")
        if not isinstance(text, str) or not record.get("createdAt"):
            return 'Record must have the properties "text" and "createdAt"'
        if grapheme.length(text) > 300 or len(text.encode()) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        encoded = text.encode()
        for facet in record.get("facets") or []:
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            if not 0 <= start < end <= len(encoded):
                return "Record/facets: byte range outside the text"
            cut = encoded[start:end].decode("utf-8", errors="strict")
            for feature in facet.get("features", []):
                kind = feature.get("$type")
                if kind == "app.bsky.richtext.facet#link" and cut != feature.get("uri"):
                    return f"Record/facets: link facet covers {cut!r}, not its uri"
                if kind == "app.bsky.richtext.facet#tag" and cut != "#" + feature.get("tag", ""):
                    return f"Record/facets: tag facet covers {cut!r}"
        embed = record.get("embed") or {}
        for image in embed.get("images", []):
            if not isinstance(image.get("alt"), str):
                return 'Record/embed/images/0 must have the property "alt"'
            if image["image"]["ref"]["$link"] not in self.blobs:
                return "Record/embed/images: blob not found"
        thumb = (embed.get("external") or {}).get("thumb")
        if thumb and thumb["ref"]["$link"] not in self.blobs:
            return "Record/embed/external/thumb: blob not found"
        reply = record.get("reply")
        if reply:
            for ref in (reply["root"], reply["parent"]):
                if not any(p["uri"] == ref["uri"] and p["cid"] == ref["cid"] for p in self.posts):
                    return "Record/reply: could not find the post to reply to"
        return None

    def list_records(self, request: Recorded) -> Answer:
        """The repository's records of a collection, newest first (`reverse` for oldest)."""
        if request.param("repo") not in (DID, HANDLE):
            return self.error(400, f"Could not find repo: {request.param('repo')}")
        limit = int(request.param("limit") or 50)
        if not 1 <= limit <= 100:
            return self.error(400, "limit must be between 1 and 100")
        with self.lock:
            found = [p for p in self.posts if request.param("collection") in p["uri"]]
        if request.param("reverse") != "true":
            found.reverse()
        records = [{"uri": p["uri"], "cid": p["cid"], "value": p["record"]} for p in found]
        return Answer(200, {"records": records[:limit]})

    def get_record(self, request: Recorded) -> Answer:
        uri = f"at://{request.param('repo')}/{request.param('collection')}/{request.param('rkey')}"
        with self.lock:
            found = next((p for p in self.posts if p["uri"] == uri), None)
        if found is None:
            return Answer(
                400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}
            )
        return Answer(200, {"uri": found["uri"], "cid": found["cid"], "value": found["record"]})

    def view(self, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "uri": post["uri"],
            "cid": post["cid"],
            "author": {"did": DID, "handle": HANDLE},
            "record": post["record"],
            "indexedAt": post["record"]["createdAt"],
            **self.counts(post),
        }

    def counts(self, post: dict[str, Any]) -> dict[str, int]:
        counts = self.counts_now(post, post["uri"])
        return {
            "repostCount": counts["reposts"],
            "likeCount": counts["likes"],
            "replyCount": counts["replies"],
            "quoteCount": counts["quotes"],
        }
