"""The e-mails of a release: the release itself, its embargoed advance copy, a correction.

Made from the release's document (publisher/content/release_doc.py) with the theme's
templates (theme/templates/email/), as the JSON the ledger row stores and the e-mail
adapter sends (publisher/platforms/email_message.py): subject, plain text, HTML. What makes
it one person's e-mail (address, unsubscribe header) is added at the send, never here.

The advance copy's subject and first line say "EMBARGO: not for publication before <time
WIB>", in English in both languages, as newsrooms expect the word.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from publisher.content.fields import Correction
from publisher.content.release_doc import ReleaseDoc
from publisher.content.trusted import body_html
from publisher.core.timeutil import format_wib

RELEASE, EMBARGO, CORRECTION = "release", "embargo", "correction"
KINDS = (RELEASE, EMBARGO, CORRECTION)

WORDS = {
    "id": {
        "release": "Siaran pers",
        "correction": "Koreksi",
        "corrected": "Siaran pers ini dikoreksi pada",
        "page": "Baca di situs",
        "page_later": "Alamatnya di situs, setelah embargo berakhir",
        "pdf": "Versi cetak (PDF, terlampir)",
        "images": "Foto untuk media",
        "credit": "Foto",
        "hires": "resolusi tinggi",
        "files": "Unduhan",
        "contacts": "Kontak media",
        "phone": "Telepon",
        "whatsapp": "WhatsApp",
        "email": "Surel",
        "about": "Tentang program",
        "hotlines": "Saluran bantuan resmi",
        "why": "Anda menerima surel ini karena terdaftar di daftar pers program ini.",
        "stop": 'Untuk berhenti, balas dengan kata "unsubscribe" atau gunakan tautan berhenti langganan di aplikasi surel Anda.',
        "corrections": "Koreksi",
    },
    "en": {
        "release": "Press release",
        "correction": "Correction",
        "corrected": "This release was corrected on",
        "page": "Read it on the site",
        "page_later": "Its address on the site, once the embargo ends",
        "pdf": "Printable version (PDF, attached)",
        "images": "Photos for the media",
        "credit": "Photo",
        "hires": "high resolution",
        "files": "Downloads",
        "contacts": "Media contacts",
        "phone": "Phone",
        "whatsapp": "WhatsApp",
        "email": "E-mail",
        "about": "About the programme",
        "hotlines": "Official help lines",
        "why": "You receive this e-mail because you are on this programme's press list.",
        "stop": 'To stop, reply with the word "unsubscribe" or use your mail program\'s unsubscribe link.',
        "corrections": "Corrections",
    },
}


def embargo_line(doc: ReleaseDoc) -> str:
    assert doc.embargo is not None
    return f"EMBARGO: not for publication before {format_wib(doc.embargo)}"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    kind: str
    corrections: tuple[str, ...]  # the corrections it shows (their dates)

    def stored(self, doc: ReleaseDoc) -> str:
        """The JSON the ledger row keeps (what was sent, without the recipient)."""
        return json.dumps(
            {"subject": self.subject, "text": self.text, "html": self.html, "kind": self.kind,
             "release": doc.uid, "lang": doc.lang, "corrections": list(self.corrections)},
            ensure_ascii=False,
        )  # fmt: skip


class Composer:
    """The theme's e-mail templates, loaded once."""

    def __init__(self, templates: Path) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["wib"] = format_wib

    def message(
        self, doc: ReleaseDoc, kind: str, correction: Correction | None = None, pdf: bool = True
    ) -> Message:
        words = WORDS.get(doc.lang, WORDS["id"])
        if kind == EMBARGO:
            subject = f"{embargo_line(doc)} — {doc.title}"
        elif kind == CORRECTION:
            subject = f"{words['correction']}: {doc.title}"
        else:
            subject = f"{words['release']}: {doc.title}"
        context: dict[str, Any] = {
            "doc": doc,
            "kind": kind,
            "words": words,
            "embargo": embargo_line(doc) if kind == EMBARGO else "",
            "correction": correction,
            "pdf": pdf,  # the release's PDF is attached
            "body": body_html(doc.body_html),  # sanitised again by the allowlist
        }
        name = "correction" if kind == CORRECTION else "release"
        text = self.env.get_template(f"email/{name}.txt").render(context)
        html = self.env.get_template(f"email/{name}.html").render(context)
        shown = tuple(c.date.isoformat() for c in doc.corrections)
        return Message(subject, text.strip() + "\n", html, kind, shown)
