"""The press list (data/press-list.yaml): who gets releases by e-mail, read and checked.

It holds personal data (names, outlets, addresses), so it is git-ignored (docs/press.md);
data/press-list.example.yaml shows the format. Nothing here prints or logs an address: a
problem names the file and line, never the value, and a Journalist's repr masks it. The
ledger and the outbox know a journalist only by `recipient_id`, an HMAC of the address
with the project's key (publisher/engine/press/keys.py), so a removal can find their
history again while the ledger alone names no one.

    journalists:
      - name: ...
        outlet: ...
        email: ...
        languages: [id, en]        # in order of preference; one copy per release
        topics: [pencegahan]       # ids of data/press.yaml's topics
        campaigns: [hari-dunia-anti-perdagangan-orang-2027]
        accredited: 2026-05-01     # the date accreditation was granted; absent: not accredited
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher.content.hotlines import load_yaml
from publisher.core.errors import ContentError, Problem, display_path
from publisher.core.timeutil import to_wib
from publisher.core.words import did_you_mean

FILE_NAME = "press-list.yaml"
EXAMPLE_NAME = "press-list.example.yaml"
LANGUAGES = ("id", "en")
FIELDS = {"name", "outlet", "email", "languages", "topics", "campaigns", "accredited"}
# One @, a local part without spaces or brackets, a domain with a dot: what a mail server
# takes. Never a newline (it would make a second mail header).
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{4,253}$)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def normal_address(address: str) -> str:
    """How two writings of one address compare: trimmed, lower case."""
    return address.strip().lower()


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address.strip())) and ".." not in address


def recipient_id(key: bytes, address: str) -> str:
    """The pseudonymous id of an address: what the ledger, the outbox and the logs show."""
    digest = hmac.new(key, normal_address(address).encode("utf-8"), hashlib.sha256)
    return "r" + digest.hexdigest()[:20]


@dataclass(frozen=True)
class Journalist:
    name: str
    outlet: str
    email: str = field(repr=False)
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    campaigns: tuple[str, ...]
    accredited: dt.date | None
    line: int

    def accredited_at(self, moment: dt.datetime) -> bool:
        """Accredited at `moment` (the grant's date, in WIB, is on or before it)?"""
        return self.accredited is not None and self.accredited <= to_wib(moment).date()

    def follows(self, topics: Collection[str], campaign: str | None) -> bool:
        return bool(campaign and campaign in self.campaigns) or bool(set(topics) & set(self.topics))

    def language_for(self, available: Collection[str]) -> str | None:
        """The first of this journalist's languages a release exists in."""
        return next((lang for lang in self.languages if lang in available), None)


@dataclass
class PressList:
    path: Path
    journalists: list[Journalist] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # entries left out, and why

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def by_id(self, key: bytes) -> dict[str, Journalist]:
        return {recipient_id(key, j.email): j for j in self.journalists}


def _lines(raw: str) -> list[int]:
    """The line of each entry of `journalists:` (1-based), from the YAML's own marks."""
    try:
        root = yaml.compose(raw)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "journalists" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def entry_spans(raw: str) -> list[tuple[int, int]]:
    """(first line, line after the last) of each entry, 0-based: for removing one.

    An entry runs from the line of its dash to the line where the next token starts (the
    next dash or key, which belongs to the next entry); only the last entry of a file
    without a final newline ends on its own last line. A flow list ([{...}, ...]) has no
    lines of its own per entry, so it is refused rather than half-edited."""
    root = yaml.compose(raw)
    if not isinstance(root, yaml.MappingNode):
        return []
    text = raw.split("\n")
    for key, value in root.value:
        if key.value == "journalists" and isinstance(value, yaml.SequenceNode):
            if value.flow_style and value.value:
                raise ValueError("write 'journalists:' as a block list, one '- name:' per entry")
            spans = []
            for item in value.value:
                start = item.start_mark.line
                # `-` alone on its line, the entry below it: take the dash line too.
                while start > 0 and not text[start][: item.start_mark.column].strip():
                    start -= 1
                end = item.end_mark.line
                at_eof = item.end_mark.index >= len(raw.rstrip("\n"))
                end = end + 1 if at_eof and item.end_mark.column > 0 else end
                spans.append((start, end))
            return spans
    return []


def _text_list(value: Any) -> tuple[str, ...] | None:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v).strip() for v in value)
    return None


def _date(value: Any) -> dt.date | str | None:
    """The accreditation's date; None when not accredited; a problem as text."""
    if value in (None, "", False):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return "accredited: write the date it was granted, e.g. 'accredited: 2026-05-01'"


