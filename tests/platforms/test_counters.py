"""Exact counters: the official twitter-text cases, and hand-checked cases for the others."""

from __future__ import annotations

import unicodedata

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from publisher.platforms import catalog, counters
from publisher.platforms.catalog import count, fits, hashtag_problem
from publisher.platforms.counters import find_hashtags
from publisher.platforms.counting import twitter
from publisher.platforms.counting.twitter import find_urls
from tests.support import TESTS

DATA = TESTS / "data" / "twitter_text_validate_v3.yaml"


def _conformance() -> list:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section, cases in data.items()
        for case in cases
    ]


@pytest.mark.parametrize("case", _conformance())
def test_x_weighted_length_matches_twitter_text_conformance(case: dict) -> None:
    assert count("x", case["text"]) == case["expected"]["weightedLength"]
    assert fits("x", case["text"]) == case["expected"]["valid"]


def test_conformance_file_holds_the_whole_v3_section() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert len(data["WeightedTweetsWithDiscountedEmojiCounterTest"]) == 21
    assert len(data["UnicodeDirectionalMarkerCounterTest"]) == 2


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f1ee\U0001f1e9",  # flag of Indonesia
        "1\ufe0f\u20e3",  # keycap one
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family (ZWJ sequence)
        "\U0001f44d\U0001f3fd",  # thumbs up, skin tone
        "\u00a9\ufe0f",  # (c) as emoji
    ],
)
def test_x_counts_every_emoji_of_twitter_texts_table_as_two(text: str) -> None:
    assert count("x", text) == 2
    assert count("x", f"Ayo {text}!") == 4 + 2 + 1


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        # twitter-text (twemoji-parser 11) splits emoji newer than its table into the parts it
        # knows: X itself counts each as 2, but we never pass a text twitter-text refuses.
        ("\u2764\ufe0f\u200d\U0001f525", 2 + 1 + 2),  # heart on fire (13.1): heart, ZWJ, fire
        ("\U0001faf1\U0001f3fd\u200d\U0001faf2\U0001f3fb", 2 + 2 + 1 + 2 + 2),  # handshake
        ("\U0001f426\u200d\U0001f525", 2 + 1 + 2),  # phoenix (15.1)
        ("\U0001faf6\U0001f3fd", 2 + 2),  # heart hands with a skin tone (14.0)
        ("\U0001fae0", 2),  # melting face (14.0): one code point, weight 2 either way
    ],
)
def test_x_counts_newer_emoji_as_twitter_text_does(text: str, weight: int) -> None:
    assert count("x", text) == weight


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("\u00a9", 1),  # (c) without VS16 is text to twitter-text
        ("\u00ae 2027", 6),
        ("\u2122", 2),  # U+2122 is outside the light ranges
        ("1\ufe0f\ufe0f\u20e3", 1 + 2 + 2 + 2),  # keycap with an extra selector: no emoji
        ("\u0645\u0631\u062d\u0628\u0627example.com", 5 + 23),  # bare domain after Arabic
        ("\u05e9\u05dc\u05d5\u05ddkemnaker.go.id/a", 4 + 23),  # and after Hebrew
        ("", 0),
    ],
)
def test_x_matches_twitter_text_where_the_old_port_did_not(text: str, weight: int) -> None:
    # Each checked against twitter-text 3.1's parseTweet (tests/node/parse_tweets.js).
    assert count("x", text) == weight


def test_x_text_presentation_selector_is_not_an_emoji() -> None:
    assert count("x", "\u263a\ufe0e") == 4  # two code points outside the light ranges


def test_x_counts_bare_domains_and_any_url_as_23() -> None:
    assert count("x", "bengkulutengahkab.go.id") == 23
    long_url = "https://bengkulutengahkab.go.id/kampanye/hari-dunia-anti-perdagangan-orang-2027/"
    assert count("x", f"Baca {long_url}") == 5 + 23


def test_x_counts_indonesian_text_one_per_character() -> None:
    text = "Waspadai tawaran kerja ke luar negeri yang tidak jelas."
    assert count("x", text) == len(text)


def test_x_limit_is_280_weighted() -> None:
    assert fits("x", "a" * 280)
    assert not fits("x", "a" * 281)
    assert fits("x", "\U0001f637" * 140)
    assert not fits("x", "\U0001f637" * 141)


