"""`publisher check`: the broken corpus, the CLI contract, and "never a traceback"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.cli.main import cli
from publisher.content import check_rules
from publisher.content.check import check_tree
from publisher.content.phones import Phonebook, scan
from tests.support import TESTS

HERE = TESTS
ROOT = HERE.parent
BROKEN = HERE / "broken"
BASE = BROKEN / "_base"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text(encoding="utf-8"))
DEST = {
    "article": "content/berita",
    "release": "content/siaran-pers",
    "page": "content/pages",
    "campaign": "campaigns",
}


def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the small valid site, as the working directory (paths print relative)."""
    site = tmp_path / "site"
    shutil.copytree(BASE, site)
    shutil.copytree(ROOT / "theme" / "templates", site / "theme" / "templates")  # its links
    (site / "content" / "siaran-pers").mkdir(exist_ok=True)
    monkeypatch.chdir(site)
    return site


def add(site: Path, name: str, content: str | bytes) -> str:
    """Put a file where its name prefix says; return its path as problems show it."""
    dest = f"{DEST[name.split('-')[0]]}/{name}"
    target = site / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return dest


def test_base_site_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_tree(make_site(tmp_path, monkeypatch)) == []


def test_every_broken_file_has_an_expectation() -> None:
    files = [p.name for p in BROKEN.iterdir() if p.is_file() and p.name != "expected.yaml"]
    assert sorted(EXPECTED) == sorted(files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_corpus(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, monkeypatch)
    dest = add(site, name, (BROKEN / name).read_bytes())
    problems = [str(p) for p in check_tree(site)]
    expected = [f"{dest}:{e['line']}: {e['severity']}: {e['message']}" for e in EXPECTED[name]]
    assert len(problems) == len(expected), problems
    for got, want in zip(problems, expected, strict=True):
        assert got.startswith(want)


def test_cli_reports_lines_summary_and_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    add(site, "campaign-too-long-for-x.md", (BROKEN / "campaign-too-long-for-x.md").read_text())
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("campaigns/campaign-too-long-for-x.md:14: error: ")
    assert lines[-1] == "publisher check: 5 files, 1 error(s), 0 warning(s)."


def test_warnings_alone_pass_unless_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, monkeypatch)
    add(
        site,
        "article-unpublished-number.md",
        (BROKEN / "article-unpublished-number.md").read_text(),
    )
    relaxed = CliRunner().invoke(cli, ["check"])
    assert relaxed.exit_code == 0
    assert ": warning: '0812-3456-7890'" in relaxed.output
    assert CliRunner().invoke(cli, ["check", "--strict"]).exit_code == 1


def test_clean_run_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(tmp_path, monkeypatch)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0
    assert result.output == "publisher check: 4 files, no problems found.\n"


def test_paths_limit_what_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, monkeypatch)
    add(site, "article-bad-date.md", (BROKEN / "article-bad-date.md").read_text())
    add(site, "campaign-bad-time.md", (BROKEN / "campaign-bad-time.md").read_text())
    only = check_tree(site, only=[Path("campaigns")])
    assert [p.path for p in only] == ["campaigns/campaign-bad-time.md"]
    result = CliRunner().invoke(cli, ["check", "content/berita/article-bad-date.md"])
    assert result.exit_code == 1
    assert "campaign-bad-time" not in result.output


def test_a_crash_in_a_rule_becomes_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)

    def explode(self: object, *args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_rules.Rules, "check_post", explode)
    problems = [str(p) for p in check_tree(site)]
    assert problems == [
        "campaigns/kampanye-contoh.md:1: error: internal error while checking "
        "(RuntimeError: boom); please report it"
    ]


def test_thread_true_allows_long_text_only_where_threads_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    text = (BROKEN / "campaign-too-long-for-x.md").read_text()
    add(site, "campaign-utas.md", text.replace("thread: false", "thread: true"))
    assert check_tree(site) == []
    telegram = text.replace("thread: false", "thread: true").replace("[x]", "[x, telegram]")
    telegram = telegram.replace("tanyakan", " ".join(["tanyakan"] * 500))
    add(site, "campaign-utas.md", telegram)
    problems = [str(p) for p in check_tree(site)]
    assert len(problems) == 1
    assert "too long for a Telegram post" in problems[0]
    assert "Telegram has no threads" in problems[0]


def test_links_to_drafts_and_duplicate_slugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    page = site / "content/pages/tanda-tanda.md"
    page.write_text(
        page.read_text().replace("slug: tanda-tanda", "slug: tanda-tanda\nstatus: draft")
    )
    campaign = site / "campaigns/kampanye-contoh.md"
    campaign.write_text(campaign.read_text().replace("link: bantuan", "link: tanda-tanda"))
    (site / "content/pages/salinan.md").write_text(
        "---\ntitle: Salinan\nslug: bantuan\n---\n\nIsi.\n"
    )
    problems = [str(p) for p in check_tree(site)]
    assert "campaigns/kampanye-contoh.md:16: error: link: 'tanda-tanda' is a draft" in problems[0]
    assert problems[1].startswith(
        "content/pages/salinan.md:3: error: the slug 'bantuan' is also used by"
    )


