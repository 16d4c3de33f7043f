"""The HTML a writer may put on the site: one allowlist, enforced by nh3 and explained by check.

Markdown lets a writer type raw HTML and attribute lists (`{: onclick=...}`), and its links
take any URL. Everything Python-Markdown produces goes through `clean()` before it is used
anywhere (pages, feeds, campaign pages): nh3 (the Rust `ammonia` sanitiser, maintained and
fuzzed; never regexes) keeps only the tags, attributes and URL schemes below. `findings()`
reads the same converted HTML against the same tables, so `publisher check` reports each
thing the sanitiser would remove, as an error with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

# What Python-Markdown with extra, toc and sane_lists writes, plus plain text formatting a
# writer may type as HTML. No form, media, frame, script, style, SVG or MathML element.
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
})  # fmt: skip
# Removed with everything inside them (the rest lose the tag and keep their text).
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "applet", "template", "noscript", "svg",
    "math", "textarea", "select", "title", "xmp", "noembed", "noframes", "frameset", "frame",
})  # fmt: skip
# Elements whose mere presence is an attack or breaks the page, named in check's message.
DANGEROUS = DROPPED_WITH_CONTENT | {"meta", "base", "link", "form", "input", "button"}
# No style (the CSP forbids inline style), no on* handler, no data-* (the theme's scripts
# read data-quick-exit and data-search: a writer must not be able to add them).
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope", "abbr"},
    "time": {"datetime"},
}
URL_ATTRIBUTES = {"href", "src"}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "sms"})

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# What browsers strip before they read a URL: C0 controls and spaces around it, tab and
# newline anywhere ("java\tscript:" is javascript: to a browser).
_URL_JUNK = re.compile(r"[\t\n\r]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url` (lower case), None for a relative URL."""
    cleaned = _URL_JUNK.sub("", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r"
                                          "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                          "\x1a\x1b\x1c\x1d\x1e\x1f "))  # fmt: skip
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_remote(src: str) -> bool:
    """An image address that makes the reader's browser (or the publisher) fetch from
    elsewhere, or that embeds data: anything with a scheme, or a //host/ address."""
    cleaned = _URL_JUNK.sub("", src.strip())
    return url_scheme(cleaned) is not None or cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    # Images come from this site only: another site's image is a third-party request
    # (and a broken one under the Content-Security-Policy), and data: is never kept.
    if tag == "img" and name == "src" and is_remote(value):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_keep_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel=None,  # keep the writer's links as they are; readers' browsers add noopener
    strip_comments=True,
)


def clean(html: str) -> str:
    """`html` with everything outside the allowlist removed."""
    return _CLEANER.clean(html)


@dataclass(frozen=True)
class Finding:
    """One thing the sanitiser removes: what to tell the writer, and text to find its line."""

    message: str
    needles: tuple[str, ...]  # searched for in the Markdown source, in turn, to give the line


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Finding] = []

    def add(self, message: str, *needles: str) -> None:
        self.found.append(Finding(message, tuple(n for n in needles if n)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh"
                                 for n, v in attrs):  # fmt: skip
            self.add("a <meta> refresh would send readers to another page; it is removed, "
                     "write a link instead", f"<{tag}")  # fmt: skip
            return
        if tag in DANGEROUS:
            what = " with everything inside it" if tag in DROPPED_WITH_CONTENT else ""
            self.add(f"<{tag}> is not allowed on this site: the build removes it{what}; take "
                     "it out of the text", f"<{tag}")  # fmt: skip
            return
        if tag not in TAGS:
            self.add(f"<{tag}> is not allowed on this site; the tag is removed (its text "
                     "stays): use Markdown formatting instead", f"<{tag}")  # fmt: skip
            return
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.add(f"the attribute '{name}' on <{tag}> would run code; it is removed, "
                         "take it out", name)  # fmt: skip
            elif name not in allowed:
                self.add(f"the attribute '{name}' on <{tag}> is not allowed and is removed; "
                         "take it out", name)  # fmt: skip
            elif name in URL_ATTRIBUTES:
                self._url(tag, name, value)

    def _url(self, tag: str, name: str, value: str) -> None:
        scheme = url_scheme(value)
        # The value as Markdown wrote it, else the tag of raw HTML (its value may be encoded).
        needles = (value[:40], f"<{tag}", f"{name}=")
        if tag == "img" and is_remote(value):
            where = "a data: address" if scheme == "data" else "on another site"
            self.add(f"the image '{_short(value)}' is {where}; the site shows only its own "
                     "images: put the file in content/images/ and write "
                     "{static}/images/name.png", *needles)  # fmt: skip
        elif scheme is not None and scheme not in URL_SCHEMES:
            self.add(f"the link '{_short(value)}' uses '{scheme}:', which is removed (links "
                     f"may use {', '.join(sorted(URL_SCHEMES))} or a path on this site)",
                     *needles)  # fmt: skip


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def findings(html: str) -> list[Finding]:
    """Everything in `html` that `clean` removes or changes, in document order."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.found


# Text of a Markdown body that could make Python-Markdown write something `clean` removes:
# raw HTML or an entity (<, &), an attribute list ({: ...} but not Pelican's {filename}),
# an image from elsewhere, or a link or reference whose address has a scheme that is not
# plainly allowed.
_MAY_HOLD_HTML = re.compile(
    r"[<&]|\{(?!(?:filename|static|attach|index|tag|category|author)\})"
    r"|!\[[^\]]*\]\(\s*<?\s*(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|[/\\]{2})"
    r"|\]\s*\(\s*(?!(?:https?://|mailto:|tel:|sms:|[#/.?]|\{))[^)\s]*:"
    r"|^ {0,3}\[[^\]\n]+\]:\s*(?!(?:https?://|mailto:|tel:|sms:|[#/.?]|\{))\S*:",
    re.MULTILINE,
)


def may_hold_html(body: str) -> bool:
    """Cheap test: can converting `body` give anything `findings` would report? Most
    articles have none of this, and check then needs no Markdown conversion for them."""
    return _MAY_HOLD_HTML.search(body) is not None


def find_in(body: str, needle: str, start: int) -> int:
    """Index of `needle` in `body` at or after `start` (case-insensitive), else -1."""
    return body.lower().find(needle.lower(), start) if needle else -1
