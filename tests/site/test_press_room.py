"""The press room's additions in the built site: each release's PDF, filters with their own
feeds, English feed titles, named contacts with vCards, corrections on the page and in the
feed. The PDF's text is read back with pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from publisher.content.check import Checker
from publisher.content.hotlines import published_numbers
from publisher.core.project import Project
from publisher.site.release_pdf import SIZE_BUDGET
from publisher.site.syndication_feed import feed_entry_id
from tests.print_support import fonts_of, phone_numbers, text_of
from tests.site.test_build import make_project, run_build
from tests.support import ROOT

PDF = "siaran-pers/sp-2026-001/sp-2026-001.pdf"
HUMAS = "Humas Pemerintah Kabupaten Bengkulu Tengah"


def test_each_live_release_has_its_pdf_linked_on_its_page(output: Path) -> None:
    for page, pdf in (
        (PDF.rsplit("/", 1)[0], PDF),
        ("en/press-releases/sp-2026-001", "en/press-releases/sp-2026-001/sp-2026-001.pdf"),
    ):
        soup = BeautifulSoup((output / page / "index.html").read_text(), "lxml")
        link = soup.select_one(f"article.release a[href$='{pdf}']")
        assert link is not None and "PDF" in link.text
        assert (output / pdf).read_bytes().startswith(b"%PDF")


def test_the_pdf_has_letterhead_date_contacts_hotlines_and_page_numbers(output: Path) -> None:
    text = text_of(output / PDF)
    assert "Pemerintah Kabupaten Bengkulu Tengah" in text.split("\n", 3)[0]  # the letterhead
    assert "SIARAN PERS" in text and "16 November 2026, 09:00 WIB" in text
    assert HUMAS in text and "Hubungan masyarakat" in text
    for number in ("110", "129", "08111-129-129"):  # the site's hotline strip
        assert number in text
    assert re.search(r"Halaman 1 dari \d", text)
    assert phone_numbers(text) <= published_numbers(ROOT / "data/hotlines.yaml")  # no other
    assert "EMBARGO" not in text  # this release had none


def test_the_pdf_stays_under_its_size_budget_with_its_fonts_embedded(output: Path) -> None:
    size = (output / PDF).stat().st_size
    assert size < SIZE_BUDGET
    names = {f.name.split("+")[-1] for f in fonts_of(output / PDF)}
    assert names <= {"Noto-Sans", "Noto-Sans-Bold"}  # Debian's Noto Sans only
    assert all(f.embedded for f in fonts_of(output / PDF))


def test_no_pdf_and_no_filter_shows_an_embargoed_release(output: Path) -> None:
    assert not (output / "siaran-pers/sp-2027-001").exists()
    for feed in (output / "feeds/siaran-pers").rglob("*.xml"):
        assert "sp-2027-001" not in feed.read_text()
    assert not (output / "siaran-pers/kampanye").exists()  # its campaign has no live release yet
    soup = BeautifulSoup((output / "ruang-media/index.html").read_text(), "lxml")
    filters = soup.select_one("ul.filters").text
    assert "Topik: Pencegahan" in filters and "Kampanye" not in filters


def test_filters_by_topic_campaign_and_language_each_have_a_feed(output: Path) -> None:
    soup = BeautifulSoup((output / "ruang-media/index.html").read_text(), "lxml")
    links = [a["href"] for a in soup.select("ul.filters a")]
    assert any(h.endswith("siaran-pers/topik/pencegahan/") for h in links)
    assert any(h.endswith("feeds/siaran-pers/topik/pencegahan.atom.xml") for h in links)
    page = BeautifulSoup((output / "siaran-pers/topik/pencegahan/index.html").read_text(), "lxml")
    assert page.h1.text == "Topik: Pencegahan"
    assert page.find("link", rel="alternate", href=re.compile("topik/pencegahan.atom.xml"))
    feed = feedparser.parse((output / "feeds/siaran-pers/topik/pencegahan.atom.xml").read_bytes())
    assert feed.bozo == 0 and [e.id for e in feed.entries] == [feed_entry_id("sp-2026-001")]
    empty = feedparser.parse(
        (output / "feeds/siaran-pers/topik/penegakan-hukum.atom.xml").read_bytes()
    )
    assert empty.bozo == 0 and empty.entries == []
    assert (output / "siaran-pers/index.html").is_file() and (
        output / "en/press-releases/index.html"
    ).is_file()


def test_english_feeds_have_english_titles_and_descriptions(output: Path) -> None:
    for name in ("en/feeds/siaran-pers.atom.xml", "en/feeds/all.atom.xml",
                 "en/feeds/press-releases/topic/pencegahan.atom.xml"):  # fmt: skip
        feed = feedparser.parse((output / name).read_bytes()).feed
        assert feed.title.startswith("Preventing Human Trafficking — Bengkulu Tengah: "), name
        assert feed.subtitle.startswith("Information and help lines"), name
        assert "Cegah" not in feed.title and "Informasi" not in feed.subtitle
    topic = feedparser.parse(
        (output / "en/feeds/press-releases/topic/pencegahan.atom.xml").read_bytes()
    )
    assert topic.feed.title.endswith("press releases, Topic: Prevention")
    indonesian = feedparser.parse((output / "feeds/siaran-pers.atom.xml").read_bytes()).feed
    assert indonesian.title.startswith("Cegah Perdagangan Orang")


def test_each_published_contact_has_a_vcard_and_held_ones_are_nowhere(output: Path) -> None:
    card = (output / "ruang-media/kontak/humas-pemkab.vcf").read_bytes()
    assert card.startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n") and card.endswith(b"END:VCARD\r\n")
    assert f"FN:{HUMAS}".encode() in card
    assert not (output / "ruang-media/kontak/juru-bicara-contoh.vcf").exists()
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".vcf", ".pdf"}:
            assert b"Contoh Juru Bicara" not in path.read_bytes(), path
    soup = BeautifulSoup((output / "ruang-media/index.html").read_text(), "lxml")
    assert soup.select_one("ul.contacts a[href$='ruang-media/kontak/humas-pemkab.vcf']")


# --- a project of its own: a named officer, corrections --------------------------------

PRESS_YAML = """\
topics:
  - id: pencegahan
    name: {id: "Pencegahan", en: "Prevention"}
