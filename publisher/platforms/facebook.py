"""A Facebook Page through the Graph API over plain HTTP (no SDK is maintained for Python).

Text goes to `/{page}/feed` with the link as its own field (Facebook makes the card); a post
with an image goes to `/{page}/photos` with the image uploaded and the text as caption (a
photo has no link field, so the link is added to the caption). The token travels in the
Authorization header, never in a URL that could be logged.
Graph errors are told apart by their code, not only the HTTP status: a rate limit comes as
400/403 with code 4, 17, 32 or 613, an expired token as 400 with code 190.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

import requests

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    MediaProblem,
    accepted,
    check_text,
    credentials,
    deadline_session,
    duplicate,
    found,
    guard_logs,
    load_media,
    media_request,
    network_failure,
    permanent,
    rate_limited,
    retry_after,
    retryable,
    same_post,
    scrub,
    server_error,
    unknown,
    verified,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.metrics import Metrics, from_facebook
from publisher.platforms.spec import PlatformSpec

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
SPEC = PlatformSpec(
    name="facebook",
    label="Facebook",
    limits=PlatformLimits("facebook", 5000, None, None, 1, 4 * 1024 * 1024, False),
    credentials=("FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_TOKEN"),
    secrets=("FACEBOOK_PAGE_TOKEN",),
    optional=("FACEBOOK_BASE_URL", "FACEBOOK_API_VERSION"),
    link_policy="field",  # the link goes in its own field: Facebook makes the card
    can_lookup=True,
    lookup_reads="the Page's last 25 posts (GET /{page-id}/feed)",
    # Meta says "the post is published immediately" (Pages API, Publish a Page Post) but
    # promises nothing about when /feed shows it: not proven read-after-write, and two
    # minutes of margin, our own conservative choice.
    visible_within=dt.timedelta(minutes=2),
    lookup_window=dt.timedelta(minutes=30),
    read_after_write=False,
    id_format=re.compile(r"[0-9]{1,20}(_[0-9]{1,20})?"),  # {page-id}_{post-id}, or a photo id
    post_hosts=("facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"),
    # Shares, reactions and comments as totals (GET /?ids=, up to 50 ids a request). Views
    # (post_impressions) need the read_insights permission this token is not asked for.
    metrics=("reposts", "likes", "replies"),
    metrics_batch=50,
)
VARIABLES = SPEC.credentials
RATE_CODES = {4, 17, 32, 613, 80001}
TRANSIENT_CODES = {1, 2}
TOKEN_CODES = {102, 190, 463, 467}
DUPLICATE_CODES = {506}
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")
PERMISSION_FIX = (
    "the Page token needs the pages_manage_posts and pages_read_engagement permissions: make "
    "a new Page access token and put it in FACEBOOK_PAGE_TOKEN"
)
FEED_SIZE = 25
# Totals only: `limit(0)` lists no one who reacted or commented, `summary` gives the count.
METRIC_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)


def regain_minutes(headers: Any) -> float | None:
    """Meta's usage headers say when a throttled Page may call again, in minutes."""
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [usage] if isinstance(usage, dict) and "call_count" in usage else []
        if isinstance(usage, dict) and not entries:
            entries = [e for group in usage.values() if isinstance(group, list) for e in group]
        waits = [e.get("estimated_time_to_regain_access") for e in entries if isinstance(e, dict)]
        waits = [float(w) for w in waits if isinstance(w, (int, float))]
        if waits:
            return max(waits)
    return None


class FacebookAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> FacebookAdapter:
        return cls(
            env.get("FACEBOOK_PAGE_ID"),
            env.get("FACEBOOK_PAGE_TOKEN"),
            context.limits,
            base_url=env.get("FACEBOOK_BASE_URL") or DEFAULT_BASE_URL,
            version=env.get("FACEBOOK_API_VERSION") or DEFAULT_VERSION,
            clock=context.clock,
        )

    def __init__(
        self,
        page_id: str,
        page_token: str,
        limits: PlatformLimits | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        version: str = DEFAULT_VERSION,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        session: requests.Session | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(limits)
        self.clock = clock
        self.page_id = page_id
        self._token = page_token
        guard_logs([page_token])
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.timeout = timeout
        self.session = deadline_session(timeout, deadline, session=session)

    def _url(self, edge: str = "") -> str:
        path = f"{self.page_id}/{edge}" if edge else self.page_id
        return f"{self.base_url}/{self.version}/{path}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    # --- post ------------------------------------------------------------------------
    def _fields(self, part: DraftPart) -> tuple[str, dict[str, str]]:
        if part.media:
            caption = part.text
            if part.link and part.link not in caption:
                caption = f"{caption}\n\n{part.link}"
            return "photos", {"caption": caption, "published": "true"}
        fields = {"message": part.text}
        if part.link:
            fields["link"] = part.link
        return "feed", fields

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        edge, fields = self._fields(part)
        request = {
            "endpoint": f"POST /{self.version}/{{page}}/{edge}",
            "data": fields,
            "media": media_request(part),
        }
        problem = check_text(SPEC, part, self.limits)
        if (
            problem is None
            and edge == "photos"
            and not SPEC.fits(fields["caption"], limits=self.limits)
        ):
            problem = "the caption with its link is over the limit"
        if problem:
            return permanent(SPEC, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        files = None
        if part.media:
            try:
                image = load_media(part.media[0], self.limits.max_media_bytes, timeout=self.timeout)
            except MediaProblem as exc:
                return (retryable if exc.retryable else permanent)(SPEC, str(exc), request)
            files = {"source": (image.name, image.data, image.mime)}
        try:
            answer = self.session.post(
                self._url(edge),
                data=fields,
                files=files,
                headers=self._headers(),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            return network_failure(SPEC, exc, request, posting=True)
        if answer.status_code != 200:
            return self._refused(answer, request, posting=True)
        try:
            body = answer.json()
        except ValueError:
            return unknown(SPEC, "the answer to the post could not be read", request)
        body = body if isinstance(body, dict) else {}
        post_id = body.get("post_id") or body.get("id")
        return accepted(SPEC, post_id, post_url(str(post_id)), request)

    # --- answers ---------------------------------------------------------------------
    def _refused(
        self, answer: requests.Response, request: dict[str, Any], *, posting: bool
    ) -> PostResult:
        status = answer.status_code
        try:
            error = answer.json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        code = error.get("code")
        message = scrub(str(error.get("message") or answer.reason or ""), [self._token])
        detail = f"{status}, code {code}: {message}" if code is not None else f"{status}: {message}"
        if status == 429 or code in RATE_CODES:
            minutes = regain_minutes(answer.headers)
            reset = retry_after(minutes * 60, self.clock()) if minutes else None
            return rate_limited(SPEC, reset, "estimated_time_to_regain_access", request)
        if code in DUPLICATE_CODES:
            return duplicate(SPEC, f"refused as a duplicate ({detail})", request)
        if code in TOKEN_CODES or status == 401:
            return credentials(
                SPEC, f"the token was refused ({detail})", ["FACEBOOK_PAGE_TOKEN"], request
            )
        if code == 10 or (isinstance(code, int) and 200 <= code <= 299) or status == 403:
            return credentials(SPEC, f"permission missing ({detail})", [], request, PERMISSION_FIX)
        if code == 803 or (code == 100 and error.get("error_subcode") == 33):
            return credentials(SPEC, f"no such Page ({detail})", ["FACEBOOK_PAGE_ID"], request)
        if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
            return server_error(SPEC, status, detail, request, posting=posting)
        return permanent(SPEC, f"refused ({detail})", request)

    # --- verify and lookup ----------------------------------------------------------
    def _get(self, url: str, params: dict[str, str]) -> requests.Response:
        return self.session.get(url, params=params, headers=self._headers(), timeout=self.timeout)

    def verify(self) -> PostResult:
        try:
            answer = self._get(self._url(), {"fields": "id,name,link"})
        except requests.RequestException as exc:
            return network_failure(SPEC, exc, {}, posting=False)
        if answer.status_code != 200:
            return self._refused(answer, {}, posting=False)
        page = answer.json()
        return verified(page.get("name") or self.page_id, page.get("link"))

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        try:
            answer = self._get(
                self._url("feed"), {"fields": "id,message,permalink_url", "limit": str(FEED_SIZE)}
            )
            posts = answer.json().get("data") if answer.status_code == 200 else None
        except (requests.RequestException, ValueError, AttributeError):
            return None
        if posts is None:
            return None
        for post in posts:
            if str(post.get("id")) in taken:
                continue
            if same_post(part, post.get("message") or ""):
                post_id = post.get("id")
                return found(SPEC, post_id, post.get("permalink_url") or post_url(str(post_id)))
        return PostResult(ok=False, error=f"not among the last {FEED_SIZE} posts of the Page")

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Shares, reactions and comments of the Page's posts, as totals, in one request."""
        params = {"ids": ",".join(remote_ids), "fields": METRIC_FIELDS}
        try:
            answer = self._get(f"{self.base_url}/{self.version}/", params)
            body = answer.json() if answer.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            return Metrics(failure=network_failure(SPEC, exc, {}, posting=False))
        if not isinstance(body, dict):
            return Metrics(failure=self._refused(answer, {}, posting=False))
        return Metrics({str(k): from_facebook(v) for k, v in body.items() if isinstance(v, dict)})


def post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


ADAPTER = FacebookAdapter
