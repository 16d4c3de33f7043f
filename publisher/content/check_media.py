"""What `check` says about an item's picture on platforms that take only posts with one
(a spec's `requires_media`, Instagram): read from the spec, so any platform can set it."""

from __future__ import annotations

from pathlib import PurePosixPath

from publisher.content.fields import ImageRef
from publisher.platforms.spec import PlatformSpec


def image_problem(
    spec: PlatformSpec, image: ImageRef | None, named: bool
) -> tuple[str, str] | None:
    """(message, severity) when the item cannot go to `spec`'s platform with its picture as it
    is, or None. `named`: the item lists the platform itself. An item without a picture
    that does not name it is left out there without a word (preview says so): most
    articles have none, and a warning on each would hide the ones that matter."""
    if not spec.requires_media:
        return None
    if image is None:
        if not named:  # a text-only item is simply not for this platform: no noise
            return None
        message = (
            f"not posted on {spec.label}: it takes only posts with an image, and this item "
            "has none; add 'image:' or take it out of 'platforms'"
        )
        return message, "error"
    if PurePosixPath(image.src).suffix.lower() == ".svg":
        # The build posts the site's default card instead (no platform takes SVG), if any;
        # the shapes the platform wants (image_aspects) are drawn only from a raster picture.
        message = (
            f"'{image.src}' is an SVG, which {spec.label} does not take: it gets the site's "
            "default social card (OG_DEFAULT_IMAGE) instead, or without one not this item; "
            "use a PNG or JPEG to post this picture"
        )
        return message, "warning"
    return None
