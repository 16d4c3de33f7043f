"""A Threads profile through the Threads API (graph.threads.net) over plain HTTP.

Text posts and image posts (the image fetched by Meta from our public site, with its alt
text), and thread sequences: each later part is a reply to the part before (`reply_to_id`).
Creating is two-step (a container, then its publication): publisher.platforms.
graph_containers has the flow and why it never posts twice. The publishing quota is read
from `threads_publishing_limit`: 250 posts and, for the later parts of a thread, 1,000
replies per rolling 24 hours when this was written. Engagement is read from the media
insights (publisher.platforms.graph_insights).

Length: "Text posts are limited to 500 characters. Emojis are counted as the number of UTF-8
bytes" (Meta's "Threads Posts" page). `count_threads` counts an emoji (a grapheme cluster
with a pictographic or regional-indicator character, or an emoji presentation or keycap
mark) as its UTF-8 bytes, and any other cluster as its code points: meant never to count
less than Threads does, so what fits here fits there.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

import regex

from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart
from publisher.platforms.graph_insights import InsightsAdapter
from publisher.platforms.spec import PlatformSpec

DEFAULT_BASE_URL = "https://graph.threads.net"
DEFAULT_VERSION = "v1.0"
_CLUSTER = regex.compile(r"\X")
# A pictograph, a flag's letters, or the marks that make an emoji of what they follow
# (U+FE0F emoji presentation, U+20E3 keycap: "1️⃣").
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\ufe0f\u20e3]")


def count_threads(text: str, limits: PlatformLimits) -> int:
    """Threads' length: emoji as their UTF-8 bytes, other characters one each."""
    if text.isascii():
        return len(text)
    total = 0
    for cluster in _CLUSTER.findall(text):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else len(cluster)
    return total


SPEC = PlatformSpec(
    name="threads",
    label="Threads",
    # 500 as counted above; one image (JPEG or PNG, at most 8 MB); threads by replies.
    limits=PlatformLimits("threads", 500, None, None, 1, 8 * 1024 * 1024, True),
    counter=count_threads,
    credentials=("THREADS_USER_ID", "THREADS_ACCESS_TOKEN"),
    secrets=("THREADS_ACCESS_TOKEN",),
    optional=("THREADS_BASE_URL", "THREADS_API_VERSION"),
    fetches_media_by_url=True,
    can_lookup=True,
    lookup_reads=(
        "the recorded container's status (GET /{container-id}), then the profile's last 25 "
        "posts or, for a thread's later parts, replies (GET /{threads-user-id}/threads, "
        "/replies)"
    ),
    # As for Instagram: only a recorded container is ever published, and its status says
    # PUBLISHED once it is (Meta's Threads troubleshooting page), so absence is proven.
    visible_within=dt.timedelta(minutes=1),
    lookup_window=dt.timedelta(minutes=30),
    read_after_write=True,
    id_format=re.compile(r"[0-9]{1,25}"),
    post_hosts=("www.threads.net", "threads.net", "www.threads.com", "threads.com"),
    # Media insights (GET /{threads-media-id}/insights), one post a request, as Instagram.
    metrics=("reposts", "likes", "replies", "quotes", "views"),
    metrics_batch=10,
)
PERMISSION_FIX = (
    "the token needs the threads_basic, threads_content_publish, threads_manage_replies, "
    "threads_read_replies and threads_manage_insights permissions: make a new token and put "
    "it in THREADS_ACCESS_TOKEN"
)


class ThreadsAdapter(InsightsAdapter):
    spec = SPEC
    # The Threads Insights API's media metrics, which are ours by name. Left out: `shares`
    # ("in development" at Meta, and no counterpart: reposts and quotes are counted apart).
    INSIGHTS: ClassVar[dict[str, str]] = {
        n: n for n in ("reposts", "likes", "replies", "quotes", "views")
    }
    CREATE_EDGE = "threads"
    PUBLISH_EDGE = "threads_publish"
    LIMIT_EDGE = "threads_publishing_limit"
    LIST_EDGE = "threads"
    STATUS_FIELD = "status"
    DETAIL_FIELD = "error_message"
    TEXT_FIELD = "text"
    PROFILE_FIELDS = "id,username"
    USER_VAR = "THREADS_USER_ID"
    TOKEN_VAR = "THREADS_ACCESS_TOKEN"
    ENV_PREFIX = "THREADS"
    DEFAULT_BASE_URL = DEFAULT_BASE_URL
    DEFAULT_VERSION = DEFAULT_VERSION
    PERMISSION_FIX = PERMISSION_FIX

    def container_fields(self, part: DraftPart, reply_to: str | None) -> dict[str, str]:
        fields = {"media_type": "IMAGE" if part.media else "TEXT", "text": part.text}
        if part.media:
            fields["image_url"] = part.media[0].path_or_url
            fields["alt_text"] = part.media[0].alt
        if reply_to:
            fields["reply_to_id"] = reply_to
        return fields

    def list_edge(self, part: DraftPart) -> str:
        """A thread's later parts are replies, listed apart from the profile's posts."""
        return "replies" if part.number > 1 else "threads"

    def quota_fields(self, reply: bool) -> tuple[str, str]:
        return ("reply_quota_usage", "reply_config") if reply else ("quota_usage", "config")

    def profile_url(self, username: str) -> str:
        return f"https://www.threads.net/@{username}"


ADAPTER = ThreadsAdapter
