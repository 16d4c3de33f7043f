"""The composer: exact fitting, link policy, hashtags, UTM, threads, shortening, alt text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from publisher.engine.compose import ComposeError, compose
from publisher.platforms import catalog
from publisher.platforms.catalog import count, fits
from publisher.platforms.counting.twitter import find_urls
from publisher.platforms.text import with_utm
from tests.engine_support import SITE, item

X, MASTODON, BLUESKY, FACEBOOK, TELEGRAM = (
    catalog.default_limits()[p] for p in ("x", "mastodon", "bluesky", "facebook", "telegram")
)
LONG = " ".join(
    f"Kalimat nomor {n} menjelaskan tanda bahaya tawaran kerja yang tidak masuk akal."
    for n in range(1, 13)
)


def test_short_post_is_one_part_with_text_hashtags_and_tagged_link() -> None:
    draft = compose(
        item(text="Cek dulu tawaran kerja.", hashtags=("CegahTPPO",), campaign="uji"), X, utm=True
    )
    link = f"{SITE}/berita/a/?utm_source=x&utm_medium=social&utm_campaign=uji"
    assert draft.link == link
    assert [p.text for p in draft.parts] == [f"Cek dulu tawaran kerja.\n\n#CegahTPPO {link}"]
    assert draft.language == "id"


def test_hashtag_already_in_the_text_is_not_added_twice() -> None:
    draft = compose(item(text="Cek dulu. #cegahtppo", hashtags=("CegahTPPO", "Aman")), MASTODON)
    assert draft.parts[0].text.startswith("Cek dulu. #cegahtppo\n\n#Aman http")


def test_links_carry_no_utm_parameters_unless_the_setting_asks() -> None:
    post = item(text="Cek dulu tawaran kerja.", campaign="uji")
    draft = compose(post, X)
    assert draft.link == f"{SITE}/berita/a/" and "utm_" not in draft.parts[0].text
    assert compose(post, X, utm=True).link.endswith("utm_campaign=uji")


def test_facebook_takes_the_link_as_a_field_not_in_the_text() -> None:
    draft = compose(item(text="Cek dulu tawaran kerja."), FACEBOOK, utm=True)
    assert draft.parts[0].text == "Cek dulu tawaran kerja."
    assert draft.link.endswith("utm_source=facebook&utm_medium=social&utm_campaign=site")


def test_platform_wording_replaces_the_default() -> None:
    post = item(text="Untuk semua.", wording={"x": "Khusus X."})
    assert compose(post, X).parts[0].text.startswith("Khusus X.")
    assert compose(post, MASTODON).parts[0].text.startswith("Untuk semua.")


def test_utm_parameters_replace_old_ones_and_keep_the_rest() -> None:
    url = with_utm("https://a.id/p/?ref=1&utm_source=old#top", "bluesky", "")
    assert url == "https://a.id/p/?ref=1&utm_source=bluesky&utm_medium=social&utm_campaign=site#top"


@pytest.mark.parametrize("limits", [X, MASTODON, BLUESKY, TELEGRAM])
def test_long_text_without_thread_is_shortened_keeping_the_link(limits) -> None:
    draft = compose(item(text=LONG, hashtags=("CegahTPPO",)), limits)
    (part,) = draft.parts
    if limits.max_text >= count(limits.name, LONG, limits) + 200:
        assert LONG in part.text
        return
    assert fits(limits.name, part.text, limits=limits)
    assert "…" in part.text
    assert part.text.endswith(draft.link)
    # Shortened at a word boundary: the kept text is a prefix of the original words.
    kept = part.text.split("…")[0]
    assert LONG.startswith(kept)


@pytest.mark.parametrize("limits", [X, MASTODON, BLUESKY])
def test_thread_parts_fit_are_numbered_and_keep_every_word(limits) -> None:
    draft = compose(item(text=LONG, thread=True, image=("img/a.png", "Poster biru")), limits)
    n = len(draft.parts)
    assert n >= 2
    words: list[str] = []
    for number, part in enumerate(draft.parts, 1):
        assert part.text.endswith(f" ({number}/{n})")
        assert fits(limits.name, part.text, caption=bool(part.media), limits=limits)
        body = part.text.removesuffix(f" ({number}/{n})")
        if number == 1:
            assert body.endswith(draft.link)
            body = body.removesuffix(draft.link)
        words += body.split()
    assert words == LONG.split()
    assert [len(p.media) for p in draft.parts] == [1] + [0] * (n - 1)
    # No URL is split: the only URL is the whole link, in part 1.
    urls = [u for p in draft.parts for _, _, u in find_urls(p.text, bare_domains=False)]
    assert urls == [draft.link]


def test_thread_splits_at_paragraphs_and_keeps_list_numbers_with_their_item() -> None:
    text = "Lima pertanyaan:\n\n" + "\n".join(
        f"{n}. Pertanyaan nomor {n} yang cukup panjang untuk mengisi sebagian besar satu pos di X ya?"
        for n in range(1, 6)
    )
    draft = compose(item(text=text, thread=True, link=""), X)
    for part in draft.parts:
        body = re.sub(r" \(\d+/\d+\)$", "", part.text)
        for line in body.split("\n"):
            assert not re.fullmatch(r"\d\.", line.strip())
            assert re.match(r"(\d\. Pertanyaan|Lima pertanyaan:|$)", line)


def test_platform_without_threads_shortens_even_when_threads_are_allowed() -> None:
    draft = compose(item(text=LONG * 12, thread=True), TELEGRAM)
    assert len(draft.parts) == 1 and draft.parts[0].text.endswith(draft.link)


def test_telegram_photo_caption_uses_the_caption_limit() -> None:
    text = "Kata " * 400  # 2000 units: fits a message, not a 1024 caption
    draft = compose(item(text=text, image=("img/a.png", "Poster")), TELEGRAM)
    assert count("telegram", draft.parts[0].text) <= 1024
    assert compose(item(text=text), TELEGRAM).parts[0].text.startswith(text.strip())


def test_an_image_without_alt_text_is_a_composition_error() -> None:
    with pytest.raises(ComposeError, match=r"item:a \(x\): the image img/a.png has no alt text"):
        compose(item(image=("img/a.png", "  ")), X)


def test_a_link_too_long_for_the_platform_is_an_error_not_a_post_without_it() -> None:
    with pytest.raises(ComposeError, match="link alone"):
        compose(item(link="https://a.id/" + "p" * 400), BLUESKY)


def test_nothing_to_say_is_an_error() -> None:
    with pytest.raises(ComposeError, match="no text"):
        compose(item(text="", title=""), X)


def test_configured_limits_are_respected() -> None:
    tight = replace(FACEBOOK, max_text=60)
    draft = compose(item(text=LONG), tight)
    assert count("facebook", draft.parts[0].text) <= 60
