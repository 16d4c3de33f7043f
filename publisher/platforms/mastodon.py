"""Mastodon through Mastodon.py: media with its description (alt text), then the status with
`language` and an `Idempotency-Key`, so a retry within the server's hour never posts twice.

`version_check_mode="created"` with the server's version (read by us, see `client`) makes the
library upload media to /api/v2/media (assuming 1.0.0 it would use the old v1 path), and
`ratelimit_method="throw"` keeps a rate limit from sleeping inside the tick. The client is
made on first use, not in the constructor: building adapters (for `plan`, `accounts`) must not
touch the network. The limits are the instance's own (its API says them), read once a day
(publisher.platforms.mastodon_instance). Its requests go through a session with timeouts, an
overall deadline and a size cap (publisher.platforms.transport), which also keeps the last
answer's headers: Mastodon.py's rate-limit error does not carry them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from mastodon import Mastodon

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.answers import header, iso_or_epoch, on_our_clock, origin_of
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.cache import DiskCache
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    MediaProblem,
    Stop,
    accepted,
    check_text,
    credentials,
    deadline_session,
    found,
    guard_logs,
    load_media,
    media_request,
    network_failure,
    outage,
    permanent,
    rate_limited,
    retryable,
    same_post,
    scrub,
    unknown,
    verified,
)
from publisher.platforms.counters import HashtagRule, PlatformLimits
from publisher.platforms.counting.mastodon import mastodon_length
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.lazy import lazy
from publisher.platforms.mastodon_instance import limits_from, read_instance, server_version
from publisher.platforms.metrics import Metrics, from_mastodon
from publisher.platforms.spec import PlatformSpec

mastodon_lib = lazy("mastodon")  # imported when first used
errors = lazy("mastodon.errors")


def count_mastodon(text: str, limits: PlatformLimits) -> int:
    return mastodon_length(text, limits.url_weight)


SPEC = PlatformSpec(
    name="mastodon",
    label="Mastodon",
    # Mastodon's default instance values; a server may allow more, never assume less.
    limits=PlatformLimits("mastodon", 500, None, 23, 4, 10 * 1024 * 1024, True),
    counter=count_mastodon,
    hashtags=HashtagRule(extra="\u00b7\u200c"),  # Mastodon also links the middle dot and ZWNJ
    credentials=("MASTODON_BASE_URL", "MASTODON_ACCESS_TOKEN"),
    secrets=("MASTODON_ACCESS_TOKEN",),
    can_lookup=True,
    # Mastodon keeps an Idempotency-Key for an hour; ten minutes of margin for clocks and
    # for the time between our request and the server storing the key.
    idempotent_for=dt.timedelta(minutes=50),
    lookup_reads="the account's last 40 statuses (GET /api/v1/accounts/:id/statuses)",
    # The status is saved before the create answers, and the account's statuses are read
    # from the same database (Api::V1::Accounts::StatusesController, AccountStatusesFilter):
    # read-after-write. The half minute is for a create the server is still working on
    # after our client gave up.
    visible_within=dt.timedelta(seconds=30),
    lookup_window=dt.timedelta(minutes=10),  # then a resend with the same key, within the hour
    read_after_write=True,
    # Mastodon's ids are numbers as strings; Pleroma and GoToSocial use letters too.
    id_format=re.compile(r"[0-9A-Za-z]{1,40}"),
    # GET /api/v1/statuses?id[]= (Mastodon 4.3; one status at a time before), 20 a request.
    metrics=("reposts", "likes", "replies"),
    metrics_batch=20,
)
VARIABLES = SPEC.credentials
SCOPE_FIX = (
    "the token needs the scopes write:statuses, write:media and read:accounts: create a new "
    "application under Preferences > Development and put its token in MASTODON_ACCESS_TOKEN"
)
TIMELINE_SIZE = 40
LIMITS_RETRY_SECONDS = 600.0
# The first read of the instance can happen while the scheduler holds the ledger's lock.
PROBE_TIMEOUT = (5.0, 10.0)
PROBE_DEADLINE = 15.0


def idempotency_key(key: str, part: DraftPart) -> str:
    """One per (post, part), the same on every retry: Mastodon keeps it about an hour."""
    return f"{key}/{part.number}"


class MastodonAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> MastodonAdapter:
        return cls(
            env.get("MASTODON_BASE_URL"),
            env.get("MASTODON_ACCESS_TOKEN"),
            context.limits,
            cache_dir=context.cache_dir,
            clock=context.clock,
        )

    def __init__(
        self,
        base_url: str,
        access_token: str,
        limits: PlatformLimits | None = None,
        *,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        monotonic: Callable[[], float] = time.monotonic,
        cache_dir: Path | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._configured = limits or SPEC.limits
        self._instance: PlatformLimits | None = None
        self._next_read = 0.0
        self._monotonic = monotonic
        super().__init__(self._configured)
        self.base_url = base_url.rstrip("/")
        self.origin = origin_of(self.base_url)  # where its post URLs must be
        self._token = access_token
        guard_logs([access_token])
        self.timeout = timeout
        self.clock = clock
        self.cache = DiskCache(cache_dir, clock)
        self.session = deadline_session(timeout, deadline)
        self.session.hooks["response"].append(self._remember)
        self._probe_session = deadline_session(
            (min(timeout[0], PROBE_TIMEOUT[0]), min(timeout[1], PROBE_TIMEOUT[1])),
            min(deadline, PROBE_DEADLINE),
        )
        self._probe_session.hooks["response"].append(self._remember)
        self._last_headers: Mapping[str, Any] = {}
        self._api: Mastodon | None = None
        self._account: dict[str, Any] | None = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_headers = response.headers

    # The instance decides the length, URL weight and media limits; until it answers, the
    # configured ones (Mastodon's defaults) hold, and it is asked again ten minutes later.
    @property
    def limits(self) -> PlatformLimits:  # type: ignore[override]
        if self._instance is None and self._monotonic() >= self._next_read:
            try:
                self.client()
            except (errors.MastodonError, OSError):
                self._next_read = self._monotonic() + LIMITS_RETRY_SECONDS
        return self._instance or self._configured

    @limits.setter
    def limits(self, value: PlatformLimits) -> None:
        self._configured = value

    def client(self) -> Mastodon:
        """The client, made once the instance has told its version and limits.

        We read the instance ourselves and hand its version to Mastodon.py: left to itself,
        "created" mode re-reads the version after every failed read, recursively, so an
        unreachable server costs about a thousand requests and a RecursionError (2.3.3).
        """
        if self._api is None:
            info = read_instance(
                self.base_url,
                self._token,
                self._probe_session,
                self.cache,
                (min(self.timeout[0], PROBE_TIMEOUT[0]), min(self.timeout[1], PROBE_TIMEOUT[1])),
            )
            self._instance = limits_from(info, self._configured)
            self._api = mastodon_lib.Mastodon(
                access_token=self._token,
                api_base_url=self.base_url,
                mastodon_version=server_version(str(info.get("version") or "")),
                version_check_mode="created",
                ratelimit_method="throw",
                session=self.session,
                request_timeout=self.timeout,
            )
        return self._api

    # --- post ------------------------------------------------------------------------
    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        request: dict[str, Any] = {
            "endpoint": "POST /api/v1/statuses",
            "status": part.text,
            "language": part.language or "id",
            "visibility": "public",
            "in_reply_to_id": reply_to,
            "idempotency_key": idempotency_key(key, part),
            "media": media_request(part),
        }
        problem = check_text(SPEC, part, self.limits)
        if problem:
            return permanent(SPEC, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        try:
            api = self.client()
        except errors.MastodonError as exc:  # the instance did not answer: nothing was sent
            return self._refused(exc, request, posting=False)
        try:
            media_ids = [self._upload(api, part, n, request) for n in range(len(part.media))]
            status = api.status_post(
                part.text,
                media_ids=media_ids or None,
                language=request["language"],
                visibility="public",
                in_reply_to_id=reply_to,
                idempotency_key=request["idempotency_key"],
            )
        except Stop as stop:
            return stop.result
        except errors.MastodonError as exc:
            return self._refused(exc, request, posting=True)
        status = status if isinstance(status, dict) else {}
        return accepted(
            SPEC,
            status.get("id"),
            status.get("url") or status.get("uri"),
            {**request, "media_ids": media_ids},
            allowed=(self.origin,),
        )

    def _upload(self, api: Mastodon, part: DraftPart, index: int, request: dict[str, Any]) -> str:
        try:
            image = load_media(part.media[index], self.limits.max_media_bytes, timeout=self.timeout)
        except MediaProblem as exc:
            result = (retryable if exc.retryable else permanent)(SPEC, str(exc), request)
            raise Stop(result) from None
        try:
            media = api.media_post(
                io.BytesIO(image.data),
                mime_type=image.mime,
                description=image.alt,
                file_name=image.name,
            )
        except errors.MastodonError as exc:
            raise Stop(self._refused(exc, request, posting=False)) from None
        return str(media["id"])

    def _refused(
        self, exc: errors.MastodonError, request: dict[str, Any], *, posting: bool
    ) -> PostResult:
        detail = scrub(_detail(exc), [self._token])
        if "Could not parse response as JSON" in str(exc):
            # An answer we cannot read (a proxy's page, a cut connection): the status may
            # have been made. Unknown while posting, so it is looked up before any resend.
            why = "the answer could not be read"
            return unknown(SPEC, why, request) if posting else outage(SPEC, why, request)
        if isinstance(exc, errors.MastodonRatelimitError):
            reset = iso_or_epoch(header(self._last_headers, "X-RateLimit-Reset"))
            reset = on_our_clock(reset, self._last_headers, self.clock())
            return rate_limited(SPEC, reset, "X-RateLimit-Reset", request)
        if isinstance(exc, errors.MastodonNetworkError):
            # The Idempotency-Key makes a retry within the hour safe, but only the server knows
            # whether this one arrived: the ledger keeps it as unknown.
            return network_failure(SPEC, exc, request, posting=posting)
        if isinstance(exc, errors.MastodonUnauthorizedError):
            return credentials(SPEC, f"401 ({detail})", ["MASTODON_ACCESS_TOKEN"], request)
        if isinstance(exc, errors.MastodonServerError):
            # Even a 502/504 is safe to retry here: the same Idempotency-Key returns the
            # status that may have been made instead of a second one.
            return outage(SPEC, f"server error {_status(exc)} ({detail})", request)
        if isinstance(exc, errors.MastodonNotFoundError):
            if request.get("in_reply_to_id") and posting:
                return permanent(SPEC, f"404: the post to reply to is gone ({detail})", request)
            return credentials(SPEC, f"404 ({detail})", ["MASTODON_BASE_URL"], request)
        status = _status(exc)
        if status == 403:
            return credentials(SPEC, f"403 ({detail})", [], request, SCOPE_FIX)
        if status == 422 and "processing" in detail.lower():
            return retryable(SPEC, f"the image is still being processed ({detail})", request)
        if isinstance(exc, errors.MastodonAPIError):
            return permanent(SPEC, f"{status or ''} refused ({detail})".strip(), request)
        return permanent(SPEC, f"{type(exc).__name__}: {detail}", request)

    # --- verify and lookup ----------------------------------------------------------
    def _whoami(self) -> dict[str, Any]:
        if self._account is None:
            self._account = dict(self.client().account_verify_credentials())
        return self._account

    def verify(self) -> PostResult:
        """Asks the server every time (never the cached account): a check after a token was
        revoked or restored must tell the truth."""
        self._account = None
        try:
            me = self._whoami()
        except errors.MastodonError as exc:
            return self._refused(exc, {}, posting=False)
        return verified(f"@{me.get('acct', '')}", me.get("url"))

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        try:
            me = self._whoami()
            statuses = self.client().account_statuses(
                me["id"], limit=TIMELINE_SIZE, exclude_reblogs=True
            )
        except (errors.MastodonError, KeyError):
            return None
        for status in statuses:
            if str(status.get("id")) in taken:
                continue
            text, links = html_text(status.get("content") or "")
            card = status.get("card") or {}
            if card.get("url"):
                links.append(card["url"])
            if same_post(part, text, links):
                url = status.get("url") or status.get("uri")
                return found(SPEC, status.get("id"), url, allowed=(self.origin,))
        return PostResult(ok=False, error=f"not among the last {TIMELINE_SIZE} posts on Mastodon")

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Boosts, favourites and replies of our statuses: the counts, never the accounts."""
        try:
            api = self.client()
            try:
                statuses = list(api.statuses(list(remote_ids)))
            except errors.MastodonVersionError:  # before 4.3: one at a time, 404 when gone
                statuses = [s for s in map(self._status, remote_ids) if s is not None]
        except errors.MastodonError as exc:
            return Metrics(failure=self._refused(exc, {}, posting=False))
        return Metrics({str(s.get("id")): from_mastodon(s) for s in statuses})

    def _status(self, status_id: str) -> Any:
        try:
            return self.client().status(status_id)
        except errors.MastodonNotFoundError:
            return None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p"):
            self.pieces.append("\n")
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def html_text(content: str) -> tuple[str, list[str]]:
    """A status's HTML as text (links keep their full URL text), and its link targets."""
    parser = _Text()
    parser.feed(content)
    return "".join(parser.pieces), parser.links


def _status(exc: errors.MastodonError) -> int | None:
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


def _detail(exc: errors.MastodonError) -> str:
    if len(exc.args) >= 4:
        return str(exc.args[3] or exc.args[2])
    return str(exc)


ADAPTER = MastodonAdapter
