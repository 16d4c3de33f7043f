"""An Instagram professional account through the Instagram API with Facebook Login.

Instagram takes only posts with an image, fetched by Meta from our public site when the
container is made: the build makes a square or 4:5 JPEG of each item's social image
(publisher.site.social_variants) and the composer sends that one. The caption carries the
text, at most 30 hashtags and 20 @-tags; links in captions cannot be clicked, so the link is
written out at the end (link_policy "text"). The image carries the item's alt text
(`alt_text`, on image posts since March 2025). Creating is two-step (a container, then its
publication): publisher.platforms.graph_containers has the flow and why it never posts twice.
Engagement is read from the media insights (publisher.platforms.graph_insights).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart
from publisher.platforms.graph_insights import InsightsAdapter
from publisher.platforms.spec import PlatformSpec

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
SPEC = PlatformSpec(
    name="instagram",
    label="Instagram",
    # Caption 2,200 characters; one JPEG image of at most 8 MB (Meta's IG User Media
    # reference); no threads: a post is one image with its caption.
    limits=PlatformLimits("instagram", 2200, None, None, 1, 8 * 1024 * 1024, False),
    credentials=("INSTAGRAM_USER_ID", "INSTAGRAM_ACCESS_TOKEN"),
    secrets=("INSTAGRAM_ACCESS_TOKEN",),
    optional=("INSTAGRAM_BASE_URL", "INSTAGRAM_API_VERSION"),
    link_policy="text",  # captions do not link: the address is written out to be typed
    max_hashtags=30,
    max_mentions=20,
    requires_media=True,
    image_aspects=("1:1", "4:5"),
    fetches_media_by_url=True,
    can_lookup=True,
    lookup_reads=(
        "the recorded container's status (GET /{container-id}), then the account's last 25 "
        "media (GET /{ig-user-id}/media)"
    ),
    # Only a container recorded in the ledger is ever published, and its status says
    # PUBLISHED once it is (Meta's IG Container reference): the lookup proves a post absent.
    # The first look waits reconcile_seconds (60 s) after the send all the same.
    visible_within=dt.timedelta(minutes=1),
    lookup_window=dt.timedelta(minutes=30),
    read_after_write=True,
    id_format=re.compile(r"[0-9]{1,25}"),
    post_hosts=("www.instagram.com", "instagram.com"),
    # Media insights (GET /{ig-media-id}/insights), one post a request (see INSIGHTS);
    # ten a batch keeps a run of the metrics job to 20 requests.
    metrics=("reposts", "likes", "replies", "views"),
    metrics_batch=10,
)
PERMISSION_FIX = (
    "the token needs the instagram_basic, instagram_content_publish, "
    "instagram_manage_insights, pages_show_list and pages_read_engagement permissions: make "
    "a new token and put it in INSTAGRAM_ACCESS_TOKEN"
)


class InstagramAdapter(InsightsAdapter):
    spec = SPEC
    # Meta's Instagram Media Insights: comments are the replies to a post; `reposts` (added
    # December 2025) counts its reposts, as on the other platforms; `views` the times it was
    # shown. Left out, with no counterpart here: `shares` (sending it on, which Meta counts
    # apart from reposts), `saved`, `reach` (accounts, not times).
    INSIGHTS: ClassVar[dict[str, str]] = {
        "reposts": "reposts",
        "likes": "likes",
        "comments": "replies",
        "views": "views",
    }
    CREATE_EDGE = "media"
    PUBLISH_EDGE = "media_publish"
    LIMIT_EDGE = "content_publishing_limit"
    LIST_EDGE = "media"
    STATUS_FIELD = "status_code"
    DETAIL_FIELD = "status"
    TEXT_FIELD = "caption"
    PROFILE_FIELDS = "id,username,name"
    USER_VAR = "INSTAGRAM_USER_ID"
    TOKEN_VAR = "INSTAGRAM_ACCESS_TOKEN"
    ENV_PREFIX = "INSTAGRAM"
    DEFAULT_BASE_URL = DEFAULT_BASE_URL
    DEFAULT_VERSION = DEFAULT_VERSION
    PERMISSION_FIX = PERMISSION_FIX

    def container_fields(self, part: DraftPart, reply_to: str | None) -> dict[str, str]:
        fields = {"caption": part.text}
        if part.media:
            fields["image_url"] = part.media[0].path_or_url
            fields["alt_text"] = part.media[0].alt
        return fields

    def profile_url(self, username: str) -> str:
        return f"https://www.instagram.com/{username}/"


ADAPTER = InstagramAdapter
