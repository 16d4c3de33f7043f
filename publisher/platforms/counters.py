"""Exact text length counters and limits of each platform we post to.

Each platform counts differently, and a post that is one unit too long is refused:
- X: twitter-text 3.1's `parseTweet` (the official npm package), ported below and held to it
  by tests/test_counters_parity.py: NFC first; UTF-16 code units 0-4351, 8192-8205,
  8208-8223 and 8242-8247 weigh 1, all others 2; an emoji of twemoji-parser 11's table
  weighs 2; every URL, also a bare domain like example.go.id, weighs 23. Emoji newer than
  that table count as twitter-text counts them (more than X's 2): see x_weighted_length.
- Mastodon: grapheme clusters, with Indic conjuncts split as the Ruby its servers run splits
  them; every URL its server finds counts 23, whatever its characters; a mention
  `@user@server` counts as `@user` (its StatusLengthValidator, see mastodon_length).
- Bluesky: grapheme clusters of current Unicode (300), as the app's `Intl.Segmenter` counts
  them, and at most 3000 UTF-8 bytes; URLs count as written.
- Telegram: UTF-16 code units. The Bot API speaks of "characters after entities parsing" and
  measures entity offsets in UTF-16 units; counting units is the same for text without emoji
  and errs on the safe side (an emoji is 2) where the two could differ.
- Facebook: Unicode code points against our own, configurable limit (Meta publishes none).

Counting is pure: no network, no settings. Callers that configure limits pass `limits=`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import regex

PLATFORM_NAMES = ("x", "mastodon", "bluesky", "facebook", "telegram")
LABELS = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "telegram": "Telegram",
}
BLUESKY_MAX_BYTES = 3000
BLUESKY_MAX_TAG = 64  # graphemes after '#', the app's own limit for tag facets


@dataclass(frozen=True)
class PlatformLimits:
    name: str  # "x" | "mastodon" | "bluesky" | "facebook" | "telegram"
    max_text: int  # 280, 500, 300, configurable (default 5000 for facebook), 4096
    max_caption: int | None  # telegram 1024 for photo captions; None where same as max_text
    url_weight: int | None  # x 23, mastodon 23, None = URLs count as written
    max_media: int  # images per post
    max_media_bytes: int  # per image; conservative where the platform is vague
    threads: bool  # may a long text become a chain of replies?


DEFAULT_LIMITS: dict[str, PlatformLimits] = {
    "x": PlatformLimits("x", 280, None, 23, 4, 5 * 1024 * 1024, True),
    # Mastodon's default instance values; a server may allow more, never assume less.
    "mastodon": PlatformLimits("mastodon", 500, None, 23, 4, 10 * 1024 * 1024, True),
    # Bluesky blobs for images are capped at 1,000,000 bytes.
    "bluesky": PlatformLimits("bluesky", 300, None, None, 4, 1_000_000, True),
    "facebook": PlatformLimits("facebook", 5000, None, None, 1, 4 * 1024 * 1024, False),
    "telegram": PlatformLimits("telegram", 4096, 1024, None, 1, 10 * 1024 * 1024, False),
}


def with_overrides(overrides: Mapping[str, Mapping[str, object]]) -> dict[str, PlatformLimits]:
    """DEFAULT_LIMITS with some fields changed, e.g. {"facebook": {"max_text": 2000}}.

    Raises ValueError naming the unknown platform or field, so a settings typo is not ignored.
    """
    limits = dict(DEFAULT_LIMITS)
    names = {f.name for f in fields(PlatformLimits)} - {"name"}
    for platform, changes in overrides.items():
        if platform not in limits:
            raise ValueError(f"unknown platform '{platform}' (use: {', '.join(PLATFORM_NAMES)})")
        for key in changes:
            if key not in names:
                raise ValueError(
                    f"unknown limit '{key}' for {platform} (use: {', '.join(sorted(names))})"
                )
        limits[platform] = replace(limits[platform], **changes)  # type: ignore[arg-type]
    return limits


# --- URLs as twitter-text finds them ------------------------------------------------------
#
# A port of twitter-text 3.1's extractUrlsWithIndices (JavaScript; its regexp/*.js modules
# are mirrored one by one below) and of the Ruby gem's, which Mastodon runs with its own
# changes. The JavaScript regex runs on UTF-16 code units; run on a string of code units
# (_utf16_units) this one finds the same URLs at the same indices, and run on ordinary
# text the same URLs at code point indices.

# Character groups of twitter-text's regexp/*.js, written as in its sources.
_TT_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$"
_TT_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_TT_INVALID = r"\uFFFE\uFEFF\uFFFF"
_TT_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_TT_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_TT_CYRILLIC = r"\u0400-\u04FF"
_TLD_END = r"(?=[^0-9a-zA-Z@+-]|$)"

# JavaScript's case-insensitive matching (without the u flag) and Python's differ on six
# characters: Python folds these into ASCII letters or into the Latin ranges above, Node 20
# does not (or, for U+A7DC, folds it where Python 3.11's Unicode 14 cannot). Matching runs on
# a copy where each is replaced by a character that every class treats the same way as
# JavaScript treats the original; URLs are then cut from the original text.
_JS_CASE_FIX = str.maketrans(
    {
        "\u0130": "\u0101",  # I with dot above: a Latin accent letter, not "i"
        "\u0131": "\u0101",  # dotless i
        "\u017f": "\u0101",  # long s
        "\ua7dc": "\u0101",  # capital lambda with stroke (Unicode 16; folds to U+019B)
        "\u212a": "\ufffd",  # Kelvin sign: a domain character, not "k"
        "\u212b": "\ufffd",  # Angstrom sign: not the Latin A with ring
    }
)


def _tt_domain_pattern(domain_char: str, punycode: str) -> str:
    subdomain = rf"(?:(?:{domain_char}(?:[_-]|{domain_char})*)?{domain_char}\.)"
    domain_name = rf"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\.)"
    gtld = rf"(?:(?:{'|'.join(_TWITTER_GTLDS)}){_TLD_END})"
    cctld = rf"(?:(?:{'|'.join(_TWITTER_CCTLDS)}){_TLD_END})"
    return rf"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{punycode}))"


def _tt_balanced_parens(path_char: str) -> str:
    return rf"\((?:{path_char}+|(?:{path_char}*\({path_char}+\){path_char}*))\)"


def _tt_url_pattern(
    *, preceding: str, protocol: str, domain: str, path: str, query: str, query_end: str
) -> str:
    return (
        rf"(?P<before>{preceding})"
        rf"(?P<url>(?P<protocol>{protocol})?(?P<domain>{domain})(?::[0-9]+)?"
        rf"(?P<path>/{path}*)?(?:\?{query}*{query_end})?)"
    )


@functools.cache
def _twitter_text_regexes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """twitter-text 3.1 (JavaScript): extractUrl, validAsciiDomain, validTcoUrl."""
    domain_char = f"[^{_TT_PUNCT}{_TT_SPACES}{_TT_INVALID}{_TT_DIRECTIONAL}]"
    path_char = rf"[a-z{_TT_CYRILLIC}0-9!\*';:=\+,\.\$\/%#\[\]\-\u2013_~@\|&{_TT_LATIN_ACCENTS}]"
    parens = _tt_balanced_parens(path_char)
    path_end = rf"[\+\-a-z{_TT_CYRILLIC}0-9=_#\/{_TT_LATIN_ACCENTS}]|(?:{parens})"
    query = r"[a-z0-9!?\*'@\(\);:&=\+\$\/%#\[\]\-_\.,~|]"
    query_end = r"[a-z0-9\-_&=#\/]"
    url = _tt_url_pattern(
        preceding=rf"(?:[^A-Za-z0-9@＠$#＃{_TT_INVALID}]|[{_TT_DIRECTIONAL}]|^)",
        protocol=r"https?:\/\/",
        domain=_tt_domain_pattern(domain_char, r"(?:xn--[\-0-9a-z]+)"),
        path=rf"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_end})|(?:@{path_char}+\/))",
        query=query,
        query_end=query_end,
    )
    ascii_domain = (
        rf"(?:(?:[\-a-z0-9{_TT_LATIN_ACCENTS}]+)\.)+"
        rf"(?:(?:(?:{'|'.join(_TWITTER_GTLDS)}){_TLD_END})"
        rf"|(?:(?:{'|'.join(_TWITTER_CCTLDS)}){_TLD_END})|(?:xn--[\-0-9a-z]+))"
    )
    tco = rf"^https?:\/\/t\.co\/([a-z0-9]+)(?:\?{query}*{query_end})?"
    return (
        re.compile(url, re.IGNORECASE),
        re.compile(ascii_domain, re.IGNORECASE),
        re.compile(tco, re.IGNORECASE),
    )


_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_PUNYCODE_SEPARATORS = re.compile("[.\u3002\uff0e\uff61]")
_PUNYCODE_NON_BASIC = re.compile("[^\x20-\x7e]")


def _punycode_label_length(label: str) -> int:
    """Length of punycode.toASCII(label) (punycode.js 1.4.1, which twitter-text calls): it
    splits at the four full stops, and each part holding anything but U+0020-U+007E becomes
    "xn--" and its encoding; the parts are joined with "."."""
    if len(label) > 63:  # at least as long encoded: too long either way (and no overflow)
        return len(label)
    parts = _PUNYCODE_SEPARATORS.split(label)
    encoded = sum(
        4 + len(_punycode(part)) if _PUNYCODE_NON_BASIC.search(part) else len(part)
        for part in parts
    )
    return encoded + len(parts) - 1


def _punycode(part: str) -> bytes:
    # punycode.js decodes UTF-16 surrogate pairs into code points first; so do we.
    code_points = part.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return code_points.encode("punycode")


def _tt_valid_url(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: every label 1-63 characters in punycode, URL <= 4096."""
    _, ascii_domain, _ = _twitter_text_regexes()
    if domain[:4] == "xn--" and not ascii_domain.search(domain.translate(_JS_CASE_FIX)):
        return False
    if any(not 1 <= _punycode_label_length(label) <= 63 for label in domain.split(".")):
        return False
    return len(protocol) + len(url) <= _MAX_URL_LENGTH


