"""Text shown as it will look: a post's words with its links and hashtags marked (found by
the platforms' own finders), and a Markdown body rendered with the site's Markdown settings.
"""

from __future__ import annotations

from typing import Any

from markdown import Markdown
from markupsafe import Markup, escape

from publisher.platforms.counters import find_hashtags
from publisher.platforms.counting.twitter import find_urls


def post_html(text: str) -> Markup:
    """The post's text, escaped, with URLs and hashtags in their own spans."""
    marks = [(s, e, "link") for s, e, _url in find_urls(text, bare_domains=False)]
    for index, tag in find_hashtags(text):
        if not any(s <= index < e for s, e, _k in marks):
            marks.append((index, index + 1 + len(tag), "tag"))
    out, position = [], 0
    for start, end, kind in sorted(marks):
        if start < position:
            continue
        out.append(escape(text[position:start]))
        out.append(Markup('<span class="{}">{}</span>').format(kind, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def markdown_html(body: str, settings: dict[str, Any]) -> str:
    """The body as the site's reader converts it (its MARKDOWN settings); pictures written
    as {static}/... or {filename}/... are shown from content/ through the studio."""
    converter = Markdown(**(settings.get("MARKDOWN") or {}))
    html: str = converter.convert(body)
    return html.replace('"{static}/', '"/files/').replace('"{filename}/', '"/files/')


def preview_document(html: str, lang: str, stylesheet: str) -> str:
    """A whole page for the preview frame (sandboxed: nothing in it can run or submit)."""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{escape(stylesheet)}"><title>Pratinjau</title></head>'
        f'<body class="prose">{html}</body></html>'
    )
