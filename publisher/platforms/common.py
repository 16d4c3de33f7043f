"""What the five real adapters share: answer classes, untrusted answers, redaction, matching.

Every platform answer ends as one of three kinds of PostResult:
- retryable: nothing was posted and a later try may work (429, 500/503, no connection);
- permanent: it will never work as it is (400-class validation, 401/403 credentials);
- unknown: the post may exist (timeout after the request went out, 502/504, a duplicate
  refusal, a success answer without a usable id or URL): never retried blindly, the ledger
  keeps it for a lookup or a human.
Messages name the platform and, for credentials, the environment variable to fix; they never
carry a secret (`scrub` removes any that a library put into an exception text), and the
platform's own words are cut to a few KB (answers.clip) before they reach a PostResult.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from publisher.core.redact import Redactor
from publisher.platforms.answers import (
    MAX_DETAIL,
    clip,
    from_epoch,
    id_problem,
    origins,
    retry_after,
    url_problem,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.counting.twitter import find_urls
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.lazy import lazy
from publisher.platforms.media import (
    MediaFile,
    MediaProblem,
    is_url,
    load_media,
    media_request,
    sniff,
)
from publisher.platforms.spec import PlatformSpec
from publisher.platforms.transport import DEADLINE, TIMEOUT, deadline_session, past_deadline

__all__ = [
    "DEADLINE",
    "TIMEOUT",
    "MediaFile",
    "MediaProblem",
    "deadline_session",
    "from_epoch",
    "is_url",
    "load_media",
    "media_request",
    "retry_after",
    "sniff",
]

httpx = lazy("httpx")  # the Bluesky client's; imported when first needed

DOCS = "docs/platforms.md"
# Before redaction a text is cut to this much (a secret cut in two at this edge is beyond
# what `clip` keeps afterwards), so a 5 MB answer is not searched whole.
_PRE_CLIP = 16 * MAX_DETAIL


class Stop(Exception):  # not an error: it carries the result out of a step
    """Raised inside an adapter's steps to end the send with this result."""

    def __init__(self, result: PostResult) -> None:
        super().__init__(result.error)
        self.result = result


def label(platform: PlatformSpec) -> str:
    return platform.label


def _why(why: str) -> str:
    return clip(why)


def retryable(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    return PostResult(
        ok=False, retryable=True, error=f"{label(platform)}: {_why(why)}", request=request
    )


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
    return PostResult(ok=False, error=f"{label(platform)}: {_why(why)}", request=request)


def unknown(platform: PlatformSpec, why: str, request: Mapping[str, Any]) -> PostResult:
    return PostResult(
        ok=False,
        unknown=True,
        error=f"{label(platform)}: {_why(why)}; it may have been posted: check the account, "
        "then `publisher resolve`",
        request=request,
    )


def accepted(
    platform: PlatformSpec,
    remote_id: Any,
    url: Any,
    request: Mapping[str, Any],
    *,
    allowed: Iterable[str] | None = None,
    url_required: bool = True,
    renewed_session: bool = False,
) -> PostResult:
    """A success answer, kept only when its id has the platform's format and its URL is
    https on the platform's own host (`allowed` origins; the SPEC's hosts by default).
    Otherwise the post may exist but we cannot name it: `unknown`, with the reason."""
    problem = id_problem(platform, remote_id)
    if problem is None and (url is not None or url_required):
        problem = url_problem(url, origins(platform.post_hosts) if allowed is None else allowed)
    if problem is not None:
        result = unknown(platform, f"the post was accepted, but {problem}", request)
    else:
        result = PostResult(ok=True, remote_id=str(remote_id), url=url, request=request)
    return replace(result, renewed_session=renewed_session)


def verified(name: Any, url: Any) -> PostResult:
    """A passed credential check: the account's name and page as the platform says them,
    as one short line each (shown by `publisher accounts`)."""
    shown = clip(str(name), 120) if name else ""
    return PostResult(
        ok=True, remote_id=shown, url=clip(url, 300) if isinstance(url, str) else None
    )


def found(
    platform: PlatformSpec, remote_id: Any, url: Any, allowed: Iterable[str] | None = None
) -> PostResult | None:
    """A lookup's match, or None (cannot tell) when its id or URL is not usable."""
    result = accepted(platform, remote_id, url, {}, allowed=allowed)
    return result if result.ok else None


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
    seconds = past_deadline(exc)
    why = (
        f"no complete answer within {seconds:g} s (deadline)"
        if seconds is not None
        else f"no answer ({_innermost(exc)})"
    )
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


def scrub(text: str, secrets: Iterable[str] | Redactor) -> str:
    """`text` without the secrets (in any encoded form) or Authorization values, cut to a
    size worth keeping. A thin wrapper of publisher.core.redact.Redactor."""
    redactor = secrets if isinstance(secrets, Redactor) else Redactor(secrets)
    return redactor(text[:_PRE_CLIP])


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
    """Loggers are process-wide, so this filter is too: it holds the union of the secrets
    of every adapter built in this process."""

    def __init__(self) -> None:
        super().__init__("redact-secrets")
        self.redactor = Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACT = _Redact()


def guard_logs(secrets: Iterable[str]) -> None:
    """Keep these values (in any encoded form) and every Authorization header value out of
    what the client libraries log, at any log level."""
    _REDACT.redactor = _REDACT.redactor.with_secrets(secrets)
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
