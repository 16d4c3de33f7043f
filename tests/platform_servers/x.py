"""A local X API v2: posts, v2 media upload and alt text, the user's timeline.

It verifies the OAuth 1.0a HMAC-SHA1 signature against the URL tweepy signed
(https://api.twitter.com/...), counts text with twitter-text's own parser, refuses a repeated
text with X's 403 duplicate-content body, and stores text the way X does (links as t.co,
with the real target in `entities.urls`).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from oauthlib.oauth1.rfc5849 import signature, utils
from twitter_text import extract_urls_with_indices, parse_tweet

from tests.platform_servers import Answer, PlatformServer, Recorded, next_id

API_HOST = "https://api.twitter.com"
CONSUMER_KEY = "test-x-consumer-key"
CONSUMER_SECRET = "test-x-consumer-secret-0123456789"
ACCESS_TOKEN = "1500000000000000001-test-x-access-token"
ACCESS_SECRET = "test-x-access-token-secret-0123456789"
USER = {"id": "1500000000000000001", "name": "TPPO Bengkulu Tengah", "username": "tppo_bteng"}
MAX_IMAGE = 5 * 1024 * 1024
OAUTH_FIELDS = (
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_token",
    "oauth_version",
)

PROBLEMS = {
    400: ("Invalid Request", "One or more parameters to your request was invalid."),
    401: ("Unauthorized", "Unauthorized"),
    403: ("Forbidden", "You are not allowed to create a Tweet with duplicate content."),
    404: ("Not Found Error", "Could not find the requested resource."),
    429: ("Too Many Requests", "Too Many Requests"),
    500: ("Internal Server Error", "Internal Server Error"),
    502: ("Bad Gateway", "Bad Gateway"),
    503: ("Service Unavailable", "Service Unavailable"),
    504: ("Gateway Timeout", "Gateway Timeout"),
}


DAY = 86400.0


class XServer(PlatformServer):
    name = "x"
    CREATE = r"^/2/tweets$"

    def __init__(self) -> None:
        super().__init__()
        self.media: dict[str, dict[str, Any]] = {}
        self.rate_window = 900.0  # X's windows are 15 minutes
        self._fixed_reset: int | None = None  # a reset a test set by hand
        self._last_reset = int(self.now() + self.rate_window)
        self.daily_cap: int | None = None  # posts per 24 hours per user (cap_24h)

    @property
    def rate_reset(self) -> int:
        """The `x-rate-limit-reset` of the last 429 (or the one a test set)."""
        return self._fixed_reset if self._fixed_reset is not None else self._last_reset

    @rate_reset.setter
    def rate_reset(self, value: int) -> None:
        self._fixed_reset = value

    def cap_24h(self, limit: int) -> None:
        """X's 24-hour cap on posts per user, counted on the server's clock: past `limit`
        posts in the last 24 hours, a create answers 429 with `x-user-limit-24hour-*`."""
        self.daily_cap = limit

    def _day_headers(self) -> dict[str, str]:
        if self.daily_cap is None:
            return {}
        now = self.now()
        recent = [p["_created"] for p in self.posts if p["_created"] > now - DAY]
        reset = (min(recent) if recent else now) + DAY
        return {
            "x-user-limit-24hour-limit": str(self.daily_cap),
            "x-user-limit-24hour-remaining": str(max(self.daily_cap - len(recent), 0)),
            "x-user-limit-24hour-reset": str(int(reset)),
        }

    def without_id(self, answer: Answer, how: str) -> Answer:
        data = dict((answer.body or {}).get("data") or {})
        if how == "missing":
            data.pop("id", None)
        else:
            data["id"] = self.broken_id(data.get("id"), how)
        return Answer(answer.status, {**(answer.body or {}), "data": data}, answer.headers)

    def error(self, status: int, message: str = "") -> Answer:
        title, detail = PROBLEMS.get(status, ("Error", "Error"))
        body: dict[str, Any] = {
            "title": title,
            "detail": message or detail,
            "type": "about:blank",
            "status": status,
        }
        headers = {}
        if status == 429:
            if self._fixed_reset is None:
                self._last_reset = int(self.now() + self.rate_window)
            headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(self.rate_reset),
            }
        return Answer(status, body, headers)

    def invalid(self, message: str, parameter: str) -> Answer:
        title, detail = PROBLEMS[400]
        return Answer(
            400,
            {
                "errors": [{"parameters": {parameter: []}, "message": message}],
                "title": title,
                "detail": detail,
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    # --- auth --------------------------------------------------------------------------
    def auth_problem(self, request: Recorded) -> str | None:
        header = request.headers.get("authorization", "")
        if self.revoked:
            return "the access token was revoked"
        if not header.startswith("OAuth "):
            return "no OAuth 1.0a Authorization header"
        params = dict(utils.parse_authorization_header(header))
        absent = [f for f in OAUTH_FIELDS if f not in params]
        if absent:
            return f"OAuth header without {', '.join(absent)}"
        if params["oauth_consumer_key"] != CONSUMER_KEY or params["oauth_token"] != ACCESS_TOKEN:
            return "unknown consumer key or token"
        uri = API_HOST + request.path + (f"?{request.query_string}" if request.query_string else "")
        form = request.body if "x-www-form-urlencoded" in request.content_type else None
        signed = SimpleNamespace(
            uri=uri,
            http_method=request.method,
            signature=utils.unescape(params["oauth_signature"]),
            params=signature.collect_parameters(
                uri_query=request.query_string,
                body=form.decode() if form else None,
                headers={"Authorization": header},
            ),
        )
        if not signature.verify_hmac_sha1(signed, CONSUMER_SECRET, ACCESS_SECRET):
            return "bad OAuth signature"
        return None

    # --- routes ------------------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        if self.auth_problem(request):
            return self.error(401)
        path = request.path
        if request.method == "POST" and path == "/2/tweets":
            return self.create_tweet(request.json() or {})
        if request.method == "POST" and path == "/2/media/upload":
            return self.upload(request)
        if request.method == "POST" and path == "/2/media/metadata":
            body = request.json() or {}
            alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
            return self.set_alt(body.get("id"), alt, v2=True)
        if request.method == "POST" and path == "/2/media/metadata/create":
            body = request.json() or {}
            return self.set_alt(body.get("media_id"), (body.get("alt_text") or {}).get("text"))
        if request.method == "GET" and path == "/2/tweets":
            return self.lookup_tweets(request)
        if request.method == "GET" and path == "/2/users/me":
            return Answer(200, {"data": USER})
        match = re.fullmatch(r"/2/users/(\d+)/tweets", path)
        if request.method == "GET" and match:
            return self.timeline(match.group(1), request)
        return self.error(404)

    def create_tweet(self, body: dict[str, Any]) -> Answer:
        text = body.get("text")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not isinstance(text, str) or (not text and not media_ids):
            return self.invalid("$.text: is missing but it is required", "text")
        if parse_tweet(text).weightedLength > 280:
            return self.error(403, "Your Tweet text is too long.")
        for media_id in media_ids:
            if media_id not in self.media:
                return self.invalid(
                    f"$.media.media_ids: {media_id} is not a valid media id", "media.media_ids"
                )
        reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        with self.lock:
            if reply is not None and not any(t["id"] == reply for t in self.posts):
                return self.invalid("The tweet you are replying to does not exist.", "reply")
            if any(t["sent_text"] == text for t in self.posts):
                return self.error(403)  # duplicate content
            day = self._day_headers()
            if day and day["x-user-limit-24hour-remaining"] == "0":
                return self.over_daily_cap(day)
            tweet_id = next_id(len(self.posts))
            stored, urls = self.as_x_stores(text, media_ids)
            self.keep(
                {
                    "id": tweet_id,
                    "sent_text": text,
                    "text": stored,
                    "entities": {"urls": urls},
                    "media_ids": media_ids,
                    "in_reply_to": reply,
                    "alt": [self.media[m].get("alt") for m in media_ids],
                }
            )
            day = self._day_headers()
        return Answer(
            201,
            {"data": {"id": tweet_id, "text": stored, "edit_history_tweet_ids": [tweet_id]}},
            day,
        )

    def over_daily_cap(self, day: dict[str, str]) -> Answer:
        """The 24-hour cap: 429, the 15-minute window still open, the day's one spent."""
        answer = self.error(429)
        answer.headers["x-rate-limit-remaining"] = "99"
        answer.headers["x-rate-limit-reset"] = str(int(self.now() + self.rate_window))
        answer.headers.update(day)
        return answer

    def as_x_stores(self, text: str, media_ids: list[str]) -> tuple[str, list[dict[str, Any]]]:
        out, urls, position = [], [], 0
        for n, found in enumerate(extract_urls_with_indices(text)):
            start, end = found["indices"]
            out.append(text[position:start])
            short = f"https://t.co/l{len(self.posts)}x{n}"
            urls.append(
                {"url": short, "expanded_url": found["url"], "display_url": found["url"][:24]}
            )
            out.append(short)
            position = end
        out.append(text[position:])
        if media_ids:
            out.append(f" https://t.co/m{len(self.posts)}")
        return "".join(out), urls

    def upload(self, request: Recorded) -> Answer:
        files = request.files()
        fields = request.form()
        if "media" not in files:
            return self.invalid("media is required", "media")
        if fields.get("media_category") not in ("tweet_image", "tweet_gif", "tweet_video"):
            return self.invalid("media_category is invalid", "media_category")
        data = files["media"].data
        if len(data) > MAX_IMAGE:
            return self.invalid("File size exceeds 5242880 bytes.", "media")
        with self.lock:
            media_id = str(1_900_000_000_000_000_000 + len(self.media))
            self.media[media_id] = {
                "size": len(data),
                "type": fields.get("media_type"),
                "alt": None,
            }
        return Answer(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": fields.get("media_type")},
                }
            },
        )

    def set_alt(self, media_id: Any, alt: Any, v2: bool = False) -> Answer:
        if media_id not in self.media:
            return self.invalid(f"media id {media_id} was not found", "id")
        if not isinstance(alt, str) or not alt or len(alt) > 1000:
            return self.invalid("alt_text.text must be 1 to 1000 characters", "alt_text")
        with self.lock:
            self.media[media_id]["alt"] = alt
        if v2:
            return Answer(
                200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
            )
        return Answer(200, None)

    def timeline(self, user_id: str, request: Recorded) -> Answer:
        if user_id != USER["id"]:
            return self.error(404)
        limit = int(request.param("max_results") or 10)
        if not 5 <= limit <= 100:
            return self.invalid("max_results must be between 5 and 100", "max_results")
        with self.lock:
            latest = [p for p in reversed(self.posts) if self.visible(p)][:limit]
        fields = (request.param("tweet.fields") or "").split(",")
        data = []
        for tweet in latest:
            item = {
                "id": tweet["id"],
                "text": tweet["text"],
                "edit_history_tweet_ids": [tweet["id"]],
            }
            if "entities" in fields:
                item["entities"] = tweet["entities"]
            data.append(item)
        return Answer(200, {"data": data, "meta": {"result_count": len(data)}})

    def lookup_tweets(self, request: Recorded) -> Answer:
        """GET /2/tweets?ids=: up to 100 posts; `public_metrics` when asked for. An id that is
        not there comes back in `errors`, as X answers for a deleted post."""
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return self.invalid("ids must name 1 to 100 posts", "ids")
        fields = (request.param("tweet.fields") or "").split(",")
        data, errors = [], []
        with self.lock:
            for tweet_id in ids:
                tweet = next((t for t in self.posts if t["id"] == tweet_id), None)
                if tweet is None:
                    errors.append({"value": tweet_id, "resource_id": tweet_id,
                                   "title": "Not Found Error", "resource_type": "tweet",
                                   "detail": f"Could not find tweet with ids: [{tweet_id}]."})  # fmt: skip
                    continue
                item = {"id": tweet_id, "text": tweet["text"], "edit_history_tweet_ids": [tweet_id]}
                if "public_metrics" in fields:
                    counts = self.counts_now(tweet, tweet_id)
                    item["public_metrics"] = {
                        "retweet_count": counts["reposts"],
                        "reply_count": counts["replies"],
                        "like_count": counts["likes"],
                        "quote_count": counts["quotes"],
                        "bookmark_count": 0,
                        "impression_count": counts["views"],
                    }
                data.append(item)
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return Answer(200, body)
