"""What a Mastodon server says about itself (version, text and media limits), read once a day.

Every `publisher tick` is a new process: asking the server on each would be about 1,440
requests a day on a minute timer, for values that change when the server is upgraded. So the
few values we use are kept in the engine's cache folder for `MAX_AGE`; a server that has just
raised its limit is seen within a day (until then the lower, older limit holds: safe).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import replace
from typing import Any

import requests

from publisher.platforms.cache import DiskCache
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.lazy import lazy

mastodon_lib = lazy("mastodon")  # imported when first used
errors = lazy("mastodon.errors")

MAX_AGE = dt.timedelta(hours=24)


def server_version(text: str) -> str:
    """ "4.3.2", "4.2.10+glitch", "2.7.2 (compatible; Pleroma 2.5.0)" -> "x.y.z" for the library."""
    found = re.search(r"\d+\.\d+\.\d+", text.split(" ")[0])
    return found.group(0) if found else "4.0.0"


def essentials(info: Any) -> dict[str, Any]:
    """The parts of the instance information we use, as plain JSON values."""
    info = info if isinstance(info, dict) else {}
    conf = info.get("configuration") or {}
    statuses = dict(conf.get("statuses") or {})
    media = dict(conf.get("media_attachments") or {})
    keep = ("max_characters", "characters_reserved_per_url", "max_media_attachments")
    return {
        "version": str(info.get("version") or ""),
        "max_toot_chars": info.get("max_toot_chars"),
        "configuration": {
            "statuses": {k: statuses.get(k) for k in keep},
            "media_attachments": {"image_size_limit": media.get("image_size_limit")},
        },
    }


def limits_from(info: dict[str, Any], base: PlatformLimits) -> PlatformLimits:
    conf = info.get("configuration") or {}
    statuses = conf.get("statuses") or {}
    media = conf.get("media_attachments") or {}

    def number(value: Any, default: int) -> int:
        try:
            return int(value) if value else default
        except (TypeError, ValueError):
            return default

    return replace(
        base,
        max_text=number(
            statuses.get("max_characters") or info.get("max_toot_chars"), base.max_text
        ),
        url_weight=number(statuses.get("characters_reserved_per_url"), base.url_weight or 23),
        max_media=number(statuses.get("max_media_attachments"), base.max_media),
        max_media_bytes=number(media.get("image_size_limit"), base.max_media_bytes),
    )


def read_instance(
    base_url: str,
    token: str,
    session: requests.Session,
    cache: DiskCache,
    timeout: tuple[float, float],
) -> dict[str, Any]:
    """The server's essentials, from the cache when they are under a day old.

    Raises the library's MastodonError when the server cannot be read (nothing is cached).
    """
    key = f"mastodon-instance:{base_url}"
    cached = cache.get(key, MAX_AGE)
    if isinstance(cached, dict):
        return cached
    probe = mastodon_lib.Mastodon(
        access_token=token,
        api_base_url=base_url,
        version_check_mode="none",  # one plain request, no version logic
        ratelimit_method="throw",
        session=session,
        request_timeout=timeout,
    )
    try:
        info = essentials(dict(probe.instance_v2()))
    except errors.MastodonNotFoundError:  # a server older than 4.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = essentials(dict(probe.instance_v1()))
    cache.put(key, info)
    return info
