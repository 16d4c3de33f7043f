"""A campaign's `print:` section: every mistake located, and `publisher check` reads it too."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.content.campaign_reader import read_campaign
from publisher.content.check import check_tree
from publisher.content.print_section import HELP_POINTS, MAX_CHARS, MESSAGES
from tests import print_support as pdf

GOOD = """\
print:
  audience: Untuk warga desa
  headline: Tawaran kerja terlalu bagus?
  messages:
    - Periksa dulu sebelum berangkat.
  leaflet:
    signs:
      title: Tanda bahaya
      points: [Gaji terlalu tinggi., Dokumen ditahan.]
    safe_migration:
      title: Berangkat dengan aman
      points: [Lewat jalur resmi., Dengan visa kerja.]
    help:
      title: Ke mana meminta bantuan
      points: [Anda boleh melapor walaupun belum yakin.]
"""


def read(tmp_path: Path, print_yaml: str) -> tuple[object, list[str]]:
    path = tmp_path / f"{pdf.SLUG}.md"
    path.write_text(pdf.sample_text(print_yaml), encoding="utf-8")
    campaign, problems = read_campaign(path)
    lines = pdf.sample_text(print_yaml).splitlines()
    first = lines.index("print:") + 1 if "print:" in lines else 0
    return campaign, [f"{p.line - first}: {p.message}" for p in problems]


def test_the_sample_campaign_has_a_print_section_with_its_lines() -> None:
    campaign, problems = read_campaign(pdf.SAMPLE)
    assert problems == [] and campaign is not None
    section = campaign.print_section
    lines = pdf.SAMPLE.read_text(encoding="utf-8").splitlines()
    assert lines[section.line - 1] == "print:"
    assert lines[section.lines["headline"] - 1].strip().startswith("headline:")
    assert lines[section.lines["leaflet.help"] - 1].strip() == "help:"
    assert section.en is not None and len(section.en.messages) == len(section.words.messages)


def test_a_short_section_without_english_is_fine(tmp_path: Path) -> None:
    campaign, problems = read(tmp_path, GOOD)
    assert problems == []
    assert campaign.print_section.en is None
    assert campaign.print_section.signs.points == ("Gaji terlalu tinggi.", "Dokumen ditahan.")


def test_a_campaign_without_print_has_none(tmp_path: Path) -> None:
    campaign, problems = read(tmp_path, "")
    assert problems == [] and campaign.print_section is None


LONG = "x" * (MAX_CHARS["headline"] + 1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  headline:", "  headlin:"), ["2: unknown field 'headlin' in print; did you mean 'headline'?",
                                         "0: 'print.headline' is required; add 'headline: ...'"]),
        (("  headline: Tawaran kerja terlalu bagus?", f"  headline: {LONG}"),
         [f"2: 'print.headline' has {len(LONG)} characters; print takes at most {MAX_CHARS['headline']}"]),
        (("    - Periksa dulu sebelum berangkat.", "    - Satu.\n    - Dua.\n    - Tiga.\n    - Empat."),
         [f"3: 'print.messages' has 4 items; print takes {MESSAGES[0]} to {MESSAGES[1]}"]),
        (("    - Periksa dulu sebelum berangkat.", "    - {a: b}"),
         ["4: item 1 of 'print.messages' must be text"]),
        (("      points: [Anda boleh melapor walaupun belum yakin.]", "      points: [a, b, c, d]"),
         [f"14: 'print.leaflet.help.points' has 4 items; print takes {HELP_POINTS[0]} to {HELP_POINTS[1]}"]),
        (("    safe_migration:", "    safe_migratio:"),
         ["9: unknown field 'safe_migratio' in print.leaflet; did you mean 'safe_migration'?",
          "5: print.leaflet.safe_migration needs its fields ('title: ...' and the others)"]),
        (("  leaflet:", "  leaflet: null\n  x_leaflet:"),
         ["6: unknown field 'x_leaflet' in print; did you mean 'leaflet'?",
          "0: 'print.leaflet' is required: its panels 'signs', 'safe_migration' and 'help'"]),
    ],
    ids=["unknown field", "too long", "too many messages", "not text", "help points",
         "panel name", "no leaflet"],
)  # fmt: skip
def test_every_problem_is_located(
    tmp_path: Path, change: tuple[str, str], expected: list[str]
) -> None:
    assert change[0] in GOOD
    campaign, problems = read(tmp_path, GOOD.replace(change[0], change[1], 1))
    assert campaign is None
    assert len(problems) == len(expected), problems
    for got, want in zip(problems, expected, strict=True):
        assert got.startswith(want), got


def test_english_needs_one_line_per_message(tmp_path: Path) -> None:
    english = (
        "  en:\n    audience: For villagers\n    headline: Too good?\n    messages: [One., Two.]\n"
    )
    _, problems = read(tmp_path, GOOD + english)
    assert problems == [
        "18: 'print.en.messages' has 2 items and 'print.messages' 1; give one English line for each message"
    ]


def test_pictures_need_a_credit_and_must_be_the_campaigns_own(tmp_path: Path) -> None:
    own = "images/kampanye/hari-dunia-anti-perdagangan-orang-2027.png"
    image = f"  image:\n    src: {own}\n    alt: Kartu kampanye.\n"
    _, problems = read(tmp_path, GOOD + image)
    assert problems == [
        "15: print.image needs 'credit:' (who made the picture); printed pieces show it"
    ]
    other = image.replace(own, "images/og-default.png") + "    credit: Tim Program\n"
    _, problems = read(tmp_path, GOOD + other)
    assert problems[0].startswith(
        "15: print.image 'images/og-default.png' is not one of this campaign's images"
    )
    campaign, problems = read(tmp_path, GOOD + image + "    credit: Tim Program\n")
    assert problems == [] and campaign.print_section.image.credit == "Tim Program"


def test_check_reads_print_texts_for_numbers(tmp_path: Path) -> None:
    held = GOOD.replace("Periksa dulu sebelum berangkat.", "Hubungi WhatsApp 0811-8080-141.")
    unknown = held.replace("Dokumen ditahan.", "Telepon 0812-3456-7890.")
    site = pdf.make_project(tmp_path, pdf.sample_text(unknown))
    problems = [p for p in check_tree(site) if p.path.endswith(f"{pdf.SLUG}.md")]
    text = pdf.sample_text(unknown).splitlines()
    found = {(p.severity, text[p.line - 1].strip()[:30]) for p in problems}
    assert found == {
        ("error", "- Hubungi WhatsApp 0811-8080-1"),
        ("warning", "points: [Gaji terlalu tinggi.,"),
    }, problems
    held_problem = next(p for p in problems if p.severity == "error")
    assert "is on hold in data/hotlines.yaml" in held_problem.message
