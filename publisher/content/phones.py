"""Phone numbers as a reader would dial them, matched against data/hotlines.yaml.

A wrong number on this site can send a person in danger to a trafficker, so a number on
hold, or a number one digit off a published hotline, must never be published. Text is
normalised before numbers are read from it, so that no way of writing a number hides it:

- HTML entities (`&#48;811`) and URL escapes (`tel:%30811`) are decoded, repeatedly (an
  escaped escape is still a number in a feed reader that decodes twice);
- Unicode NFKC (full-width digits, non-breaking and narrow spaces, `①`), digits of every
  script (Arabic-Indic `٠٨١١`...), and invisible characters (zero-width spaces and joiners,
  soft hyphens, bidirectional marks: Unicode's Cf) removed;
- any dash, the minus sign, middle dots and slashes are separators like '-', and Markdown's
  emphasis markers (`08**11**`) too.

Then a number is digits with at most three separators between groups, `+62`/`0062` read as
`0` (as dialled inside Indonesia). Every run of consecutive groups is compared, so a held
number next to other digits ("0811-8080-141 24 jam") is still found, and the groups of a
published number ("+62 21 2924 4800") never count as a near miss of another.

`publisher check` runs this on every field and body (publisher/content/check_safety.py); the
build runs it on every published byte (publisher/site/guard.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from publisher.content import hotlines

NEAR_MISS_DIGITS = 6  # a number this long, one digit off a published hotline, is an error

_NEWLINE_ESCAPES = re.compile(r"&(?:#0*1[03]|#[xX]0*[aAdD]|NewLine);?|(?:%0[aAdD])+")
_ESCAPE = re.compile(
    r"&(?:#\d{1,8}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?|(?:%[0-9A-Fa-f]{2})+"
)
_EXTRA_INVISIBLE = frozenset((0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180B, 0x180C, 0x180D))
_EXTRA_DASH = frozenset((0x2212, 0x2043, 0x2027, 0x2219, 0x00B7, 0x30FB, 0xFF65))
_SLASHES = frozenset((0x2044, 0x2215, 0x29F8))
_DIGIT = re.compile(r"\d")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class CharTable(dict):  # type: ignore[type-arg]
    """str.translate table filled as characters are met (a build meets few distinct ones):
    invisible characters (Unicode Cf) removed, digits of every script to 0-9, dashes, middle
    dots and minus to '-', slashes to '/', spaces but the newline to ' '."""

    def __missing__(self, code: int) -> int | str | None:
        char = chr(code)
        category = unicodedata.category(char)
        value: int | str | None = code
        if category == "Cf" or code in _EXTRA_INVISIBLE:
            value = None
        elif category == "Nd":
            value = str(unicodedata.decimal(char, 0))
        elif category == "Pd" or code in _EXTRA_DASH:
            value = "-"
        elif code in _SLASHES:
            value = "/"
        elif char != "\n" and char.isspace() and code > 127:
            value = " "
        self[code] = value
        return value


# Between digit groups: spaces, dashes, dots, slashes, parentheses and Markdown emphasis,
# one to three of them, never a blank line.
# (No optional "+" in front: a pattern that starts with \d is scanned three times faster;
# a "+" before a number is looked at by _match.)
_RUN = re.compile(r"\d+(?:(?:[ \t\-./()*_`~]|\n(?![ \t]*\n)){1,3}\d+)*")
_GROUP = re.compile(r"\d+")
# Words (and link prefixes) right before a short number that make it a phone number.
CONTEXT_NAMES = ("telepon", "telp", "tel", "hubungi", "panggil", "call", "phone", "sms", "wa",
                 "whatsapp", "hotline", "nomor", "no", "sapa", "dial", "kontak", "contact")  # fmt: skip
CONTEXT_PREFIXES = ("tel:", "sms:", "callto:", "wa.me/")
CONTEXT_WORDS = (
    r"(?:\b(?:"
    + "|".join(CONTEXT_NAMES)
    + r")|"
    + "|".join(re.escape(p) for p in CONTEXT_PREFIXES)
    + ")"
)
# The same, spelled backwards: the output guard reads a line's end from its last character.
CONTEXT_WORDS_REVERSED = (
    r"(?:(?:"
    + "|".join(w[::-1] for w in CONTEXT_NAMES)
    + r")\b|"
    + "|".join(re.escape(p[::-1]) for p in CONTEXT_PREFIXES)
    + ")"
)
_CONTEXT = re.compile(CONTEXT_WORDS + r"[\s.:*_+]*$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,4}[-./ ]\d{1,2}[-./ ]\d{1,4}$")


def normalise(text: str, table: CharTable | None = None) -> str:
    """`text` as a reader sees its digits; the number of lines is kept (line numbers hold)."""
    for _ in range(3):  # again only if a decoded escape made another: `&amp;#48;`, `%2530`
        nested = False

        def decode(match: re.Match[str]) -> str:
            nonlocal nested
            escaped = match.group()
            if _NEWLINE_ESCAPES.fullmatch(escaped):
                return " "
            if escaped[0] == "&":
                decoded = html.unescape(escaped)
            else:
                try:
                    decoded = unquote(escaped, errors="strict")
                except UnicodeDecodeError:
                    return escaped
            decoded = decoded.replace("\n", " ").replace("\r", " ")
            nested = nested or "&" in decoded or "%" in decoded
            return decoded

        if "&" in text or "%" in text:
            text = _ESCAPE.sub(decode, text)
        if not nested:
            break
    if not text.isascii():
        table = table if table is not None else CharTable()
        # Only the non-ASCII stretches change; most pages have a few (dashes, quotes).
        text = _NON_ASCII.sub(lambda m: unicodedata.normalize("NFKC", m.group()).translate(table),
                              text)  # fmt: skip
    return text


def dialled(text: str) -> str:
    """The digits of a number as dialled inside Indonesia: +62/0062/62 become 0."""
    only = re.sub(r"\D", "", text)
    if only.startswith("0062") and len(only) > 8:
        return "0" + only[4:]
    return hotlines.digits(only)


@dataclass(frozen=True)
class Line:
    """A hotline row's number as the site publishes it."""

    number: str  # as written in data/hotlines.yaml
    service: str
    row: str


