"""The check rules of docs/security-markup.md: what a writer types never runs, breaks a feed
or publishes a wrong number. Mixed into check.Checker beside check_rules.Rules.

- Every string of the front matter, whatever its field (alt text, captions, credits,
  corrections, tags, attachment titles, calls to action, social wording, events...), and
  every body, is read for held numbers and near misses of a published hotline
  (publisher/content/phones.py), so no field can be forgotten. So are data/press.yaml and the
  theme's templates and translations, which reach every page too.
- Markdown bodies: the input limits of publisher/content/markdown_guard.py, then what the
  allowlist sanitiser would remove (publisher/content/sanitize.py), each as an error.
- Characters XML 1.0 forbids (they make every feed unreadable), in bodies and fields.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from publisher.content import frontmatter, phones, sanitize
from publisher.content.markdown_guard import MarkdownRefused, Renderer, limits

LineAt = Callable[[int], int]

# XML 1.0 Char: tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD, U+10000 and up.
# Anything else (other C0 controls, lone surrogates, U+FFFE, U+FFFF) ends a feed reader.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Control characters typed into the file are reported by the control-character rule
# (check_build_rules.check_text), once per line; this rule reports the rest: characters XML
# forbids that are not typed as such (a YAML escape like "\a"), surrogates, U+FFFE/U+FFFF.
_TYPED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
DEFAULT_MARKDOWN = {"extensions": ["markdown.extensions.extra"], "output_format": "html5"}


def xml_forbidden_message(char: str) -> str:
    return (f"the invisible character U+{ord(char):04X} is not allowed in XML, so every feed "
            "with this text would be unreadable; delete it (retype the text around it)")  # fmt: skip


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.ScalarNode):
            yield item
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(reversed(item.value))
        elif isinstance(item, yaml.MappingNode):
            stack.extend(value for _, value in reversed(item.value))


def _leaves(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            yield str(item)


class SafetyRules:
    """Checks of every field and body; the state they use is set up by check.Checker."""

    add: Callable[..., None]
    hotlines_file: Path
    markdown: dict[str, Any] | None
    theme: Path | None
    press_file: Path | None

    @property
    def phonebook(self) -> phones.Phonebook:
        book = getattr(self, "_phonebook", None)
        if book is None:
            try:
                book = phones.Phonebook.load(self.hotlines_file)
            except Exception:  # reported by the checker's own reading of the file
                book = phones.Phonebook()
            self._phonebook = book
        return book

    @property
    def renderer(self) -> Renderer:
        found = getattr(self, "_renderer", None)
        if found is None:
            found = self._renderer = Renderer(self.markdown or DEFAULT_MARKDOWN)
        return found

    # --- numbers ---

    def check_phones(self, path: Path, text: str, line_at: LineAt, unknown: bool = True) -> None:
        """Held numbers and near misses (errors); with `unknown`, phone-like numbers that are
        not published rows (warnings: content should name only the published ones)."""
        if not _has_digit(text) and "&#" not in text and "%3" not in text:
            return
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        for match in phones.scan(text, self.phonebook, unknown=unknown):
            at = starts[min(match.newlines, len(starts) - 1)]
            message = match.message()
            if match.text not in text:  # the reader's view differs from what was typed
                message += " (it is written here with look-alike or invisible characters)"
            self.add(path, line_at(at), message, match.severity)

    def check_fields(self, path: Path, meta: dict[str, Any]) -> None:
        """Every string of the front matter, in every field and list, at its own line."""
        values = list(_leaves(meta))
        joined = "\n".join(values)
        if not (phones.scan(joined, self.phonebook, unknown=True) or XML_FORBIDDEN.search(joined)):
            return  # the common case: nothing to locate, no second reading of the file
        raw = frontmatter.read_text(path)
        for node in self._front_matter_scalars(path):
            line = node.start_mark.line + 2
            literal = node.style in ("|", ">")

            def line_at(index: int, text: str = node.value, first: int = line,
                        block: bool = literal) -> int:  # fmt: skip
                return first + 1 + text.count("\n", 0, index) if block else first

            self.check_phones(path, node.value, line_at)
            for bad in XML_FORBIDDEN.finditer(node.value):
                typed = _TYPED_CONTROL.match(bad.group()) and bad.group() in raw
                if not typed:
                    self.add(path, line_at(bad.start()), xml_forbidden_message(bad.group()))

    def _front_matter_scalars(self, path: Path) -> list[yaml.ScalarNode]:
        lines = frontmatter.read_text(path).split("\n")
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == frontmatter.DELIMITER)
        return list(_scalars(frontmatter.compose("\n".join(lines[1:end]))))

    # --- bodies ---

    def check_markup(self, path: Path, body: str, body_line: int) -> None:
        """Bomb limits, raw HTML the sanitiser removes, and characters XML forbids."""
        for bad in XML_FORBIDDEN.finditer(body):
            if _TYPED_CONTROL.match(bad.group()):
                continue  # typed in the file: the control-character rule reports its line
            line = body_line + body.count("\n", 0, bad.start())
            self.add(path, line, xml_forbidden_message(bad.group()))
        refusal = limits(body)
        if refusal is not None:
            self.add(path, body_line + refusal.line - 1, refusal.message)
            return
        if not sanitize.may_hold_html(body):
            return
        try:
            html = self.renderer.convert(body)
        except MarkdownRefused as exc:
            self.add(path, body_line + exc.refusal.line - 1, exc.refusal.message)
            return
        cursor = 0  # findings come in document order: each is looked for after the last
        for finding in sanitize.findings(html):
            for needle in finding.needles:
                found = sanitize.find_in(body, needle, cursor)
                if found >= 0:
                    cursor = found + 1
                    break
            self.add(path, body_line + body.count("\n", 0, max(cursor - 1, 0)), finding.message)

    # --- what every page shows besides content ---

    def check_project_sources(self) -> None:
        """data/press.yaml and the theme reach every page: the same number rule for them."""
        if self.press_file is not None and self.press_file.is_file():
            try:
                root = yaml.compose(self.press_file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                root = None  # press.load reports it where it is used
            for node in _scalars(root):
                line = node.start_mark.line + 1
                self.check_phones(self.press_file, node.value, fixed_line(line), False)
        if self.theme is None:
            return
        for file in sorted([*self.theme.glob("templates/**/*.html"),
                            *self.theme.glob("translations/**/*.po")]):  # fmt: skip
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            self.check_phones(file, text, functools.partial(line_in, text), False)


def fixed_line(line: int) -> Callable[[int], int]:
    """A LineAt for text that sits on one line of its file."""
    return lambda _index: line


def line_in(text: str, index: int) -> int:
    """The line (from 1) of character `index` of a whole file's text."""
    return text.count("\n", 0, index) + 1


_ASCII_DIGIT = re.compile(r"[0-9]")


def _has_digit(text: str) -> bool:
    """Any character str.isdigit() takes; ASCII text (most of it) by one regex search."""
    if text.isascii():
        return _ASCII_DIGIT.search(text) is not None
    return any(ch.isdigit() for ch in text)
