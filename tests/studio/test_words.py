"""The studio speaks Indonesian first and English on request: every phrase has English."""

from __future__ import annotations

import re

from publisher.studio import words
from publisher.studio.english import ENGLISH
from tests.support import ROOT

STUDIO = ROOT / "publisher" / "studio"


def phrases() -> set[str]:
    found: set[str] = set()
    for path in (STUDIO / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', text))
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'", text))
    for table in (words.DONE, words.STATE_LABELS, words.FIELD_LABELS, words.KIND_LABELS,
                  words.ROLE_LABELS):  # fmt: skip
        found |= set(table.values())
    found |= {words.FORM_EXPIRED, words.LOGIN_FIRST, words.BROKEN}
    for path in (STUDIO / "views").glob("*.py"):
        found |= set(re.findall(r'error\(\s*request, \d+, "([^"]+)"', path.read_text()))
    return found


def test_every_phrase_has_english_with_the_same_placeholders() -> None:
    missing = sorted(p for p in phrases() if p not in ENGLISH)
    assert missing == []
    for phrase, english in ENGLISH.items():
        assert set(re.findall(r"{\w+}", phrase)) == set(re.findall(r"{\w+}", english)), phrase


def test_no_english_entry_is_left_unused() -> None:
    used = phrases() | {"Hanya untuk peran {role} ke atas.", "Commit git: {commit}."}
    assert sorted(set(ENGLISH) - used) == []


def test_the_translator() -> None:
    english, indonesian = words.translator("en"), words.translator("id")
    assert english("Kalender") == "Calendar"
    assert indonesian("{n} entri", n=3) == "3 entri" and english("{n} entri", n=3) == "3 entries"
    assert english("a message of the library") == "a message of the library"
    assert words.day_name("id")(0) == "Senin" and words.month_name("en")(7) == "July"


def test_the_phrase_finder_finds_phrases() -> None:
    assert "Kalender" in phrases() and "Setujui teks ini" in phrases()
