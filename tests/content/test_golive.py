"""Go-live, hostile fixtures: nothing of an embargoed release exists in any output before its
go-live, and all of it exists from then on (issue 15, section 1).

The release has an English translation without an embargo of its own, a lead image, a
gallery image with a hi-res file, an attachment, and a body that links a file and shows an
image found nowhere else. Built for production (fingerprints, .gz and .br twins, search
index) one minute before go-live and at go-live, every byte of every output file is searched,
compressed twins and Pagefind's index decompressed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import shutil
import time
from pathlib import Path

import brotli
import pytest

from publisher.content.check import check_tree
from publisher.content.fields import ContentMeta
from publisher.content.golive import (
    FUTURE_MARKER,
    GoLiveRule,
    feed_times,
    future_marker,
    own_time,
)
from publisher.core.timeutil import parse_time
from publisher.site.build import BuildFailed, build_site
from tests.support import ROOT

GO_LIVE = parse_time("2027-07-30 09:00")
UID = "sp-2027-rahasia"
# Bytes that exist only in the embargoed release and its files.
SECRETS = {
    "title": "Judul rahasia Q7X",
    "summary": "Ringkasan rahasia Q7X",
    "body": "Isi rahasia Q7X-ID",
    "english body": "Secret body Q7X-EN",
    "uid": UID,
    "lead image": "RAHASIA-FOTO-Q7X",
    "gallery image": "RAHASIA-GALERI-Q7X",
    "hi-res image": "RAHASIA-HIRES-Q7X",
    "attachment": "RAHASIA-LAMPIRAN-Q7X",
    "body-linked file": "RAHASIA-TAUTAN-Q7X",
    "body image": "RAHASIA-TUBUH-Q7X",
    "file names": "rahasia-q7x",
}
SHARED_IMAGE = "SHARED-WITH-A-LIVE-ITEM-Q7X"


def svg(marker: str) -> str:
    # Long enough to be precompressed (PRECOMPRESS_MIN_SIZE), with the marker inside.
    filler = "".join(f'<circle cx="{i}" cy="{i}" r="{i % 7}"/>' for i in range(60))
    return f'<svg xmlns="http://www.w3.org/2000/svg"><title>{marker}</title>{filler}</svg>\n'


RELEASE = f"""---
id: {UID}
slug: judul-rahasia-q7x
title: {SECRETS["title"]}
date: 2027-07-28 09:00
embargo: 2027-07-30 09:00
summary: {SECRETS["summary"]}.
contacts: [humas-pemkab]
image:
  src: images/rahasia-q7x-foto.svg
  alt: Foto rahasia.
images:
  - src: images/rahasia-q7x-galeri.svg
    alt: Galeri rahasia.
    credit: Tim uji
    hires: images/rahasia-q7x-hires.svg
  - src: images/bersama-q7x.svg
    alt: Gambar bersama.
    credit: Tim uji
attachments:
  - file: files/rahasia-q7x-lampiran.pdf
    title: Lampiran rahasia
---

{SECRETS["body"]}. Unduh [lembar ini](/files/rahasia-q7x-tautan.pdf).

![Gambar di badan](/images/rahasia-q7x-tubuh.svg)
"""
# The translation names no embargo: it inherits its original's.
TRANSLATION = (
    RELEASE.replace(f"title: {SECRETS['title']}", "title: Secret title Q7X EN")
    .replace("embargo: 2027-07-30 09:00\n", "lang: en\ntranslation: true\n")
    .replace(f"{SECRETS['body']}.", f"{SECRETS['english body']}.")
)
LIVE_ARTICLE = """---
id: berita-hidup-q7x
title: Berita yang sudah tayang
date: 2026-10-01 09:00
summary: Berita yang sudah tayang memakai gambar bersama.
image:
  src: images/bersama-q7x.svg
  alt: Gambar bersama.
