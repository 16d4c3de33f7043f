"""Exact text length counters and limits of each platform we post to.

Each platform counts differently, and a post that is one unit too long is refused:
- X: twitter-text v3 weighted length (NFC first; code points 0-4351, 8192-8205,
  8208-8223 and 8242-8247 weigh 1, all others 2; every emoji, also a ZWJ sequence,
  weighs 2; every URL, also a bare domain like example.go.id, weighs 23).
- Mastodon: grapheme clusters; every http(s) URL counts 23; `@user@server` counts as `@user`.
- Bluesky: grapheme clusters (300), and at most 3000 UTF-8 bytes; URLs count as written.
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
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import grapheme
from grapheme.grapheme_property_group import GraphemePropertyGroup, get_group

# twitter-text-parser imports pkg_resources, whose deprecation warning would greet staff on
# every command; the import itself is fine (setuptools is pinned below 81 for it).
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from twitter_text import extract_urls_with_indices
    from twitter_text.has_invalid_characters import has_invalid_characters
    from twitter_text.regexp.emoji import emoji as _package_emoji

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


# --- X (twitter-text v3) ------------------------------------------------------------------

# Weight-1 code point ranges of twitter-text's v3 configuration; everything else weighs 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Parts that may follow the first pictograph inside one emoji: variation selector 16,
# ZWJ, skin tones, tag characters (subdivision flags), combining keycap.
_EMOJI_TAIL = re.compile("[\ufe0f\u200d\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]")


def _x_char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(lo <= point <= hi for lo, hi in _X_LIGHT) else 2


def _is_emoji(cluster: str) -> bool:
    """One grapheme cluster that X counts as a single emoji (weight 2).

    twitter-text-parser matches emoji against the Unicode 12.0 list it ships, so newer
    sequences (heart on fire, handshake with two skin tones, phoenix...) are split by it into
    their code points and counted 5 to 9 instead of 2. We keep its answer for everything
    its list knows, and add the Unicode rule it predates: a cluster that starts with an
    Extended_Pictographic code point (a property that already covers code points reserved
    for future emoji) and continues only with emoji joiners and modifiers is one emoji.
    """
    if _package_emoji.fullmatch(cluster):
        return True
    if "\ufe0e" in cluster:  # text presentation selector: explicitly not an emoji
        return False
    group = get_group(cluster[0])
    if group is GraphemePropertyGroup.REGIONAL_INDICATOR:
        return len(cluster) == 2
    if group is not GraphemePropertyGroup.EXTENDED_PICTOGRAPHIC:
        return False
    return all(
        _EMOJI_TAIL.match(ch) or get_group(ch) is GraphemePropertyGroup.EXTENDED_PICTOGRAPHIC
        for ch in cluster[1:]
    )


def _x_text_weight(text: str) -> int:
    if text.isascii():  # the usual case: every ASCII character weighs 1, none is an emoji
        return len(text)
    total = 0
    for cluster in grapheme.graphemes(text):
        if _is_emoji(cluster):
            total += 2
        else:
            total += sum(_x_char_weight(ch) for ch in cluster)
    return total


def find_urls(text: str, *, bare_domains: bool = True) -> list[tuple[int, int, str]]:
    """URLs as X finds them: (start, end, url), code point indices into `text`, end exclusive.

    With `bare_domains` (X's rule) `example.go.id` is a URL too; without, only http(s) URLs
    are (Mastodon's rule).
    """
    found = extract_urls_with_indices(text, extract_urls_without_protocol=bare_domains)
    return [(item["indices"][0], item["indices"][1], item["url"]) for item in found]


def x_weighted_length(text: str, url_weight: int | None = 23) -> int:
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end, _url in find_urls(normalized):
        total += _x_text_weight(normalized[position:start])
        total += url_weight if url_weight is not None else _x_text_weight(normalized[start:end])
        position = end
    return total + _x_text_weight(normalized[position:])


# --- Mastodon, Bluesky, Telegram, Facebook --------------------------------------------------

# `@user@server.example` counts as `@user` on Mastodon (its StatusLengthValidator).
_REMOTE_MENTION = re.compile(
    r"(?<![/\w])@([A-Za-z0-9_]+(?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)@[\w.-]*\w"
)


def grapheme_length(text: str) -> int:
    if text.isascii():  # ASCII clusters are single characters, except CR LF
        return len(text) - text.count("\r\n")
    return grapheme.length(text)


def mastodon_length(text: str, url_weight: int | None = 23) -> int:
    if url_weight is not None:
        pieces: list[str] = []
        position = 0
        for start, end, _url in find_urls(text, bare_domains=False):
            pieces.extend((text[position:start], "x" * url_weight))
            position = end
        pieces.append(text[position:])
        text = "".join(pieces)
    return grapheme_length(_REMOTE_MENTION.sub(r"@\1", text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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
    if count(platform, text, limits) > limit_for(platform, caption=caption, limits=limits):
        return False
    if platform == "x" and has_invalid_characters(text):  # U+FFFE, U+FEFF, U+FFFF: X refuses
        return False
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
        if grapheme.length(word) > BLUESKY_MAX_TAG:
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
