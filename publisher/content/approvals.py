"""Approvals: who approved which text of an article, release or calendar post, and when.

With `required: true` in data/approvals.yaml, an article or release goes live (the site's
reader) and a calendar post is planned (the engine's sources) only when an approval is
recorded for the hash of its current text: any edit after approval removes it, until an
editor approves the new text. Pages are never held back: the help and hotline pages must
never disappear from the site because of an approval step.

The file is committed to git beside the content, so every approval is reviewed like any
change and travels with the site to whatever machine builds it (the ledger, a SQLite file in
var/, is neither reviewed nor shared). The studio (publisher studio) writes it; this module
reads it and answers one question: may this text go out?
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher.content import frontmatter
from publisher.content.campaigns import CalendarPost
from publisher.core.errors import ContentError
from publisher.core.timeutil import TimeFormatError, parse_time

FILE = Path("data") / "approvals.yaml"
HEADER = (
    "# Approvals recorded by the studio (publisher studio): the text of each item an editor\n"
    "# approved, by its hash. With `required: true`, an article, release or calendar post goes\n"
    "# live or out only while its current text matches its approval. Do not edit by hand.\n"
)


@dataclass(frozen=True)
class Approval:
    key: str  # file_key() or post_key()
    digest: str  # the hash of the text approved
    by: str
    at: dt.datetime  # UTC


@dataclass(frozen=True)
class Approvals:
    root: Path
    required: bool = False
    records: Mapping[str, Approval] = field(default_factory=dict)

    def approved(self, key: str, digest: str) -> bool:
        """Is exactly this text (its digest) approved?"""
        record = self.records.get(key)
        return record is not None and record.digest == digest

    def allows(self, key: str, digest: str) -> bool:
        """May this text go live or out: approval is off, or this very text is approved."""
        return not self.required or self.approved(key, digest)

    def allows_file(self, path: Path) -> bool:
        """The site's question for an article or release file, as it is on disk now."""
        return not self.required or self.approved(file_key(self.root, path), file_digest(path))

    def allows_post(self, campaign_file: Path, post: CalendarPost) -> bool:
        """The engine's question for one post of a campaign calendar."""
        return not self.required or self.approved(
            post_key(self.root, campaign_file, post.id), post_digest(post)
        )


def file_key(root: Path, path: Path) -> str:
    """A file's key: its path in the project, e.g. `content/siaran-pers/sp-2027-001.md`."""
    return path.resolve().relative_to(_resolved(str(root))).as_posix()


@functools.lru_cache(maxsize=64)  # a pure memo of path arithmetic: the root of every key
def _resolved(root: str) -> Path:
    return Path(root).resolve()


def post_key(root: Path, campaign_file: Path, post_id: str) -> str:
    """A calendar post's key: its campaign file and its id, e.g. `campaigns/x.md#pos-01`."""
    return f"{file_key(root, campaign_file)}#{post_id}"


def text_digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """The hash of a file's whole text (front matter and body), as the readers read it."""
    return text_digest(frontmatter.read_text(path))


def post_digest(post: CalendarPost) -> str:
    """The hash of what a calendar post sends: its time, platforms, words, image and link.

    Its position in the file and its status are not part of it: moving a post, or adding
    another one to the calendar, keeps its approval.
    """
    image = {"src": post.image.src, "alt": post.image.alt} if post.image else None
    fields = {
        "id": post.id,
        "at": post.at.astimezone(dt.UTC).isoformat(),
        "platforms": list(post.platforms),
        "text": post.text,
        "wording": dict(sorted(post.wording.items())),
        "image": image,
        "link": post.link,
        "thread": post.thread,
    }
    return text_digest(json.dumps(fields, ensure_ascii=False, sort_keys=True))


def path_of(root: Path) -> Path:
    return root / FILE


def load(root: Path) -> Approvals:
    """data/approvals.yaml of the project at `root`; no file means approval is off."""
    path = path_of(root)
    if not path.is_file():
        return Approvals(root)
    text = frontmatter.read_text(path)
    try:
        node = frontmatter.compose(text)  # the refusals of front matter: no anchors, no depth
        data = _construct(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ContentError(
            path, mark.line + 1 if mark else 1, f"not valid YAML ({exc.problem})"
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, 1, f"not valid YAML ({exc})") from None
    lines = _item_lines(node)
    if not isinstance(data, dict):
        raise ContentError(path, 1, "write 'required: true|false' and 'approvals:'")
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise ContentError(path, lines.get("required", 1), "'required' must be true or false")
    items = data.get("approvals") or []
    if not isinstance(items, list):
        raise ContentError(path, lines.get("approvals", 1), "'approvals' must be a list")
    records: dict[str, Approval] = {}
    for index, item in enumerate(items):
        line = lines.get(f"approvals.{index}", 1)
        if not isinstance(item, dict) or not all(item.get(k) for k in ("key", "sha256", "by")):
            raise ContentError(path, line, "each approval needs key, sha256, by and at")
        try:
            at = parse_time(str(item.get("at") or ""))
        except TimeFormatError as exc:
            raise ContentError(path, line, f"at: {exc}") from None
        key = str(item["key"])
        records[key] = Approval(key, f"sha256:{item['sha256']}", str(item["by"]), at)
    return Approvals(root, required, records)


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _item_lines(node: yaml.Node | None) -> dict[str, int]:
    """Line of each top-level key and of each item of `approvals`, for located errors."""
    found: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found[str(key.value)] = key.start_mark.line + 1
            if isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    found[f"{key.value}.{index}"] = item.start_mark.line + 1
    return found


def dump(approvals: Approvals) -> str:
    """The file's text for these approvals (sorted by key, so diffs stay small)."""
    items: list[dict[str, Any]] = [
        {
            "key": a.key,
            "sha256": a.digest.removeprefix("sha256:"),
            "by": a.by,
            "at": a.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for a in sorted(approvals.records.values(), key=lambda a: a.key)
    ]
    body: str = yaml.safe_dump(
        {"required": approvals.required, "approvals": items},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
    )
    return HEADER + body