def _tt_extract_urls(text: str, *, without_protocol: bool = True) -> list[tuple[str, int, int]]:
    """twitter-text 3.1's extractUrlsWithIndices: (url, start, end) in the units of `text`.

    `url` may be shorter than end - start (a bare domain found inside a longer word keeps
    its path); parseTweet skips len(url) units, so the caller must too.
    """
    if not text or ("." not in text if without_protocol else ":" not in text):
        return []
    url_regex, ascii_domain_regex, tco_regex = _twitter_text_regexes()
    matched = text.translate(_JS_CASE_FIX)
    urls: list[list] = []  # [url, start, end]; a bare domain's entry grows its path
    for match in url_regex.finditer(matched):
        before = match.group("before")
        url = text[match.start("url") : match.end("url")]
        protocol = match.group("protocol")
        domain = text[match.start("domain") : match.end("domain")]
        end = match.end("url")
        start = end - len(url)
        if not _tt_valid_url(url, protocol or "https://", domain):
            continue
        if not protocol:
            if not without_protocol or before[-1:] in ("-", "_", ".", "/"):
                continue
            last: list | None = None
            ascii_end = 0
            for found in ascii_domain_regex.finditer(domain.translate(_JS_CASE_FIX)):
                ascii_domain = domain[found.start() : found.end()]
                ascii_start = domain.find(ascii_domain, ascii_end)  # as JS indexOf does
                ascii_end = ascii_start + len(ascii_domain)
                last = [ascii_domain, start + ascii_start, start + ascii_end]
                urls.append(last)
            if last is None:
                continue
            if match.group("path"):  # the domain only; the path and query belong to it
                last[0] = url.replace(domain, last[0], 1)
                last[2] = end
        else:
            tco = tco_regex.match(url.translate(_JS_CASE_FIX))
            if tco:
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = url[: tco.end()]
                end = start + len(url)
            urls.append([url, start, end])
    return [(url, start, end) for url, start, end in urls]


