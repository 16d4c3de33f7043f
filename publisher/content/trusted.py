"""The trusted HTML of a release's documents outside Pelican: its e-mail and its PDF.

publisher/site/trusted.py is the one place where the site's templates get HTML that is not
escaped; it registers itself with Pelican, which a tick must never import. The e-mail
(publisher/engine/press/message.py) and the PDF (publisher/site/release_pdf.py) are made
during a tick, so their one fragment of HTML is marked here, by the same rule: the body as
Markdown made it, sanitised again by the allowlist at the moment it is marked. Every other
value of their templates is escaped (tests/content/test_markup.py allows Markup only in modules
named trusted.py).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from publisher.content import sanitize


def body_html(value: Any) -> Markup:
    """Sanitised HTML of a release's body, marked safe for a document's template."""
    return Markup(sanitize.clean(str(value)))
