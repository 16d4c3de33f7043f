"""Press room data (data/press.yaml) and the checks a media release must pass.

Contacts follow the hotline rule: only `status: publish` rows are ever rendered.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from publisher.content.fields import ContentMeta
from publisher.content.frontmatter import FrontMatter
from publisher.content.hotlines import load_yaml
from publisher.core.errors import ContentError
from publisher.core.words import did_you_mean


@dataclass(frozen=True)
class Contact:
    id: str
    status: str
    name: str
    role: dict[str, str]
    phone: str = ""
    email: str = ""
    whatsapp: str = ""  # as published, e.g. "0812-0000-0000"; the chat link is wa.me/62...

    @property
    def whatsapp_link(self) -> str:
        digits = "".join(c for c in self.whatsapp if c.isdigit())
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        return f"https://wa.me/{digits}" if digits else ""


@dataclass(frozen=True)
class Download:
    """A file offered to journalists: its output path, title, size and MIME type."""

    path: str
    title: str
    size: int
    mime_type: str
    credit: str = ""
    titles: dict[str, str] = field(default_factory=dict)

    def size_text(self, lang: str = "id") -> str:
        if self.size < 1024:
            return f"{self.size} B"
        unit, value = (
            ("KB", self.size / 1024) if self.size < 1024**2 else ("MB", self.size / 1024**2)
        )
        return f"{format_decimal(round(value, 1), locale='id_ID' if lang == 'id' else 'en')} {unit}"


@dataclass
class PressData:
    contacts: dict[str, Contact]
    boilerplate: dict[str, str]
    kit: list[dict[str, Any]] = field(default_factory=list)
    # Topics a release may name and a journalist may follow: id -> {"id": ..., "en": ...}.
    topics: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def published_contacts(self) -> list[Contact]:
        return [c for c in self.contacts.values() if c.status == "publish"]


def load(path: Path) -> PressData:
    """data/press.yaml; a YAML error is a ContentError at its line in the file."""
    data = load_yaml(path, path.read_text(encoding="utf-8"))
    contacts = {}
    for item in data.get("contacts", []):
        contact = Contact(
            id=str(item["id"]),
            status=str(item.get("status", "hold")),
            name=str(item.get("name", "")),
            role=dict(item.get("role") or {}),
            phone=str(item.get("phone") or ""),
            email=str(item.get("email") or ""),
            whatsapp=str(item.get("whatsapp") or ""),
        )
        contacts[contact.id] = contact
    topics = {}
    for item in data.get("topics") or []:
        names = dict(item.get("name") or {})
        topics[str(item["id"])] = {"id": str(names.get("id") or item["id"]),
                                   "en": str(names.get("en") or names.get("id") or item["id"])}  # fmt: skip
    return PressData(
        contacts,
        dict(data.get("boilerplate") or {}),
        list(data.get("press_kit") or []),
        topics,
    )


def download(content_root: Path, relative: str, title: str, credit: str = "") -> Download:
    path = content_root / relative
    mime, _ = mimetypes.guess_type(path.name)
    return Download(
        relative, title, path.stat().st_size, mime or "application/octet-stream", credit
    )


def kit_downloads(data: PressData, content_root: Path, path: Path) -> list[Download]:
    """The press kit's files, each checked to exist (a broken download link is an error)."""
    downloads = []
    for item in data.kit:
        relative = str(item["file"])
        if not (content_root / relative).is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            line = next((n for n, text in enumerate(lines, 1) if relative in text), 1)
            raise ContentError(
                path, line, f"press kit file '{relative}' does not exist under content/"
            )
        titles = dict(item["title"])
        found = download(content_root, relative, titles["id"], item.get("credit", ""))
        downloads.append(replace(found, titles=titles))
    return downloads


def static_path(src: str) -> str:
    """`{static}/images/a.jpg`, `/images/a.jpg` and `images/a.jpg` all name images/a.jpg."""
    for prefix in ("{static}", "{attach}", "{filename}"):
        src = src.removeprefix(prefix)
    return src.lstrip("/")


def referenced_files(meta: ContentMeta) -> list[str]:
    """Every static file a page or release points at (lead image, gallery, hi-res, attachments)."""
    files = []
    for image in ([meta.image] if meta.image else []) + meta.images:
        files.append(static_path(image.src))
        if image.hires:
            files.append(static_path(image.hires))
    files.extend(static_path(str(a["file"])) for a in meta.attachments)
    return files


def validate_release(
    fm: FrontMatter, meta: ContentMeta, content_root: Path, press: PressData
) -> None:
    """Contacts exist and are published, images have credits, every file exists."""
    problems = release_problems(fm, meta, content_root, press)
    if problems:
        raise problems[0][1]


def release_problems(
    fm: FrontMatter, meta: ContentMeta, content_root: Path, press: PressData
) -> list[tuple[str, ContentError]]:
    """Every reason a release cannot be built, each as (kind, located error); the kinds are
    "contact", "credit", "image" (a missing image file), "attachment" and "topic"."""
    found: list[tuple[str, ContentError]] = []
    for index, topic in enumerate(meta.topics):
        if topic not in press.topics:
            hint = did_you_mean(topic, list(press.topics))
            known = ", ".join(press.topics) or "none yet"
            message = f"topic '{topic}' is not in data/press.yaml{hint} (topics: {known}); add it there or fix the name"
            found.append(("topic", fm.error("topics", message, index)))
    for index, contact_id in enumerate(meta.contacts):
        contact = press.contacts.get(contact_id)
        if contact is None:
            hint = did_you_mean(contact_id, list(press.contacts))
            message = f"contact '{contact_id}' is not in data/press.yaml{hint}; add it there or fix the name"
            found.append(("contact", fm.error("contacts", message, index)))
        elif contact.status != "publish":
            message = f"contact '{contact_id}' is on hold in data/press.yaml; pick another"
            found.append(("contact", fm.error("contacts", message, index)))
    for index, image in enumerate(meta.images):
        if not image.credit:
            message = f"images[{index + 1}] has no credit; add 'credit:' (who made the photo)"
            found.append(("credit", fm.error("images", message, index)))
    for key, files in (("image", [meta.image] if meta.image else []), ("images", meta.images)):
        for index, image in enumerate(files):
            for src in filter(None, (image.src, image.hires)):
                if not (content_root / static_path(src)).is_file():
                    where = index if key == "images" else None
                    message = f"the file '{src}' does not exist under content/"
                    found.append(("image", fm.error(key, message, where)))
    for index, item in enumerate(meta.attachments):
        if not (content_root / static_path(str(item["file"]))).is_file():
            message = f"the attachment '{item['file']}' does not exist under content/"
            found.append(("attachment", fm.error("attachments", message, index)))
    return found
