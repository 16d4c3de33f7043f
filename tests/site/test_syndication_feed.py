"""feeds/syndication.json: what the publisher reads beside the Atom feed."""

from __future__ import annotations

import json
from pathlib import Path

from publisher.content.fields import ImageRef
from publisher.site.syndication_feed import feed_entry_id, social_image

CARD = {"src": "images/og-default.png", "alt": "Kartu"}


def test_svg_illustrations_are_replaced_by_the_social_card() -> None:
    assert social_image(ImageRef("images/a.svg", "Gambar"), CARD) == (
        "images/og-default.png",
        "Kartu",
    )
    assert social_image(ImageRef("images/a.PNG", "Foto"), CARD) == ("images/a.PNG", "Foto")
    assert social_image(None, CARD) is None


def test_every_live_item_is_listed_with_a_postable_image(output: Path) -> None:
    doc = json.loads((output / "feeds/syndication.json").read_text())
    uids = {item["uid"] for item in doc["items"]}
    assert {"sp-2026-001", "berita-2026-001"} <= uids
    assert "sp-2027-001" not in uids  # under embargo at the build time of the tests
    for item in doc["items"]:
        assert item["feed_id"] == feed_entry_id(item["uid"])
        assert not item["image"]["url"].lower().endswith(".svg"), item["uid"]
        assert item["image"]["alt"].strip()
