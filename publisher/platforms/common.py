"""What the five real adapters share: answer classes, rate-limit times, media, matching.

Every platform answer ends as one of three kinds of PostResult:
- retryable: nothing was posted and a later try may work (429, 500/503, no connection);
- permanent: it will never work as it is (400-class validation, 401/403 credentials);
- unknown: the post may exist (timeout after the request went out, 502/504, a duplicate
  refusal): never retried blindly, the ledger keeps it for a lookup or a human.
Messages name the platform and, for credentials, the environment variable to fix; they never
carry a secret (`scrub` removes any that a library put into an exception text).
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from publisher.core.errors import PublisherError
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.counting.twitter import find_urls
from publisher.platforms.draft import DraftPart, Media, PostResult
from publisher.platforms.lazy import lazy
from publisher.platforms.spec import PlatformSpec

httpx = lazy("httpx")  # the Bluesky client's; imported when first needed

# (connect, read) seconds. A read timeout after the request went out is "unknown".
TIMEOUT = (10.0, 30.0)
DOCS = "docs/platforms.md"


class Stop(Exception):  # not an error: it carries the result out of a step
    """Raised inside an adapter's steps to end the send with this result."""

    def __init__(self, result: PostResult) -> None:
        super().__init__(result.error)
        self.result = result


def label(platform: PlatformSpec) -> str:
    return platform.label