def test_find_urls_gives_spans_into_the_text() -> None:
    text = "Info: example.go.id dan https://wa.me/628111129129 ya"
    spans = find_urls(text)
    assert [(text[s:e], url) for s, e, url in spans] == [
        ("example.go.id", "example.go.id"),
        ("https://wa.me/628111129129", "https://wa.me/628111129129"),
    ]
    assert [url for _, _, url in find_urls(text, bare_domains=False)] == [
        "https://wa.me/628111129129"
    ]


def test_mastodon_counts_graphemes_and_23_per_http_url() -> None:
    url = "https://example.go.id/" + "a" * 80
    assert count("mastodon", f"Lihat {url} ya") == 6 + 23 + 3
    assert count("mastodon", "example.go.id") == len("example.go.id")  # no scheme: as written
    assert count("mastodon", "e\u0301\U0001f468\u200d\U0001f469\u200d\U0001f467") == 2
    assert count("mastodon", "halo @budi@mastodon.social") == len("halo @budi")


def test_mastodon_limit() -> None:
    assert fits("mastodon", "a" * 500)
    assert not fits("mastodon", "a" * 501)
    assert fits("mastodon", "a" * 476 + " https://example.com/" + "b" * 200)
    assert not fits("mastodon", "a" * 477 + " https://example.com/" + "b" * 200)


