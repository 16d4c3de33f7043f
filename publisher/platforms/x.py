"""X: posts through tweepy.Client.create_tweet (v2), images through X's v2 media upload.

tweepy has no v2 media upload (its v1.1 one is retired), so the upload and the alt text are
written here, on tweepy's own session with its OAuth 1.0a signing. tweepy's host is
hard-coded in Client.request; a transport adapter mounted on the session gives every request
timeouts and an overall deadline (tweepy sets none) and, in tests, sends it to a local
server instead.
Rate limits: never `wait_on_rate_limit` (it sleeps until the reset, blocking the loop); a 429
comes back as a platform-wide hold until the reset X announces: the 15-minute window
(`x-rate-limit-*`) or the 24-hour caps (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`),
whichever is spent; the later one when several are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.answers import from_epoch, header, on_our_clock
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    MediaProblem,
    Stop,
    accepted,
    check_text,
    credentials,
    duplicate,
    found,
    guard_logs,
    load_media,
    media_request,
    network_failure,
    permanent,
    rate_limited,
    retryable,
    same_post,
    scrub,
    server_error,
    verified,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.counting.twitter import x_valid, x_weighted_length
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.lazy import lazy
from publisher.platforms.metrics import Metrics, from_x
from publisher.platforms.spec import PlatformSpec
from publisher.platforms.transport import DeadlineAdapter

tweepy = lazy("tweepy")  # imported when first used

API_HOST = "https://api.twitter.com"  # the host tweepy's Client.request hard-codes
MEDIA_UPLOAD_PATH = "/2/media/upload"
# X's docs have shown two shapes for alt text: `/2/media/metadata` with {id, metadata} and
# `/2/media/metadata/create` with {media_id, alt_text}. The body follows this one constant.
MEDIA_METADATA_PATH = "/2/media/metadata"
MAX_ALT = 1000
TIMELINE_SIZE = 50


def count_x(text: str, limits: PlatformLimits) -> int:
    return x_weighted_length(text, limits.url_weight)


SPEC = PlatformSpec(
    name="x",
    label="X",
    limits=PlatformLimits("x", 280, None, 23, 4, 5 * 1024 * 1024, True),
    counter=count_x,
    accepts=x_valid,
    refusal="it holds a character X refuses: U+FFFE, U+FEFF or U+FFFF",
    credentials=("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"),
    secrets=("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"),
    optional=("X_BASE_URL",),  # the local test server
    can_lookup=True,
    lookup_reads=f"the account's last {TIMELINE_SIZE} posts (GET /2/users/:id/tweets)",
    # X documents no delay; a user saw its v2 user timeline 8-9 s behind the v1.1 one
    # (github.com/redouane59/twittered discussion 176). A minute, for margin.
    visible_within=dt.timedelta(minutes=1),
    lookup_window=dt.timedelta(minutes=30),
    read_after_write=False,
    id_format=re.compile(r"[1-9][0-9]{0,19}"),  # a snowflake
    post_hosts=("x.com",),
    # GET /2/tweets with tweet.fields=public_metrics, up to 100 ids a request; X gives the
    # impressions of one's own posts there.
    metrics=("reposts", "likes", "replies", "quotes", "views"),
    metrics_batch=100,
)
VARIABLES = SPEC.credentials
PERMISSION_FIX = (
    "in the X developer portal give the app 'Read and write' permission, then regenerate "
    "X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET and put them in .env"
)


@dataclass(frozen=True)
class XCredentials:
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    def values(self) -> tuple[str, ...]:
        return (self.api_key, self.api_secret, self.access_token, self.access_token_secret)


# The windows X announces, each with `-remaining` and `-reset` (Unix seconds).
RATE_WINDOWS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")


class Transport(DeadlineAdapter):
    """Gives tweepy's requests timeouts and a deadline and, when `base_url` is not X, a
    local host."""

    def __init__(
        self, base_url: str, timeout: tuple[float, float], deadline: float = DEADLINE
    ) -> None:
        super().__init__(timeout, deadline)
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.base_url != API_HOST and request.url and request.url.startswith(API_HOST):
            request.url = self.base_url + request.url[len(API_HOST) :]
        return super().send(request, **kwargs)


def rate_reset(headers: Mapping[str, Any], now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """When X takes posts again, and the header that says so: the reset of every window
    whose `-remaining` is 0, the latest of them (a spent 24-hour cap outlasts the 15-minute
    window); `x-rate-limit-reset` when no window says it is spent."""
    spent = []
    for window in RATE_WINDOWS:
        reset = from_epoch(header(headers, f"{window}-reset"))
        if reset is not None and str(header(headers, f"{window}-remaining")).strip() == "0":
            spent.append((reset, f"{window}-reset"))
    if not spent:
        reset = from_epoch(header(headers, "x-rate-limit-reset"))
        spent = [(reset, "x-rate-limit-reset")] if reset else []
    if not spent:
        return None, "x-rate-limit-reset"
    reset, name = max(spent)
    return on_our_clock(reset, headers, now), name


def alt_text_body(media_id: str, alt: str, path: str) -> dict[str, Any]:
    text = alt[:MAX_ALT]
    if path.endswith("/create"):
        return {"media_id": media_id, "alt_text": {"text": text}}
    return {"id": media_id, "metadata": {"alt_text": {"text": text}}}


class XAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> XAdapter:
        creds = XCredentials(*(env.get(name) for name in SPEC.credentials))
        base_url = env.get("X_BASE_URL") or API_HOST
        return cls(creds, context.limits, base_url=base_url, clock=context.clock)

    def __init__(
        self,
        creds: XCredentials,
        limits: PlatformLimits | None = None,
        *,
        base_url: str = API_HOST,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(limits)
        self.creds = creds
        guard_logs(creds.values())
        self.timeout = timeout
        self.deadline = deadline
        self.clock = clock
        self.client = tweepy.Client(
            consumer_key=creds.api_key,
            consumer_secret=creds.api_secret,
            access_token=creds.access_token,
            access_token_secret=creds.access_token_secret,
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self.client.session.mount(API_HOST, Transport(base_url, timeout, deadline))
        self._me: dict[str, Any] | None = None

    # --- post ------------------------------------------------------------------------
    def _body(self, part: DraftPart, reply_to: str | None, media_ids: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"text": part.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        return body

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        planned = [f"<upload {n}>" for n in range(1, len(part.media) + 1)]
        request = {
            "endpoint": "POST /2/tweets",
            "json": self._body(part, reply_to, planned),
            "media": media_request(part),
        }
        problem = check_text(SPEC, part, self.limits)
        if problem:
            return permanent(SPEC, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        try:
            media_ids = [self._upload(part, n, request) for n in range(len(part.media))]
            request = {**request, "json": self._body(part, reply_to, media_ids)}
            answer = self.client.create_tweet(
                text=part.text,
                media_ids=media_ids or None,
                in_reply_to_tweet_id=reply_to,
                user_auth=True,
            )
        except Stop as stop:
            return stop.result
        except tweepy.HTTPException as exc:
            return self._refused(exc.response, _messages(exc), request, posting=True)
        except requests.RequestException as exc:
            return network_failure(SPEC, exc, request, posting=True)
        data = answer.get("data") if isinstance(answer, dict) else None
        tweet_id = data.get("id") if isinstance(data, dict) else None
        return accepted(SPEC, tweet_id, tweet_url(str(tweet_id)), request)

    def _upload(self, part: DraftPart, index: int, request: dict[str, Any]) -> str:
        """One image through X's v2 simple upload, then its alt text; returns the media id."""
        try:
            image = load_media(part.media[index], self.limits.max_media_bytes, timeout=self.timeout)
        except MediaProblem as exc:
            result = (retryable if exc.retryable else permanent)(SPEC, str(exc), request)
            raise Stop(result) from None
        answer = self._call(
            MEDIA_UPLOAD_PATH,
            request,
            files={"media": (image.name, image.data, image.mime)},
            data={"media_category": "tweet_image", "media_type": image.mime},
        )
        data = answer.get("data") or answer
        media_id = str(data.get("id") or data.get("media_id_string") or data.get("media_id") or "")
        if not media_id:
            raise Stop(retryable(SPEC, "the media upload answered without a media id", request))
        path = MEDIA_METADATA_PATH
        self._call(path, request, json=alt_text_body(media_id, image.alt, path))
        return media_id

    def _call(self, path: str, request: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A signed POST of our own (media); any failure ends the send before the post."""
        auth = tweepy.OAuth1UserHandler(*self.creds.values()).apply_auth()
        try:
            answer = self.client.session.post(API_HOST + path, auth=auth, **kwargs)
        except requests.RequestException as exc:
            raise Stop(network_failure(SPEC, exc, request, posting=False)) from None
        if answer.status_code >= 300:
            result = self._refused(answer, _answer_messages(answer), request, posting=False)
            if answer.status_code == 404 and path == MEDIA_METADATA_PATH:
                result = permanent(
                    SPEC,
                    f"404 at {path}: X's alt-text endpoint may have moved; change "
                    "MEDIA_METADATA_PATH in publisher/adapters/x.py",
                    request,
                )
            raise Stop(result)
        try:
            return answer.json() if answer.content else {}
        except ValueError:
            raise Stop(retryable(SPEC, f"{path} answered with non-JSON", request)) from None

    # --- answers ---------------------------------------------------------------------
    def _refused(
        self, response: Any, message: str, request: dict[str, Any], *, posting: bool
    ) -> PostResult:
        status = int(response.status_code)
        message = scrub(message, self.creds.values())
        if status == 429:
            reset, name = rate_reset(response.headers, self.clock())
            return rate_limited(SPEC, reset, name, request)
        if status >= 500:
            return server_error(SPEC, status, message, request, posting=posting)
        if status == 401:
            return credentials(SPEC, f"401 Unauthorized ({message})", VARIABLES, request)
        if status == 403 and "duplicate" in message.lower():
            # X refuses a text it already has: an earlier send of this part went out.
            return duplicate(SPEC, f"403 duplicate content ({message})", request)
        if status == 403 and ("too long" in message.lower() or "shorter" in message.lower()):
            return permanent(SPEC, f"403 the text is too long for X ({message})", request)
        if status == 403:
            return credentials(
                SPEC, f"403 Forbidden ({message})", VARIABLES, request, PERMISSION_FIX
            )
        return permanent(SPEC, f"{status} refused as invalid ({message})", request)

    # --- verify and lookup ----------------------------------------------------------
    def _whoami(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self.client.get_me(user_auth=True)["data"]
        return self._me

    def verify(self) -> PostResult:
        """Asks X every time (never the cached account): a check after a credential was
        revoked or restored must tell the truth."""
        self._me = None
        try:
            me = self._whoami()
        except tweepy.HTTPException as exc:
            return self._refused(exc.response, _messages(exc), {}, posting=False)
        except requests.RequestException as exc:
            return network_failure(SPEC, exc, {}, posting=False)
        username = me.get("username", "")
        return verified(f"@{username}", f"https://x.com/{username}")

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        """Is the part among the account's latest posts? t.co hides links, so the link is
        compared through `entities.urls[].expanded_url`."""
        try:
            me = self._whoami()
            answer = self.client.get_users_tweets(
                me["id"], max_results=TIMELINE_SIZE, tweet_fields=["entities"], user_auth=True
            )
        except (tweepy.TweepyException, requests.RequestException, KeyError):
            return None
        for tweet in answer.get("data") or []:
            if str(tweet.get("id")) in taken:
                continue
            links = [u.get("expanded_url", "") for u in tweet.get("entities", {}).get("urls", [])]
            if same_post(part, tweet.get("text", ""), links):
                return found(SPEC, tweet.get("id"), tweet_url(str(tweet.get("id"))))
        return PostResult(ok=False, error=f"not among the last {TIMELINE_SIZE} posts on X")

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """The public counts of our posts (GET /2/tweets): numbers only, no accounts."""
        try:
            answer = self.client.get_tweets(
                list(remote_ids), tweet_fields=["public_metrics"], user_auth=True
            )
        except tweepy.HTTPException as exc:
            return Metrics(failure=self._refused(exc.response, _messages(exc), {}, posting=False))
        except requests.RequestException as exc:
            return Metrics(failure=network_failure(SPEC, exc, {}, posting=False))
        tweets = answer.get("data") if isinstance(answer, dict) else None
        return Metrics({str(t.get("id")): from_x(t) for t in tweets or [] if isinstance(t, dict)})


def tweet_url(tweet_id: str) -> str:
    return f"https://x.com/i/web/status/{tweet_id}"


def _messages(exc: tweepy.HTTPException) -> str:
    return "; ".join(str(m) for m in exc.api_messages) or str(exc)


def _answer_messages(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.reason or ""
    if not isinstance(body, dict):
        return answer.reason or ""
    found = [e.get("message", "") for e in body.get("errors", []) if isinstance(e, dict)]
    found += [str(body[k]) for k in ("detail", "error") if body.get(k)]
    return "; ".join(m for m in found if m) or answer.reason or ""


ADAPTER = XAdapter