def find_urls(text: str, *, bare_domains: bool = True) -> list[tuple[int, int, str]]:
    """URLs as X finds them: (start, end, url), code point indices into `text`, end exclusive.

    With `bare_domains` (X's rule) `example.go.id` is a URL too; without, only http(s) URLs
    are.
    """
    return [
        (start, end, url)
        for url, start, end in _tt_extract_urls(text, without_protocol=bare_domains)
    ]


# --- X (twitter-text 3.1 parseTweet) --------------------------------------------------------

# Weight-1 code point ranges of twitter-text's v3 configuration; everything else weighs 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_X_INVALID = re.compile("[\ufffe\ufeff\uffff]")  # twitter-text's invalidChars: X refuses these


def _x_char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(lo <= point <= hi for lo, hi in _X_LIGHT) else 2


def _x_text_weight(text: str) -> int:
    """Weight of text without URLs and emoji: per code point (a surrogate pair is one)."""
    if text.isascii():  # the usual case: every ASCII character weighs 1
        return len(text)
    if _SURROGATE.search(text):  # UTF-16 units: a surrogate pair is one code point
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return sum(_x_char_weight(ch) for ch in text)


def _split_astral(match: re.Match[str]) -> str:
    point = ord(match.group()) - 0x10000
    return chr(0xD800 + (point >> 10)) + chr(0xDC00 + (point & 0x3FF))


def _utf16_units(text: str) -> str:
    """`text` as JavaScript sees it: one character per UTF-16 code unit."""
    return text if text.isascii() else _ASTRAL.sub(_split_astral, text)


@functools.cache
def _twemoji_regex() -> re.Pattern[str]:
    return re.compile(_TWEMOJI_PARSER_11_EMOJI)


def _x_walk(units: str, urls: Mapping[int, int], emoji: Mapping[int, int], url_weight: int) -> int:
    """parseTweet's loop over UTF-16 units: a URL starting at a unit weighs `url_weight` and
    is skipped by the length of its url text, an emoji weighs 2 and is skipped, every other
    unit (a surrogate pair as one) weighs by its code."""
    total = 0
    position = 0
    for start in sorted(urls.keys() | emoji.keys()):
        if start < position:  # inside a URL or emoji already counted: parseTweet skips it
            continue
        total += _x_text_weight(units[position:start])
        if start in urls:
            total += url_weight
            position = start + urls[start]
        else:
            total += 2
            position = start + emoji[start]
    return total + _x_text_weight(units[position:])


# An emoji by current Unicode: a pictograph shown as emoji (by default, or by VS16 or a skin
# tone), a flag, or a keycap, followed only by emoji parts (VS16, ZWJ and more pictographs,
# skin tones, tag characters, the keycap mark).
_MAYBE_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")
_GRAPHEME = regex.compile(r"\X")
_UNICODE_EMOJI = regex.compile(
    r"(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}(?=[\ufe0f\p{Emoji_Modifier}]))"
    r"[\ufe0f\u200d\u20e3\p{Emoji_Modifier}\p{Extended_Pictographic}\U000e0020-\U000e007f]*"
    r"|\p{Regional_Indicator}{2}|[#*0-9]\ufe0f?\u20e3"
)


def _unicode_emoji_units(text: str) -> dict[int, int]:
    """Emoji clusters of current Unicode in `text`: {start: length}, in UTF-16 units."""
    found = {}
    position = 0
    for cluster in _GRAPHEME.findall(text):
        units = len(cluster) + len(_ASTRAL.findall(cluster))
        if "\ufe0e" not in cluster and _UNICODE_EMOJI.fullmatch(cluster):
            found[position] = units
        position += units
    return found


def _x_parse(text: str, url_weight: int | None) -> int:
    normalized = unicodedata.normalize("NFC", text)
    units = _utf16_units(normalized)
    urls = {}
    if url_weight is not None:
        for url, start, _end in _tt_extract_urls(units):
            urls[start] = len(url)  # a later URL at the same start replaces it, as in JS
    if normalized.isascii():  # no emoji in ASCII
        return _x_walk(units, urls, {}, url_weight or 0)
    table = {
        match.start(): match.end() - match.start() for match in _twemoji_regex().finditer(units)
    }
    weight = _x_walk(units, urls, table, url_weight or 0)
    if _MAYBE_EMOJI.search(normalized):
        # X itself counts every emoji as 2, also those newer than twitter-text's table, which
        # splits them into code points (heart on fire: 5, handshake with two skin tones: 9).
        # Composers built on twitter-text, ours included, must never pass a text it refuses,
        # so we count the larger of the two: twitter-text's count, and the count with every
        # emoji of current Unicode as 2.
        weight = max(
            weight, _x_walk(units, urls, table | _unicode_emoji_units(normalized), url_weight or 0)
        )
    return weight