def test_bluesky_counts_graphemes_and_bytes() -> None:
    assert count("bluesky", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466") == 1
    assert fits("bluesky", "a" * 300)
    assert not fits("bluesky", "a" * 301)
    # 300 graphemes but more than 3000 bytes: refused by the server.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 25 bytes
    assert count("bluesky", family * 150) == 150
    assert not fits("bluesky", family * 150)
    url = "https://example.go.id/" + "a" * 300
    assert count("bluesky", url) == len(url)  # URLs count as written


def test_telegram_counts_utf16_units_and_captions_have_their_own_limit() -> None:
    assert count("telegram", "\U0001f637") == 2
    assert fits("telegram", "a" * 4096)
    assert not fits("telegram", "a" * 4097)
    assert fits("telegram", "a" * 1024, caption=True)
    assert not fits("telegram", "a" * 1025, caption=True)


def test_facebook_limit_is_configurable() -> None:
    assert fits("facebook", "a" * 5000)
    assert not fits("facebook", "a" * 5001)
    small = catalog.with_overrides({"facebook": {"max_text": 100}})["facebook"]
    assert not fits("facebook", "a" * 101, limits=small)
    assert fits(
        "facebook",
        "a" * 5001,
        limits=catalog.with_overrides({"facebook": {"max_text": 6000}})["facebook"],
    )


def test_with_overrides_rejects_typos() -> None:
    with pytest.raises(ValueError, match="unknown limit 'max_txt'"):
        catalog.with_overrides({"facebook": {"max_txt": 10}})
    with pytest.raises(ValueError, match="unknown platform 'twiter'"):
        catalog.with_overrides({"twiter": {"max_text": 10}})


def test_limits_table() -> None:
    assert {n: lim.max_text for n, lim in catalog.default_limits().items()} == {
        "x": 280,
        "mastodon": 500,
        "bluesky": 300,
        "facebook": 5000,
        "telegram": 4096,
        "instagram": 2200,
        "threads": 500,
        "email": 1_000_000,
    }
    assert [n for n, lim in catalog.default_limits().items() if lim.threads] == [
        "x",
        "mastodon",
        "bluesky",
        "threads",
    ]
    assert catalog.default_limits()["telegram"].max_caption == 1024
    assert (
        catalog.default_limits()["x"].url_weight
        == catalog.default_limits()["mastodon"].url_weight
        == 23
    )


def test_unknown_platform_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown platform 'myspace'"):
        count("myspace", "hi")


def test_url_weight_none_counts_urls_as_written_on_x() -> None:
    raw = catalog.default_limits()["x"].__class__("x", 280, None, None, 4, 1, True)
    assert count("x", "example.go.id", raw) == 13


@pytest.mark.parametrize(
    ("platform", "tag", "fragment"),
    [
        ("x", "#Stop-Perdagangan", "only '#Stop' would be linked"),
        ("mastodon", "#2027", "only digits"),
        ("facebook", "#Cegah TPPO", "has a space"),
        ("telegram", "#", "needs letters"),
        ("bluesky", "#" + "a" * 65, "longer than Bluesky's 64"),
    ],
)
def test_hashtag_problems(platform: str, tag: str, fragment: str) -> None:
    problem = hashtag_problem(platform, tag)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("platform", catalog.PLATFORMS)
def test_good_hashtags_pass_everywhere(platform: str) -> None:
    for tag in ("#CegahTPPO", "StopPerdaganganOrang", "#HariAntiTPPO2027", "#pekerja_migran"):
        assert hashtag_problem(platform, tag) is None
    assert hashtag_problem("bluesky", "#Stop-TPPO") is None  # Bluesky tags may hold hyphens


def test_find_hashtags_skips_urls_numbers_and_trailing_punctuation() -> None:
    text = "Tips #2: lihat https://example.go.id/#bagian dan #CegahTPPO. #Stop-TPPO!"
    assert find_hashtags(text) == [
        (text.index("#CegahTPPO"), "CegahTPPO"),
        (text.index("#Stop-TPPO"), "Stop-TPPO"),
    ]


@given(st.text())
def test_counters_never_fail_and_agree_with_fits(text: str) -> None:
    for platform in catalog.PLATFORMS:
        n = count(platform, text)
        assert n >= 0
        if n > catalog.default_limits()[platform].max_text:
            assert not fits(platform, text)


@given(st.text(alphabet=st.characters(max_codepoint=4351, exclude_categories=("Cs",))))
def test_x_light_text_without_urls_counts_per_code_point(text: str) -> None:
    # Counted after NFC, which may compose two light code points into a heavy one (W + grave
    # = U+1E80). Up to U+10FF every code point weighs 1: (c) and (r) are emoji to
    # twitter-text only with VS16, which weighs 2.
    normal = unicodedata.normalize("NFC", text)
    light = all(ord(ch) <= 4351 for ch in normal)
    if light and not find_urls(normal):
        assert count("x", text) == len(normal)
    assert count("x", "W\u0300") == 2  # composes to U+1E80, outside the light range


def _parse_tweet_loop(units: str, urls: dict[int, int], emoji: dict[int, int]) -> int:
    """parseTweet's own loop, unit by unit, as written in twitter-text 3.1 (JavaScript)."""
    weight = 0
    index = 0
    while index < len(units):
        if index in urls:
            weight += 23
            index += urls[index] - 1
        elif index in emoji:
            weight += 2
            index += emoji[index] - 1
        else:
            if (
                index < len(units) - 1
                and "\ud800" <= units[index] <= "\udbff"
                and "\udc00" <= units[index + 1] <= "\udfff"
            ):
                index += 1
            weight += twitter._x_char_weight(units[index])
        index += 1
    return weight


def _entities(units: str) -> tuple[dict[int, int], dict[int, int]]:
    urls = {start: len(url) for url, start, _end in twitter._tt_extract_urls(units)}
    emoji = {m.start(): m.end() - m.start() for m in twitter._twemoji_regex().finditer(units)}
    return urls, emoji


@given(st.text())
@example("Baca bengkulutengahkab.go.id/a \U0001f1ee\U0001f1e9 https://t.co/abc?x=1 \u00e9")
@example("\u0645\u0631\u062d\u0628\u0627example.com/jalan \U0001f468\u200d\U0001f469")
def test_x_walk_is_parse_tweets_loop(text: str) -> None:
    # _x_walk weighs the stretches between URLs and emoji at once; the answer must be the
    # one parseTweet's unit-by-unit loop gives.
    units = twitter._utf16_units(unicodedata.normalize("NFC", text))
    urls, emoji = _entities(units)
    assert twitter._x_walk(units, urls, emoji, 23) == _parse_tweet_loop(units, urls, emoji)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@example("Lapor\r\nsegera\r\n")  # CR LF is one grapheme cluster of two characters
@example("Lihat example.go.id/a, https://t.co/abc?x=1 dan BP2MI.GO.ID.")
def test_ascii_fast_paths_agree_with_the_slow_paths(text: str) -> None:
    # ASCII text skips the grapheme walk, the emoji table and the per-character weights; the
    # answer must be the one the slow paths give.
    assert counters.grapheme_length(text) == len(counters._GRAPHEME.findall(text))
    assert catalog.count("bluesky", text) == len(counters._GRAPHEME.findall(text))
    assert twitter._x_text_weight(text) == sum(twitter._x_char_weight(ch) for ch in text)
    urls, emoji = _entities(text)
    assert emoji == {}
    assert twitter.x_weighted_length(text) == _parse_tweet_loop(text, urls, emoji)
