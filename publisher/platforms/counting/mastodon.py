"""Mastodon's length: its StatusLengthValidator, URL and mention rules, ported from its source."""

from __future__ import annotations

import functools
import re

import regex

from publisher.platforms.counters import grapheme_length

# The gem's regexes are twitter-text's with Mastodon's changes: built from the same parts.
from publisher.platforms.counting.twitter import (
    _MAX_TCO_SLUG_LENGTH,
    _MAX_URL_LENGTH,
    _TT_DIRECTIONAL,
    _TT_INVALID,
    _TT_LATIN_ACCENTS,
    _TT_SPACES,
    _tt_balanced_parens,
    _tt_domain_pattern,
    _tt_url_pattern,
)

# --- Mastodon -------------------------------------------------------------------------------
#
# Mastodon's StatusLengthValidator (app/validators/status_length_validator.rb) counts the
# grapheme clusters of the text after rewriting its entities: each URL that
# Extractor.extract_urls_with_indices(text, extract_url_without_protocol: false) finds
# becomes 23 characters, each mention that extract_mentions_or_lists_with_indices finds
# becomes "@user" (without "@domain"); overlapping entities keep the first.
# Its URLs come from the twitter-text Ruby gem (rb/lib/twitter-text/regex.rb, extractor.rb)
# with the changes of Mastodon's config/initializers/twitter_regex.rb: a path takes every
# character but white space and <>()?, a query also non-ASCII, and more schemes count.
# Its mentions are Account::MENTION_RE (app/models/account.rb), filtered as in
# app/lib/extractor.rb.

_RUBY_PUNCT = re.escape("!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~")
_RUBY_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)


# Ruby's \p{White_Space}, \p{Pd} and \p{Cyrillic} as of Unicode 17.0, for Python's re (which
# runs this regex faster than the regex module); tests/platforms/test_counters_mastodon.py holds them
# equal to the regex module's.
_WHITE_SPACE = r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000"
_DASH_PUNCTUATION = (
    r"\u002d\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a-\u2e3b\u2e40\u2e5d"
    r"\u301c\u3030\u30a0\ufe31-\ufe32\ufe58\ufe63\uff0d\U00010d6e\U00010ead"
)
_CYRILLIC = (
    r"\u0400-\u0484\u0487-\u052f\u1c80-\u1c8a\u1d2b\u1d78\u2de0-\u2dff\ua640-\ua69f"
    r"\ufe2e-\ufe2f\U0001e030-\U0001e06d\U0001e08f"
)


