"""The one place where the theme's templates get HTML that is not escaped.

Jinja autoescape is on for every template of every build with our plugin
(`require_autoescape`, whatever the settings say): a writer's title, summary, alt text,
caption, credit, correction, contact name or campaign field is text, and is escaped wherever
a template prints it, in the page, in <title> and in every meta and og: attribute. Only these
fragments are HTML on purpose, and only here are they marked so:

- `body_html`: a page's body, Markdown converted under publisher/content/markdown_guard.py.
  It is sanitised again by the same allowlist at the moment it is marked, because Pelican
  rewrites its {filename} links after our reader: what reaches the page is what the
  allowlist allows, whatever path the string took.
- `json_ld`: data for <script type="application/ld+json"> blocks, with <, >, & and '
  written as \\u escapes (Jinja's htmlsafe_json_dumps), so no field can end the block or
  open a comment in it.
- `breakable` and `qr_svg`: the print pieces' escaped text with line-break hints, and the
  inline SVG that segno makes of the campaign page's address.
- The theme's own strings from theme/translations, which Jinja's i18n extension marks itself
  (never content: the templates pass only literal strings and settings to `_()`).

tests/content/test_markup.py fails if a template uses `|safe` or turns autoescape off, or if any
other module of publisher/ builds a Markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

import segno
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from pelican import signals

from publisher.content import sanitize


def body_html(value: Any) -> Markup:
    """Sanitised HTML of a page's body, marked safe for the template."""
    return Markup(sanitize.clean(str(value or "")))


def breakable(text: str) -> Markup:
    """`text` escaped, with a line break allowed after each '.', '/' and '-' (addresses)."""
    return Markup(re.sub(r"([./-])", r"\1<wbr>", str(Markup.escape(text))))


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG: black modules on white, with its quiet zone.
    Error correction Q (a quarter of the code may be lost) for posters that get worn."""
    code = segno.make(url, error="q", micro=False, boost_error=False)
    return Markup(code.svg_inline(border=4, omitsize=True, dark="#000", light="#fff"))


def _compact(data: Any, **kwargs: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), **kwargs)


def json_ld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: nothing in it can end the block."""
    return htmlsafe_json_dumps(data, dumps=_compact)


def require_autoescape(pelican: Any) -> None:
    """Every template escapes what it prints; the fragments above are the exceptions."""
    settings = pelican.settings
    environment = dict(settings.get("JINJA_ENVIRONMENT") or {})
    environment["autoescape"] = True
    settings["JINJA_ENVIRONMENT"] = environment
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters.update({"body_html": body_html, "json_ld": json_ld})


def register() -> None:
    signals.initialized.connect(require_autoescape)
