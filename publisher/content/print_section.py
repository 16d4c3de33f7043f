"""A campaign's `print:` section: the words of its posters, flyer and folded leaflet.

Pure data and validation; the rendering is publisher/site/print/. docs/writing.md ("Print")
describes every field with an example. The reader gives every problem its line, so one run
of `publisher check` reports them all. Limits keep the words on the page: a poster is read
from a few steps away, so its text must be short (the renderer also refuses a piece that
spills onto another page, naming the field to shorten).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from publisher.content.fields import ImageRef
from publisher.core.errors import ContentError
from publisher.core.words import did_you_mean

PRINT_FIELDS = ("audience", "headline", "messages", "leaflet", "image", "en")
EN_FIELDS = ("audience", "headline", "messages")
LEAFLET_FIELDS = ("signs", "safe_migration", "help")
PANEL_FIELDS = ("title", "points")
IMAGE_FIELDS = ("src", "alt", "credit")
# Most characters a field may hold, and how many items a list may have.
MAX_CHARS = {
    "audience": 70,
    "headline": 60,
    "message": 90,
    "title": 30,
    "point": 100,
    "help_point": 80,
}
MESSAGES = (1, 3)
POINTS = (2, 6)
HELP_POINTS = (1, 3)  # the help panel also lists every published hotline: fewer, shorter

Path_ = tuple[Any, ...]  # a path into the campaign's YAML, e.g. ("print", "messages", 1)
LineOf = Callable[..., int]  # line(*path) -> line in the file
ReadImage = Callable[[Any, Path_], ImageRef]  # the campaign reader's image field reader


@dataclass(frozen=True)
class Panel:
    """One inside panel of the leaflet: a title and its points."""

    title: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """The words of the pieces in one language."""

    audience: str
    headline: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class PrintSection:
    words: Words  # Indonesian, always
    signs: Panel
    safe_migration: Panel
    help: Panel
    en: Words | None = None  # English, when the campaign has it
    image: ImageRef | None = None  # one of the campaign's own images, with its credit
    line: int = 1
    # Every text with the line it is on, for the phone number rule of `publisher check`.
    texts: tuple[tuple[int, str], ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # "leaflet.signs.points" -> line


class _Invalid(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


class _SectionReader:
    def __init__(self, line: LineOf, read_image: ReadImage) -> None:
        self.line_of = line
        self.read_image = read_image
        self.problems: list[tuple[int, str]] = []
        self.texts: list[tuple[int, str]] = []
        self.lines: dict[str, int] = {}

    def at(self, *path: Any) -> int:
        return self.line_of("print", *path)

    def fields(
        self, value: Any, allowed: tuple[str, ...], where: Path_, what: str
    ) -> dict[Any, Any]:
        if not isinstance(value, dict):
            example = f"'{allowed[0]}: ...'"
            raise _Invalid(self.at(*where), f"{what} needs its fields ({example} and the others)")
        for key in (str(k) for k in value if str(k) not in allowed):
            hint = did_you_mean(key, allowed)
            msg = f"unknown field '{key}' in {what}{hint} (fields: {', '.join(allowed)})"
            self.problems.append((self.at(*where, key), msg))
        return value

    def text(self, mapping: dict[Any, Any], key: str, where: Path_, limit: str) -> str:
        value = mapping.get(key)
        name = ".".join(str(p) for p in ("print", *where, key))
        if value is None or value == "":
            raise _Invalid(self.at(*where), f"'{name}' is required; add '{key}: ...'")
        if isinstance(value, (dict, list)):
            raise _Invalid(self.at(*where, key), f"'{name}' must be text, not a list or fields")
        return self.checked(" ".join(str(value).split()), (*where, key), name, limit)

    def checked(self, text: str, where: Path_, name: str, limit: str) -> str:
        line = self.at(*where)
        for depth in range(1, len(where) + 1):  # the first line of every field on the way
            prefix = where[:depth]
            self.lines.setdefault(".".join(str(p) for p in prefix), self.at(*prefix))
        if len(text) > MAX_CHARS[limit]:
            msg = f"'{name}' has {len(text)} characters; print takes at most {MAX_CHARS[limit]}: shorten it"
            raise _Invalid(line, msg)
        self.texts.append((line, text))
        return text

    def items(self, mapping: dict[Any, Any], key: str, where: Path_, limit: str,
              count: tuple[int, int]) -> tuple[str, ...]:  # fmt: skip
        value = mapping.get(key)
        name = ".".join(str(p) for p in ("print", *where, key))
        if not isinstance(value, list) or not value:
            raise _Invalid(
                self.at(*where, key), f"'{name}' must be a list; start each item with '- '"
            )
        low, high = count
        if not low <= len(value) <= high:
            msg = f"'{name}' has {len(value)} items; print takes {low} to {high}"
            raise _Invalid(self.at(*where, key), msg)
        out = []
        for index, item in enumerate(value):
            if item is None or isinstance(item, (dict, list)) or not str(item).strip():
                raise _Invalid(
                    self.at(*where, key, index), f"item {index + 1} of '{name}' must be text"
                )
            out.append(self.checked(" ".join(str(item).split()), (*where, key, index),
                                    f"{name}[{index + 1}]", limit))  # fmt: skip
        return tuple(out)

    def words(self, mapping: dict[Any, Any], where: Path_) -> Words:
        return Words(
            audience=self.text(mapping, "audience", where, "audience"),
            headline=self.text(mapping, "headline", where, "headline"),
            messages=self.items(mapping, "messages", where, "message", MESSAGES),
        )

    def panel(self, leaflet: dict[Any, Any], key: str) -> Panel:
        value = self.fields(
            leaflet.get(key), PANEL_FIELDS, ("leaflet", key), f"print.leaflet.{key}"
        )
        limit, count = ("help_point", HELP_POINTS) if key == "help" else ("point", POINTS)
        return Panel(
            title=self.text(value, "title", ("leaflet", key), "title"),
            points=self.items(value, "points", ("leaflet", key), limit, count),
        )

    def image(self, value: Any, campaign_images: set[str]) -> ImageRef:
        image = self.read_image(value, ("print", "image"))
        if isinstance(value, dict):
            self.fields(value, IMAGE_FIELDS, ("image",), "print.image")
        if not image.credit:
            msg = "print.image needs 'credit:' (who made the picture); printed pieces show it"
            raise _Invalid(image.line, msg)
        if image.src not in campaign_images:
            known = ", ".join(sorted(campaign_images)) or "none"
            msg = f"print.image '{image.src}' is not one of this campaign's images ({known}); print uses only the campaign's own pictures"
            raise _Invalid(image.line, msg)
        return image

    def attempt(self, func: Callable[..., Any], *args: Any) -> Any:
        try:
            return func(*args)
        except _Invalid as exc:
            self.problems.append((exc.line, exc.message))
        except ContentError as exc:
            self.problems.append((exc.problem.line, exc.problem.message))
        return None

    def read(self, value: Any, campaign_images: set[str]) -> PrintSection | None:
        section = self.attempt(self.fields, value, PRINT_FIELDS, (), "print")
        if section is None:
            return None
        words = self.attempt(self.words, section, ())
        leaflet = self.attempt(self.leaflet, section)
        en = None
        if section.get("en") not in (None, ""):
            en = self.attempt(self.english, section["en"], words)
        image = None
        if section.get("image") not in (None, ""):
            image = self.attempt(self.image, section["image"], campaign_images)
        if self.problems or words is None or leaflet is None:
            return None
        signs, safe, help_ = leaflet
        return PrintSection(words, signs, safe, help_, en, image, self.at(), tuple(self.texts),
                            self.lines)  # fmt: skip

    def leaflet(self, section: dict[Any, Any]) -> tuple[Panel, Panel, Panel] | None:
        value = section.get("leaflet")
        if value in (None, ""):
            msg = "'print.leaflet' is required: its panels 'signs', 'safe_migration' and 'help'"
            raise _Invalid(self.at(), msg)
        leaflet = self.fields(value, LEAFLET_FIELDS, ("leaflet",), "print.leaflet")
        panels = [self.attempt(self.panel, leaflet, key) for key in LEAFLET_FIELDS]
        if panels[0] is None or panels[1] is None or panels[2] is None:
            return None  # each panel's problems are recorded
        return panels[0], panels[1], panels[2]

    def english(self, value: Any, words: Words | None) -> Words:
        en = self.words(self.fields(value, EN_FIELDS, ("en",), "print.en"), ("en",))
        if words is not None and len(en.messages) != len(words.messages):
            msg = f"'print.en.messages' has {len(en.messages)} items and 'print.messages' {len(words.messages)}; give one English line for each message"
            raise _Invalid(self.at("en", "messages"), msg)
        return en


def read_print_section(
    value: Any, line: LineOf, read_image: ReadImage, campaign_images: set[str]
) -> tuple[PrintSection | None, list[tuple[int, str]]]:
    """The `print:` section of a campaign (None when it has none or it has problems), and
    every problem found as (line, message). `line(*path)` locates a key of the campaign's
    YAML; `read_image` reads an image field as the campaign reader does."""
    if value in (None, ""):
        return None, []
    reader = _SectionReader(line, read_image)
    section = reader.read(value, campaign_images)
    return section, reader.problems
