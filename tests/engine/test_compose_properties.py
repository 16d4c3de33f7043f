"""Properties of the composer for any text (hypothesis): every part fits its platform by the
platform's own counting (publisher.counters), the parts joined give back the text apart from
the "(k/n)" markers and the added tail, a shortened post is a word-boundary prefix of it, and
no URL is ever cut or changed."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from publisher.engine.compose import ELLIPSIS, ComposeError, compose, skipped
from publisher.platforms import catalog
from publisher.platforms.counting import twitter
from publisher.platforms.draft import Draft, Media
from publisher.platforms.text import hashtags_to_add
from tests.engine_support import SITE, item

URLS = (
    "https://tppo.example.go.id/berita/razia-tppo/",
    "https://bengkulutengahkab.go.id/layanan?id=129&tab=pengaduan",
    "example.go.id",
    "http://127.0.0.1:8000/a/b.html",
    "https://ojk.go.id/id/berita-dan-kegiatan/siaran-pers/Pages/Waspada-Investasi-Ilegal.aspx",
)
WORDS = st.one_of(
    st.text(st.characters(categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=12),
    st.sampled_from(
        [
            "perdagangan",
            "orang",
            "kerja",
            "129",
            "#CegahTPPO",
            "@tppo@social.example",
            "العمل",
            "עבודה",
            "中文字",
            "한국어",
            "👨‍👩‍👧‍👦",
            "🇮🇩",
            "👮🏽‍♀️",
            "1️⃣",
            "a\u200bb",
            "x\u200dy",
            "é",
            "e\u0301",
            "(1/2)",
            "…",
            "—",
        ]
    ),
    st.sampled_from(URLS),
)
ENDS = st.sampled_from(["", "", "", ".", "!", "?", "…", ",", ";", ":"])
SPACES = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", "  ", "\t", "\u00a0", "\n \n"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Sentences of words, URLs, emoji and scripts, joined by every kind of whitespace; now
    and then a stretch of arbitrary characters."""
    size = draw(st.sampled_from([3, 15, 40, 80, 160]))  # threads need long texts: often
    tokens = draw(st.lists(st.tuples(WORDS, ENDS, SPACES), min_size=size, max_size=size))
    text = "".join(word + end + space for word, end, space in tokens)
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.text(max_size=400))
    return text


PLATFORMS = st.sampled_from(list(catalog.default_limits()))
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words(text: str) -> list[str]:
    return text.split()


def urls(text: str) -> set[str]:
    found = twitter.find_urls(text) + twitter.find_urls(text, bare_domains=False)
    return {url for _s, _e, url in found}


def tail_of(draft: Draft, body: str, hashtags: tuple[str, ...], platform: str) -> str:
    inline = [draft.link] if draft.link and platform != "facebook" else []
    return " ".join(hashtags_to_add(body, hashtags) + inline)


def compose_or_none(planned: object, platform: str) -> Draft | None:
    if skipped(planned, platform):  # type: ignore[arg-type]
        return None  # not for this platform at all (Instagram: no image)
    try:
        return compose(planned, catalog.default_limits()[platform])  # type: ignore[arg-type]
    except ComposeError as exc:
        # Allowed only when the text truly cannot be posted: a word (or the link) longer
        # than a post, or more than 20 posts in a thread. Never for a fitting text.
        why = str(exc)
        assert any(w in why for w in ("does not fit", "more than 20", "link", "takes at most"))
        return None


@FAST
@given(text=texts(), platform=PLATFORMS, thread=st.booleans(), link=st.booleans(),
       image=st.booleans(), tags=st.sampled_from([(), ("CegahTPPO",), ("CegahTPPO", "Aman")]))  # fmt: skip
def test_every_part_fits_its_platform_by_its_own_counting(
    text: str, platform: str, thread: bool, link: bool, image: bool, tags: tuple[str, ...]
) -> None:
    shapes = (("1:1", f"{SITE}/social/1x1/poster.png.jpg"),)  # made by the build
    media = Media("poster.png", "Poster biru.", shapes, f"{SITE}/poster.png") if image else None
    planned = item(
        text=text, thread=thread, link=f"{SITE}/berita/a/" if link else "", hashtags=tags,
        image=media, title="Judul",
    )  # fmt: skip
    draft = compose_or_none(planned, platform)
    if draft is None:
        return
    limits = catalog.default_limits()[platform]
    for part in draft.parts:
        caption = bool(part.media)
        assert catalog.fits(platform, part.text, caption=caption, limits=limits), (
            platform,
            catalog.count(platform, part.text, limits),
            part.text,
        )
    assert all(not p.media for p in draft.parts[1:])  # the image goes with the first part


@FAST
@given(text=texts(), platform=st.sampled_from(["x", "mastodon", "bluesky", "threads"]),
       link=st.booleans(),
       tags=st.sampled_from([(), ("CegahTPPO",)]))  # fmt: skip
def test_a_thread_joined_gives_back_the_text_and_cuts_no_url(
    text: str, platform: str, link: bool, tags: tuple[str, ...]
) -> None:
    planned = item(text=text, thread=True, link=f"{SITE}/berita/a/" if link else "", hashtags=tags)
    draft = compose_or_none(planned, platform)
    body = text.strip()
    if draft is None or not body:
        return
    tail = tail_of(draft, body, tags, platform)
    total = len(draft.parts)
    if total == 1:
        whole = draft.parts[0].text
        if whole.endswith(ELLIPSIS) and not body.endswith(ELLIPSIS):
            return  # a one-part thread cannot happen; shortening is the other test's
        assert whole == (f"{body}\n\n{tail}" if tail else body)
        return
    event(f"{total} parts")
    chunks = []
    for number, part in enumerate(draft.parts, 1):
        marker = f" ({number}/{total})"
        assert part.text.endswith(marker)
        chunk = part.text[: -len(marker)]
        if number == 1 and tail:
            assert chunk.endswith(f"\n\n{tail}")
            chunk = chunk[: -len(tail) - 2]
        chunks.append(chunk)
    assert words(" ".join(chunks)) == words(body)
    for chunk in chunks:  # each URL in a part is a URL of the text, whole
        assert urls(chunk) <= urls(body), (urls(chunk) - urls(body), chunk)


@FAST
@given(text=texts(), platform=PLATFORMS, link=st.booleans())
def test_a_shortened_post_is_a_word_boundary_prefix_with_its_link(
    text: str, platform: str, link: bool
) -> None:
    planned = item(text=text, thread=False, link=f"{SITE}/berita/a/" if link else "")
    draft = compose_or_none(planned, platform)
    body = text.strip()
    if draft is None or not body:
        return
    (part,) = draft.parts
    if draft.link and platform != "facebook":
        assert draft.link in part.text  # the link is never given up for the text
    if part.text == (f"{body}\n\n{draft.link}" if draft.link and platform != "facebook" else body):
        return  # it fitted whole
    shown = part.text.split(f"\n\n{draft.link}")[0] if draft.link else part.text
    assert shown.endswith(ELLIPSIS)
    kept = words(shown[: -len(ELLIPSIS)])
    assert kept == words(body)[: len(kept)]  # whole words, from the start, in order
    for url in urls(shown[: -len(ELLIPSIS)]):
        assert url in urls(body) or re.fullmatch(r"[\w.-]+", url), url
