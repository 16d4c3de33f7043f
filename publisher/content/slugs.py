"""The one rule that turns a title into a slug, for `check`, the site and the publisher.

It is the rule of Pelican's `slugify` with its default SLUG_REGEX_SUBSTITUTIONS (ASCII by
unidecode, lower case, punctuation dropped, spaces to hyphens), written here so that content
needs no Pelican; our reader hands every item's slug to Pelican, so the two cannot differ
(a test compares them on many titles).
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup
from unidecode import unidecode

_SUBSTITUTIONS = (
    (re.compile(r"[^\w\s-]", re.IGNORECASE), ""),
    (re.compile(r"(?u)\A\s*", re.IGNORECASE), ""),
    (re.compile(r"(?u)\s*\Z", re.IGNORECASE), ""),
    (re.compile(r"[-\s]+", re.IGNORECASE), "-"),
)


def slugify(title: str) -> str:
    value = unicodedata.normalize("NFKC", Markup(title).striptags())
    value = unidecode(value)
    for pattern, replacement in _SUBSTITUTIONS:
        value = pattern.sub(replacement, value)
    return value.lower().strip()
