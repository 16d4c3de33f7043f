"""Rendering print sets: refusals (held numbers, words that run over), the cache by content
hash, `publisher print`, and a build that cannot print its campaign."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.content.campaign_reader import load_campaign
from publisher.content.print_section import HELP_POINTS, MAX_CHARS, MESSAGES, POINTS
from publisher.core.errors import ContentError
from publisher.site.build import BuildFailed, build_site
from publisher.site.print import cache as print_cache
from publisher.site.print.cache import print_into
from publisher.site.print.job import make_job
from publisher.site.print.pieces import PIECES
from publisher.site.print.render import Renderer, render_set
from tests import print_support as pdf
from tests.support import ROOT

ORIGIN = "https://cegah-tppo.example.net"
NAMES = ("Cegah Perdagangan Orang — Bengkulu Tengah", "Pemerintah Kabupaten Bengkulu Tengah")


def job_of(campaign, root: Path = ROOT, **changes):  # type: ignore[no-untyped-def]
    if changes:
        campaign.print_section = dataclasses.replace(campaign.print_section, **changes)
    return make_job(campaign, root / "data" / "hotlines.yaml", ORIGIN, NAMES,
                    root / "content", root / "theme" / "templates")  # fmt: skip


def test_a_held_number_in_the_words_is_never_rendered() -> None:
    campaign = load_campaign(pdf.SAMPLE)
    words = dataclasses.replace(campaign.print_section.words,
                                messages=("Hubungi WhatsApp 0811-8080-141.",))  # fmt: skip
    texts = ((41, "Hubungi WhatsApp 0811-8080-141."),)
    with pytest.raises(ContentError) as info:
        job_of(campaign, words=words, texts=texts)
    assert info.value.problem.line == 41
    assert "'0811-8080-141' is on hold in data/hotlines.yaml" in info.value.problem.message


def test_words_that_run_over_the_page_are_refused_with_the_field_to_shorten() -> None:
    campaign = load_campaign(pdf.SAMPLE)
    long = " ".join(["Wawasan"] * 30)
    section = campaign.print_section
    job = job_of(campaign, words=dataclasses.replace(section.words, messages=(long,) * 6), en=None)
    renderer = Renderer(job)
    for piece in PIECES[:3]:
        with pytest.raises(ContentError) as info:
            renderer.render(piece, Path("/nonexistent") / piece.file)
        assert info.value.problem.line == section.lines["headline"]
        assert "does not fit on" in info.value.problem.message
    with pytest.raises(ContentError) as info:
        renderer.render(PIECES[3], Path("/nonexistent") / PIECES[3].file)
    assert info.value.problem.message == (
        "the leaflet's 'flap' panel spills over its fold: shorten print.messages"
    )
    signs = dataclasses.replace(section.signs, points=(long,) * 6)
    job = job_of(load_campaign(pdf.SAMPLE), signs=signs)
    with pytest.raises(ContentError) as info:
        Renderer(job).render(PIECES[3], Path("/nonexistent") / PIECES[3].file)
    assert "'signs' panel spills over its fold: shorten print.leaflet.signs" in str(info.value)
    assert info.value.problem.line == section.lines["leaflet.signs"]


def _longest(limit: str, word: str = "Wawasan") -> str:
    words = (word + " ") * (MAX_CHARS[limit] // (len(word) + 1) + 1)
    return words[: MAX_CHARS[limit]].rstrip() + "x" * (MAX_CHARS[limit] - len(words[: MAX_CHARS[limit]].rstrip()))  # fmt: skip


def test_words_at_every_limit_still_fit_every_piece(tmp_path: Path) -> None:
    """What `publisher check` lets through, the renderer can print."""
    lines = [
        "print:",
        f"  audience: {_longest('audience')}",
        f"  headline: {_longest('headline', 'Perdagangan')}",
        "  messages:",
    ]
    lines += [f"    - {_longest('message')}"] * MESSAGES[1]
    lines += ["  leaflet:"]
    for key in ("signs", "safe_migration", "help"):
        count, limit = (HELP_POINTS[1], "help_point") if key == "help" else (POINTS[1], "point")
        lines += [f"    {key}:", f"      title: {_longest('title')}", "      points:"]
        lines += [f"        - {_longest(limit)}"] * count
    lines += [
        "  en:",
        f"    audience: {_longest('audience')}",
        f"    headline: {_longest('headline')}",
        "    messages:",
    ]
    lines += [f"      - {_longest('message')}"] * MESSAGES[1]  # fmt: skip
    path = tmp_path / f"{pdf.SLUG}.md"
    path.write_text(pdf.sample_text("\n".join(lines)), encoding="utf-8")
    rendered = render_set(job_of(load_campaign(path)), tmp_path / "out")
    assert [pdf.page_sizes(r.path).__len__() for r in rendered] == [p.pages for p in PIECES]


def test_the_campaigns_picture_goes_on_the_leaflets_back_with_its_credit(tmp_path: Path) -> None:
    own = "images/kampanye/hari-dunia-anti-perdagangan-orang-2027.png"
    image = f"  image:\n    src: {own}\n    alt: Kartu kampanye.\n    credit: Tim Program TPPO\n"
    path = tmp_path / f"{pdf.SLUG}.md"
    path.write_text(pdf.sample_text(pdf.print_block() + "\n" + image), encoding="utf-8")
    (leaflet,) = render_set(job_of(load_campaign(path)), tmp_path, PIECES[3:])
    outside = pdf.text_of(leaflet.path, raw=True).split("\f")[0]
    assert "Gambar: Tim Program TPPO" in " ".join(outside.split())
    assert not pdf.only_greys(pdf.picture(leaflet.path, 1, tmp_path, dpi=40))  # it is there


def test_an_unchanged_campaign_comes_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = print_into(job_of(load_campaign(pdf.SAMPLE)), tmp_path / "one", cache)
    again = print_into(job_of(load_campaign(pdf.SAMPLE)), tmp_path / "two", cache)
    assert first.rendered and not again.rendered
    for piece in PIECES:
        assert (tmp_path / "one" / piece.file).read_bytes() == (
            tmp_path / "two" / piece.file
        ).read_bytes()
    # A post's words are not printed: editing them renders nothing again.
    text = pdf.SAMPLE.read_text(encoding="utf-8").replace("Selama dua minggu", "Dua minggu ini")
    edited = tmp_path / f"{pdf.SLUG}.md"
    edited.write_text(text, encoding="utf-8")
    assert not print_into(job_of(load_campaign(edited)), tmp_path / "three", cache).rendered
    assert len(list(cache.iterdir())) == 1


def test_a_change_to_words_hotlines_or_templates_renders_again(tmp_path: Path) -> None:
    project = pdf.make_project(tmp_path / "project")
    (project / "theme").unlink()  # a copy of the theme, to edit
    shutil.copytree(ROOT / "theme" / "templates", project / "theme" / "templates")
    cache = tmp_path / "cache"
    campaign_file = project / "campaigns" / f"{pdf.SLUG}.md"

    def run() -> bool:
        job = job_of(load_campaign(campaign_file), project)
        return print_into(job, tmp_path / "out", cache, PIECES[:1]).rendered  # the A4 poster

    assert run() and not run()
    campaign_file.write_text(campaign_file.read_text().replace("Periksa dulu", "Cek dulu"))
    assert run() and not run()
    hotlines = project / "data" / "hotlines.yaml"
    hotlines.write_text(hotlines.read_text().replace("Gratis, 24 jam", "Gratis dan 24 jam"))
    assert run()
    assert "Gratis dan 24 jam" in pdf.text_of(tmp_path / "out" / "poster-a4.pdf")
    css = project / "theme" / "templates" / "print" / "print.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    assert run() and not run()
    assert len(list(cache.iterdir())) == print_cache.KEEP  # older sets are removed


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_publisher_print_makes_the_set(tmp_path: Path) -> None:
    project = pdf.make_project(tmp_path / "project")
    env = {"SITE_URL": "https://cegah.example.go.id"}
    code, out, err = invoke("--project", str(project), "print", pdf.SLUG, env=env)
    assert code == 0, err
    folder = project / "print" / pdf.SLUG
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.file for p in PIECES)
    assert "4 files, rendered" in out
    assert "The QR codes open https://cegah.example.go.id/kampanye/hari-dunia" in out
    assert err == ""
    image = pdf.picture(folder / "poster-a4.pdf", 1, tmp_path)
    assert pdf.qr_codes(image) == [f"https://cegah.example.go.id/kampanye/{pdf.SLUG}/"]
    code, out, _ = invoke("--project", str(project), "print", pdf.SLUG, "--output",
                          str(tmp_path / "again"), env=env)  # fmt: skip
    assert code == 0 and "unchanged, taken from the cache" in out
    assert (tmp_path / "again" / "leaflet-lipat-tiga.pdf").is_file()


def test_publisher_print_warns_about_a_placeholder_address(tmp_path: Path) -> None:
    project = pdf.make_project(tmp_path / "project")
    code, _, err = invoke("--project", str(project), "print", pdf.SLUG, "--output", str(tmp_path / "o"))  # fmt: skip
    assert code == 0
    assert "warning: that is a placeholder address; set SITE_URL" in err


def test_publisher_print_says_what_is_wrong(tmp_path: Path) -> None:
    project = pdf.make_project(tmp_path / "project", pdf.sample_text(None))
    code, _, err = invoke(
        "--project", str(project), "print", "hari-dunia-anti-perdagangan-orang-2072"
    )
    assert code == 1
    assert err.startswith("no campaign 'hari-dunia-anti-perdagangan-orang-2072' in ")
    assert "did you mean 'hari-dunia-anti-perdagangan-orang-2027'?" in err
    code, _, err = invoke("--project", str(project), "print", pdf.SLUG)
    assert code == 1
    assert err.strip().endswith(
        f"campaigns/{pdf.SLUG}.md:1: error: this campaign has no 'print:' section; add one "
        "(docs/writing.md, 'Print') to make posters and leaflets"
    )
    assert "Traceback" not in err


def test_a_build_that_cannot_print_stops_and_keeps_the_old_site(tmp_path: Path) -> None:
    project = pdf.make_project(tmp_path / "project")
    output = tmp_path / "out"
    with pytest.raises(BuildFailed) as info:
        build_site(project / "pelicanconf.py", output,
                   overrides={"PRINT_FONT_DIR": str(tmp_path / "no-fonts"), "SEARCH_INDEX": False})  # fmt: skip
    message = str(info.value)
    assert f"{pdf.SLUG}.md:" in message
    assert "install Debian's fonts-noto-core" in message
    assert not output.exists()