def x_weighted_length(text: str, url_weight: int | None = 23) -> int:
    """twitter-text 3.1's parseTweet weightedLength; URLs count as written if url_weight is None.

    Equal to twitter-text's, except where counting each emoji of current Unicode as 2 would
    give more (see _x_parse; on the test corpus it never does).
    """
    return _x_parse(text, url_weight)


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
# runs this regex faster than the regex module); tests/test_counters_mastodon.py holds them
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


# --- Bluesky, Telegram, Facebook ------------------------------------------------------------


def grapheme_length(text: str) -> int:
    """Extended grapheme clusters of current Unicode (the `regex` module's \\X: Unicode 17,
    with the conjunct rule of 15.1, so श्री is one), as Intl.Segmenter counts them."""
    if text.isascii():  # ASCII clusters are single characters, except CR LF
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@functools.lru_cache(maxsize=65536)  # the checker and composer count the same texts often
def count(platform: str, text: str, limits: PlatformLimits | None = None) -> int:
    """Length of `text` as `platform` counts it."""
    limits = limits or _limits(platform)
    if platform == "x":
        return x_weighted_length(text, limits.url_weight)
    if platform == "mastodon":
        return mastodon_length(text, limits.url_weight)
    if platform == "bluesky":
        return grapheme_length(text)
    if platform == "telegram":
        return utf16_length(text)
    if platform == "facebook":
        return len(text)
    raise ValueError(f"unknown platform '{platform}' (use: {', '.join(PLATFORM_NAMES)})")


def limit_for(platform: str, *, caption: bool = False, limits: PlatformLimits | None = None) -> int:
    """The text limit that applies: the caption limit for a photo caption where there is one."""
    limits = limits or _limits(platform)
    if caption and limits.max_caption is not None:
        return limits.max_caption
    return limits.max_text


def fits(
    platform: str, text: str, *, caption: bool = False, limits: PlatformLimits | None = None
) -> bool:
    """Does `text` fit in one post (or one photo caption) on `platform`?"""
    length = count(platform, text, limits)
    if length > limit_for(platform, caption=caption, limits=limits):
        return False
    if platform == "x":
        # parseTweet's `valid`: not empty, and none of U+FFFE, U+FEFF, U+FFFF (it checks each
        # unit it steps on; URLs and emoji, which it steps over, never hold them).
        return length > 0 and _X_INVALID.search(text) is None
    return platform != "bluesky" or len(text.encode("utf-8")) <= BLUESKY_MAX_BYTES


def _limits(platform: str) -> PlatformLimits:
    try:
        return DEFAULT_LIMITS[platform]
    except KeyError:
        raise ValueError(
            f"unknown platform '{platform}' (use: {', '.join(PLATFORM_NAMES)})"
        ) from None


# --- Hashtags ----------------------------------------------------------------------------

# A '#' that starts a word (not inside a URL fragment or a word), and the word after it.
_HASHTAG = re.compile(r"(?<![\w/&#])[#\uff03](\S+)")
_TRAILING_PUNCT = ".,;:!?)\"'»”’…"


def find_hashtags(text: str) -> list[tuple[int, str]]:
    """Hashtags written in `text`: (index of '#', tag without '#'). Trailing sentence
    punctuation is not part of the tag; all-digit words (`Tips #2`) are not hashtags."""
    tags: list[tuple[int, str]] = []
    for match in _HASHTAG.finditer(text):
        word = match.group(1).rstrip(_TRAILING_PUNCT)
        if word and not word.isdigit():
            tags.append((match.start(), word))
    return tags


def _tag_char_ok(platform: str, char: str) -> bool:
    if char == "_" or char.isalnum() or unicodedata.category(char).startswith("M"):
        return True
    return platform == "mastodon" and char in "\u00b7\u200c"


def hashtag_problem(platform: str, tag: str) -> str | None:
    """Why `tag` (with or without '#') would not be one whole hashtag on `platform`, or None."""
    word = tag[1:] if tag[:1] in ("#", "\uff03") else tag
    if not word:
        return "a hashtag needs letters after '#'"
    if any(ch.isspace() for ch in word):
        return f"'#{word}' has a space; a hashtag is one word, e.g. #CegahTPPO"
    if word.isdigit():
        return f"'#{word}' is only digits, which no platform links as a hashtag; add letters"
    if platform == "bluesky":
        if grapheme_length(word) > BLUESKY_MAX_TAG:
            return f"'#{word}' is longer than Bluesky's {BLUESKY_MAX_TAG} characters for a hashtag"
        return None
    for index, char in enumerate(word):
        if not _tag_char_ok(platform, char):
            cut = word[:index]
            linked = (
                f"only '#{cut}' would be linked"
                if cut and not cut.isdigit()
                else "it would not be linked"
            )
            return (
                f"'#{word}' contains '{char}': on {LABELS[platform]} {linked}; "
                "use only letters, digits and _ in hashtags"
            )
    return None


