"""A local Threads API (graph.threads.net) for one profile.

Publishing as tests/platform_servers/containers.py describes it, with Threads' rules:
`media_type` TEXT (text required) or IMAGE (`image_url` required, JPEG or PNG), text up to
500 characters with each emoji counted as its UTF-8 bytes, at most 5 links, `reply_to_id`
naming a post of the profile; 250 posts and 1,000 replies per 24 hours
(`threads_publishing_limit`). Threads documents its quota but not the error body of a
publication over it: this server answers as Instagram does (code 9, subcode 2207042).
The length is counted here on its own, code point by code point, so that the adapter's
counter is checked against a second reading of the rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

import regex

from tests.platform_servers import Answer
from tests.platform_servers.containers import ContainerServer
from tests.platform_servers.facebook import graph_error

USER_ID = "27000000000000001"
TOKEN = "THAAtestthreadstoken0123456789abcdefgh"
USERNAME = "tppo_bteng"
MAX_TEXT = 500
_PICTOGRAPHIC = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
# What belongs to an emoji after its first character: joiner, variation selector, skin
# tones, tags, the keycap mark.
_EMOJI_TAIL = regex.compile(r"[\u200d\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]")
_URL = re.compile(r"https?://\S+|www\.\S+")


def threads_length(text: str) -> int:
    """Threads' count, read a second way: code points, emoji (and what joins them) as bytes."""
    total, in_emoji = 0, False
    for char in text:
        if _PICTOGRAPHIC.match(char):
            in_emoji = True
            total += len(char.encode("utf-8"))
        elif char in "\ufe0f\u20e3" or (
            in_emoji and (_EMOJI_TAIL.match(char) or unicodedata.category(char) == "Mn")
        ):
            total += len(char.encode("utf-8"))
        else:
            in_emoji = False
            total += 1
    return total


class ThreadsServer(ContainerServer):
    name = "threads"
    VERSION = "v1.0"
    USER_ID = USER_ID
    TOKEN = TOKEN
    USERNAME = USERNAME
    CREATE_EDGE = "threads"
    PUBLISH_EDGE = "threads_publish"
    LIMIT_EDGE = "threads_publishing_limit"
    LIST_EDGE = "threads"
    REPLIES_EDGE = "replies"
    STATUS_FIELD = "status"
    DETAIL_FIELD = "error_message"
    TEXT_FIELD = "text"
    QUOTA_TOTAL = 250
    REPLY_QUOTA_TOTAL = 1000
    # The Threads Insights API's media metrics.
    INSIGHTS: ClassVar[dict[str, str | None]] = {
        n: n for n in ("views", "likes", "replies", "reposts", "quotes")
    } | {"shares": None}

    def validate(self, fields: dict[str, str]) -> Answer | None:
        kind, text = fields.get("media_type"), fields.get("text", "")
        if kind not in ("TEXT", "IMAGE"):
            return graph_error(400, 100, "(#100) media_type must be TEXT, IMAGE or VIDEO")
        if kind == "TEXT" and not text.strip():
            return graph_error(400, 100, "(#100) text is required for a TEXT post")
        if kind == "IMAGE" and not fields.get("image_url"):
            return graph_error(400, 100, "(#100) image_url is required for an IMAGE post")
        if threads_length(text) > MAX_TEXT:
            return graph_error(400, 100, "(#100) The text is longer than 500 characters")
        if len(set(_URL.findall(text))) > 5:
            return graph_error(400, 100, "THREADS_API__LINK_LIMIT_EXCEEDED")
        reply_to = fields.get("reply_to_id")
        if reply_to and not any(p["id"] == reply_to for p in self.posts):
            return graph_error(400, 100, "(#100) Invalid parameter: reply_to_id")
        return None

    def check_image(self, data: bytes) -> Answer | None:
        if not data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
            return graph_error(400, 100, "(#100) Only JPEG and PNG images can be published")
        return None

    def permalink(self, post_id: str) -> str:
        return f"https://www.threads.net/@{USERNAME}/post/D{int(post_id) % 10**9:09d}"
