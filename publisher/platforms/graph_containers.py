"""Meta's two-step publishing (Instagram's content publishing, the Threads API) over plain HTTP.

Both make a post in two requests: a *container* (`POST /{user}/media` or `/threads`, with the
image's public URL, which Meta fetches at that moment), then its publication
(`POST /{user}/media_publish` or `/threads_publish` with `creation_id`). A container that is
never published is harmless (it expires after 24 hours); the publication is the post. So:

- the container's id goes back to the engine as `stage` (PostResult), which records it in
  the ledger before the second request (publisher.engine.sending), then calls again with it
  in the part (`DraftPart.stage`);
- before publishing, the container's status is read: FINISHED is published; IN_PROGRESS is
  polled a few times, then left for a later attempt; ERROR is dropped (a new container at
  the next attempt); EXPIRED is made again; PUBLISHED is never published again;
- `lookup` reads the recorded container's status: anything but PUBLISHED proves the post
  absent, since only a recorded container is ever published (no container recorded: none
  was published either). A PUBLISHED one is found by its text among the account's recent
  posts, whose id and permalink are what the ledger keeps;
- the publishing quota is read from the account's limit endpoint before a container is made,
  never assumed; a quota used up holds the platform, and it is read again an hour later;
- `verify` reads the account, and the token's expiry from `/debug_token`.

Graph errors are told apart by their code, as for the Facebook Page (publisher.platforms.
facebook): an expired token is code 190, a rate limit 4/17/32/613, the publishing quota
code 9 subcode 2207042, a container not ready to publish 9007/2207027, an image Meta could
not fetch 9004/2207052. The token travels in the Authorization header, as for the Page.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any, Self

import requests

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.answers import from_epoch, url_problem
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    Stop,
    accepted,
    check_text,
    credentials,
    deadline_session,
    found,
    guard_logs,
    is_url,
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
from publisher.platforms.facebook import RATE_CODES, TOKEN_CODES, TRANSIENT_CODES, regain_minutes
from publisher.platforms.media import media_answers
from publisher.platforms.spec import PlatformSpec

POLLS = 3  # status reads of a container IN_PROGRESS within one attempt
POLL_SECONDS = 2.0
LATER = dt.timedelta(minutes=1)  # Meta suggests reading a container's status once a minute
IMAGE_LATER = dt.timedelta(minutes=5)  # an image not on the public site yet
QUOTA_RECHECK = dt.timedelta(hours=1)  # the quota is a rolling 24 h: read it again then
RECENT = 25  # the account's recent posts a lookup reads
QUOTA = (9, 2207042)  # "You reached maximum number of posts that is allowed to be published"
NOT_READY = (9007, 2207027)  # "Media ID is not available": the container is not FINISHED
NOT_FETCHED = (9004, 2207052)  # "Media could not be fetched from this uri"
EXPIRED_SUB = 2207020  # "The media you are trying to access has expired"
_CONTAINER_ID = re.compile(r"[0-9]{1,25}")


class ContainerAdapter(BaseAdapter):
    """The shared flow; a platform module sets the edges and fields of its API."""

    spec: PlatformSpec
    CREATE_EDGE = ""  # POST /{user}/<edge>: make a container
    PUBLISH_EDGE = ""  # POST /{user}/<edge>: publish it
    LIMIT_EDGE = ""  # GET /{user}/<edge>: the publishing quota
    LIST_EDGE = ""  # GET /{user}/<edge>: the account's recent posts
    STATUS_FIELD = ""  # the container's status: status_code (Instagram), status (Threads)
    DETAIL_FIELD = ""  # why it failed: status (Instagram), error_message (Threads)
    TEXT_FIELD = ""  # a post's text: caption (Instagram), text (Threads)
    PROFILE_FIELDS = "id,username"
    USER_VAR = ""
    TOKEN_VAR = ""
    ENV_PREFIX = ""  # <PREFIX>_BASE_URL and <PREFIX>_API_VERSION: tests, a new API version
    DEFAULT_BASE_URL = DEFAULT_VERSION = ""
    PERMISSION_FIX = ""

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> Self:
        base_url = env.get(f"{cls.ENV_PREFIX}_BASE_URL") or cls.DEFAULT_BASE_URL
        version = env.get(f"{cls.ENV_PREFIX}_API_VERSION") or cls.DEFAULT_VERSION
        user_id, token, clock = env.get(cls.USER_VAR), env.get(cls.TOKEN_VAR), context.clock
        return cls(user_id, token, context.limits, base_url=base_url, version=version, clock=clock)

    def __init__(
        self,
        user_id: str,
        token: str,
        limits: PlatformLimits | None = None,
        *,
        base_url: str,
        version: str,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        session: requests.Session | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__(limits)
        self.user_id = user_id
        self._token = token
        guard_logs([token])
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.timeout = timeout
        self.session = deadline_session(timeout, deadline, session=session)
        self.clock = clock
        self.sleep = sleep
        self.poll_seconds = poll_seconds

    # --- what a platform module says -------------------------------------------------
    def container_fields(self, part: DraftPart, reply_to: str | None) -> dict[str, str]:
        raise NotImplementedError

    def quota_fields(self, reply: bool) -> tuple[str, str]:
        """The limit endpoint's (usage, config) fields for a post or a reply."""
        return "quota_usage", "config"

    def profile_url(self, username: str) -> str:
        raise NotImplementedError

    def list_edge(self, part: DraftPart) -> str:
        """Where the account's recent posts like this part are listed."""
        return self.LIST_EDGE

    def problem(self, part: DraftPart) -> str | None:
        """Why this part cannot go as it is, before anything is sent."""
        label = self.spec.label
        why = check_text(self.spec, part, self.limits) or self.spec.tags_problem(part.text)
        if why:
            return why
        if self.spec.requires_media and not part.media:
            return f"{label} takes only posts with an image, and this one has none"
        for media in part.media:
            if not is_url(media.path_or_url):
                return (
                    f"{label} fetches the image from the public site, but {media.path_or_url} "
                    "is a file on this computer: set SITEURL to the site's public address "
                    "and build again"
                )
        return None

    # --- requests ----------------------------------------------------------------------
    def _url(self, node: str, edge: str = "") -> str:
        return f"{self.base_url}/{self.version}/{node}" + (f"/{edge}" if edge else "")

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token}"}
        return self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)

    def _ask(self, url: str, params: dict[str, str], request: dict[str, Any]) -> dict[str, Any]:
        """A read that must succeed; else the send ends with its classed answer (Stop)."""
        try:
            answer = self._call("GET", url, params=params)
        except requests.RequestException as exc:
            raise Stop(network_failure(self.spec, exc, request, posting=False)) from None
        if answer.status_code != 200:
            raise Stop(self._refused(answer, request, posting=False))
        return _body(answer)

    # --- post ----------------------------------------------------------------------------
    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        fields = self.container_fields(part, reply_to)
        request: dict[str, Any] = {
            "endpoint": f"POST /{self.version}/{{user}}/{self.CREATE_EDGE}",
            "data": fields,
            "media": media_request(part),
        }
        problem = self.problem(part)
        if problem:
            return permanent(self.spec, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        try:
            if part.stage:
                return self._continue(part, reply_to, request)
            return self._create(part, reply_to, request)
        except Stop as stop:
            return stop.result

    def _create(self, part: DraftPart, reply_to: str | None, request: dict[str, Any]) -> PostResult:
        """Step one: the quota, the image on our site, then the container (its id: `stage`)."""
        self._check_quota(reply_to is not None, request)
        for media in part.media:
            if not media_answers(media.path_or_url):
                why = (
                    f"the image {media.path_or_url} does not answer on the public site yet "
                    f"(not deployed?); {self.spec.label} fetches it from there"
                )
                return replace(
                    retryable(self.spec, why, request), retry_at=self.clock() + IMAGE_LATER
                )
        try:
            answer = self._call(
                "POST", self._url(self.user_id, self.CREATE_EDGE), data=request["data"]
            )
        except requests.RequestException as exc:
            # A container that may exist is never published unless recorded: no post.
            return network_failure(self.spec, exc, request, posting=False)
        if answer.status_code != 200:
            return self._refused(answer, request, posting=False)
        container = _body(answer).get("id")
        if not isinstance(container, (str, int)) or not _CONTAINER_ID.fullmatch(str(container)):
            return retryable(self.spec, "the container's id in the answer is not usable", request)
        return PostResult(ok=False, stage=str(container), request=request)

    def _continue(
        self, part: DraftPart, reply_to: str | None, request: dict[str, Any]
    ) -> PostResult:
        """Step two: read the recorded container's status, then publish it if it is ready."""
        status, detail = self._status(part.stage, request)
        for _poll in range(POLLS):
            if status != "IN_PROGRESS":
                break
            self.sleep(self.poll_seconds)
            status, detail = self._status(part.stage, request)
        request = {**request, "creation_id": part.stage}
        if status == "FINISHED":
            return self._publish(part.stage, request)
        if status == "PUBLISHED":  # published by an earlier attempt: never twice
            why = "its container was published already; the publisher looks for the post"
            return unknown(self.spec, why, request)
        if status == "IN_PROGRESS":
            why = f"{self.spec.label} is still processing the container"
            return replace(retryable(self.spec, why, request), retry_at=self.clock() + LATER)
        if status in ("EXPIRED", "GONE"):  # never published: make it again
            return self._create(part, reply_to, request)
        why = f"{self.spec.label} could not make the post ({status}: {detail}); a new container "
        return replace(retryable(self.spec, why + "is made at the next attempt", request), stage="")

    def _status(self, container: str, request: dict[str, Any]) -> tuple[str, str]:
        try:
            answer = self._call(
                "GET",
                self._url(container),
                params={"fields": f"id,{self.STATUS_FIELD},{self.DETAIL_FIELD}"},
            )
        except requests.RequestException as exc:
            raise Stop(network_failure(self.spec, exc, request, posting=False)) from None
        if answer.status_code != 200:
            result = self._refused(answer, request, posting=False)
            if result.scope == "platform" or result.retryable:
                raise Stop(result)
            return "GONE", result.error or ""  # Meta no longer knows it: it expired
        body = _body(answer)
        status = str(body.get(self.STATUS_FIELD) or "").split(":")[0].strip().upper()
        detail = scrub(str(body.get(self.DETAIL_FIELD) or ""), [self._token])
        return status or "UNKNOWN", detail

    def _publish(self, container: str, request: dict[str, Any]) -> PostResult:
        url = self._url(self.user_id, self.PUBLISH_EDGE)
        try:
            answer = self._call("POST", url, data={"creation_id": container})
        except requests.RequestException as exc:
            return network_failure(self.spec, exc, request, posting=True)
        if answer.status_code != 200:
            return self._refused(answer, request, posting=True)
        post_id = _body(answer).get("id")
        if post_id is None:
            return unknown(self.spec, "the publication was accepted without an id", request)
        return accepted(self.spec, post_id, self._permalink(str(post_id)), request,
                        url_required=False)  # fmt: skip

    def _permalink(self, post_id: str) -> str | None:
        """The post's public address, best effort: the id alone is enough to find it."""
        try:
            answer = self._call("GET", self._url(post_id), params={"fields": "id,permalink"})
            link = _body(answer).get("permalink") if answer.status_code == 200 else None
        except requests.RequestException:
            return None
        hosts = tuple(f"https://{h}" for h in self.spec.post_hosts)
        return link if isinstance(link, str) and url_problem(link, hosts) is None else None

    def _check_quota(self, reply: bool, request: dict[str, Any]) -> None:
        """Read the account's publishing quota; hold the platform when it is used up."""
        usage, config = self.quota_fields(reply)
        body = self._ask(
            self._url(self.user_id, self.LIMIT_EDGE), {"fields": f"{usage},{config}"}, request
        )
        data = body.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        used, total = entry.get(usage), (entry.get(config) or {}).get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and used >= total:
            source = f"{self.LIMIT_EDGE}: {used} of {total} used in 24 h"
            later = self.clock() + QUOTA_RECHECK
            raise Stop(rate_limited(self.spec, later, source, request))

    # --- answers ---------------------------------------------------------------------
    def _refused(
        self, answer: requests.Response, request: dict[str, Any], *, posting: bool
    ) -> PostResult:
        status = answer.status_code
        error = _body(answer).get("error")
        error = error if isinstance(error, dict) else {}
        code, sub = error.get("code"), error.get("error_subcode")
        message = scrub(str(error.get("message") or answer.reason or ""), [self._token])
        detail = f"{status}, code {code}" + (f"/{sub}" if sub else "") + f": {message}"
        spec, now = self.spec, self.clock()
        if sub == QUOTA[1]:
            return rate_limited(spec, now + QUOTA_RECHECK, f"publishing quota ({detail})", request)
        if status == 429 or code in RATE_CODES:
            minutes = regain_minutes(answer.headers)
            reset = retry_after(minutes * 60, now) if minutes else None
            return rate_limited(spec, reset, "estimated_time_to_regain_access", request)
        if code == NOT_READY[0] or sub == NOT_READY[1]:
            why = f"the container is not ready to publish ({detail})"
            return replace(retryable(spec, why, request), retry_at=now + LATER)
        if code == NOT_FETCHED[0] or sub == NOT_FETCHED[1]:
            why = f"{spec.label} could not fetch the image from the public site ({detail})"
            return replace(retryable(spec, why, request), retry_at=now + IMAGE_LATER)
        if sub == EXPIRED_SUB:  # the container expired: a new one at the next attempt
            return replace(retryable(spec, f"the container expired ({detail})", request), stage="")
        if code in TOKEN_CODES or status == 401:
            return credentials(spec, f"the token was refused ({detail})", [self.TOKEN_VAR], request)
        if code == 10 or (isinstance(code, int) and 200 <= code <= 299) or status == 403:
            why = f"permission missing ({detail})"
            return credentials(spec, why, [], request, self.PERMISSION_FIX)
        if code == 803 or (code == 100 and sub == 33):
            return credentials(spec, f"no such account ({detail})", [self.USER_VAR], request)
        if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
            return server_error(spec, status, detail, request, posting=posting)
        return permanent(spec, f"refused ({detail})", request)

    # --- verify and lookup ----------------------------------------------------------
    def verify(self) -> PostResult:
        """The account's name, and when the token expires (`/debug_token`, where the token
        may ask about itself: its owner administers or tests the app)."""
        try:
            me = self._ask(self._url(self.user_id), {"fields": self.PROFILE_FIELDS}, {})
        except Stop as stop:
            return stop.result
        name = str(me.get("username") or me.get("name") or self.user_id)
        result = verified(f"@{name}", self.profile_url(name) if me.get("username") else None)
        try:  # the token is a query parameter here (input_token): guard_logs keeps it out
            answer = self._call(
                "GET", self._url("debug_token"), params={"input_token": self._token}
            )
            data = _body(answer).get("data") if answer.status_code == 200 else None
        except requests.RequestException:
            data = None
        expires = data.get("expires_at") if isinstance(data, dict) else None
        if isinstance(expires, (int, float)) and expires > 0:  # 0: it never expires
            result = replace(result, expires_at=from_epoch(expires))
        return result

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        if not part.stage:
            return PostResult(ok=False, error="no container was recorded: nothing was published")
        try:
            status, _detail = self._status(part.stage, {})
        except Stop:
            return None
        if status != "PUBLISHED":
            return PostResult(ok=False, error=f"its container is {status}, not published")
        params = {"fields": f"id,{self.TEXT_FIELD},permalink,timestamp", "limit": str(RECENT)}
        try:
            answer = self._call("GET", self._url(self.user_id, self.list_edge(part)), params=params)
            posts = _body(answer).get("data") if answer.status_code == 200 else None
        except requests.RequestException:
            return None
        for post in posts if isinstance(posts, list) else []:
            if not isinstance(post, dict) or str(post.get("id")) in taken:
                continue
            if same_post(part, str(post.get(self.TEXT_FIELD) or "")):
                return found(self.spec, post.get("id"), post.get("permalink"))
        return None  # published, but not among the recent posts yet: cannot tell now


def _body(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