# --- Tables copied from twitter-text 3.1 (tests/node/twitter_text_tables.js prints them) ---
# tests/test_counters_parity.py holds them equal to the npm packages pinned in package.json.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TWITTER_GTLDS = _words(
    """
삼성 닷컴 닷넷 香格里拉 餐厅 食品 飞利浦 電訊盈科 集团 通販 购物 谷歌 诺基亚 联通 网络 网站 网店 网址 组织机构 移动 珠宝 点看 游戏 淡马锡 机构 書籍 时尚 新闻
政府 政务 招聘 手表 手机 我爱你 慈善 微博 广东 工行 家電 娱乐 天主教 大拿 大众汽车 在线 嘉里大酒店 嘉里 商标 商店 商城 公益 公司 八卦 健康 信息 佛山 企业 中文网
中信 世界 ポイント ファッション セール ストア コム グーグル クラウド みんな คอม संगठन नेट कॉम همراه موقع موبايلي كوم كاثوليك
عرب شبكة بيتك بازار العليان ارامكو اتصالات ابوظبي קום сайт рус орг онлайн москва ком католик
дети zuerich zone zippo zip zero zara zappos yun youtube you yokohama yoga yodobashi yandex
yamaxun yahoo yachts xyz xxx xperia xin xihuan xfinity xerox xbox wtf wtc wow world works work
woodside wolterskluwer wme winners wine windows win williamhill wiki wien whoswho weir weibo
wedding wed website weber webcam weatherchannel weather watches watch warman wanggou wang
walter walmart wales vuelos voyage voto voting vote volvo volkswagen vodka vlaanderen vivo
viva vistaprint vista vision visa virgin vip vin villas viking vig video viajes vet
versicherung vermögensberatung vermögensberater verisign ventures vegas vanguard vana
vacations ups uol uno university unicom uconnect ubs ubank tvs tushu tunes tui tube trv trust
travelersinsurance travelers travelchannel travel training trading trade toys toyota town
tours total toshiba toray top tools tokyo today tmall tkmaxx tjx tjmaxx tirol tires tips
tiffany tienda tickets tiaa theatre theater thd teva tennis temasek telefonica telecity tel
technology tech team tdk tci taxi tax tattoo tatar tatamotors target taobao talk taipei tab
systems symantec sydney swiss swiftcover swatch suzuki surgery surf support supply supplies
sucks style study studio stream store storage stockholm stcgroup stc statoil statefarm
statebank starhub star staples stada srt srl spreadbetting spot sport spiegel space soy sony
song solutions solar sohu software softbank social soccer sncf smile smart sling skype sky
skin ski site singles sina silk shriram showtime show shouji shopping shop shoes shiksha shia
shell shaw sharp shangrila sfr sexy sex sew seven ses services sener select seek security
secure seat search scot scor scjohnson science schwarz schule school scholarships schmidt
schaeffler scb sca sbs sbi saxo save sas sarl sapo sap sanofi sandvikcoromant sandvik samsung
samsclub salon sale sakura safety safe saarland ryukyu rwe run ruhr rugby rsvp room rogers
rodeo rocks rocher rmit rip rio ril rightathome ricoh richardli rich rexroth reviews review
restaurant rest republican report repair rentals rent ren reliance reit reisen reise rehab
redumbrella redstone red recipes realty realtor realestate read raid radio racing qvc quest
quebec qpon pwc pub prudential pru protection property properties promo progressive prof
productions prod pro prime press praxi pramerica post porn politie poker pohl pnc plus
plumbing playstation play place pizza pioneer pink ping pin pid pictures pictet pics piaget
physio photos photography photo phone philips phd pharmacy pfizer pet pccw pay passagens party
parts partners pars paris panerai panasonic pamperedchef page ovh ott otsuka osaka origins
orientexpress organic org orange oracle open ooo onyourside online onl ong one omega ollo
oldnavy olayangroup olayan okinawa office off observer obi nyc ntt nrw nra nowtv nowruz now
norton northwesternmutual nokia nissay nissan ninja nikon nike nico nhk ngo nfl nexus
nextdirect next news newholland new neustar network netflix netbank net nec nba navy natura
nationwide name nagoya nadex nab mutuelle mutual museum mtr mtpc mtn msd movistar movie mov
motorcycles moto moscow mortgage mormon mopar montblanc monster money monash mom moi moe moda
mobily mobile mobi mma mls mlb mitsubishi mit mint mini mil microsoft miami metlife merckmsd
meo menu men memorial meme melbourne meet media med mckinsey mcdonalds mcd mba mattel maserati
marshalls marriott markets marketing market map mango management man makeup maison maif madrid
macys luxury luxe lupin lundbeck ltda ltd lplfinancial lpl love lotto lotte london lol loft
locus locker loans loan llp llc lixil living live lipsy link linde lincoln limo limited lilly
like lighting lifestyle lifeinsurance life lidl liaison lgbt lexus lego legal lefrak leclerc
lease lds lawyer law latrobe latino lat lasalle lanxess landrover land lancome lancia
lancaster lamer lamborghini ladbrokes lacaixa kyoto kuokgroup kred krd kpn kpmg kosher komatsu
koeln kiwi kitchen kindle kinder kim kia kfh kerryproperties kerrylogistics kerryhotels kddi
kaufen juniper juegos jprs jpmorgan joy jot joburg jobs jnj jmp jll jlc jio jewelry jetzt jeep
jcp jcb java jaguar iwc iveco itv itau istanbul ist ismaili iselect irish ipiranga investments
intuit international intel int insure insurance institute ink ing info infiniti industries inc
immobilien immo imdb imamat ikano iinet ifm ieee icu ice icbc ibm hyundai hyatt hughes htc
hsbc how house hotmail hotels hoteles hot hosting host hospital horse honeywell honda
homesense homes homegoods homedepot holiday holdings hockey hkt hiv hitachi hisamitsu hiphop
hgtv hermes here helsinki help healthcare health hdfcbank hdfc hbo haus hangout hamburg hair
guru guitars guide guge gucci guardian group grocery gripe green gratis graphics grainger gov
got gop google goog goodyear goodhands goo golf goldpoint gold godaddy gmx gmo gmbh gmail
globo global gle glass glade giving gives gifts gift ggee george genting gent gea gdn gbiz gay
garden gap games game gallup gallo gallery gal fyi futbol furniture fund fun fujixerox fujitsu
ftr frontier frontdoor frogans frl fresenius free fox foundation forum forsale forex ford
football foodnetwork food foo fly flsmidth flowers florist flir flights flickr fitness fit
fishing fish firmdale firestone fire financial finance final film fido fidelity fiat ferrero
ferrari feedback fedex fast fashion farmers farm fans fan family faith fairwinds fail fage
extraspace express exposed expert exchange everbank events eus eurovision etisalat esurance
estate esq erni ericsson equipment epson epost enterprises engineering engineer energy emerck
email education edu edeka eco eat earth dvr dvag durban dupont duns dunlop duck dubai dtv
drive download dot doosan domains doha dog dodge doctor docs dnp diy dish discover discount
directory direct digital diet diamonds dhl dev design desi dentist dental democrat delta
deloitte dell delivery degree deals dealer deal dds dclk day datsun dating date data dance dad
dabur cyou cymru cuisinella csc cruises cruise crs crown cricket creditunion creditcard credit
cpa courses coupons coupon country corsica coop cool cookingchannel cooking contractors
contact consulting construction condos comsec computer compare company community commbank
comcast com cologne college coffee codes coach clubmed club cloud clothing clinique clinic
click cleaning claims cityeats city citic citi citadel cisco circle cipriani church chrysler
chrome christmas chloe chintai cheap chat chase charity channel chanel cfd cfa cern ceo center
ceb cbs cbre cbn cba catholic catering cat casino cash caseih case casa cartier cars careers
career care cards caravan car capitalone capital capetown canon cancerresearch camp camera cam
calvinklein call cal cafe cab bzh buzz buy business builders build bugatti budapest brussels
brother broker broadway bridgestone bradesco box boutique bot boston bostik bosch boots
booking book boo bond bom bofa boehringer boats bnpparibas bnl bmw bms blue bloomberg blog
blockbuster blanco blackfriday black biz bio bingo bing bike bid bible bharti bet bestbuy best
berlin bentley beer beauty beats bcn bcg bbva bbt bbc bayern bauhaus basketball baseball
bargains barefoot barclays barclaycard barcelona bar bank band bananarepublic banamex baidu
baby azure axa aws avianca autos auto author auspost audio audible audi auction attorney
athleta associates asia asda arte art arpa army archi aramco arab aquarelle apple app
apartments aol anz anquan android analytics amsterdam amica amfam amex americanfamily
americanexpress alstom alsace ally allstate allfinanz alipay alibaba alfaromeo akdn airtel
airforce airbus aigo aig agency agakhan africa afl afamilycompany aetna aero aeg adult ads
adac actor active aco accountants accountant accenture academy abudhabi abogado able abc
abbvie abbott abb abarth aarp aaa onion
"""
)

