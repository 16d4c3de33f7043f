"""X's length: a port of twitter-text 3.1's `parseTweet` and of its URL finder.

Held to the official npm package by tests/platforms/test_counters_parity.py: NFC first; UTF-16 code
units 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh 1, all others 2; an emoji of
twemoji-parser 11's table weighs 2; every URL, also a bare domain like example.go.id,
weighs 23. Emoji newer than that table count as twitter-text counts them (see
x_weighted_length). No library fits: twitter-text-parser on PyPI implements an older
emoji table and misses URLs that the official package finds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

import regex

from publisher.platforms.counting.twitter_tables import (
    _TWEMOJI_PARSER_11_EMOJI,
    _TWITTER_CCTLDS,
    _TWITTER_GTLDS,
)

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


def x_valid(text: str) -> bool:
    """parseTweet's `valid` besides the length: not empty, and none of U+FFFE, U+FEFF, U+FFFF
    (it checks each unit it steps on; URLs and emoji, which it steps over, never hold them)."""
    return bool(text) and _X_INVALID.search(text) is None
