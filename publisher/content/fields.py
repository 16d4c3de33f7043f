"""The fields staff may write in front matter, and their validation.

One schema for the Pelican reader and for `publisher check`, so the two never disagree.
Field names are lowercase YAML keys; see docs/writing.md for examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.content.frontmatter import FrontMatter
from publisher.core.timeutil import TimeFormatError, parse_time
from publisher.core.words import did_you_mean
from publisher.platforms.catalog import ITEM_PLATFORMS as PLATFORMS

COMMON_FIELDS = {"title", "slug", "summary", "lang", "translation", "status", "id"}
PAGE_FIELDS = COMMON_FIELDS | {"menu", "order", "template", "image", "modified"}
ARTICLE_FIELDS = COMMON_FIELDS | {
    "date",
    "modified",
    "tags",
    "image",
    "campaign",
    "social",
    "platforms",
    "syndicate_at",
    "author",
}
RELEASE_FIELDS = ARTICLE_FIELDS | {
    "embargo",
    "contacts",
    "images",
    "attachments",
    "correction",  # the older single correction; `check` asks for `corrections` instead
    "corrections",
    "topics",
}
STATUSES = ("published", "draft")


@dataclass
class ImageRef:
    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    hires: str = ""
    line: int = 1


@dataclass(frozen=True)
class Correction:
    """One correction of a published release: when it was made and what it says."""

    date: dt.datetime
    text: str
    line: int = 1


@dataclass(slots=True)  # one per item, kept by every build: 20,000 on a large site
class ContentMeta:
    kind: str  # "page" | "article" | "release"
    title: str
    slug: str | None
    uid: str | None
    lang: str
    status: str
    summary: str = ""
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    embargo: dt.datetime | None = None
    tags: list[str] = field(default_factory=list)
    image: ImageRef | None = None
    images: list[ImageRef] = field(default_factory=list)
    campaign: str | None = None
    social: dict[str, str] = field(default_factory=dict)  # "" key: wording for every platform
    platforms: list[str] = field(default_factory=list)
    syndicate_at: dt.datetime | None = None
    contacts: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    correction: str = ""
    corrections: list[Correction] = field(default_factory=list)  # oldest first
    topics: list[str] = field(default_factory=list)  # press topics (data/press.yaml)
    translation: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def kind_of(
    path: Path, content: Path, page_dirs: Sequence[str] = ("pages",),
    release_dirs: Sequence[str] = ("siaran-pers",),
) -> str:  # fmt: skip
    """ "page", "release" or "article", by the folder under content/ that holds the file."""
    parts = path.resolve().relative_to(content.resolve()).parts
    if parts and parts[0] in page_dirs:
        return "page"
    if parts and parts[0] in release_dirs:
        return "release"
    return "article"


def allowed_fields(kind: str) -> set[str]:
    return {"page": PAGE_FIELDS, "article": ARTICLE_FIELDS, "release": RELEASE_FIELDS}[kind]


def _text(fm: FrontMatter, key: str, required: bool = False) -> str:
    value = fm.meta.get(key)
    if value is None or value == "":
        if required:
            raise fm.error(
                key, f"the field '{key}' is required; add '{key}: ...' to the front matter"
            )
        return ""
    if isinstance(value, (dict, list)):
        raise fm.error(key, f"'{key}' must be a single line of text")
    return str(value).strip()


def _time(fm: FrontMatter, key: str, required: bool = False) -> dt.datetime | None:
    value = fm.meta.get(key)
    if value in (None, ""):
        if required:
            raise fm.error(
                key, f"the field '{key}' is required; write e.g. '{key}: 2027-07-30 09:00' (WIB)"
            )
        return None
    try:
        return parse_time(str(value))
    except TimeFormatError as exc:
        raise fm.error(key, f"{key}: {exc}") from None


def _str_list(fm: FrontMatter, key: str) -> list[str]:
    value = fm.meta.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v).strip() for v in value]
    raise fm.error(key, f"'{key}' must be a list, e.g. '{key}: [a, b]'")


def parse_image(fm: FrontMatter, key: str, value: Any, index: int | None = None) -> ImageRef:
    line = fm.line_of(key, index)
    where = f"{key}[{index + 1}]" if index is not None else key
    if isinstance(value, str):
        raise fm.error(
            key,
            f"{where} needs alt text: write it as 'src: {value}' and 'alt: what the image shows'",
            index,
        )
    if not isinstance(value, dict):
        raise fm.error(key, f"{where} must have 'src' and 'alt' fields", index)
    unknown = set(value) - {"src", "alt", "caption", "credit", "hires"}
    for name in sorted(unknown, key=str):
        hint = did_you_mean(str(name), {"src", "alt", "caption", "credit", "hires"})
        raise fm.error(key, f"{where} has an unknown field '{name}'{hint}", index)
    src = str(value.get("src") or "").strip()
    alt = str(value.get("alt") or "").strip()
    if not src:
        raise fm.error(
            key, f"{where} has no 'src'; give the image file, e.g. images/poster.jpg", index
        )
    if not alt:
        raise fm.error(
            key, f"{where} has no alt text; add 'alt:' describing what the image shows", index
        )
    return ImageRef(
        src=src,
        alt=alt,
        caption=str(value.get("caption") or "").strip(),
        credit=str(value.get("credit") or "").strip(),
        hires=str(value.get("hires") or "").strip(),
        line=line,
    )


def parse_social(fm: FrontMatter) -> dict[str, str]:
    value = fm.meta.get("social")
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        return {"": value.strip()}
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for name, text in value.items():
            name = str(name)
            if name != "default" and name not in PLATFORMS:
                raise fm.error(
                    "social",
                    f"social: '{name}' is not a platform{did_you_mean(name, PLATFORMS)} "
                    f"(use one of: default, {', '.join(PLATFORMS)})",
                )
            out["" if name == "default" else name] = str(text or "").strip()
        return out
    raise fm.error("social", "'social' must be text, or one text per platform")


def parse_platforms(fm: FrontMatter, key: str = "platforms") -> list[str]:
    names = _str_list(fm, key)
    for name in names:
        if name not in PLATFORMS:
            raise fm.error(
                key,
                f"'{name}' is not a platform{did_you_mean(name, PLATFORMS)} "
                f"(use: {', '.join(PLATFORMS)})",
            )
    return names


def parse_content_meta(fm: FrontMatter, kind: str) -> ContentMeta:
    """Validate a page, article or release's front matter; raise ContentError at the first fault."""
    allowed = allowed_fields(kind)
    for key in fm.meta:
        if key not in allowed:
            raise fm.error(
                key,
                f"unknown field '{key}'{did_you_mean(key, allowed)} "
                f"(fields of a {kind}: {', '.join(sorted(allowed))})",
            )
    status = _text(fm, "status") or "published"
    if status not in STATUSES:
        raise fm.error("status", f"status must be 'published' or 'draft', not '{status}'")
    meta = ContentMeta(
        kind=kind,
        title=_text(fm, "title", required=True),
        slug=_text(fm, "slug") or None,
        uid=_text(fm, "id", required=kind != "page") or None,
        lang=_text(fm, "lang") or "id",
        status=status,
        summary=_text(fm, "summary", required=kind != "page"),
        date=_time(fm, "date", required=kind != "page"),
        modified=_time(fm, "modified"),
        translation=bool(fm.meta.get("translation", False)),
    )
    if meta.lang not in ("id", "en"):
        raise fm.error(
            "lang", f"lang must be 'id' (Indonesian) or 'en' (English), not '{meta.lang}'"
        )
    if meta.modified and meta.date and meta.modified < meta.date:
        raise fm.error("modified", "'modified' is earlier than 'date'; check both times")
    if fm.meta.get("image") not in (None, ""):
        meta.image = parse_image(fm, "image", fm.meta["image"])
    if kind == "page":
        meta.extra = {k: fm.meta[k] for k in ("menu", "order", "template") if k in fm.meta}
        return meta
    meta.tags = _str_list(fm, "tags")
    meta.campaign = _text(fm, "campaign") or None
    meta.social = parse_social(fm)
    meta.platforms = parse_platforms(fm)
    meta.syndicate_at = _time(fm, "syndicate_at")
    if kind == "release":
        meta.embargo = _time(fm, "embargo")
        meta.contacts = _str_list(fm, "contacts")
        meta.correction = _text(fm, "correction")
        images = fm.meta.get("images") or []
        if not isinstance(images, list):
            raise fm.error("images", "'images' must be a list of images, each with src and alt")
        meta.images = [parse_image(fm, "images", img, i) for i, img in enumerate(images)]
        attachments = fm.meta.get("attachments") or []
        if not isinstance(attachments, list):
            raise fm.error("attachments", "'attachments' must be a list, each with file and title")
        for i, item in enumerate(attachments):
            if not isinstance(item, dict) or not item.get("file") or not item.get("title"):
                raise fm.error("attachments", "each attachment needs 'file:' and 'title:'", i)
        meta.attachments = attachments
        if meta.correction and not meta.modified:
            raise fm.error(
                "correction", "a correction needs 'modified:' with the time it was corrected"
            )
        meta.topics = _str_list(fm, "topics")
        meta.corrections = parse_corrections(fm, meta)
    return meta


