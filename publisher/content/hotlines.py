"""The hotline data file (data/hotlines.yaml): load, validate, and hand out published rows only."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher.content.frontmatter import line_finder
from publisher.core.errors import ContentError

LINK_KINDS = {"tel": "tel:", "sms": "sms:", "whatsapp": "https://wa.me/", "web": "https://"}


@dataclass(frozen=True)
class HotlineLink:
    kind: str
    href: str
    label: dict[str, str]


@dataclass(frozen=True)
class Hotline:
    id: str
    status: str
    service: dict[str, str]
    number: str
    checked: dt.date
    source: str
    notes: dict[str, str] = field(default_factory=dict)
    report: dict[str, str] = field(default_factory=dict)
    links: tuple[HotlineLink, ...] = ()
    strip: bool = False
    emergency: bool = False

    @property
    def published(self) -> bool:
        return self.status == "publish"

    def text(self, name: str, lang: str) -> str:
        values: dict[str, str] = getattr(self, name)
        return values.get(lang) or values.get("id", "")


def digits(text: str) -> str:
    """Digits of a phone number as dialled inside Indonesia: '+62 21…' -> '021…'."""
    only = re.sub(r"\D", "", text)
    return "0" + only[2:] if only.startswith("62") and len(only) > 6 else only


def _line_of(raw: str, row_id: str) -> int:
    for number, line in enumerate(raw.splitlines(), start=1):
        if re.search(rf"\bid:\s*{re.escape(row_id)}\s*$", line):
            return number
    return 1


def load_yaml(path: Path, raw: str) -> dict[Any, Any]:
    """A data file's YAML, or a ContentError at the line of the file that breaks it."""
    try:
        # libyaml's parser with SafeLoader's resolvers: the same data as yaml.safe_load,
        # four times faster (the hotline file is read at the start of every build).
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = line_finder(raw, 1)(mark) if mark else 1
        raise ContentError(
            path, line, f"not valid YAML ({exc.problem}); check the indentation and quotes"
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, 1, f"not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ContentError(path, 1, "the file must be 'field: value' lines")
    return data


def load(path: Path) -> list[Hotline]:
    raw = path.read_text(encoding="utf-8")
    data = load_yaml(path, raw)
    rows: list[Hotline] = []
    seen: set[str] = set()
    for item in data.get("hotlines", []):
        row_id = str(item.get("id", ""))
        line = _line_of(raw, row_id)
        if not row_id or row_id in seen:
            raise ContentError(path, line, f"hotline id '{row_id}' is missing or repeated")
        seen.add(row_id)
        status = str(item.get("status", ""))
        if status not in ("publish", "hold"):
            raise ContentError(path, line, f"{row_id}: status must be 'publish' or 'hold'")
        links = tuple(
            HotlineLink(str(link["kind"]), str(link["href"]), dict(link["label"]))
            for link in item.get("links") or []
        )
        for link in links:
            prefix = LINK_KINDS.get(link.kind)
            if prefix is None or not link.href.startswith(prefix):
                raise ContentError(
                    path,
                    line,
                    f"{row_id}: link '{link.href}' does not match its kind '{link.kind}'",
                )
        if status == "publish" and not links:
            raise ContentError(path, line, f"{row_id}: a published row needs at least one link")
        checked = item.get("checked")
        if not isinstance(checked, dt.date):
            raise ContentError(path, line, f"{row_id}: 'checked' must be a date, YYYY-MM-DD")
        rows.append(
            Hotline(
                id=row_id,
                status=status,
                service=dict(item.get("service") or {}),
                number=str(item.get("number") or ""),
                checked=checked,
                source=str(item.get("source") or ""),
                notes=dict(item.get("notes") or {}),
                report=dict(item.get("report") or {}),
                links=links,
                strip=bool(item.get("strip", False)),
                emergency=bool(item.get("emergency", False)),
            )
        )
    return rows


def published(path: Path) -> tuple[Hotline, ...]:
    """Rows that may appear on the site. Rows on hold never leave this module's callers."""
    return tuple(row for row in load(path) if row.published)


def published_numbers(path: Path) -> set[str]:
    """Digit strings of every published number and link, for checking text and pages."""
    numbers: set[str] = set()
    for row in published(path):
        for link in row.links:
            if link.kind in ("tel", "sms", "whatsapp"):
                numbers.add(digits(link.href))
        if row.number:
            numbers.add(digits(row.number))
    numbers.discard("")
    return numbers


def held_numbers(path: Path) -> set[str]:
    return {digits(row.number) for row in load(path) if not row.published and digits(row.number)}
