"""Text shown as it will look: a post's words with its links and hashtags marked (found by
the platforms' own finders), and a Markdown body rendered with the site's Markdown settings.
"""

from __future__ import annotations

from typing import Any

from markdown import Markdown
from markupsafe import escape

from publisher.content.sanitize import clean
from publisher.platforms.counters import find_hashtags
from publisher.platforms.counting.twitter import find_urls


def post_segments(text: str) -> list[tuple[str, str]]:
    """The post's text cut into (kind, text) pieces: "link", "tag" or "" for plain words.

    The template escapes each piece and wraps the marked ones in a span, so no markup is
    built here (only publisher/site/trusted.py marks HTML as safe).
    """
    marks = [(s, e, "link") for s, e, _url in find_urls(text, bare_domains=False)]
    for index, tag in find_hashtags(text):
        if not any(s <= index < e for s, e, _k in marks):
            marks.append((index, index + 1 + len(tag), "tag"))
    out: list[tuple[str, str]] = []
    position = 0
    for start, end, kind in sorted(marks):
        if start < position:
            continue
        if start > position:
            out.append(("", text[position:start]))
        out.append((kind, text[start:end]))
        position = end
    if position < len(text):
        out.append(("", text[position:]))
    return out


def markdown_html(body: str, settings: dict[str, Any]) -> str:
    """The body as the site's reader converts it (its MARKDOWN settings); pictures written
    as {static}/... or {filename}/... are shown from content/ through the studio."""
    converter = Markdown(**(settings.get("MARKDOWN") or {}))
    # Cleaned by the site's own sanitiser: the preview shows what the site will show.
    html = clean(converter.convert(body))
    return html.replace('"{static}/', '"/files/').replace('"{filename}/', '"/files/')


def preview_document(html: str, lang: str, stylesheet: str) -> str:
    """A whole page for the preview frame (sandboxed: nothing in it can run or submit)."""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{escape(stylesheet)}"><title>Pratinjau</title></head>'
        f'<body class="prose">{html}</body></html>'
    )