def parse_corrections(fm: FrontMatter, meta: ContentMeta) -> list[Correction]:
    """`corrections:` (a list of date and text), or the older single `correction:` with
    `modified:` as its date; oldest first."""
    value = fm.meta.get("corrections")
    if value in (None, ""):
        if meta.correction and meta.modified:
            return [Correction(meta.modified, meta.correction, fm.line_of("correction"))]
        return []
    if meta.correction:
        raise fm.error(
            "correction",
            "write the correction as an entry of 'corrections:' and remove 'correction:'",
        )
    if not isinstance(value, list):
        raise fm.error("corrections", "'corrections' must be a list, each with date and text")
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"date", "text"}:
            raise fm.error("corrections", "each correction has 'date:' and 'text:' only", index)
        text = str(item.get("text") or "").strip()
        if not text:
            raise fm.error("corrections", "a correction needs 'text:' (what was corrected)", index)
        if item.get("date") in (None, ""):
            raise fm.error(
                "corrections", "a correction needs 'date:', e.g. 'date: 2027-08-01 10:00'", index
            )
        try:
            when = parse_time(str(item["date"]))
        except TimeFormatError as exc:
            raise fm.error("corrections", f"corrections: {exc}", index) from None
        if meta.date and when < meta.date:
            raise fm.error(
                "corrections", "a correction is dated before the release; check its date", index
            )
        found.append(Correction(when, text, fm.line_of("corrections", index)))
    if len({c.date for c in found}) != len(found):
        raise fm.error("corrections", "two corrections have the same date; give each its own")
    return sorted(found, key=lambda c: c.date)
