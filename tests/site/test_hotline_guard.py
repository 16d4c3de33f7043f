"""The hotline guard: no held number and no near miss of a published hotline is published,
whatever field it is in and however it is written (docs/security-markup.md).

Hotline facts come from data/hotlines.yaml only: 0811-8080-141, 021-129 and 112 are its held
rows; 08111-129-129, 0-800-1000 and +62 21 2924 4800 its published long numbers.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from publisher.content import phones
from publisher.content.check import check_tree
from publisher.core.timeutil import parse_time
from publisher.site import build as build_module
from publisher.site.build import BuildFailed, build_site
from publisher.site.guard import HotlineGuard
from tests.support import ROOT

HOSTILE = ROOT / "tests" / "hostile" / "hotlines"
NOW = parse_time("2026-11-28 12:00")
BOOK = phones.Phonebook.load(ROOT / "data" / "hotlines.yaml")

# Every way of writing a held number that a reader (or a phone) still reads as that number.
LOOK_ALIKES = {
    "plain": "Hubungi 0811-8080-141.",
    "spaces": "WA 0811 8080 141",
    "no separators": "WA 08118080141",
    "non-breaking spaces": "WA 0811\u00a08080\u00a0141",
    "narrow no-break spaces": "WA 0811\u202f8080\u202f141",
    "en dashes": "WA 0811\u20138080\u2013141",
    "em dashes": "WA 0811\u20148080\u2014141",
    "non-breaking hyphens": "WA 0811\u20118080\u2011141",
    "minus signs": "WA 0811\u22128080\u2212141",
    "slashes": "WA 0811/8080/141",
    "dots": "WA 0811.8080.141",
    "middle dots": "WA 0811\u00b78080\u00b7141",
    "zero-width spaces": "WA 0811\u200b8080\u200b141",
    "zero-width joiners": "WA 0\u200d811\u200d8080\u200d141",
    "soft hyphens": "WA 0811\u00ad8080\u00ad141",
    "bidi marks": "WA \u200e0811-8080-141\u200f",
    "full-width digits": "WA \uff10\uff18\uff11\uff11-\uff18\uff10\uff18\uff10-\uff11\uff14\uff11",
    "Arabic-Indic digits": "WA \u0660\u0668\u0661\u0661-\u0668\u0660\u0668\u0660-\u0661\u0664\u0661",
    "decimal entity": "WA &#48;811-8080-141",
    "hex entity": "WA &#x30;&#x38;11-8080-141",
    "named entity spaces": "WA 0811&nbsp;8080&nbsp;141",
    "escaped entity": "WA &amp;#48;811-8080-141",
    "+62": "WA +62 811-8080-141",
    "+62 without spaces": "WA +628118080141",
    "62 without plus": "WA 628118080141",
    "0062": "WA 0062 811 8080 141",
    "tel: link": "tel:08118080141",
    "tel: link, URL-encoded digits": "tel:%30%38%31%31%38%30%38%30%31%34%31",
    "tel: link, encoded +62": "tel:%2B628118080141",
    "tel: link, encoded twice": "tel:%2530811-8080-141",
    "wa.me link": "https://wa.me/628118080141",
    "Markdown emphasis inside": "WA 08**11**-8080-141",
    "wrapped over two lines": "WA 0811-\n8080-141",
    "followed by other digits": "WA 0811-8080-141 24 jam",
    "held form of SAPA 129": "Telepon (021) 129",
    "held form with dash": "Telepon 021-129",
    "held form with +62": "Telepon +62 21 129",
    "held short number after a word": "Telepon 112 sekarang",
    "held short number in a tel: link": "tel:112",
}
NEAR_MISSES = {
    "a digit missing": "WhatsApp 0811-129-129",
    "a digit wrong": "WhatsApp 08111-129-128",
    "two digits swapped": "WhatsApp 08111-192-129",
    "a digit added": "WhatsApp 08111-129-1299",
    "toll-free, a digit wrong": "Telepon 0-800-1001",
    "toll-free, a digit added": "Telepon 0800 1000 0",
    "abroad, a digit wrong": "+62 21 2924 4801",
    "near miss in entities": "&#48;8111-129-128",
}
NOT_PROBLEMS = [
    "Telepon 110 (gratis, 24 jam).",
    "SAPA 129 atau WhatsApp 08111-129-129.",
    "https://wa.me/628111129129",
    "Telepon 0-800-1000, dari luar negeri +62 21 2924 4800.",
    "tel:+622129244800",
    "SMS 1708",
    "Pasal 112 ayat 2 dan 112 orang hadir.",
    "Tanggal 2027-07-30 09:00, pukul 19.00",
    '<time datetime="2026-11-28T12:00:00+07:00">28 November 2026</time>',
    "Biaya Rp5.000.000 dan 1.000 orang",
    "urn:uuid:5b0c1f2e-8d3a-5e6f-9a1b-2c3d4e5f6a7b",
]


@pytest.mark.parametrize("name", list(LOOK_ALIKES))
def test_a_held_number_is_found_however_it_is_written(name: str) -> None:
    found = phones.scan(LOOK_ALIKES[name], BOOK)
    assert [m.kind for m in found] == ["held"], (name, found)
    assert found[0].digits in BOOK.held


@pytest.mark.parametrize("name", list(NEAR_MISSES))
def test_a_near_miss_of_a_published_number_is_found(name: str) -> None:
    found = phones.scan(NEAR_MISSES[name], BOOK)
    assert [m.kind for m in found] == ["near"], (name, found)
    assert found[0].line is not None and found[0].line.number in {
        "08111-129-129",
        "0-800-1000",
        "+62 21 2924 4800",
    }


@pytest.mark.parametrize("text", NOT_PROBLEMS)
def test_published_numbers_dates_and_amounts_are_not_problems(text: str) -> None:
    assert phones.scan(text, BOOK) == []


def test_the_guard_reads_what_a_reader_sees_in_markup_and_feeds() -> None:
    guard = HotlineGuard(BOOK, [], ROOT / "data" / "hotlines.yaml")
    outputs = {
        "split by inline tags": "<p>WA 08<b>11</b>-8080-<span>141</span></p>",
        "a link around part of it": '<p>WA <a href="#x">0811</a>-8080-141</p>',
        "entity in Atom content": "<content>&lt;p&gt;WA &amp;#48;811-8080-141&lt;/p&gt;</content>",
        "URL-encoded tel: href": '<a href="tel:%30811%38080141">WA</a>',
        "og:description": '<meta property="og:description" content="WA 0811 8080 141">',
        "JSON social text": '{"social":{"default":"WA 0811\\u00a08080 141"}}'.replace(
            "\\u00a0", "\u00a0"
        ),
    }
    for name, text in outputs.items():
        assert [m.kind for m in guard.matches(text)][:1] == ["held"], name
    # Block boundaries are not joined: two table cells are two numbers.
    assert guard.matches("<td>0811</td><td>8080141</td>") == []
    # Lines read before and found clean are skipped, but never a number across lines.
    page = "<p>Telepon</p>\n<p>Hubungi kami di\n08<b>\n11</b>-8080-141</p>\n<p>Telepon\n112</p>"
    assert [m.kind for m in guard.matches(page)] == ["held", "held"]
    assert [m.kind for m in guard.matches(page)] == ["held", "held"]  # read again: same


# --- check: every field of every file --------------------------------------------------------


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    for name in ("content", "campaigns", "data", "theme"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pelicanconf.py", root / "pelicanconf.py")
    return root


def test_check_reads_every_field_and_reports_each_problem_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    shutil.copy(HOSTILE / "siaran-nomor-tahan.md", root / "content" / "siaran-pers")
    shutil.copy(HOSTILE / "kampanye-nomor-tahan.md", root / "campaigns")
    found = [
        (p.path.split("/")[-1], p.line, p.message.split(" is ")[1][:10])
        for p in check_tree(root)
        if p.severity == "error"  # not the older `correction:` field's warning
    ]
    release, campaign = "siaran-nomor-tahan.md", "kampanye-nomor-tahan.md"
    held, near = "on hold in", "one digit "
    assert found == [
        (campaign, 11, held),  # image alt, zero-width spaces
        (campaign, 13, held),  # call to action: "Telepon 112"
        (campaign, 18, held),  # event place
        (campaign, 24, near),  # post text, second line of a | block
        (campaign, 26, held),  # Bluesky wording, full-width digits
        (campaign, 29, held),  # post image alt, +62
        (campaign, 32, held),  # body, en dashes
        (release, 7, held),  # correction
        (release, 8, held),  # tags
        (release, 12, held),  # image alt, non-breaking hyphens
        (release, 14, near),  # Mastodon wording
        (release, 18, held),  # caption: (021) 129
        (release, 19, held),  # credit: +62
        (release, 22, held),  # attachment title, slashes
        (release, 27, held),  # body: &#48;
        (release, 29, near),  # body: two digits swapped
        (release, 29, held),  # body: tel: link with URL-encoded digits
    ]
    problems = check_tree(root)
    warned = [p for p in problems if p.severity != "error"]
    assert [(p.line, p.message.split(" still works")[0]) for p in warned] == [(7, "'correction:'")]
    assert "look-alike or invisible characters" in problems[0].message


def test_check_reads_the_press_data_and_the_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    press = root / "data" / "press.yaml"
    press.write_text(press.read_text().replace('phone: ""', 'phone: "0811-8080-141"', 1))
    footer = root / "theme" / "templates" / "components" / "footer.html"
    footer.write_text(footer.read_text() + "<p>WhatsApp 0811-129-129</p>\n")
    found = {(p.path, p.message[:15]) for p in check_tree(root)}
    assert ("data/press.yaml", "'0811-8080-141'") in found
    assert ("theme/templates/components/footer.html", "'0811-129-129' ") in found


# --- build: every published byte -------------------------------------------------------------


def _build(root: Path) -> BuildFailed:
    with pytest.raises(BuildFailed) as failed:
        build_site(root / "pelicanconf.py", output=root / "output", now=NOW,
                   overrides={"SEARCH_INDEX": False})  # fmt: skip
    assert not (root / "output").exists()
    return failed.value


def test_build_stops_on_a_held_number_no_source_rule_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published row's own notes, and the settings, are not content: check passes them,
    the build reads them on the pages and in the feeds and stops."""
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    data = root / "data" / "hotlines.yaml"
    data.write_text(data.read_text().replace(
        'notes: {id: "Berbayar", en: "Not free"}',
        'notes: {id: "Berbayar; atau WA 0811 8080 141", en: "Not free"}'))  # fmt: skip
    settings = root / "pelicanconf.py"
    settings.write_text(settings.read_text().replace(
        'SITESUBTITLE = N_("Informasi dan saluran bantuan pencegahan TPPO")',
        'SITESUBTITLE = N_("Informasi TPPO, WhatsApp 0811-129-129")'))  # fmt: skip
    assert [p for p in check_tree(root) if p.severity == "error"] == []
    problems = _build(root).problems
    assert len(problems) == 2, problems
    by_path = {p.path: p for p in problems}
    row = by_path["data/hotlines.yaml"]
    assert row.line == _line(data, "id: kp2mi-abroad")
    assert "'0811 8080 141' is on hold" in row.message and "bantuan/index.html" in row.message
    subtitle = by_path["pelicanconf.py"]
    assert subtitle.line == _line(settings, "SITESUBTITLE")
    assert "one digit off the published hotline 08111-129-129" in subtitle.message
    assert "feeds/" in subtitle.message