@functools.cache
def _mastodon_url_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Mastodon's REGEXEN[:valid_url] and the gem's REGEXEN[:valid_tco_url]."""
    domain_char = (
        f"[^{_TT_DIRECTIONAL}{_RUBY_PUNCT} \\t\\n\\x0B\\f\\r\\x00-\\x1F\\x7F{_TT_INVALID}"
        f"{_TT_SPACES}]"
    )
    # The gem's path characters: Mastodon redefines them after the gem built its
    # valid_url_path_ending_chars, whose balanced parentheses therefore keep the gem's.
    gem_path_char = (
        rf"[a-z{_CYRILLIC}0-9!\*';:=\+\,\.\$\/%#\[\]{_DASH_PUNCTUATION}_~&\|@{_TT_LATIN_ACCENTS}]"
    )
    path_char = rf"[^{_WHITE_SPACE}<>()?]"
    path_end = (
        rf"[^{_WHITE_SPACE}()?!*\"'「」<>;:=,.$%\[\]~&|@]"
        rf"|(?:{_tt_balanced_parens(gem_path_char)})"
    )
    parens = _tt_balanced_parens(path_char)
    url = _tt_url_pattern(
        preceding=rf"(?:[^A-Z0-9@＠$#＃{_TT_INVALID}]|[{_TT_DIRECTIONAL}]|^|(?<=\n))",
        protocol=r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://",
        domain=_tt_domain_pattern(domain_char, r"(?:xn--[0-9a-z]+)"),
        path=rf"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_end})|(?:{path_char}+/))",
        query=rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_RUBY_UCHARS}]",
        query_end=rf"[a-z0-9_&=#/\-{_RUBY_UCHARS}]",
    )
    tco = r"^https?:\/\/t\.co\/([a-z0-9]+)"
    return re.compile(url, re.IGNORECASE), re.compile(tco, re.IGNORECASE)


def _ruby_valid_domain(url_length: int, domain: str, protocol: str | None) -> bool:
    """The gem's is_valid_domain: IDNA 2003 ToASCII must succeed (libidn there, Python's
    codec of the same standard here), and the URL stay within 4096 characters."""
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    url_length += max(0, len(encoded) - len(domain))
    if not protocol:
        url_length += len("https://")
    return url_length <= _MAX_URL_LENGTH


def _mastodon_urls(text: str) -> list[tuple[int, int]]:
    """Extractor.extract_urls_with_indices(text, extract_url_without_protocol: false)."""
    if "://" not in text:  # every URL it counts has a scheme
        return []
    url_regex, tco_regex = _mastodon_url_regexes()
    spans = []
    for match in url_regex.finditer(text):
        protocol = match.group("protocol")
        if not protocol:  # bare domains are not URLs to Mastodon's counter
            continue
        url, start, end = match.group("url"), match.start("url"), match.end("url")
        tco = tco_regex.match(url)
        if tco:
            if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            url = tco.group()
            end = start + len(url)
        if _ruby_valid_domain(len(url), match.group("domain"), protocol):
            spans.append((start, end))
    return spans


# Account::MENTION_RE; Ruby's [[:word:]] is Unicode's \w (UTS #18).
_RUBY_WORD = r"[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]"
_MASTODON_MENTION = regex.compile(
    rf"(?<![=/]|{_RUBY_WORD})@((?i:([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*))"
    rf"(?:@{_RUBY_WORD}+(?:[.-]+{_RUBY_WORD}+)*)?)",
    regex.V0,
)
# The gem's end_mention_match: a mention followed by one of these is no mention.
_END_MENTION = regex.compile(rf"[@＠]|[{_TT_LATIN_ACCENTS}]|://", regex.IGNORECASE | regex.V0)
_MAX_MENTION_DOMAIN = 253  # Extractor::MAX_DOMAIN_LENGTH


def _mastodon_mentions(text: str) -> list[tuple[int, int, str]]:
    """extract_mentions_or_lists_with_indices: (start, end, username) of each mention."""
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in _MASTODON_MENTION.finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        _, _, domain = match.group(1).partition("@")
        if len(domain) > _MAX_MENTION_DOMAIN:
            continue
        found.append((match.start(1) - 1, match.end(1), match.group(2)))
    return found


def mastodon_length(text: str, url_weight: int | None = 23) -> int:
    """Length as Mastodon's StatusLengthValidator counts it (URLs as written if url_weight
    is None)."""
    entities: list[tuple[int, int, str | None]] = [
        (start, end, None)
        for start, end in (_mastodon_urls(text) if url_weight is not None else [])
    ]
    entities += _mastodon_mentions(text)
    if not entities:
        return _mastodon_graphemes(text)
    entities.sort(key=lambda entity: entity[0])
    pieces: list[str] = []
    position = 0
    for start, end, username in entities:
        if start < position:  # overlaps the entity before it: dropped, as Mastodon does
            continue
        pieces.append(text[position:start])
        pieces.append("x" * url_weight if username is None else "@" + username)  # type: ignore[operator]
        position = end
    pieces.append(text[position:])
    return _mastodon_graphemes("".join(pieces))


# Mastodon counts with Ruby's String#each_grapheme_cluster, which took up Unicode 15.1's rule
# for Indic conjuncts (GB9c) only in 2025 (ruby/ruby#12798): on the Ruby 3.4 and older that
# servers run, "श्री" is two clusters and "हिन्दी" three. Each consonant joined by that rule
# starts a cluster of its own there, so we count one more for each: never less than the server.
_CONJUNCT_JOIN = regex.compile(
    r"(?<=\p{InCB=Consonant}[\p{InCB=Extend}\p{InCB=Linker}]*\p{InCB=Linker}"
    r"[\p{InCB=Extend}\p{InCB=Linker}]*)\p{InCB=Consonant}"
)


def _mastodon_graphemes(text: str) -> int:
    if text.isascii():
        return grapheme_length(text)
    return grapheme_length(text) + len(_CONJUNCT_JOIN.findall(text))