---
Isi berita yang sudah tayang.
"""
HELP = "---\ntitle: Butuh Bantuan?\nslug: bantuan\n---\nIsi.\n"


def make_site(root: Path) -> Path:
    """A production project (publishconf.py: fingerprints, twins) with the hostile release."""
    content = root / "content"
    shutil.copytree(ROOT / "content" / "images", content / "images")
    shutil.copytree(ROOT / "content" / "files", content / "files")
    shutil.copytree(ROOT / "data", root / "data")
    files = {
        "siaran-pers/rahasia.md": RELEASE,
        "siaran-pers/en/rahasia.md": TRANSLATION,
        "berita/hidup.md": LIVE_ARTICLE,
        "pages/bantuan.md": HELP,
        "images/rahasia-q7x-foto.svg": svg(SECRETS["lead image"]),
        "images/rahasia-q7x-galeri.svg": svg(SECRETS["gallery image"]),
        "images/rahasia-q7x-hires.svg": svg(SECRETS["hi-res image"]),
        "images/rahasia-q7x-tubuh.svg": svg(SECRETS["body image"]),
        "images/bersama-q7x.svg": svg(SHARED_IMAGE),
        "files/rahasia-q7x-lampiran.pdf": f"%PDF-1.4 {SECRETS['attachment']}\n",
        "files/rahasia-q7x-tautan.pdf": f"%PDF-1.4 {SECRETS['body-linked file']}\n",
    }
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    settings = root / "publishconf.py"
    settings.write_text(
        f"__file__ = {str(ROOT / 'publishconf.py')!r}\n"
        "exec(open(__file__).read())\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"HOTLINES_FILE = {str(root / 'data/hotlines.yaml')!r}\n"
        f"PRESS_FILE = {str(root / 'data/press.yaml')!r}\n"
        "SITEURL = SITE_URL = FEED_DOMAIN = SITE_ORIGIN = 'https://tppo-uji.go.id'\n",
        encoding="utf-8",
    )
    return settings


def every_byte(output: Path) -> dict[str, bytes]:
    """Every output file as a reader could get it: twins and Pagefind's index decompressed."""
    found = {}
    for path in sorted(output.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if (
            path.suffix == ".gz"
            or path.parent.name.startswith("pagefind")
            or "pagefind" in path.parts
        ):
            with contextlib.suppress(OSError, EOFError):
                data = gzip.decompress(data)
        elif path.suffix == ".br":
            data = brotli.decompress(data)
        found[path.relative_to(output).as_posix()] = data
    return found


def hits(files: dict[str, bytes], needle: str) -> list[str]:
    return [name for name, data in files.items() if needle.lower().encode() in data.lower()]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("golive")
    settings = make_site(root)
    started = time.perf_counter()
    before = build_site(settings, root / "before", now=GO_LIVE - dt.timedelta(minutes=1))
    after = build_site(settings, root / "after", now=GO_LIVE)
    seconds = time.perf_counter() - started
    return {
        "before": every_byte(before.output),
        "after": every_byte(after.output),
        "before_dir": before.output,
        "after_dir": after.output,
        "seconds": seconds,
    }


def test_the_builds_are_production_builds_with_twins_and_search(builds: dict) -> None:
    for name in ("before", "after"):
        files = builds[name]
        assert any(f.endswith(".br") for f in files) and any(f.endswith(".gz") for f in files)
        assert "theme/fingerprinted.txt" in files
        assert any(f.startswith("pagefind/") for f in files)
        # Both are previews of the future for the real clock: marked, so never deployed.
        assert FUTURE_MARKER in files


@pytest.mark.parametrize("what", sorted(SECRETS))
def test_nothing_of_the_release_exists_before_go_live(builds: dict, what: str) -> None:
    assert hits(builds["before"], SECRETS[what]) == [], f"{what} leaked"


def test_before_go_live_zero_bytes_over_every_file(builds: dict) -> None:
    files = builds["before"]
    leaked = {n for needle in SECRETS.values() for n in hits(files, needle)}
    assert leaked == set()
    assert len(files) > 50  # the search covered a whole site
    syndication = json.loads(files["feeds/syndication.json"])
    assert UID not in {item["uid"] for item in syndication["items"]}


def test_a_file_also_used_by_a_live_item_stays_published(builds: dict) -> None:
    before = builds["before"]
    assert "images/bersama-q7x.svg" in before
    assert "images/bersama-q7x.svg.gz" in before and "images/bersama-q7x.svg.br" in before


@pytest.mark.parametrize("what", sorted(SECRETS))
def test_all_of_it_exists_at_go_live(builds: dict, what: str) -> None:
    assert hits(builds["after"], SECRETS[what]), f"{what} missing at go-live"


def test_at_go_live_every_derived_output_is_there(builds: dict) -> None:
    after = builds["after"]
    pages = {f"siaran-pers/{UID}/index.html", f"en/press-releases/{UID}/index.html"}
    assert pages <= set(after)
    for name in (
        "rahasia-q7x-foto",
        "rahasia-q7x-galeri",
        "rahasia-q7x-hires",
        "rahasia-q7x-tubuh",
    ):
        assert {f"images/{name}.svg", f"images/{name}.svg.gz", f"images/{name}.svg.br"} <= set(
            after
        )
    assert {"files/rahasia-q7x-lampiran.pdf", "files/rahasia-q7x-tautan.pdf"} <= set(after)
    for feed in ("feeds/all.atom.xml", "feeds/siaran-pers.json", "en/feeds/siaran-pers.atom.xml"):
        assert UID.encode() in after[feed] or b"Q7X" in after[feed], feed
    assert f"siaran-pers/{UID}/".encode() in after["sitemap.xml"]
    assert b"en/press-releases/" + UID.encode() in after["sitemap.xml"]
    page = after[f"siaran-pers/{UID}/index.html"].decode()
    assert (
        'property="og:image" content="https://tppo-uji.go.id/images/rahasia-q7x-foto.svg"' in page
        or (
            "og-default" in page  # SVG cards fall back to the default social card
        )
    )
    assert hits({k: v for k, v in after.items() if k.startswith("pagefind/")}, "Q7X-EN")
    assert hits({k: v for k, v in after.items() if k.startswith("pagefind/")}, "Q7X-ID")


def test_the_scheduler_record_carries_go_live(builds: dict) -> None:
    items = json.loads(builds["after"]["feeds/syndication.json"])["items"]
    (record,) = [i for i in items if i["uid"] == UID]
    assert record["golive"] == "2027-07-30T02:00:00Z"  # 09:00 WIB
    assert record["published"].startswith("2027-07-28")  # the dateline stays `date`


def test_feeds_date_the_release_at_go_live(builds: dict) -> None:
    feed = json.loads(builds["after"]["feeds/siaran-pers.json"])
    (item,) = [i for i in feed["items"] if "Q7X" in i["title"]]
    assert dt.datetime.fromisoformat(item["date_published"]) == GO_LIVE
    assert dt.datetime.fromisoformat(item["date_modified"]) == GO_LIVE  # no later edit


def test_the_hostile_run_time_is_recorded(builds: dict, capsys: pytest.CaptureFixture) -> None:
    with capsys.disabled():
        print(f"\n[golive] two production builds of the hostile fixture: {builds['seconds']:.1f}s")
    assert builds["seconds"] > 0


# --- the rule itself ------------------------------------------------------------------------


def meta(**values: object) -> ContentMeta:
    base = {
        "kind": "release",
        "title": "t",
        "slug": "s",
        "uid": "u",
        "lang": "id",
        "status": "published",
    }
    return ContentMeta(**{**base, **values})  # type: ignore[arg-type]


def test_go_live_is_the_latest_of_date_embargo_and_the_originals() -> None:
    original = meta(date=GO_LIVE - dt.timedelta(days=1), embargo=GO_LIVE)
    english = meta(lang="en", translation=True, date=GO_LIVE - dt.timedelta(days=2))
    rule = GoLiveRule([(None, original), (None, english)])
    assert own_time(english) == GO_LIVE - dt.timedelta(days=2)
    assert rule.at(english) == GO_LIVE
    assert not rule.is_live(english, GO_LIVE - dt.timedelta(seconds=1))
    assert rule.is_live(english, GO_LIVE)
    late = meta(lang="en", translation=True, date=GO_LIVE + dt.timedelta(hours=1))
    assert GoLiveRule([(None, original), (None, late)]).at(late) == GO_LIVE + dt.timedelta(hours=1)


def test_a_translation_of_a_draft_waits_for_it() -> None:
    original = meta(status="draft", date=GO_LIVE)
    english = meta(lang="en", translation=True, date=GO_LIVE)
    assert not GoLiveRule([(None, original)]).is_live(english, GO_LIVE + dt.timedelta(days=9))


def test_feed_times_publish_at_go_live_and_update_only_after() -> None:
    item = meta(date=GO_LIVE - dt.timedelta(days=2), modified=GO_LIVE - dt.timedelta(days=1))
    assert feed_times(item, GO_LIVE) == (GO_LIVE, GO_LIVE)
    edited = meta(date=GO_LIVE, modified=GO_LIVE + dt.timedelta(days=1))
    assert feed_times(edited, GO_LIVE) == (GO_LIVE, GO_LIVE + dt.timedelta(days=1))


def test_a_translation_with_another_embargo_is_a_check_error(tmp_path: Path) -> None:
    settings = make_site(tmp_path)
    english = tmp_path / "content/siaran-pers/en/rahasia.md"
    english.write_text(TRANSLATION.replace("lang: en\n", "lang: en\nembargo: 2027-07-29 09:00\n"))
    problems = [p for p in check_tree(tmp_path) if p.severity == "error"]
    assert [
        (p.path.endswith("en/rahasia.md"), "differs from its original" in p.message)
        for p in problems
    ] == [(True, True)]
    with pytest.raises(BuildFailed, match="differs from its original"):
        build_site(settings, tmp_path / "out", now=GO_LIVE)
    assert not (tmp_path / "out").exists()


def test_the_same_embargo_on_both_is_fine(tmp_path: Path) -> None:
    make_site(tmp_path)
    english = tmp_path / "content/siaran-pers/en/rahasia.md"
    english.write_text(TRANSLATION.replace("lang: en\n", "lang: en\nembargo: 2027-07-30 09:00\n"))
    assert [p for p in check_tree(tmp_path) if p.severity == "error"] == []


def test_a_future_build_is_marked_and_goes_to_output_future(tmp_path: Path) -> None:
    settings = make_site(tmp_path)
    result = build_site(settings, now=GO_LIVE)  # no --output: not the live output/ folder
    assert result.output.name.endswith("-future")
    assert future_marker(result.output) == GO_LIVE
    present = build_site(settings, tmp_path / "now-site")
    assert future_marker(present.output) is None


def test_serve_publish_refuses_a_preview_of_the_future(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from publisher.cli.main import cli
    from tests.content.test_check_build_agree import NOW, make_project

    site = make_project(tmp_path, monkeypatch)
    build_site(site / "pelicanconf.py", site / "output", now=NOW)  # ahead of the clock
    assert future_marker(site / "output") == NOW
    # The rebuild with the clock fails, so the preview of the future is what is there.
    (site / "content/berita/rusak.md").write_text("---\ntitle: [rusak\n---\n")
    result = CliRunner().invoke(cli, ["serve", "--publish", "--no-watch", "--port", "0"])
    assert result.exit_code == 1, result.output
    assert "serve --publish: output is a preview of the future" in result.output
    assert "Traceback" not in result.output
    assert not (site / "outbox").exists()  # the scheduler never started


def test_embargoes_list_a_translation_dated_after_its_original(tmp_path: Path) -> None:
    from publisher.content.golive import scan

    make_site(tmp_path)
    later = TRANSLATION.replace("date: 2027-07-28 09:00", "date: 2027-07-31 09:00")
    (tmp_path / "content/siaran-pers/en/rahasia.md").write_text(later)
    times, problems = scan(tmp_path / "content")
    assert problems == []
    mine = [(g.why, g.at) for g in times if g.uid == UID]
    assert mine == [("embargo", GO_LIVE), ("translation", GO_LIVE + dt.timedelta(days=1))]