_TWITTER_CCTLDS = _words(
    """
한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ລາວ ไทย ලංකා ഭാരതം ಭಾರತ భారత్ சிங்கப்பூர் இலங்கை இந்தியா ଭାରତ ભારત
ਭਾਰਤ ভাৰত ভারত বাংলা भारोत भारतम् भारत ڀارت پاکستان موريتانيا مليسيا مصر قطر فلسطين عمان عراق
سورية سودان تونس بھارت بارت ایران امارات المغرب السعودية الجزائر البحرين الاردن հայ қаз укр
срб рф мон мкд ею бел бг ευ ελ zw zm za yt ye ws wf vu vn vi vg ve vc va uz uy us um uk ug ua
tz tw tv tt tr tp to tn tm tl tk tj th tg tf td tc sz sy sx sv su st ss sr so sn sm sl sk sj
si sh sg se sd sc sb sa rw ru rs ro re qa py pw pt ps pr pn pm pl pk ph pg pf pe pa om nz nu
nr np no nl ni ng nf ne nc na mz my mx mw mv mu mt ms mr mq mp mo mn mm ml mk mh mg mf me md
mc ma ly lv lu lt ls lr lk li lc lb la kz ky kw kr kp kn km ki kh kg ke jp jo jm je it is ir
iq io in im il ie id hu ht hr hn hm hk gy gw gu gt gs gr gq gp gn gm gl gi gh gg gf ge gd gb
ga fr fo fm fk fj fi eu et es er eh eg ee ec dz do dm dk dj de cz cy cx cw cv cu cr co cn cm
cl ck ci ch cg cf cd cc ca bz by bw bv bt bs br bq bo bn bm bl bj bi bh bg bf be bd bb ba az
ax aw au at as ar aq ao an am al ai ag af ae ad ac
"""
)