@dataclass
class Phonebook:
    """The published and held numbers of data/hotlines.yaml, by their dialled digits."""

    published: dict[str, Line] = field(default_factory=dict)
    held: dict[str, Line] = field(default_factory=dict)
    table: CharTable = field(default_factory=CharTable)
    # Classification of long runs by their text: a site repeats the same numbers on every
    # page (the footer's hotlines, dates), and the build reads every page.
    # None: never a problem, whatever stands before it.
    runs: dict[str, tuple[str, int, int, str, Line] | None] = field(default_factory=dict)

    def normalise(self, text: str) -> str:
        return normalise(text, self.table)

    @classmethod
    def load(cls, path: Path) -> Phonebook:
        book = cls()
        for row in hotlines.load(path):
            service = row.text("service", "en") or row.id
            if row.published:
                for link in row.links:
                    if link.kind in ("tel", "sms", "whatsapp"):
                        book.published.setdefault(dialled(link.href), Line(row.number or
                                                  link.href, service, row.id))  # fmt: skip
                if row.number and dialled(row.number):
                    book.published[dialled(row.number)] = Line(row.number, service, row.id)
            elif row.number and dialled(row.number):
                book.held[dialled(row.number)] = Line(row.number, service, row.id)
        book.published.pop("", None)
        return book

    def near(self, digits: str) -> Line | None:
        """The published number `digits` is one digit off (wrong, missing, extra or two
        swapped), for numbers of NEAR_MISS_DIGITS or more."""
        if len(digits) < NEAR_MISS_DIGITS or digits in self.published:
            return None
        if not any(abs(len(digits) - len(number)) <= 1 for number in self.published):
            return None
        for number, line in self.published.items():
            if len(number) >= NEAR_MISS_DIGITS and _one_off(digits, number):
                return line
        return None


def _one_off(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])  # fmt: skip
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]


@dataclass(frozen=True)
class Match:
    """A number in normalised text that must not be published, or that looks unknown."""

    kind: str  # "held" | "near" | "unknown"
    text: str  # as it appears in the normalised text
    digits: str
    line: Line | None  # the held row, or the published row it is one digit off
    index: int  # in the normalised text
    newlines: int  # newlines before it (its line in the text, from 0)

    @property
    def severity(self) -> str:
        return "warning" if self.kind == "unknown" else "error"

    def message(self) -> str:
        if self.kind == "held":
            return (f"'{self.text}' is on hold in data/hotlines.yaml (not confirmed by its "
                    "agency); remove it from the text")  # fmt: skip
        if self.kind == "near" and self.line is not None:
            return (f"'{self.text}' is one digit off the published hotline "
                    f"{self.line.number} ({self.line.service}): a wrong number can send a "
                    "person in danger to the wrong place; write it exactly as "
                    "data/hotlines.yaml has it")  # fmt: skip
        return (f"'{self.text}' looks like a phone number but is not a published row of "
                "data/hotlines.yaml; a wrong number is the worst error this site can make: "
                "check it")  # fmt: skip


def scan(text: str, book: Phonebook, unknown: bool = False, normalised: bool = False
         ) -> list[Match]:  # fmt: skip
    """Held numbers and near misses in `text` (and, with `unknown`, phone-looking numbers
    that are not published: warnings for `check`), in order, each once."""
    norm = text if normalised else book.normalise(text)
    if not _DIGIT.search(norm):
        return []
    found: list[Match] = []
    runs = book.runs
    for run in _RUN.finditer(norm):
        text = run.group()
        if len(text) < 3:  # no hotline has fewer than three digits
            continue
        if not unknown and text in runs and runs[text] is None:
            continue  # seen before, and never a problem wherever it stands
        match = _classify(norm, run, book, unknown)
        if match is not None:
            found.append(match)
    return found


