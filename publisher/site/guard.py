"""What the build wrote is checked before it is swapped in: every feed parses, and no
published byte carries a held number or a near miss of a published hotline.

`publisher check` reads the sources; this reads the result, so that what no source rule
foresees (a number in the settings, in data/hotlines.yaml's own notes, two fields a template
joins, an entity or URL escape decoded by a feed reader) still cannot reach a reader:

- Feeds: every Atom and RSS feed, sitemap and JSON file of the output is parsed back (expat,
  json); one that does not parse stops the build.
- Hotlines: every page, feed and JSON file (syndication.json carries the social texts) is
  read twice with publisher/content/phones.py, as markup (attribute values such as tel:
  links are read too) and as text with inline tags taken out (`08<b>11</b>-...` is one
  number to a reader), after entities and URL escapes are decoded. Each problem (a number)
  is reported once, at the source file and line it comes from, with where it was published.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.content import frontmatter, hotlines, phones
from publisher.core.errors import Problem, display_path
from publisher.core.project import Project

SCANNED = {".html", ".xml", ".json", ".txt", ".svg", ".vcf"}  # .vcf: press contacts
SKIPPED = ("pagefind",)  # the search index: built from the pages, after this check
_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var|wbr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
# A line that starts or ends with a digit, a separator, an escape or anything not ASCII, or
# ends with a word that makes a short number count ("Telepon", "tel:").
# Tags between a digit and the line's end count as nothing (`08<b>` then `11</b>...`).
_OPEN_START = re.compile(r"(?:<[^>]*>)*(?:[\s\d\-./()*_`~+&%]|[^\x00-\x7f])")
_OPEN_END = re.compile(
    r"(?:[\s\d\-./()*_`~+&%;]|[^\x00-\x7f]|" + phones.CONTEXT_WORDS + r"[\s.:*_]*)"
    r"(?:<[^>]*>)*$",
    re.IGNORECASE,
)
# Digits on both sides of inline tags, with separators between: `08<b>11</b>-8080`.
_SPLIT_NUMBER = re.compile(
    r"\d[ \t\-./()]{0,3}(?:" + _INLINE.pattern + r"[ \t\-./()]{0,3})+\d", re.IGNORECASE
)


def verify_output(site: Path, project: Project, settings: dict[str, Any]) -> list[Problem]:
    """The problems that must stop the build of `site` (its staging folder); [] when none."""
    files = [
        path
        for path in sorted(site.rglob("*"))
        if path.suffix in SCANNED
        and path.is_file()
        and path.relative_to(site).parts[0] not in SKIPPED
    ]
    problems = [p for p in (_parse_back(site, path) for path in files) if p is not None]
    return problems + HotlineGuard.for_build(project, settings).scan_output(site, files)


class OutputCheck:
    """verify_output in a thread: the build runs Pagefind (another process) meanwhile, so on
    a machine with two cores reading every page costs little of the build's time."""

    def __init__(self, site: Path, project: Project, settings: dict[str, Any]) -> None:
        self.problems: list[Problem] = []
        self.thread = threading.Thread(
            target=self._run, args=(site, project, settings), name="output-check", daemon=True
        )

    @classmethod
    def start(cls, site: Path, project: Project, settings: dict[str, Any]) -> OutputCheck:
        check = cls(site, project, settings)
        check.thread.start()
        return check

    def _run(self, site: Path, project: Project, settings: dict[str, Any]) -> None:
        try:
            self.problems = verify_output(site, project, settings)
        except Exception as exc:  # a bug here must stop the build, not let it pass
            self.problems = [Problem("output", 1, f"the output could not be checked "
                                     f"({type(exc).__name__}: {exc}); please report it")]  # fmt: skip

    def wait(self) -> list[Problem]:
        self.thread.join()
        return self.problems


def _parse_back(site: Path, path: Path) -> Problem | None:
    name = f"output/{path.relative_to(site).as_posix()}"
    if path.suffix not in (".xml", ".json"):
        return None
    try:
        if path.suffix == ".xml":
            ElementTree.parse(path)
        else:
            json.loads(path.read_text(encoding="utf-8"))
    except ElementTree.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        return Problem(name, line, f"the build wrote a feed that is not well-formed XML "
                       f"({exc}); a content file has a character XML does not allow: run "
                       "`publisher check` to find it")  # fmt: skip
    except (ValueError, UnicodeDecodeError) as exc:
        return Problem(name, 1, f"the build wrote a file that does not parse ({exc}); run "
                       "`publisher check` to find the text that breaks it")  # fmt: skip
    return None


def readable_text(markup: str) -> str:
    """Text as a reader sees it: inline tags taken out, other tags end a number ('|' is
    no separator, and keeps the line count)."""
    return _TAG.sub("|", _INLINE.sub("", markup))