def test_each_problem_is_reported_once_at_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the source rules switched off, the output alone still stops the build: one
    problem for a number published on its page, lists, feeds and syndication.json."""
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setattr(build_module, "_check_errors", lambda *args: [])
    article = root / "content" / "berita" / "nomor.md"
    article.write_text(
        "---\nid: nomor\ntitle: Hubungi 0811 8080 141\ndate: 2026-11-20 09:00\n"
        "summary: Ringkasan biasa.\n---\n\nIsi.\n",
        encoding="utf-8",
    )
    original = build_module.build_site

    def no_helper(*args, **kwargs):  # the helper would run the real check in its process
        kwargs["overrides"] = {**(kwargs.get("overrides") or {}), "BUILD_HELPER": False}
        return original(*args, **kwargs)

    with pytest.raises(BuildFailed) as failed:
        no_helper(root / "pelicanconf.py", output=root / "output", now=NOW,
                  overrides={"SEARCH_INDEX": False})  # fmt: skip
    (problem,) = failed.value.problems
    assert (problem.path, problem.line) == ("content/berita/nomor.md", 3)
    assert "'0811 8080 141' is on hold" in problem.message
    others = int(re.search(r"and (\d+) other file", problem.message).group(1))
    assert others >= 5  # its page, the home page, the news list, feeds, syndication.json


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)
