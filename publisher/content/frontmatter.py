"""YAML front matter with line numbers.

Pelican's own Markdown reader takes `Key: value` headers, which cannot hold the lists our
releases and campaign calendars need (images with credits, contacts, posts), and it reports
no line numbers. We parse a `---` YAML block ourselves so every error can say `file:line`.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher.core.errors import ContentError

DELIMITER = "---"
# Hostile-input limits. The largest real file (a campaign calendar) has about 9 KB of front
# matter; pure-Python YAML needs about a second per 100 KB, and every file is read on every
# tick, so a runaway file is refused with its line rather than stalling the engine.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FRONT_MATTER = 128 * 1024  # characters
MAX_DEPTH = 32  # nesting of lists and fields; ours never go past 4


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (we parse them with the WIB rule), refuses
    duplicate keys (YAML would silently keep the last one), and refuses what only a hostile
    or broken file contains: anchors and aliases (`*a` repeated can expand a few lines into
    billions of nodes) and nesting deeper than MAX_DEPTH (Python's recursion limit)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed",
                event.start_mark,
            )  # fmt: skip
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if self._depth >= MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep",
                    event.start_mark,  # type: ignore[arg-type]
                )  # fmt: skip
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


# Drop the implicit timestamp resolver: "2027-07-30 09:00" stays a string.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a field name must be a word, not a list or fields", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is written twice; keep only one", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class FrontMatter:
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the Markdown body starts
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # list key -> line per item

    def line_of(self, key: str, index: int | None = None) -> int:
        if index is not None and index < len(self.item_lines.get(key, [])):
            return self.item_lines[key][index]
        return self.key_lines.get(key, 1)

    def error(self, key: str, message: str, index: int | None = None) -> ContentError:
        return ContentError(self.path, self.line_of(key, index), message)


class _StrictCLoader(yaml.CSafeLoader):
    """libyaml's C parser with _StrictLoader's resolvers (dates stay text): the fast path."""


_StrictCLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers


def _fast_compose(block: str) -> yaml.Node | bool | None:
    """libyaml for the everyday block (half the build's time was PyYAML's pure-Python parser).

    Returns False to hand the block to _StrictLoader, whose refusals (anchors, aliases,
    depth) and error messages are the documented ones: a block that could hold an anchor or
    alias, that libyaml cannot parse, or that nests deeper than MAX_DEPTH.
    """
    if "&" in block or "*" in block:
        return False
    try:
        node = yaml.compose(block, Loader=_StrictCLoader)
    except yaml.YAMLError:
        return False
    return node if _depth(node) <= MAX_DEPTH else False


def _depth(node: yaml.Node | None) -> int:
    """Levels of nested mappings and lists, counted without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, yaml.SequenceNode):
            children = item.value
        elif isinstance(item, yaml.MappingNode):
            children = [part for pair in item.value for part in pair]
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def _construct(node: yaml.Node) -> Any:
    """The data of a composed node tree, built by _StrictLoader's constructors (one parse)."""
    loader = _StrictLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


# YAML also ends a line at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR; a file's lines end at
# '\n' only. When a block holds one, a YAML mark's line is not the file's: count from its index.
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def line_finder(block: str, first_line: int = 2) -> Callable[[yaml.Mark], int]:
    """mark -> the line in the file of a YAML mark in `block` (which starts at `first_line`)."""
    if not any(ch in block for ch in _YAML_ONLY_BREAKS):
        return lambda mark: mark.line + first_line
    ends = [i for i, ch in enumerate(block) if ch == "\n"]
    return lambda mark: bisect.bisect_left(ends, mark.index) + first_line


def compose(block: str) -> yaml.Node | None:
    """The YAML node tree of a front matter block, with the same refusals as `parse`."""
    node = _fast_compose(block)
    if node is False or node is True:
        return yaml.compose(block, Loader=_StrictLoader)
    return node


def read_text(path: Path) -> str:
    """Read a content file as UTF-8, with a located error for binary or mis-encoded files."""
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        raise ContentError(path, 1, f"the file cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ContentError(
            path,
            1,
            f"the file is {size:,} bytes; a content file may have at most {MAX_FILE_BYTES:,}",
        )
    if b"\x00" in raw[:8192]:
        raise ContentError(path, 1, "this is not a text file; save Markdown as plain UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            path, line, "the file is not valid UTF-8; re-save it with UTF-8 encoding"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


MEMO_LIMIT = 20_000


def parse(
    path: Path, text: str | None = None, memo: dict[tuple[str, str], FrontMatter] | None = None
) -> FrontMatter:
    """Split `path` into front matter and body. Raises ContentError with the line at fault.

    `memo` keeps parsed files by path and text for whoever passes it (a build's helper
    converts a file and then checks it, and both begin by parsing it). Callers never change
    a FrontMatter.
    """
    if text is None:
        text = read_text(path)
    if memo is None:
        return _parse(path, text)
    # The text's digest, not the text: a memo of every file of a big site must not hold
    # every file twice over (the body is in the FrontMatter already).
    key = (str(path), hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest())
    found = memo.get(key)
    if found is None:
        found = _parse(path, text)
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    return found


def _parse(path: Path, text: str) -> FrontMatter:
    lines = text.split("\n")
    if not lines or lines[0].strip() != DELIMITER:
        raise ContentError(
            path,
            1,
            "the file must start with a line '---', then the fields (title: ...), then '---'",
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER)
    except StopIteration:
        raise ContentError(
            path, 1, "the front matter is not closed; add a line '---' after the last field"
        ) from None
    block = "\n".join(lines[1:end])
    if len(block) > MAX_FRONT_MATTER:
        raise ContentError(
            path,
            2,
            f"the front matter has {len(block):,} characters, more than {MAX_FRONT_MATTER:,}; "
            "is a '---' line missing after the fields?",
        )
    line_of = line_finder(block)
    try:
        node = compose(block)
        meta = _construct(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = line_of(mark) if mark else 1
        what = exc.problem or "invalid YAML"
        raise ContentError(
            path,
            line,
            f"front matter is not valid YAML ({what}); check the indentation and put text "
            "containing ':' or '#' in quotes",
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, 2, f"front matter is not valid YAML ({exc})") from None
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "the front matter must be 'field: value' lines")
    key_lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_lines[key] = line_of(key_node.start_mark)
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[key] = [line_of(item.start_mark) for item in value_node.value]
    for key in meta:
        if not isinstance(key, str):
            raise ContentError(path, key_lines.get(str(key), 2), f"'{key}' is not a field name")
    body = "\n".join(lines[end + 1 :])
    return FrontMatter(path, meta, body, end + 2, key_lines, item_lines)


YamlPath = tuple[Any, ...]  # a path into the YAML tree, e.g. ("posts", 2, "text")


def yaml_lines(text: str) -> tuple[dict[YamlPath, int], dict[YamlPath, tuple[int, bool]]]:
    """Line of every key and list item in the front matter, and where each text value starts."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER)
    block = "\n".join(lines[1:end])
    root = compose(block)
    line_of = line_finder(block)
    keys: dict[YamlPath, int] = {}
    values: dict[YamlPath, tuple[int, bool]] = {}

    def walk(node: yaml.Node, path: YamlPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = (*path, str(key_node.value))
                keys[sub] = line_of(key_node.start_mark)
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                keys[(*path, index)] = line_of(item.start_mark)
                walk(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode):
            literal = node.style == "|"
            values[path] = (line_of(node.start_mark) + (1 if literal else 0), literal)

    if root is not None:
        walk(root, ())
    return keys, values