@dataclass
class _Found:
    match: phones.Match
    outputs: list[str] = field(default_factory=list)


def _closed(line: str) -> bool:
    """No number (or the word that makes a short one count) can run across this line's ends."""
    return not (_OPEN_START.match(line) or _OPEN_END.search(line))


@dataclass
class HotlineGuard:
    book: phones.Phonebook
    sources: list[Path]  # where a published number can come from, in the order searched
    hotlines_file: Path
    clean_lines: set[str] = field(default_factory=set)  # lines read and found clean

    @classmethod
    def for_build(cls, project: Project, settings: dict[str, Any]) -> HotlineGuard:
        """The guard of a build: its content folder, campaigns, data and theme."""
        layout = project.layout
        content = Path(settings.get("PATH") or layout.content)
        campaigns = Path(settings.get("CAMPAIGNS_PATH") or content.parent / "campaigns")
        theme = Path(settings.get("THEME") or layout.theme)
        sources = [*sorted(content.rglob("*.md")), *sorted(campaigns.glob("*.md"))]
        sources += [Path(settings.get("PRESS_FILE") or layout.press_file), project.settings_file,
                    project.root / "publishconf.py"]  # fmt: skip
        sources += sorted(theme.glob("templates/**/*.html")) + sorted(
            theme.glob("translations/**/*.po")
        )
        hotlines_file = Path(settings.get("HOTLINES_FILE") or layout.hotlines_file)
        # A site without hotline data (some test sites) has no number to guard.
        book = (
            phones.Phonebook.load(hotlines_file) if hotlines_file.is_file() else phones.Phonebook()
        )
        return cls(book, sources, hotlines_file)

    def scan_output(self, site: Path, files: list[Path]) -> list[Problem]:
        found: dict[tuple[str, str], _Found] = {}
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            name = f"output/{path.relative_to(site).as_posix()}"
            for match in self.matches(text):
                entry = found.setdefault((match.kind, match.digits), _Found(match))
                if name not in entry.outputs:
                    entry.outputs.append(name)
        return [self._problem(entry) for entry in found.values()]

    def matches(self, markup: str) -> list[phones.Match]:
        """Held numbers and near misses in a file as written and as read.

        Most lines of a site repeat from page to page (the theme's head, strip and footer,
        and each article again in the lists and feeds): a line read before and found clean
        is replaced by '|', which ends any number, unless a number could run across its ends.
        """
        lines = markup.split("\n")
        clean = self.clean_lines
        text = "\n".join("|" if line in clean else line for line in lines)
        decoded = self.book.normalise(text)
        found = phones.scan(decoded, self.book, normalised=True)
        if _SPLIT_NUMBER.search(decoded):
            seen = {(m.kind, m.digits, m.newlines) for m in found}
            found += [m for m in phones.scan(readable_text(decoded), self.book, normalised=True)
                      if (m.kind, m.digits, m.newlines) not in seen]  # fmt: skip
        touched = {n for m in found for n in range(m.newlines, m.newlines + m.text.count("\n") + 1)}
        for number, line in enumerate(lines):
            if number not in touched and line not in clean and _closed(line):
                clean.add(line)
        return found

    def _problem(self, entry: _Found) -> Problem:
        match, outputs = entry.match, entry.outputs
        where = outputs[0] + (f" and {len(outputs) - 1} other file(s)" if len(outputs) > 1 else "")
        path, line = self.source_of(match)
        return Problem(path, line, f"{match.message()} (published in {where})")

    def source_of(self, match: phones.Match) -> tuple[str, int]:
        """The first source file and line that publish this number, else the output file."""
        for path in self.sources:
            try:
                text = frontmatter.read_text(path) if path.is_file() else ""
            except Exception:
                continue
            line = self._line_in(text, match)
            if line:
                return display_path(path), line
        for row in hotlines.load(self.hotlines_file):  # a published row's own words
            if row.published:
                words = "\n".join([*row.service.values(), *row.notes.values(),
                                   *row.report.values(), row.source])  # fmt: skip
                if self._line_in(words, match):
                    return display_path(self.hotlines_file), _row_line(self.hotlines_file, row.id)
        return "output", 1

    def _line_in(self, text: str, match: phones.Match) -> int:
        for variant in (text, readable_text(text)):
            for found in phones.scan(variant, self.book):
                if found.digits == match.digits and found.kind == match.kind:
                    return min(found.newlines + 1, text.count("\n") + 1)
        return 0


def _row_line(path: Path, row_id: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(rf"\bid:\s*{re.escape(row_id)}\s*$", line):
            return number
    return 1
