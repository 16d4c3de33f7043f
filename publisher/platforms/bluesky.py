"""Bluesky through atproto's Client: rich text with link and hashtag facets, images with alt
text, a link card from our own Open Graph data, `langs` from the post, replies for threads.

The library neither counts graphemes (only bytes) nor makes facets or cards for plain text,
so those are ours: 300 graphemes checked before sending, facets from the same URL and hashtag
finders as `publisher check`. Images are uploaded here rather than through `send_images`, so
a failed upload (nothing posted) is told apart from a failed post (maybe posted).
The session is made on first use and kept: createSession is limited to 30 per 5 minutes.
When the server ends it early (`ExpiredToken`), the adapter logs in again and sends the same
request once more (nothing was made: the token was refused before the write), and says so in
`PostResult.renewed_session`.
Every request has an overall deadline and a size cap (publisher.platforms.httpx_deadline).
`lookup` reads the repository itself (com.atproto.repo.listRecords on the account's PDS), not
the AppView's author feed, which shows a new post only once the AppView has indexed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atproto import Client, client_utils
    from atproto_core.exceptions import AtProtocolError

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms import counters
from publisher.platforms.answers import clip, from_epoch, header, on_our_clock
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    DEADLINE,
    TIMEOUT,
    MediaProblem,
    Stop,
    accepted,
    check_text,
    credentials,
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
    unknown,
    verified,
)
from publisher.platforms.counters import HashtagRule, PlatformLimits
from publisher.platforms.counting.twitter import find_urls
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.lazy import lazy
from publisher.platforms.metrics import Metrics, from_bluesky
from publisher.platforms.opengraph import LinkCard, OpenGraphReader
from publisher.platforms.spec import PlatformSpec

# Imported when first used: atproto takes about 0.9 s to import.
httpx = lazy("httpx")
atproto = lazy("atproto")
errors = lazy("atproto_client.exceptions")
core_errors = lazy("atproto_core.exceptions")
request_module = lazy("atproto_client.request")
deadline_module = lazy("publisher.platforms.httpx_deadline")

DEFAULT_BASE_URL = "https://bsky.social"


def count_graphemes(text: str, limits: PlatformLimits) -> int:
    return counters.grapheme_length(text)


SPEC = PlatformSpec(
    name="bluesky",
    label="Bluesky",
    # Bluesky blobs for images are capped at 1,000,000 bytes.
    limits=PlatformLimits("bluesky", 300, None, None, 4, 1_000_000, True),
    counter=count_graphemes,
    max_bytes=3000,
    # Its facets link every character up to white space; the app makes none past 64.
    hashtags=HashtagRule(any_character=True, max_graphemes=64),
    credentials=("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"),
    secrets=("BLUESKY_APP_PASSWORD",),
    optional=("BLUESKY_BASE_URL",),  # a self-hosted PDS, or the local test server
    can_lookup=True,
    lookup_reads="the account's last 50 post records in its repository "
    "(com.atproto.repo.listRecords on its PDS)",
    # createRecord answers after the record is committed to the repository, and
    # listRecords reads that repository (bluesky-social/atproto, packages/pds: createRecord,
    # listRecords): read-after-write. The half minute is for a create the PDS is still
    # working on after our client gave up.
    visible_within=dt.timedelta(seconds=30),
    lookup_window=dt.timedelta(minutes=10),
    read_after_write=True,
    # at://<did>/app.bsky.feed.post/<record key>
    id_format=re.compile(
        r"at://did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}/app\.bsky\.feed\.post/[A-Za-z0-9._:~-]{1,512}"
    ),
    post_hosts=("bsky.app",),
    metrics=("reposts", "likes", "replies", "quotes"),  # app.bsky.feed.getPosts, 25 a request
    metrics_batch=25,
)
VARIABLES = SPEC.credentials
TIMELINE_SIZE = 50
ENDED = ("ExpiredToken", "InvalidToken")  # the session is over: log in again
CardSource = Callable[..., LinkCard | None]


def rich_text(text: str) -> client_utils.TextBuilder:
    """The text with a link facet on every http(s) URL and a tag facet on every hashtag."""
    spans: list[tuple[int, int, str, str]] = [
        (start, end, "link", url) for start, end, url in find_urls(text, bare_domains=False)
    ]
    for index, tag in counters.find_hashtags(text):
        end = index + 1 + len(tag)
        inside_url = any(s <= index < e for s, e, _, _ in spans)
        if not inside_url and SPEC.hashtag_problem(tag) is None:
            spans.append((index, end, "tag", tag))
    builder = atproto.client_utils.TextBuilder()
    position = 0
    for start, end, kind, value in sorted(spans):
        if start < position:
            continue
        if start > position:
            builder.text(text[position:start])
        if kind == "link":
            builder.link(text[start:end], value)
        else:
            builder.tag(text[start:end], value)
        position = end
    if position < len(text):
        builder.text(text[position:])
    return builder


def rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class BlueskyAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> BlueskyAdapter:
        cards = OpenGraphReader(
            context.site_url, context.site_folder, max_thumb_bytes=context.limits.max_media_bytes
        )
        return cls(
            env.get("BLUESKY_HANDLE"),
            env.get("BLUESKY_APP_PASSWORD"),
            context.limits,
            base_url=env.get("BLUESKY_BASE_URL") or DEFAULT_BASE_URL,
            cards=cards,
            clock=context.clock,
        )

    def __init__(
        self,
        handle: str,
        app_password: str,
        limits: PlatformLimits | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        cards: CardSource | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(limits)
        self.handle = handle.lstrip("@")
        self._password = app_password
        guard_logs([app_password])
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.deadline = deadline
        self.cards = cards
        self.clock = clock
        self._client: Client | None = None

    def client(self) -> Client:
        if self._client is None:
            request = request_module.Request(
                timeout=httpx.Timeout(self.timeout[1], connect=self.timeout[0]),
                transport=deadline_module.DeadlineTransport(
                    self.deadline, proxy=deadline_module.env_proxy(self.base_url)
                ),
            )
            client = atproto.Client(base_url=self.base_url, request=request)
            client.login(self.handle, self._password)
            self._client = client  # kept only once logged in
        return self._client

    # --- post ------------------------------------------------------------------------
    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        builder = rich_text(part.text)
        with_card = bool(part.link and part.link in part.text and not part.media and self.cards)
        request: dict[str, Any] = {
            "endpoint": "POST com.atproto.repo.createRecord (app.bsky.feed.post)",
            "text": builder.build_text(),
            "facets": [
                f.model_dump(by_alias=True, exclude_none=True) for f in builder.build_facets()
            ],
            "langs": [part.language or "id"],
            "reply_to": reply_to,
            "media": media_request(part),
            "card": {"uri": part.link, "from": "the page's Open Graph tags"} if with_card else None,
        }
        problem = check_text(SPEC, part, self.limits)
        if problem:
            return permanent(SPEC, problem, request)
        if preview:
            return PostResult(ok=True, request=request)
        renewed = False
        while True:
            try:
                client = self.client()
                embed = self._images(client, part, request) if part.media else None
                if with_card:
                    embed = self._card(client, part.link, request)
                reply = self._reply_ref(client, reply_to, request) if reply_to else None
                created = client.send_post(
                    builder, reply_to=reply, embed=embed, langs=request["langs"]
                )
            except Stop as stop:
                return replace(stop.result, renewed_session=renewed)
            except core_errors.AtProtocolError as exc:
                if session_ended(exc) and not renewed:
                    # Refused before anything was written: a new session, the same request.
                    self._client, renewed = None, True
                    continue
                return replace(self._refused(exc, request, posting=True), renewed_session=renewed)
            uri = getattr(created, "uri", None)
            url = self.post_url(uri) if isinstance(uri, str) else None
            return accepted(SPEC, uri, url, request, renewed_session=renewed)

    def _images(self, client: Client, part: DraftPart, request: dict[str, Any]) -> Any:
        images = []
        for media in part.media:
            try:
                image = load_media(media, self.limits.max_media_bytes, timeout=self.timeout)
            except MediaProblem as exc:
                result = (retryable if exc.retryable else permanent)(SPEC, str(exc), request)
                raise Stop(result) from None
            blob = self._upload(client, image.data, request)
            images.append(atproto.models.AppBskyEmbedImages.Image(alt=image.alt, image=blob))
        return atproto.models.AppBskyEmbedImages.Main(images=images)

    def _card(self, client: Client, link: str, request: dict[str, Any]) -> Any:
        card = self.cards(link) if self.cards else None
        if card is None:
            request["card"] = None  # no Open Graph data: the link facet alone
            return None
        thumb = self._upload(client, card.thumb, request) if card.thumb else None
        request["card"] = {"uri": card.uri, "title": card.title, "description": card.description}
        external = atproto.models.AppBskyEmbedExternal.External(
            uri=card.uri, title=card.title, description=card.description, thumb=thumb
        )
        return atproto.models.AppBskyEmbedExternal.Main(external=external)

    def _upload(self, client: Client, data: bytes, request: dict[str, Any]) -> Any:
        try:
            return client.upload_blob(data).blob
        except core_errors.AtProtocolError as exc:
            if session_ended(exc):
                raise  # _send logs in again
            raise Stop(self._refused(exc, request, posting=False)) from None

    def _reply_ref(self, client: Client, parent_uri: str, request: dict[str, Any]) -> Any:
        """Bluesky replies name their parent and the thread's root, each with its CID."""
        try:
            parent = client.get_post(rkey(parent_uri), parent_uri.split("/")[2])
        except core_errors.AtProtocolError as exc:
            if session_ended(exc):
                raise  # _send logs in again
            raise Stop(self._refused(exc, request, posting=False)) from None
        parent_ref = atproto.models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        root = parent.value.reply.root if parent.value.reply else parent_ref
        return atproto.models.AppBskyFeedPost.ReplyRef(root=root, parent=parent_ref)

    def post_url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self.handle}/post/{rkey(uri)}"

    # --- answers ---------------------------------------------------------------------
    def _refused(
        self, exc: AtProtocolError, request: dict[str, Any], *, posting: bool
    ) -> PostResult:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        detail = scrub(str(exc) if response is not None else type(exc).__name__, [self._password])
        if isinstance(exc, errors.RateLimitExceededError):
            headers = response.headers if response is not None else {}
            reset = from_epoch(header(headers, "ratelimit-reset"))
            reset = on_our_clock(reset, headers, self.clock())
            return rate_limited(SPEC, reset, "ratelimit-reset", request)
        if isinstance(exc, (errors.UnauthorizedError, errors.LoginRequiredError)):
            self._client = None  # log in again next time
            return credentials(SPEC, f"the login was refused ({detail})", VARIABLES, request)
        if isinstance(exc, errors.BadRequestError):
            if session_ended(exc):  # ended again right after a new login
                self._client = None
                return retryable(SPEC, f"the session ended ({detail}); logging in again", request)
            return permanent(SPEC, f"refused as invalid ({detail})", request)
        if posting and isinstance(exc, errors.ModelError):  # a 2xx not shaped as a record
            why = f"the post was accepted, but its answer could not be read ({clip(str(exc), 200)})"
            return unknown(SPEC, why, request)
        if isinstance(exc, errors.NetworkError) and response is None:
            return network_failure(SPEC, exc, request, posting=posting)
        if status is not None and status >= 500:
            return server_error(SPEC, status, detail, request, posting=posting)
        if isinstance(exc, errors.RequestErrorBase) and status is not None:
            return permanent(SPEC, f"{status} refused ({detail})", request)
        if posting:  # an answer the library could not read: the record may exist
            return network_failure(SPEC, exc, request, posting=True)
        return permanent(SPEC, f"{type(exc).__name__}: {detail}", request)

    # --- verify and lookup ----------------------------------------------------------
    def verify(self) -> PostResult:
        """Logs in, or asks the server whether the session we hold is still good (never only
        the cached client): a check after a revocation must tell the truth."""
        try:
            if self._client is not None:
                try:
                    self._client.com.atproto.server.get_session()
                except core_errors.AtProtocolError as exc:
                    self._client = None  # ended or refused: a fresh login says which
                    if not session_ended(exc) and not isinstance(exc, errors.UnauthorizedError):
                        raise
            client = self.client()
        except core_errors.AtProtocolError as exc:
            return self._refused(exc, {}, posting=False)
        handle = client.me.handle if client.me else self.handle
        return verified(f"@{handle}", f"https://bsky.app/profile/{handle}")

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        """Is the part among the account's latest post records? Read from the repository,
        where a record is as soon as its create has answered."""
        params = atproto.models.ComAtprotoRepoListRecords.Params(
            repo=self.handle, collection="app.bsky.feed.post", limit=TIMELINE_SIZE
        )
        for _ in range(2):  # a session that ended is renewed once, as for a post
            try:
                records = self.client().com.atproto.repo.list_records(params).records
                break
            except core_errors.AtProtocolError as exc:
                if not session_ended(exc):
                    return None
                self._client = None
        else:
            return None
        for record in records:
            if record.uri in taken:
                continue
            value = record.value
            links = [
                _field(feature, "uri")
                for facet in _field(value, "facets") or []
                for feature in _field(facet, "features") or []
                if _field(feature, "uri")
            ]
            external = _field(_field(value, "embed"), "external")
            if external is not None and _field(external, "uri"):
                links.append(_field(external, "uri"))
            if same_post(part, _field(value, "text") or "", links):
                return found(SPEC, record.uri, self.post_url(record.uri))
        return PostResult(ok=False, error=f"not among the last {TIMELINE_SIZE} posts on Bluesky")

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Counts of our posts (getPosts); an ended session is renewed at the next read."""
        try:
            posts = self.client().get_posts(list(remote_ids)).posts
        except core_errors.AtProtocolError as exc:
            return Metrics(failure=self._refused(exc, {}, posting=False))
        return Metrics({post.uri: from_bluesky(post) for post in posts})


def _field(value: Any, name: str) -> Any:
    """A field of a record as atproto gives it: a model, or a dict for what it left raw."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def session_ended(exc: BaseException) -> bool:
    """Is this the server ending our session (ExpiredToken), not refusing the request?"""
    if not isinstance(exc, errors.BadRequestError):
        return False
    content = getattr(getattr(exc, "response", None), "content", None)
    name = getattr(content, "error", None) or (
        content.get("error") if isinstance(content, dict) else None
    )
    return name in ENDED if name else any(word in str(exc) for word in ENDED)


ADAPTER = BlueskyAdapter
