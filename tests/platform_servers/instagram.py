"""A local Instagram Graph API (Instagram API with Facebook Login) for one professional account.

Content publishing as tests/platform_servers/containers.py describes it, with Instagram's
rules: a container needs an `image_url` (there are no text-only posts), the image must be
a JPEG, a caption has at most 2,200 characters, 30 hashtags and 20 @-tags; 50 publications
per 24 hours (`content_publishing_limit`); media insights as containers.py says. The wording
of the refusals of a caption or an image is this server's own: Meta documents the rules,
not those error bodies.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tests.platform_servers import Answer
from tests.platform_servers.containers import ContainerServer
from tests.platform_servers.facebook import graph_error

USER_ID = "17841400000000001"
TOKEN = "EAAtestinstagramtoken0123456789abcdefgh"
USERNAME = "tppo_bteng"
MAX_CAPTION = 2200
_HASHTAG = re.compile(r"(?<![\w/&#])#\w+")
_MENTION = re.compile(r"(?<![\w@./])@[A-Za-z0-9_][A-Za-z0-9_.]*")


class InstagramServer(ContainerServer):
    name = "instagram"
    VERSION = "v23.0"
    USER_ID = USER_ID
    TOKEN = TOKEN
    USERNAME = USERNAME
    CREATE_EDGE = "media"
    PUBLISH_EDGE = "media_publish"
    LIMIT_EDGE = "content_publishing_limit"
    LIST_EDGE = "media"
    STATUS_FIELD = "status_code"
    DETAIL_FIELD = "status"
    TEXT_FIELD = "caption"
    QUOTA_TOTAL = 50
    # Instagram Media Insights' metrics for a feed post (reposts since December 2025).
    INSIGHTS: ClassVar[dict[str, str | None]] = {
        "comments": "replies", "likes": "likes", "reposts": "reposts", "views": "views",
        "reach": None, "saved": None, "shares": None, "total_interactions": None,
    }  # fmt: skip

    def validate(self, fields: dict[str, str]) -> Answer | None:
        if not fields.get("image_url"):
            return graph_error(400, 100, "(#100) image_url is required: there are no text posts")
        caption = fields.get("caption", "")
        if len(caption) > MAX_CAPTION:
            return graph_error(400, 100, "(#100) The caption is longer than 2200 characters")
        if len(_HASHTAG.findall(caption)) > 30:
            return graph_error(400, 100, "(#100) The caption has more than 30 hashtags")
        if len(_MENTION.findall(caption)) > 20:
            return graph_error(400, 100, "(#100) The caption has more than 20 @-tags")
        return None

    def check_image(self, data: bytes) -> Answer | None:
        if not data.startswith(b"\xff\xd8\xff"):
            return graph_error(400, 100, "(#100) Only JPEG images can be published")
        return None

    def permalink(self, post_id: str) -> str:
        return f"https://www.instagram.com/p/C{int(post_id) % 10**9:09d}/"
