"""Mastodon's length rules, as cases derived from its source (mastodon/mastodon):

- app/validators/status_length_validator.rb: the grapheme clusters of the text after each URL
  that Extractor.extract_urls_with_indices(text, extract_url_without_protocol: false) finds
  becomes 23 characters and each mention found by extract_mentions_or_lists_with_indices
  becomes "@user"; remove_overlapping_entities keeps the earlier of two overlapping ones.
- config/initializers/twitter_regex.rb: URL paths take any character but white space and
  <>() and ?, queries any non-ASCII character too, and the schemes are http(s), dat, dweb,
  ipfs, ipns, ssb, gopher and gemini. The rest is the twitter-text gem's
  (rb/lib/twitter-text/regex.rb and extractor.rb: t.co paths, IDNA ToASCII of the domain).
- app/models/account.rb: MENTION_RE =
  (?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:]]+([.-]+[[:word:]]+)*)?), USERNAME_RE =
  [a-z0-9_]+([.-]+[a-z0-9_]+)* (case-insensitive).
- app/lib/extractor.rb: a mention followed by "@", a Latin accented letter or "://" is none.
"""

from __future__ import annotations

import re

import pytest
import regex

from publisher.platforms.catalog import count, fits
from publisher.platforms.counting import mastodon as mastodon_rules

URL = 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # URLs count 23 whatever their characters (twitter_regex.rb).
        ("Lihat https://example.com/\U0001f42a/#camel ya", 6 + URL + 3),
        ("bes\u00f8k https://gr\u00e5.org/ idag", 6 + URL + 5),
        (
            "\u53c2\u89c2 https://\u6155\u7530\u5cea\u957f\u57ce.\u7f51\u5740/ \u4eca\u5929",
            3 + URL + 3,
        ),
        ("https://example.com/?q=\u0436", URL),
        ("gemini://example.com/a b", URL + 2),
        ("dat://example.com", URL),
        ("(https://example.com/a_(b))", 1 + URL + 1),
        ("https://example.com/a?b&@budi@mastodon.social", URL),  # the mention is inside it
        # Not URLs to the validator: no scheme, an unknown scheme, a domain IDNA refuses
        # (Arabic and Latin letters in one label).
        ("example.go.id", 13),
        ("ftp://example.com/a", 19),
        ("https://\u0645\u0631\u062d\u0628\u0627example.com/", 25),
        # The gem cuts a t.co URL after its path.
        ("https://t.co/abc?x=1", URL + 4),
    ],
)
def test_mastodon_urls(text: str, expected: int) -> None:
    assert count("mastodon", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("halo @budi@mastodon.social", len("halo @budi")),
        ("@BUDI@Mastodon.Social", len("@BUDI")),
        ("@budi_@sub.mastodon-social.id", len("@budi_")),
        ("@arnt@gr\u00e5.org", len("@arnt")),  # the domain is [[:word:]], not only ASCII
        ("@budi@mastodon.social.", len("@budi.")),  # the domain ends with a word character
        ("@budi@mastodon.social https://example.com", len("@budi ") + URL),
        # No mention: after "=", "/" or a word character; a domain starting with "-" or "."
        # (then "@budi" is followed by "@", which ends no mention); followed by "@".
        ("a=@budi@mastodon.social", 23),
        ("lihat /@budi@mastodon.social", 28),
        ("email budi@mastodon.social", 26),
        ("@budi@-bad.example", 18),
        ("@budi@.bad.example", 18),
        ("@budi@mastodon.social@x", 23),
        # "@u@https" is followed by "://": no mention; the URL after "@" has no valid
        # preceding character, and without its scheme it is no URL to the validator.
        ("@u@https://example.com/", 23),
    ],
)
def test_mastodon_mentions(text: str, expected: int) -> None:
    assert count("mastodon", text) == expected


def test_mastodon_counts_grapheme_clusters() -> None:
    assert count("mastodon", "e\u0301\U0001f468\u200d\U0001f469\u200d\U0001f467") == 2
    # Ruby before its Unicode 15.1 update (ruby/ruby#12798, 2025), which Mastodon servers
    # run, splits Indic conjuncts: श्री is 2 clusters there, हिन्दी 3.
    assert count("mastodon", "\u0936\u094d\u0930\u0940") == 2
    assert count("mastodon", "\u0939\u093f\u0928\u094d\u0926\u0940") == 3
    assert count("bluesky", "\u0936\u094d\u0930\u0940") == 1


def test_mastodon_limit_with_a_long_unicode_url() -> None:
    url = "https://example.go.id/kampanye/" + "\u00e9" * 300 + "/\U0001f42a"
    assert fits("mastodon", "a" * 476 + " " + url)
    assert not fits("mastodon", "a" * 477 + " " + url)


def test_property_classes_are_current_unicodes() -> None:
    # Written out for Python's re; the same characters as the regex module's properties.
    everything = "".join(chr(p) for p in range(0x110000) if not 0xD800 <= p <= 0xDFFF)
    for written, prop in (
        (mastodon_rules._WHITE_SPACE, r"\p{White_Space}"),
        (mastodon_rules._DASH_PUNCTUATION, r"\p{Pd}"),
        (mastodon_rules._CYRILLIC, r"\p{Script=Cyrillic}"),
    ):
        assert re.findall(f"[{written}]", everything) == regex.findall(prop, everything), prop