def load(path: Path) -> PressList:
    """The press list; entries with problems are left out (and listed). A missing file is an
    empty list: a fresh clone sends to no one."""
    found = PressList(path)
    if not path.is_file():
        return found
    raw = path.read_text(encoding="utf-8")
    data = load_yaml(path, raw)
    items = data.get("journalists") or []
    if not isinstance(items, list):
        raise ContentError(path, 1, "'journalists:' must be a list of entries")
    lines = _lines(raw)
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        entry = _entry(path, item, line, found.problems)
        if entry is None:
            continue
        first = seen.get(normal_address(entry.email))
        if first is not None:
            found.problems.append(
                Problem(
                    display_path(path),
                    line,
                    f"the same e-mail address as the entry at "
                    f"line {first}; keep one entry per person (this one is left out)",
                )
            )
            continue
        seen[normal_address(entry.email)] = line
        found.journalists.append(entry)
    return found


def _entry(path: Path, item: Any, line: int, problems: list[Problem]) -> Journalist | None:
    where = display_path(path)

    def refuse(message: str) -> None:
        problems.append(Problem(where, line, f"{message} (this entry is left out)"))

    if not isinstance(item, dict):
        refuse("an entry needs 'name:', 'outlet:', 'email:' and 'languages:'")
        return None
    for key in item:
        if key not in FIELDS:
            refuse(f"unknown field '{key}'{did_you_mean(str(key), FIELDS)} "
                   f"(fields: {', '.join(sorted(FIELDS))})")  # fmt: skip
            return None
    address = str(item.get("email") or "")
    if not valid_address(address):
        # The value itself is never repeated: it is personal data.
        refuse("the e-mail address is missing or not valid (one @ and a domain, no spaces)")
        return None
    name, outlet = str(item.get("name") or "").strip(), str(item.get("outlet") or "").strip()
    if not name or not outlet or "\n" in name + outlet:
        refuse("'name:' and 'outlet:' are required, each on one line")
        return None
    languages, topics, campaigns = (
        _text_list(item.get(k)) for k in ("languages", "topics", "campaigns")
    )
    if languages is None or topics is None or campaigns is None:
        refuse("'languages:', 'topics:' and 'campaigns:' are lists, e.g. 'languages: [id, en]'")
        return None
    wrong = [lang for lang in languages if lang not in LANGUAGES]
    if not languages or wrong:
        refuse("'languages:' lists 'id' (Indonesian) and/or 'en' (English), in order of preference")
        return None
    granted = _date(item.get("accredited"))
    if isinstance(granted, str):
        refuse(granted)
        return None
    return Journalist(name, outlet, address.strip(), languages, topics, campaigns, granted, line)


def problems(
    press_list: PressList, topics: Iterable[str], campaigns: Iterable[str],
    today: dt.date | None = None,
) -> list[Problem]:  # fmt: skip
    """Everything `publisher check` says about the list: entries left out, topics and
    campaigns nobody publishes under, accreditations dated in the future, a file others
    can read."""
    found = list(press_list.problems)
    where = display_path(press_list.path)
    known_topics, known_campaigns = set(topics), set(campaigns)
    for person in press_list.journalists:
        for topic in person.topics:
            if topic not in known_topics:
                hint = did_you_mean(topic, known_topics)
                found.append(Problem(where, person.line, f"unknown topic '{topic}'{hint} "
                                     "(topics are listed in data/press.yaml)"))  # fmt: skip
        for slug in person.campaigns:
            if slug not in known_campaigns:
                hint = did_you_mean(slug, known_campaigns)
                found.append(Problem(where, person.line, f"unknown campaign '{slug}'{hint} "
                                     "(campaigns are the files in campaigns/)"))  # fmt: skip
        if not person.topics and not person.campaigns:
            found.append(Problem(where, person.line, "this entry follows no topic and no "
                                 "campaign, so it gets nothing; add 'topics:'", "warning"))  # fmt: skip
        if today is not None and person.accredited is not None and person.accredited > today:
            found.append(Problem(where, person.line, "accredited in the future: embargoed "
                                 "copies go to this entry only from that date", "warning"))  # fmt: skip
    if press_list.exists and press_list.path.stat().st_mode & 0o077:
        found.append(Problem(where, 1, "other users of this machine can read the press list "
                             f"(personal data): chmod 600 {where}", "warning"))  # fmt: skip
    return found
