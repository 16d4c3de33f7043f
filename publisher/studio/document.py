"""A content file as a form: its front matter fields one by one, and its Markdown body.

The file stays the truth, comments and order included: each top-level field is the run of
lines from its key to the next key. A one-line text field (`title: "…"  # the headline`)
becomes an input holding its value, with its comment as help; anything else (lists,
nested fields, `|` blocks) becomes a text area holding its lines as they are. Saving puts
back every field the person did not change byte for byte, so a save changes only what was
edited (small diffs in git).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from publisher.content import frontmatter
from publisher.core.errors import Problem

DELIMITER = frontmatter.DELIMITER
RAW = "__front_matter__"  # the field that holds a front matter YAML cannot read


@dataclass
class Field:
    key: str
    first: int  # line number in the file (1-based) of its key
    last: int  # its last line (1-based, inclusive)
    lines: list[str]
    simple: bool
    value: str = ""  # an input's value (simple fields)
    tag: str = "tag:yaml.org,2002:str"  # what YAML read it as: text, a number, true/false
    help: str = ""  # the comment after it
    problems: list[Problem] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Document:
    text: str
    preamble: list[str]  # comment lines before the first field
    fields: list[Field]
    body: str
    body_line: int  # the body's first line in the file
    problems: list[Problem] = field(default_factory=list)  # not about one field

    @property
    def digest(self) -> str:
        return digest(self.text)

    def field_named(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def place(self, problems: list[Problem]) -> list[Problem]:
        """Put each problem beside its field; the body's and the rest are returned."""
        rest = []
        for problem in problems:
            owner = next((f for f in self.fields if f.first <= problem.line <= f.last), None)
            if owner is not None and problem.line < self.body_line:
                owner.problems.append(problem)
            else:
                rest.append(problem)
        return rest


def digest(text: str) -> str:
    """What the editor loaded: a save is refused when the file on disk no longer has it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse(text: str) -> Document:
    lines = text.split("\n")
    if not lines or lines[0].strip() != DELIMITER:
        return Document(text, [], [_raw_field([], 2)], text, 1)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER), None)
    if end is None:
        return Document(text, [], [_raw_field(lines[1:], 2)], "", len(lines) + 1)
    block = lines[1:end]
    body = "\n".join(lines[end + 1 :])
    try:
        node = frontmatter.compose("\n".join(block))
    except yaml.YAMLError:
        node = None
    if not isinstance(node, yaml.MappingNode):
        return Document(text, [], [_raw_field(block, 2)], body, end + 2)
    starts = [(str(k.value), k.start_mark.line, k, v) for k, v in node.value]
    fields = []
    for index, (key, start, key_node, value) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else len(block)
        fields.append(_field(key, block[start:stop], start + 2, key_node, value))
    return Document(text, block[: starts[0][1]] if starts else block, fields, body, end + 2)


def _raw_field(block: list[str], first: int) -> Field:
    return Field(RAW, first, first + max(len(block) - 1, 0), list(block), False)


def _field(key: str, lines: list[str], first: int, key_node: yaml.Node, value: yaml.Node) -> Field:
    made = Field(key, first, first + len(lines) - 1, lines, False)
    tail_is_notes = all(not ln.strip() or ln.lstrip().startswith("#") for ln in lines[1:])
    one_line = value.start_mark.line == value.end_mark.line == key_node.start_mark.line
    scalar = isinstance(value, yaml.ScalarNode) and value.style in (None, "", '"', "'")
    if not (tail_is_notes and scalar and (one_line or value.value == "") and lines[0].strip()):
        return made
    head = lines[0]
    end = value.end_mark.column if value.value != "" or value.style else len(head.split("#")[0])
    rest = head[end:]
    if rest.strip() and not rest.lstrip().startswith("#"):
        return made
    made.simple = True
    made.value = str(value.value)
    made.tag = value.tag
    made.help = rest.strip().lstrip("#").strip()
    return made


def rebuild(original: Document, form: Mapping[str, str], extra: str = "") -> str:
    """The file's new text: `form` holds `field:KEY` values (inputs or text areas) and
    `body`; fields not in the form stay as they were."""
    out = [DELIMITER, *original.preamble]
    for item in original.fields:
        name = f"field:{item.key}"
        if name not in form:
            out += item.lines
        elif item.simple:
            out += [_set_value(item, form[name]), *item.lines[1:]]
        else:
            out += _lines(form[name])
    if extra.strip():
        out += _lines(extra)
    out.append(DELIMITER)
    body = form.get("body", original.body)
    return "\n".join(out) + "\n" + _normal(body)


def _lines(text: str) -> list[str]:
    return _normal(text).rstrip("\n").split("\n")


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _set_value(item: Field, value: str) -> str:
    value = " ".join(value.split("\n")).strip()
    if value == item.value:
        return item.lines[0]  # unchanged: byte for byte, quotes and all
    comment = f"  # {item.help}" if item.help else ""
    indent = re.match(r"\s*", item.lines[0]).group(0)  # type: ignore[union-attr]
    return f"{indent}{item.key}: {scalar(value, item.tag)}{comment}"


def scalar(value: str, tag: str = "tag:yaml.org,2002:str") -> str:
    """A YAML value that reads back as exactly `value` of the same kind as before (text,
    number, true/false): plain when it can be, else quoted text."""
    if value == "":
        return "''"
    try:
        node = frontmatter.compose(f"k: {value}")
    except yaml.YAMLError:
        node = None
    plain = (
        isinstance(node, yaml.MappingNode)
        and isinstance(node.value[0][1], yaml.ScalarNode)
        and not node.value[0][1].style
        and node.value[0][1].tag in (tag, "tag:yaml.org,2002:str")
        and node.value[0][1].value == value
        and " #" not in value
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def with_post(text: str, block: list[str]) -> str:
    """The file's text with one more post (`block`: its YAML lines, `  - id: ...` first) at
    the end of the calendar's `posts:` list, which is made if there is none."""
    doc = parse(text)
    lines = text.split("\n")
    posts = doc.field_named("posts")
    if posts is None:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER)
        return "\n".join([*lines[:end], "posts:", *block, *lines[end:]])
    head = posts.lines[0]
    if re.match(r"^posts:\s*\[\s*\]", head):  # `posts: []`, with its comment if any
        comment = head.split("#", 1)[1] if "#" in head else ""
        lines[posts.first - 1] = "posts:" + (f"  #{comment}" if comment else "")
    at = posts.last
    while at > posts.first and not lines[at - 1].strip():
        at -= 1  # before the blank lines that end the list
    return "\n".join([*lines[:at], *block, *lines[at:]])