contacts:
  - id: humas-pemkab
    status: publish
    name: "Humas Pemerintah Kabupaten Bengkulu Tengah"
    role: {id: "Hubungan masyarakat", en: "Public relations"}
  # A fictional officer for this test only (example.org reaches no one).
  - id: petugas-uji
    status: publish
    name: "Petugas Uji (fiktif)"
    role: {id: "Juru bicara", en: "Spokesperson"}
    phone: "%s"
    whatsapp: "%s"
    email: "petugas.uji@example.org"
  - id: ditahan
    status: hold
    name: "Orang Ditahan (fiktif)"
    role: {id: "Belum dikonfirmasi", en: "Not confirmed"}
    phone: "0812-5555-0100"
boilerplate: {id: "Tentang program.", en: "About the programme."}
"""
RELEASE = """\
---
id: sp-uji
title: Siaran uji
date: 2026-11-20 09:00
summary: Ringkasan uji.
topics: [pencegahan]
contacts: [humas-pemkab, petugas-uji]
corrections:
  - date: 2026-11-22 10:00
    text: Nama lembaga diperbaiki.
  - date: 2026-11-21 08:00
    text: Tanggal acara diperbaiki.
---

Isi siaran uji. Dalam bahaya, telepon 110.
"""
HELP = "---\ntitle: Butuh Bantuan?\nslug: bantuan\n---\nIsi.\n"


def _project(tmp: Path, phone: str, whatsapp: str) -> Path:
    settings = make_project(tmp, {"siaran-pers/uji.md": RELEASE, "pages/bantuan.md": HELP})
    press = tmp / "data" / "press.yaml"
    press.write_text(PRESS_YAML % (phone, whatsapp), encoding="utf-8")
    with settings.open("a", encoding="utf-8") as conf:
        conf.write(f"PRESS_FILE = {str(press)!r}\n")
    return settings


@pytest.fixture(scope="module")
def officer_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("officer")
    settings = _project(tmp, "0812-0000-0001", "0812-0000-0002")  # fictional, for this test
    done = run_build(settings, tmp / "out", "--now", "2026-11-28 12:00")
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp / "out"


def test_a_named_officer_shows_role_phone_whatsapp_email_and_vcard(officer_site: Path) -> None:
    soup = BeautifulSoup((officer_site / "siaran-pers/sp-uji/index.html").read_text(), "lxml")
    contacts = soup.select_one("article.release ul.contacts").text
    for shown in ("Petugas Uji (fiktif)", "Juru bicara", "0812-0000-0001", "0812-0000-0002",
                  "petugas.uji@example.org"):  # fmt: skip
        assert shown in contacts
    assert soup.select_one("a[href='https://wa.me/6281200000002']")
    card = (officer_site / "ruang-media/kontak/petugas-uji.vcf").read_text()
    assert (
        "TEL;TYPE=WORK,VOICE:0812-0000-0001" in card
        and "EMAIL;TYPE=INTERNET,WORK:petugas.uji@example.org" in card
    )
    text = text_of(officer_site / "siaran-pers/sp-uji/sp-uji.pdf")
    assert (
        "Petugas Uji (fiktif)" in text
        and "0812-0000-0001" in text
        and "petugas.uji@example.org" in text
    )
    for path in officer_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".vcf", ".pdf"}:
            assert (
                b"0812-5555-0100" not in path.read_bytes()
                and b"Orang Ditahan" not in path.read_bytes()
            )


def test_corrections_are_on_the_page_and_update_the_feed_entry(officer_site: Path) -> None:
    soup = BeautifulSoup((officer_site / "siaran-pers/sp-uji/index.html").read_text(), "lxml")
    notes = [p.text for p in soup.select("article p.correction")]
    assert len(notes) == 2 and "Tanggal acara" in notes[0] and "Nama lembaga" in notes[1]
    feed = feedparser.parse((officer_site / "feeds/siaran-pers.atom.xml").read_bytes())
    entry = next(e for e in feed.entries if e.id == feed_entry_id("sp-uji"))
    assert entry.updated_parsed[:5] == (2026, 11, 22, 3, 0)  # 10:00 WIB, the last correction
    assert "Nama lembaga diperbaiki." in entry.content[0].value
    text = text_of(officer_site / "siaran-pers/sp-uji/sp-uji.pdf")
    assert "Koreksi" in text and "Nama lembaga diperbaiki." in text


def test_an_officer_number_on_hold_as_a_hotline_stops_the_build(tmp_path: Path) -> None:
    settings = _project(tmp_path, "0811-8080-141", "")  # on hold in data/hotlines.yaml
    done = run_build(settings, tmp_path / "out", "--now", "2026-11-28 12:00")
    assert done.returncode != 0
    assert "0811-8080-141" in done.stderr and "on hold" in done.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_the_release_pdf_and_the_mail_planner_import_no_pelican() -> None:
    """Both run inside a tick (publisher/ops/runner.py injects the printer)."""
    code = (
        "import sys, publisher.site.release_pdf, publisher.engine.press.planner; "
        "print(any(m.split('.')[0] == 'pelican' for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_old_correction_field_still_works_and_check_asks_for_the_list(tmp_path: Path) -> None:
    old = RELEASE.replace(
        "corrections:\n  - date: 2026-11-22 10:00\n    text: Nama lembaga diperbaiki.\n  - date: 2026-11-21 08:00\n    text: Tanggal acara diperbaiki.\n",
        "modified: 2026-11-22 10:00\ncorrection: Nama lembaga diperbaiki.\n",
    )
    old = old.replace("contacts: [humas-pemkab, petugas-uji]", "contacts: [humas-pemkab]")
    settings = make_project(tmp_path, {"siaran-pers/uji.md": old, "pages/bantuan.md": HELP})
    done = run_build(settings, tmp_path / "out", "--now", "2026-11-28 12:00")
    assert done.returncode == 0, done.stderr
    soup = BeautifulSoup((tmp_path / "out/siaran-pers/sp-uji/index.html").read_text(), "lxml")
    assert "Nama lembaga diperbaiki." in soup.select_one("article p.correction").text
    found = Checker(Project.from_settings_file(settings)).run()
    [warning] = [p for p in found if "write corrections as a list" in p.message]
    assert warning.severity == "warning" and warning.line == 9  # the line of correction:
