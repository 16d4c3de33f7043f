"""Counting primitives, hashtags, and the shape of a platform's limits.

Each platform counts differently, and a post that is one unit too long is refused. Which
rule a platform uses is declared in its module's SPEC (publisher.platforms.spec):
- X: twitter-text 3.1's weighted length (publisher.platforms.counting.twitter);
- Mastodon: its StatusLengthValidator (publisher.platforms.counting.mastodon);
- Bluesky: grapheme clusters of current Unicode (300), as the app's `Intl.Segmenter` counts
  them, and at most 3000 UTF-8 bytes; URLs count as written;
- Telegram: UTF-16 code units. The Bot API speaks of "characters after entities parsing" and
  measures entity offsets in UTF-16 units; counting units is the same for text without emoji
  and errs on the safe side (an emoji is 2) where the two could differ;
- Facebook: Unicode code points against our own, configurable limit (Meta publishes none).

Counting is pure: no network, no settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class PlatformLimits:
    name: str  # the platform: "x", "mastodon", ...
    max_text: int  # 280, 500, 300, configurable (default 5000 for facebook), 4096
    max_caption: int | None  # telegram 1024 for photo captions; None where same as max_text
    url_weight: int | None  # x 23, mastodon 23, None = URLs count as written
    max_media: int  # images per post
    max_media_bytes: int  # per image; conservative where the platform is vague
    threads: bool  # may a long text become a chain of replies?
    # Sends per tick for this platform (a mail server's rate); None: PUBLISHER["per_tick_cap"].
    per_tick: int | None = None


def grapheme_length(text: str) -> int:
    """Extended grapheme clusters of current Unicode (the `regex` module's \\X: Unicode 17,
    with the conjunct rule of 15.1, so श्री is one), as Intl.Segmenter counts them."""
    if text.isascii():  # ASCII clusters are single characters, except CR LF
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def code_points(text: str) -> int:
    return len(text)


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


# An @-tag: '@' at the start of a word (not inside an e-mail address), then a username.
_MENTION = re.compile(r"(?<![\w@./])@([A-Za-z0-9_][A-Za-z0-9_.]*)")


def find_mentions(text: str) -> list[str]:
    """The @-tags written in `text` (usernames without '@'); an e-mail address is not one."""
    return [m.group(1).rstrip(".") for m in _MENTION.finditer(text)]


@dataclass(frozen=True)
class HashtagRule:
    """Which characters a platform links as part of a hashtag."""

    any_character: bool = False  # every character up to white space (Bluesky's facets)
    max_graphemes: int | None = None  # Bluesky's app makes no tag facet past 64
    extra: str = ""  # characters besides letters, digits, marks and _ (Mastodon: · and ZWNJ)


def hashtag_problem(tag: str, label: str, rule: HashtagRule) -> str | None:
    """Why `tag` (with or without '#') would not be one whole hashtag there, or None."""
    word = tag[1:] if tag[:1] in ("#", "\uff03") else tag
    if not word:
        return "a hashtag needs letters after '#'"
    if any(ch.isspace() for ch in word):
        return f"'#{word}' has a space; a hashtag is one word, e.g. #CegahTPPO"
    if word.isdigit():
        return f"'#{word}' is only digits, which no platform links as a hashtag; add letters"
    if rule.max_graphemes is not None and grapheme_length(word) > rule.max_graphemes:
        return f"'#{word}' is longer than {label}'s {rule.max_graphemes} characters for a hashtag"
    if rule.any_character:
        return None
    for index, char in enumerate(word):
        if not _tag_char_ok(char, rule.extra):
            cut = word[:index]
            linked = (
                f"only '#{cut}' would be linked"
                if cut and not cut.isdigit()
                else "it would not be linked"
            )
            return (
                f"'#{word}' contains '{char}': on {label} {linked}; "
                "use only letters, digits and _ in hashtags"
            )
    return None


def _tag_char_ok(char: str, extra: str) -> bool:
    if char == "_" or char.isalnum() or unicodedata.category(char).startswith("M"):
        return True
    return char in extra