_TWEMOJI_PARSER_11_EMOJI = (
    r"(?:\ud83d[\udc68\udc69])(?:\ud83c[\udffb-\udfff])?\u200d(?:\u2695\ufe0f|\u2696\ufe0f|"
    r"\u2708\ufe0f|\ud83c[\udf3e\udf73\udf93\udfa4\udfa8\udfeb\udfed]|\ud83d[\udcbb\udcbc\udd27"
    r"\udd2c\ude80\ude92]|\ud83e[\uddb0-\uddb3])|(?:\ud83c[\udfcb\udfcc]|\ud83d[\udd74\udd75]|"
    r"\u26f9)((?:\ud83c[\udffb-\udfff]|\ufe0f)\u200d[\u2640\u2642]\ufe0f)|(?:\ud83c[\udfc3\udfc4"
    r"\udfca]|\ud83d[\udc6e\udc71\udc73\udc77\udc81\udc82\udc86\udc87\ude45-\ude47\ude4b\ude4d"
    r"\ude4e\udea3\udeb4-\udeb6]|\ud83e[\udd26\udd35\udd37-\udd39\udd3d\udd3e\uddb8\uddb9\uddd6-"
    r"\udddd])(?:\ud83c[\udffb-\udfff])?\u200d[\u2640\u2642]\ufe0f|(?:\ud83d\udc68\u200d\u2764"
    r"\ufe0f\u200d\ud83d\udc8b\u200d\ud83d\udc68|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d"
    r"\udc66\u200d\ud83d\udc66|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d\udc67\u200d\ud83d["
    r"\udc66\udc67]|\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d"
    r"\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d"
    r"\u2764\ufe0f\u200d\ud83d\udc8b\u200d\ud83d[\udc68\udc69]|\ud83d\udc69\u200d\ud83d\udc69"
    r"\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67"
    r"\u200d\ud83d[\udc66\udc67]|\ud83d\udc68\u200d\u2764\ufe0f\u200d\ud83d\udc68|\ud83d\udc68"
    r"\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc68\u200d\ud83d\udc67\u200d\ud83d[\udc66"
    r"\udc67]|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d[\udc66\udc67]|\ud83d\udc68\u200d\ud83d"
    r"\udc69\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\u2764\ufe0f\u200d\ud83d[\udc68\udc69]|"
    r"\ud83d\udc69\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc69\u200d\ud83d\udc67\u200d"
    r"\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d[\udc66\udc67]|\ud83c\udff3"
    r"\ufe0f\u200d\ud83c\udf08|\ud83c\udff4\u200d\u2620\ufe0f|\ud83d\udc41\u200d\ud83d\udde8|"
    r"\ud83d\udc68\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\ud83d[\udc66\udc67]|\ud83d\udc6f"
    r"\u200d\u2640\ufe0f|\ud83d\udc6f\u200d\u2642\ufe0f|\ud83e\udd3c\u200d\u2640\ufe0f|\ud83e"
    r"\udd3c\u200d\u2642\ufe0f|\ud83e\uddde\u200d\u2640\ufe0f|\ud83e\uddde\u200d\u2642\ufe0f|"
    r"\ud83e\udddf\u200d\u2640\ufe0f|\ud83e\udddf\u200d\u2642\ufe0f)|[#*0-9]\ufe0f?\u20e3|(?:[©®"
    r"\u2122\u265f]\ufe0f)|(?:\ud83c[\udc04\udd70\udd71\udd7e\udd7f\ude02\ude1a\ude2f\ude37"
    r"\udf21\udf24-\udf2c\udf36\udf7d\udf96\udf97\udf99-\udf9b\udf9e\udf9f\udfcd\udfce\udfd4-"
    r"\udfdf\udff3\udff5\udff7]|\ud83d[\udc3f\udc41\udcfd\udd49\udd4a\udd6f\udd70\udd73\udd76-"
    r"\udd79\udd87\udd8a-\udd8d\udda5\udda8\uddb1\uddb2\uddbc\uddc2-\uddc4\uddd1-\uddd3\udddc-"
    r"\uddde\udde1\udde3\udde8\uddef\uddf3\uddfa\udecb\udecd-\udecf\udee0-\udee5\udee9\udef0"
    r"\udef3]|[\u203c\u2049\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23ed-\u23ef"
    r"\u23f1\u23f2\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2604\u260e"
    r"\u2611\u2614\u2615\u2618\u2620\u2622\u2623\u2626\u262a\u262e\u262f\u2638-\u263a\u2640"
    r"\u2642\u2648-\u2653\u2660\u2663\u2665\u2666\u2668\u267b\u267f\u2692-\u2697\u2699\u269b"
    r"\u269c\u26a0\u26a1\u26aa\u26ab\u26b0\u26b1\u26bd\u26be\u26c4\u26c5\u26c8\u26cf\u26d1\u26d3"
    r"\u26d4\u26e9\u26ea\u26f0-\u26f5\u26f8\u26fa\u26fd\u2702\u2708\u2709\u270f\u2712\u2714"
    r"\u2716\u271d\u2721\u2733\u2734\u2744\u2747\u2757\u2763\u2764\u27a1\u2934\u2935\u2b05-"
    r"\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299])(?:\ufe0f|(?!\ufe0e))|(?:(?:\ud83c"
    r"[\udfcb\udfcc]|\ud83d[\udd74\udd75\udd90]|[\u261d\u26f7\u26f9\u270c\u270d])(?:\ufe0f|(?!"
    r"\ufe0e))|(?:\ud83c[\udf85\udfc2-\udfc4\udfc7\udfca]|\ud83d[\udc42\udc43\udc46-\udc50\udc66"
    r"-\udc69\udc6e\udc70-\udc78\udc7c\udc81-\udc83\udc85-\udc87\udcaa\udd7a\udd95\udd96\ude45-"
    r"\ude47\ude4b-\ude4f\udea3\udeb4-\udeb6\udec0\udecc]|\ud83e[\udd18-\udd1c\udd1e\udd1f\udd26"
    r"\udd30-\udd39\udd3d\udd3e\uddb5\uddb6\uddb8\uddb9\uddd1-\udddd]|[\u270a\u270b]))(?:\ud83c["
    r"\udffb-\udfff])?|(?:\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc65\udb40\udc6e\udb40"
    r"\udc67\udb40\udc7f|\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40"
    r"\udc74\udb40\udc7f|\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc77\udb40\udc6c\udb40"
    r"\udc73\udb40\udc7f|\ud83c\udde6\ud83c[\udde8-\uddec\uddee\uddf1\uddf2\uddf4\uddf6-\uddfa"
    r"\uddfc\uddfd\uddff]|\ud83c\udde7\ud83c[\udde6\udde7\udde9-\uddef\uddf1-\uddf4\uddf6-\uddf9"
    r"\uddfb\uddfc\uddfe\uddff]|\ud83c\udde8\ud83c[\udde6\udde8\udde9\uddeb-\uddee\uddf0-\uddf5"
    r"\uddf7\uddfa-\uddff]|\ud83c\udde9\ud83c[\uddea\uddec\uddef\uddf0\uddf2\uddf4\uddff]|\ud83c"
    r"\uddea\ud83c[\udde6\udde8\uddea\uddec\udded\uddf7-\uddfa]|\ud83c\uddeb\ud83c[\uddee-\uddf0"
    r"\uddf2\uddf4\uddf7]|\ud83c\uddec\ud83c[\udde6\udde7\udde9-\uddee\uddf1-\uddf3\uddf5-\uddfa"
    r"\uddfc\uddfe]|\ud83c\udded\ud83c[\uddf0\uddf2\uddf3\uddf7\uddf9\uddfa]|\ud83c\uddee\ud83c["
    r"\udde8-\uddea\uddf1-\uddf4\uddf6-\uddf9]|\ud83c\uddef\ud83c[\uddea\uddf2\uddf4\uddf5]|"
    r"\ud83c\uddf0\ud83c[\uddea\uddec-\uddee\uddf2\uddf3\uddf5\uddf7\uddfc\uddfe\uddff]|\ud83c"
    r"\uddf1\ud83c[\udde6-\udde8\uddee\uddf0\uddf7-\uddfb\uddfe]|\ud83c\uddf2\ud83c[\udde6\udde8"
    r"-\udded\uddf0-\uddff]|\ud83c\uddf3\ud83c[\udde6\udde8\uddea-\uddec\uddee\uddf1\uddf4\uddf5"
    r"\uddf7\uddfa\uddff]|\ud83c\uddf4\ud83c\uddf2|\ud83c\uddf5\ud83c[\udde6\uddea-\udded\uddf0-"
    r"\uddf3\uddf7-\uddf9\uddfc\uddfe]|\ud83c\uddf6\ud83c\udde6|\ud83c\uddf7\ud83c[\uddea\uddf4"
    r"\uddf8\uddfa\uddfc]|\ud83c\uddf8\ud83c[\udde6-\uddea\uddec-\uddf4\uddf7-\uddf9\uddfb\uddfd"
    r"-\uddff]|\ud83c\uddf9\ud83c[\udde6\udde8\udde9\uddeb-\udded\uddef-\uddf4\uddf7\uddf9\uddfb"
    r"\uddfc\uddff]|\ud83c\uddfa\ud83c[\udde6\uddec\uddf2\uddf3\uddf8\uddfe\uddff]|\ud83c\uddfb"
    r"\ud83c[\udde6\udde8\uddea\uddec\uddee\uddf3\uddfa]|\ud83c\uddfc\ud83c[\uddeb\uddf8]|\ud83c"
    r"\uddfd\ud83c\uddf0|\ud83c\uddfe\ud83c[\uddea\uddf9]|\ud83c\uddff\ud83c[\udde6\uddf2\uddfc]"
    r"|\ud83c[\udccf\udd8e\udd91-\udd9a\udde6-\uddff\ude01\ude32-\ude36\ude38-\ude3a\ude50\ude51"
    r"\udf00-\udf20\udf2d-\udf35\udf37-\udf7c\udf7e-\udf84\udf86-\udf93\udfa0-\udfc1\udfc5\udfc6"
    r"\udfc8\udfc9\udfcf-\udfd3\udfe0-\udff0\udff4\udff8-\udfff]|\ud83d[\udc00-\udc3e\udc40"
    r"\udc44\udc45\udc51-\udc65\udc6a-\udc6d\udc6f\udc79-\udc7b\udc7d-\udc80\udc84\udc88-\udca9"
    r"\udcab-\udcfc\udcff-\udd3d\udd4b-\udd4e\udd50-\udd67\udda4\uddfb-\ude44\ude48-\ude4a\ude80"
    r"-\udea2\udea4-\udeb3\udeb7-\udebf\udec1-\udec5\uded0-\uded2\udeeb\udeec\udef4-\udef9]|"
    r"\ud83e[\udd10-\udd17\udd1d\udd20-\udd25\udd27-\udd2f\udd3a\udd3c\udd40-\udd45\udd47-\udd70"
    r"\udd73-\udd76\udd7a\udd7c-\udda2\uddb4\uddb7\uddc0-\uddc2\uddd0\uddde-\uddff]|[\u23e9-"
    r"\u23ec\u23f0\u23f3\u267e\u26ce\u2705\u2728\u274c\u274e\u2753-\u2755\u2795-\u2797\u27b0"
    r"\u27bf\ue50a])|\ufe0f"
)