def _classify(norm: str, run: re.Match[str], book: Phonebook, unknown: bool) -> Match | None:
    text = run.group()
    groups = [(g.start(), g.end()) for g in _GROUP.finditer(text)]
    lengths = [b - a for a, b in groups]
    if sum(lengths) < NEAR_MISS_DIGITS:  # most runs: dates, sizes, short numbers
        # A short held number (112) counts after a word such as "telepon" or in a tel: link.
        digits = "".join(text[a:b] for a, b in groups)
        if digits not in book.held and not unknown:
            book.runs[text] = None
            return None
        context = _CONTEXT.search(norm, max(0, run.start() - 24), run.start()) is not None
        if digits in book.held and context:
            start = run.start()
            return Match("held", text, digits, book.held[digits], start,
                         norm.count("\n", 0, start))  # fmt: skip
        return _unknown(norm, run, groups, context, book) if unknown else None
    if not unknown and text in book.runs:
        return _match(norm, run, groups, book.runs[text])
    best = _best(text, groups, lengths, book)
    if not unknown:
        book.runs[text] = best
    if best is None:
        if not unknown:
            return None
        context = _CONTEXT.search(norm, max(0, run.start() - 24), run.start()) is not None
        return _unknown(norm, run, groups, context, book)
    return _match(norm, run, groups, best)


_Best = tuple[str, int, int, str, Line]


def _best(text: str, groups: list[tuple[int, int]], lengths: list[int], book: Phonebook
          ) -> _Best | None:  # fmt: skip
    """The held number, else the near miss, among the runs of consecutive groups."""
    numbers: dict[tuple[int, int], str] = {}
    for i, j in _spans(len(groups)):
        if sum(lengths[i : j + 1]) >= NEAR_MISS_DIGITS:
            numbers[(i, j)] = _dialled_digits("".join(text[a:b] for a, b in groups[i : j + 1]))
    covered: set[int] = set()  # groups inside a published number: never a near miss
    for (i, j), digits in numbers.items():
        if digits in book.published:
            covered.update(range(i, j + 1))
    best: _Best | None = None
    for (i, j), digits in numbers.items():
        if all(k in covered for k in range(i, j + 1)):
            continue
        if digits in book.held:
            best = ("held", i, j, digits, book.held[digits])
            break
        if best is None and (line := book.near(digits)) is not None:
            best = ("near", i, j, digits, line)
    return best


def _match(norm: str, run: re.Match[str], groups: list[tuple[int, int]], best: _Best | None
           ) -> Match | None:  # fmt: skip
    if best is None:
        return None
    kind, i, j, digits, line = best
    start = run.start() + (0 if i == 0 else groups[i][0])
    if i == 0:  # "+62 811..." as it was written
        before = norm[max(0, start - 2) : start]
        start -= 1 if before.endswith("+") else 2 if before == "+ " else 0
    if start and norm[start - 1] == "(":  # "(021) 129" as it was written
        start -= 1
    end = run.start() + groups[j][1]
    return Match(kind, norm[start:end], digits, line, start, norm.count("\n", 0, start))


def _dialled_digits(digits: str) -> str:
    if digits.startswith("0062") and len(digits) > 8:
        return "0" + digits[4:]
    return "0" + digits[2:] if digits.startswith("62") and len(digits) > 6 else digits


def _spans(count: int) -> Iterator[tuple[int, int]]:
    """Runs of consecutive groups, longest first (at most 8 groups long)."""
    for size in range(min(count, 8), 0, -1):
        for i in range(count - size + 1):
            yield i, i + size - 1


def _digits(norm: str, groups: list[tuple[int, int]], i: int, j: int) -> str:
    return "".join(norm[a:b] for a, b in groups[i : j + 1])


def _unknown(norm: str, run: re.Match[str], groups: list[tuple[int, int]], context: bool,
             book: Phonebook) -> Match | None:  # fmt: skip
    """A number that looks like a phone number (Indonesian prefix and 7 digits or more, or
    3-5 digits after a word such as 'telepon') and is not published."""
    text = run.group().strip(" .-()*_`~\t\n")
    if not text:
        return None
    digits = dialled(text)
    if digits in book.published or digits in book.held:
        return None
    prefixed = text.startswith(("62", "(0", "0")) or norm[run.start() - 1 : run.start()] == "+"
    long = prefixed and len(digits) >= 7 and not _DATE_LIKE.match(text)
    short = context and 3 <= len(digits) <= 5 and len(groups) == 1
    if not (long or short):
        return None
    start = run.start() + run.group().index(text[0])
    if norm[max(0, start - 1) : start] == "+":  # "+62 812..." as it was written
        start, text = start - 1, "+" + text
    return Match("unknown", text, digits, None, start, norm.count("\n", 0, start))