def test_campaign_hashtags_field_is_checked_per_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    campaign = site / "campaigns/kampanye-contoh.md"
    campaign.write_text(campaign.read_text().replace("[CegahTPPO]", "[CegahTPPO, Stop-TPPO]"))
    problems = [str(p) for p in check_tree(site)]
    assert problems == [
        "campaigns/kampanye-contoh.md:6: error: hashtag: '#Stop-TPPO' contains '-': on X only "
        "'#Stop' would be linked; use only letters, digits and _ in hashtags "
        "(also on Mastodon, Facebook, Telegram)"
    ]


def test_file_outside_content_folders_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    (site / "content/posts").mkdir()
    (site / "content/posts/lupa.md").write_text("---\ntitle: x\n---\n")
    (problem,) = check_tree(site)
    assert problem.severity == "warning" and problem.path == "content/posts/lupa.md"


def test_project_content_is_clean() -> None:
    root = HERE.parent
    assert [str(p) for p in check_tree(root)] == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Telepon 110 sekarang", []),
        ("telepon **110** (gratis)", []),
        ("WhatsApp 08111-129-129.", []),
        ("dari luar negeri: +62 21 2924 4800", []),
        ("https://wa.me/628111129129", []),
        ("tel:129", []),
        ("Telepon 123 sekarang", ["123"]),
        ("Hubungi 0812-3456-7890 untuk informasi.", ["0812-3456-7890"]),
        ("atau +62 812 3456 7890", ["+62 812 3456 7890"]),
        ("Tanggal 2027-07-30 09:00, pukul 19.00", []),
        ("05-08-2027 dan 30.07.2027", []),
        ("Biaya Rp5.000.000 dan 1.000 orang", []),
        ("Tahun 2027 ada 12 desa", []),
    ],
)
def test_unknown_phone_numbers(text: str, found: list[str]) -> None:
    """Phone-looking numbers that are not published rows (check's warnings)."""
    book = Phonebook.load(HERE.parent / "data" / "hotlines.yaml")
    assert [m.text for m in scan(text, book, unknown=True) if m.kind == "unknown"] == found


# --- never a traceback ---------------------------------------------------------------------

_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_field_names = st.sampled_from(
    ["title", "slug", "date", "summary", "id", "image", "social", "platforms", "campaign", "tags",
     "start", "end", "posts", "hashtags", "cta", "status", "lang", "images", "attachments",
     "embargo", "modified", "events"]
) | st.text(max_size=10)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["article-x.md", "release-x.md", "page-x.md", "campaign-x.md"]),
    meta=st.dictionaries(_field_names, _yaml_values, max_size=8),
    body=st.text(max_size=80),
)
def test_arbitrary_metadata_gives_located_problems(
    name: str, meta: dict, body: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(BASE, site, dirs_exist_ok=True)
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    dest = add(site, name, text)
    for problem in check_tree(site, site_url="https://example.go.id"):
        assert problem.line >= 1
        assert problem.severity in ("error", "warning")
        assert "internal error" not in problem.message, problem
        assert problem.path.endswith(dest) or "also used by" in problem.message, problem


@settings(max_examples=40, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_give_located_problems(
    raw: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(BASE, site, dirs_exist_ok=True)
    add(site, "campaign-x.md", raw)
    dest = add(site, "article-x.md", b"---\n" + raw)
    for problem in check_tree(site, site_url="https://example.go.id"):
        assert problem.line >= 1
        assert "internal error" not in problem.message, problem
        assert problem.path.endswith((dest, "campaign-x.md")), problem


def test_a_broken_campaign_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    campaign = site / "campaigns/kampanye-contoh.md"
    campaign.write_text(campaign.read_text().replace("end: 2027-08-05", "end: 2027-02-30"))
    article = site / "content/berita/contoh-berita.md"
    article.write_text(
        article.read_text().replace("summary:", "campaign: kampanye-contoh\nsummary:")
    )
    problems = [str(p) for p in check_tree(site)]
    assert len(problems) == 1
    assert problems[0].startswith("campaigns/kampanye-contoh.md:4: error: end: '2027-02-30'")


def test_a_long_title_posted_as_the_social_text_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    article = site / "content/berita/contoh-berita.md"
    title = " ".join(["Judul"] * 46)  # 275 characters, and no 'social:'
    article.write_text(article.read_text().replace("Contoh berita yang benar", title))
    problems = check_tree(site)
    assert [(p.line, p.severity) for p in problems] == [(3, "warning"), (3, "warning")]
    assert "too long for an X post" in problems[1].message
    assert "too long for a Bluesky post" in problems[0].message
