"""Platform answers are untrusted input: what we keep of them, and when a rate limit ends.

- An id is kept only when it has the platform's own format (`PlatformSpec.id_format`), a
  post URL only when it is https on the platform's own host; otherwise the post is
  `unknown` with the reason (publisher.platforms.common.accepted).
- Text from a platform (error messages, bodies) is cut to `MAX_DETAIL` characters and its
  control characters replaced before it reaches a PostResult, the ledger or a terminal.
- Reset times come from the platform's headers; where the platform says a time on its own
  clock, it is moved onto ours by the difference to its `Date` header (as Mastodon.py does),
  so a machine whose clock is off neither hammers the platform nor waits too long.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from publisher.platforms.spec import PlatformSpec

# What is kept of a platform's text: enough to read the reason, never a whole page.
MAX_DETAIL = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n\r]+")
SKEW_NOISE = dt.timedelta(seconds=2)
# Ids that libraries make of nothing: never a post's id on any platform.
_EMPTY_IDS = {"", "none", "null", "nil", "undefined", "nan", "0"}


def clip(text: str, limit: int = MAX_DETAIL) -> str:
    """`text` on one line, control and direction-changing characters replaced, at most
    `limit` characters (with a note of how much was cut)."""
    cut = len(text) - limit
    if cut > 0:
        text = text[:limit]
    text = _CONTROL.sub("\ufffd", _BREAKS.sub(" ", text))
    return f"{text}… ({cut:,} characters cut)" if cut > 0 else text


def origins(hosts: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"https://{host}" for host in hosts)


def origin_of(base_url: str) -> str:
    """The origin a configured server's post URLs must have: its own, in https; plain http
    only for a server on this machine (the local test servers)."""
    parts = urlsplit(base_url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    scheme = parts.scheme if local and parts.scheme == "http" else "https"
    return f"{scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def id_problem(platform: PlatformSpec, remote_id: Any) -> str | None:
    """Why `remote_id` is not a usable id of this platform, or None."""
    if remote_id is None or isinstance(remote_id, bool) or not isinstance(remote_id, (str, int)):
        return "its answer has no id"
    text = str(remote_id)
    if text.strip().casefold() in _EMPTY_IDS:
        return f"its answer has no usable id ({clip(text, 40)!r})"
    if not platform.id_format.fullmatch(text):
        return f"its answer's id {clip(text, 80)!r} is not a {platform.label} id"
    return None


def url_problem(url: Any, allowed: Iterable[str]) -> str | None:
    """Why `url` is not a post URL on one of the `allowed` origins, or None."""
    allowed = tuple(allowed)
    where = " or ".join(allowed) or "the platform"
    if not isinstance(url, str):
        return f"its post URL is missing ({type(url).__name__}; it must be a post on {where})"
    try:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}"
        if parts.port is not None:
            origin += f":{parts.port}"
    except ValueError:
        return f"its post URL {clip(url, 120)!r} cannot be read"
    if "@" in parts.netloc or origin not in allowed or not parts.path.strip("/"):
        return f"its post URL {clip(url, 120)!r} is not a post on {where}"
    return None


# --- rate limits -------------------------------------------------------------------------


def from_epoch(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(float(value)), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def http_date(value: Any) -> dt.datetime | None:
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def iso_or_epoch(value: Any) -> dt.datetime | None:
    """An ISO 8601 time (Mastodon) or Unix seconds (GoToSocial, Bluesky, X)."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return from_epoch(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def on_our_clock(
    reset: dt.datetime | None, headers: Mapping[str, Any], now: dt.datetime
) -> dt.datetime | None:
    """A reset said on the platform's clock, moved onto ours through its `Date` header.
    `Date` has whole seconds: a difference under two seconds is its rounding, not skew."""
    if reset is None:
        return None
    server_now = http_date(_header(headers, "date"))
    if server_now is None or abs(now - server_now) < SKEW_NOISE:
        return reset
    return now + (reset - server_now)


def retry_after(value: Any, now: dt.datetime | None = None) -> dt.datetime | None:
    """A Retry-After value: seconds from now, or an HTTP date."""
    if value is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    try:
        return now + dt.timedelta(seconds=max(float(value), 0))
    except (TypeError, ValueError, OverflowError):
        pass
    return http_date(value)


def _header(headers: Mapping[str, Any], name: str) -> Any:
    if name in headers:
        return headers[name]
    lowered = {str(k).lower(): v for k, v in headers.items()}
    return lowered.get(name.lower())


def header(headers: Mapping[str, Any] | None, name: str) -> Any:
    """A header by name, whatever the case of the mapping's keys."""
    return None if headers is None else _header(headers, name)