def retryable(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    return PostResult(ok=False, retryable=True, error=f"{label(platform)}: {why}", request=request)


def outage(
    platform: PlatformSpec,
    why: str,
    request: Mapping[str, Any],
    retry_at: dt.datetime | None = None,
) -> PostResult:
    """The platform cannot take posts now (5xx, unreachable, rate limit): nothing was posted,
    and its other posts wait behind this one (scope "platform")."""
    return replace(retryable(platform, why, request), retry_at=retry_at, scope="platform")


def permanent(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    return PostResult(ok=False, error=f"{label(platform)}: {why}", request=request)


def unknown(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    return PostResult(
        ok=False,
        unknown=True,
        error=f"{label(platform)}: {why}; it may have been posted: check the account, then "
        "`publisher resolve`",
        request=request,
    )


def duplicate(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    """A refusal as a duplicate: an earlier send of this text went out."""
    return replace(unknown(platform, why, request), duplicate=True)


def credentials(
    platform: PlatformSpec,
    why: str,
    variables: Iterable[str],
    request: Mapping[str, Any],
    fix: str = "",
) -> PostResult:
    names = list(variables)
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    advice = fix or f"check {listed} in .env"
    # The account, not the post: every post to this platform would be refused the same way.
    return replace(permanent(platform, f"{why}: {advice} (see {DOCS})", request), scope="platform")


def rate_limited(
    platform: PlatformSpec, reset: dt.datetime | None, header: str, request: Mapping[str, Any]
) -> PostResult:
    """A 429: retry no earlier than the platform's reset time."""
    when = (
        f"until {reset.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC ({header})"
        if reset
        else "(no reset time given)"
    )
    return outage(platform, f"rate limited {when}", request, retry_at=reset)


def from_epoch(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(float(value)), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def retry_after(value: Any, now: dt.datetime | None = None) -> dt.datetime | None:
    """A Retry-After value: seconds, or an HTTP date."""
    if value is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    try:
        return now + dt.timedelta(seconds=max(float(value), 0))
    except (TypeError, ValueError):
        pass
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def reached_platform(exc: BaseException) -> bool:
    """Could the request have reached the platform before `exc`? False only when surely not:
    the connection was never made (refused, no DNS, connect timeout)."""
    seen: BaseException | None = exc
    for _ in range(6):  # libraries wrap: Mastodon.py -> requests -> urllib3
        if seen is None:
            break
        if isinstance(seen, (requests.exceptions.ConnectTimeout, httpx.ConnectTimeout)):
            return False
        if isinstance(seen, httpx.ConnectError):
            return False
        if isinstance(seen, requests.exceptions.ConnectionError) and not isinstance(
            seen, requests.exceptions.ReadTimeout
        ):
            reason = getattr(seen.args[0], "reason", None) if seen.args else None
            if isinstance(reason, NewConnectionError):
                return False
        seen = seen.__cause__ or seen.__context__
    return True


def _innermost(exc: BaseException) -> str:
    """The name of the error under the library's wrappers (ReadTimeout, ConnectError...)."""
    names = [type(exc).__name__]
    seen = exc.__cause__ or exc.__context__
    while seen is not None and len(names) < 6:
        if isinstance(seen, (requests.RequestException, httpx.HTTPError)):
            names.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return names[-1]


def network_failure(
    platform: PlatformSpec, exc: BaseException, request: Mapping[str, Any], *, posting: bool
) -> PostResult:
    """No answer. While posting, an answer lost after sending leaves the post unknown."""
    why = f"no answer ({_innermost(exc)})"
    if posting and reached_platform(exc):
        return unknown(platform, why, request)
    return outage(platform, why, request)


def server_error(
    platform: PlatformSpec, status: int, detail: str, request: Mapping[str, Any], *, posting: bool
) -> PostResult:
    """5xx. A 502/504 comes from a proxy that may have passed the post on: unknown."""
    why = f"server error {status}" + (f" ({detail})" if detail else "")
    if posting and status in (502, 504):
        return unknown(platform, why, request)
    return outage(platform, why, request)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "[secret]")
    return text


# Libraries that log request lines or signing details at DEBUG: the Bot API token is in every
# URL path, and requests-oauthlib prints the OAuth client (API key, access token).
CHATTY_LOGGERS = (
    "urllib3.connectionpool",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "tweepy.client",
    "httpx",
    "httpcore",
)


class _Redact(logging.Filter):
    def __init__(self) -> None:
        super().__init__("redact-secrets")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACT = _Redact()


def guard_logs(secrets: Iterable[str]) -> None:
    """Keep these values out of what the client libraries log, at any log level."""
    _REDACT.secrets.update(s for s in secrets if s and len(s) >= 4)
    for name in CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


def check_text(platform: PlatformSpec, part: DraftPart, limits: PlatformLimits) -> str | None:
    """Why the part would be refused for its length or media count, or None."""
    caption = bool(part.media)
    if not part.text.strip() and not part.media:
        return "the post has no text"
    if not platform.fits(part.text, caption=caption, limits=limits):
        used = platform.count(part.text, limits)
        limit = platform.limit_for(caption=caption, limits=limits)
        return f"the text is {used} long, over the limit of {limit}"
    if len(part.media) > limits.max_media:
        return f"{len(part.media)} images, but at most {limits.max_media} per post"
    for media in part.media:
        if not media.alt.strip():
            return f"the image {media.path_or_url} has no alt text"
    return None


# --- media -------------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class MediaFile:
    name: str
    data: bytes
    mime: str
    alt: str


class MediaProblem(PublisherError):
    """The image cannot be sent. `retryable` when our own site did not answer."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_url(path_or_url: str) -> bool:
    return path_or_url.startswith(("http://", "https://"))


def load_media(
    media: Media,
    max_bytes: int,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = TIMEOUT,
) -> MediaFile:
    """The image's bytes, from a local file or our own site; checked to be an image that fits."""
    where = media.path_or_url
    if is_url(where):
        try:
            with (session or requests).get(where, timeout=timeout, stream=True) as answer:
                answer.raise_for_status()
                data = answer.raw.read(max_bytes + 1, decode_content=True)
        except requests.RequestException as exc:
            raise MediaProblem(f"the image {where} could not be fetched ({exc})", True) from None
        name = Path(where.split("?", 1)[0]).name or "image"
    else:
        path = Path(where)
        try:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise MediaProblem(f"the image {where} cannot be read ({exc.strerror})") from None
        name = path.name
    if len(data) > max_bytes:
        raise MediaProblem(f"the image {where} is larger than {max_bytes:,} bytes")
    mime = sniff(data)
    if mime is None:
        raise MediaProblem(f"{where} is not a PNG, JPEG, GIF or WebP image")
    if "." not in name:
        name += mimetypes.guess_extension(mime) or ""
    return MediaFile(name, data, mime, media.alt.strip())


def media_request(part: DraftPart) -> list[dict[str, str]]:
    return [{"path_or_url": m.path_or_url, "alt": m.alt} for m in part.media]


# --- matching our own posts (lookup) -----------------------------------------------------

_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    """The words of a post without its URLs: what survives t.co, HTML and link cards."""
    pieces, position = [], 0
    for start, end, _url in find_urls(text):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return tuple(_WORD.findall(" ".join(pieces).casefold()))


def same_post(part: DraftPart, text: str, links: Iterable[str] = ()) -> bool:
    """Is a post with this `text` (and these link targets) our part?

    The canonical link (with its UTM parameters, unique to our posts) must match where the
    part carries it; the words must match always, "(k/n)" markers included.
    """
    found = set(links) | {url for _start, _end, url in find_urls(text)}
    # Also literally in the text: a link no URL finder recognises (an IP address, a new
    # top-level domain) is left as written by the platform too.
    if part.link and part.link in part.text and part.link not in found and part.link not in text:
        return False
    ours, theirs = part.text, text
    if part.link:  # the link itself is not words, even where no URL finder sees it as a URL
        ours, theirs = ours.replace(part.link, " "), theirs.replace(part.link, " ")
    return bool(words(ours)) and words(theirs) == words(ours)
