"""The counters against the platforms' own code, run in Node: twitter-text 3.1 (parseTweet,
extractUrlsWithIndices; pinned in package.json) for X, and Intl.Segmenter (Node's ICU) for
Bluesky, on a seeded corpus of 5,000 texts (tests/counters_corpus.py) and fixed cases.

Node and the packages come from `make test` (npm ci); tests/node/parse_tweets.js does the
Node side.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata

import pytest
import regex

from publisher.platforms import catalog
from publisher.platforms.counting import twitter
from tests.counters_corpus import Sample, corpus
from tests.support import TESTS

ROOT = TESTS.parent
NODE_DIR = TESTS / "node"


def _node(script: str, texts: list[str] | None = None) -> dict:
    assert (ROOT / "node_modules/twitter-text/package.json").exists(), (
        "twitter-text is not installed: run `npm ci --ignore-scripts` (make test does)"
    )
    done = subprocess.run(
        ["node", str(NODE_DIR / script)],
        input=json.dumps(texts if texts is not None else []),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


# Texts the old port counted wrong, and the corners of twitter-text's URL rules.
FIXED = [
    "\u00a9 2027 Pemkab",  # (c) without VS16: 1
    "\u00ae\u2122",
    "\u00a9\ufe0f\u00ae\ufe0f\u2122\ufe0f",
    "1\ufe0f\ufe0f\u20e3 #\u20e3 5\ufe0e\u20e3 9\u20e3\ufe0f",  # keycaps with extra selectors
    "\u0645\u0631\u062d\u0628\u0627example.com",  # bare domains glued to Arabic and Hebrew
    "\u0627\u062a\u0635\u0644bp2mi.go.id/lapor",
    "\u05e9\u05dc\u05d5\u05ddkemnaker.go.id",
    "\u05e1\u05d7\u05e8 stop-tppo.id \u05d0\u05d3\u05dd",
    "Info: example.go.id dan https://wa.me/628111129129 ya",
    "-example.com _example.com .example.com /example.com",
    "https://t.co/" + "a" * 41 + " https://t.co/abc?x=1",
    "https://" + "a" * 64 + ".com http://" + "b" * 63 + ".com",
    "xn--p1ai.com xn--\u00e9.com http://xn--80ak6aa92e.com",
    "a.b\u3002c.com \u4e2d\u3002example.com",
    "https://example.com/" + "x" * 4100,
    "BENGKULUTENGAHKAB.GO.ID/KAMPANYE HTTPS://EXAMPLE.COM",
    "https://example.com/Primer_(film) (https://example.com/a)",
    "https://example.com/\u00e9t\u00e9. https://example.com/\u0436?\u0436",
    "\u0130stanbul.com \u212aelvin.com \u017fite.com a.\u0131d",
    "\U0001f600example.com \U0001f1ee\U0001f1e9https://example.com",
    "Lapor\ufeff",
    "\ufffe",
    "",
    " ",
    "W\u0300 \u1100\u1161\u11a8 e\u0301",
    "a" * 280,
    "a" * 281,
    "\U0001f637" * 140,
    "\U0001f637" * 141,
    "\u2764\ufe0f\u200d\U0001f525 \U0001f426\u200d\U0001f525 \U0001fae9",
]


@pytest.fixture(scope="module")
def samples() -> list[Sample]:
    return corpus()


@pytest.fixture(scope="module")
def node_results(samples: list[Sample]) -> dict:
    return _node("parse_tweets.js", [s.text for s in samples] + FIXED)


def _pairs(samples: list[Sample], node_results: dict) -> list[tuple[Sample, dict]]:
    texts = [*samples, *(Sample(text, False) for text in FIXED)]
    results = node_results["results"]
    assert len(results) == len(texts)
    return list(zip(texts, results, strict=True))


def test_the_corpus_covers_what_it_should(samples: list[Sample]) -> None:
    texts = [s.text for s in samples]
    assert len(texts) == 5000 and len(set(texts)) > 4500  # short ones repeat

    def share(pattern: str) -> int:
        return sum(1 for text in texts if regex.search(pattern, text))

    assert share(r"[\u0590-\u06ff][a-z0-9-]+\.[a-z]") >= 200  # domains glued to RTL letters
    assert share(r"https?://") >= 1000
    assert share("\u0915\u094d\u0937|\u0936\u094d\u0930\u0940") >= 50  # Devanagari conjuncts
    assert share("\u00a9(?!\ufe0f)") >= 50 and share("\u00a9\ufe0f") >= 50
    assert share("\u20e3") >= 200 and share("\u200d") >= 500
    assert sum(s.new_emoji for s in samples) >= 1000
    assert sum(1 for text in texts if 260 <= catalog.count("x", text) <= 300) >= 150


def test_x_matches_twitter_text(samples: list[Sample], node_results: dict) -> None:
    wrong = []
    for sample, theirs in _pairs(samples, node_results):
        ours, fits = catalog.count("x", sample.text), catalog.fits("x", sample.text)
        if sample.new_emoji:
            # X counts each emoji as 2 and twitter-text newer ones as more; we never count
            # less than twitter-text, so we never pass a text it refuses.
            ok = ours >= theirs["weightedLength"] and (theirs["valid"] or not fits)
        else:
            ok = ours == theirs["weightedLength"] and fits == theirs["valid"]
        if not ok:
            wrong.append((sample.text[:80], ours, fits, theirs["weightedLength"], theirs["valid"]))
    assert wrong == []


def test_find_urls_matches_twitter_text(samples: list[Sample], node_results: dict) -> None:
    wrong = []
    for sample, theirs in _pairs(samples, node_results):
        normalized = unicodedata.normalize("NFC", sample.text)
        ours = [list(found) for found in twitter.find_urls(normalized)]
        if ours != theirs["urls"]:
            wrong.append((sample.text[:80], ours, theirs["urls"]))
    assert wrong == []


def test_bluesky_counts_graphemes_as_intl_segmenter(
    samples: list[Sample], node_results: dict
) -> None:
    # Node 20's ICU and the regex module both implement Unicode 17.0 (both print it: see the
    # assertion below); the corpus keeps to characters of Unicode 16.0 and older, plus two
    # Emoji 17.0 pictographs, which are Extended_Pictographic in every version.
    assert node_results["versions"]["unicode"] == "17.0"
    assert regex.match(r"\p{Assigned}", "\U00010940")  # Sidetic, new in Unicode 17.0
    wrong = [
        (sample.text[:80], catalog.count("bluesky", sample.text), theirs["graphemes"])
        for sample, theirs in _pairs(samples, node_results)
        if catalog.count("bluesky", sample.text) != theirs["graphemes"]
    ]
    assert wrong == []


def test_conjuncts_and_new_emoji_are_one_grapheme() -> None:
    for text in ("\u0936\u094d\u0930\u0940", "\u0915\u094d\u0937", "\U0001f426\u200d\U0001f525"):
        assert catalog.count("bluesky", text) == 1, text
    assert catalog.count("bluesky", "\u092a\u094d\u0930\u0927\u093e\u0928") == 3  # प्र धा न


def test_case_insensitive_url_matching_is_javascripts() -> None:
    # Every BMP character with a case mapping, in each place of a URL where twitter-text
    # matches letters without regard to case: the path, the query, the top-level domain.
    letters = [
        chr(point)
        for point in range(0x80, 0x10000)
        if not 0xD800 <= point <= 0xDFFF
        and (chr(point).lower() != chr(point) or chr(point).upper() != chr(point))
    ]
    texts = [f"a.co/b{c} x.c{c}m https://a.co/?q={c}{c} a.{c}d co.{c}" for c in letters]
    theirs = _node("parse_tweets.js", texts)["results"]
    wrong = [
        (text, twitter.find_urls(text), result["urls"])
        for text, result in zip(texts, theirs, strict=True)
        if [list(found) for found in twitter.find_urls(text)] != result["urls"]
        and unicodedata.normalize("NFC", text) == text
    ]
    assert wrong == []


def test_tables_are_twitter_texts() -> None:
    tables = _node("twitter_text_tables.js")
    assert (tables["version"], tables["twemojiParser"]) == ("3.1.0", "11.0.2")
    assert list(twitter._TWITTER_GTLDS) == tables["gtld"]
    assert list(twitter._TWITTER_CCTLDS) == tables["cctld"]
    assert tables["emoji"]["source"] == twitter._TWEMOJI_PARSER_11_EMOJI
    assert tables["emoji"]["flags"] == "g"
