"""Approval is enforced by the build and by the scheduler's sources, not only by the page:
with approval required, an item whose current text no editor approved neither goes live
nor posts, and an edit after approval takes it back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from publisher.content import approvals
from publisher.content.approvals import Approval, Approvals
from publisher.content.campaign_reader import load_campaign
from publisher.core.errors import ContentError
from publisher.core.project import Project
from publisher.core.settings import for_project
from publisher.engine import sources
from publisher.site.build import build_site
from tests.studio.conftest import NOW, STAFF, Running, csrf_of, git

RELEASE = "content/siaran-pers/program-pencegahan-tppo-bengkulu-tengah.md"  # live at NOW
ARTICLE = "content/berita/sosialisasi-pencegahan-tppo-di-desa.md"
EDITED = "content/berita/tips-sebelum-menerima-tawaran-kerja-luar-negeri.md"
CAMPAIGN = "campaigns/hari-dunia-anti-perdagangan-orang-2027.md"
EMBARGOED = "content/siaran-pers/hari-dunia-menentang-perdagangan-orang-2027.md"
WHEN = dt.datetime(2027, 7, 1, tzinfo=dt.UTC)


def _record(root: Path, rel: str) -> Approval:
    return Approval(rel, approvals.file_digest(root / rel), "Eko Editor", WHEN)


def _write(root: Path, value: Approvals) -> None:
    (root / approvals.FILE).write_text(approvals.dump(value), encoding="utf-8")


def test_the_file_reads_back_as_written(project: Project) -> None:
    root = project.root
    written = Approvals(root, True, {RELEASE: _record(root, RELEASE)})
    _write(root, written)
    read = approvals.load(root)
    assert read.required is True
    assert read.records == written.records
    assert read.allows_file(root / RELEASE)
    assert not read.allows_file(root / ARTICLE)
    assert approvals.load(root / "elsewhere").required is False  # no file: approval off


def test_a_broken_file_is_a_located_error(project: Project) -> None:
    (project.root / approvals.FILE).write_text("required: yes please\napprovals: []\n")
    with pytest.raises(ContentError) as caught:
        approvals.load(project.root)
    assert str(caught.value).endswith(
        "data/approvals.yaml:1: error: 'required' must be true or false"
    )


def test_the_build_shows_only_approved_text(project: Project, tmp_path: Path) -> None:
    root = project.root
    records = {rel: _record(root, rel) for rel in (RELEASE, EDITED)}
    _write(root, Approvals(root, True, records))
    edited = root / EDITED
    edited.write_text(edited.read_text().replace("Tulis", "Tulislah"), encoding="utf-8")
    edited.write_text(edited.read_text() + "\nSatu kalimat lagi.\n", encoding="utf-8")
    site = build_site(root / "pelicanconf.py", output=tmp_path / "site", now=NOW).output
    assert (site / "siaran-pers" / "sp-2026-001" / "index.html").is_file()  # approved
    assert not (site / "berita" / "2026" / "sosialisasi-pencegahan-tppo-di-desa").exists()
    assert not (
        site / "berita" / "2026" / "tips-sebelum-menerima-tawaran-kerja-luar-negeri"
    ).exists()
    assert (site / "bantuan" / "index.html").is_file()  # pages are never held back
    feed = (site / "feeds" / "syndication.json").read_text()
    assert "sp-2026-001" in feed and "berita-2026-001" not in feed  # nothing unapproved posts


def test_without_approval_required_everything_goes_live(project: Project, tmp_path: Path) -> None:
    _write(project.root, Approvals(project.root, False, {}))
    site = build_site(project.root / "pelicanconf.py", output=tmp_path / "site", now=NOW).output
    assert (
        site / "berita" / "2026" / "sosialisasi-pencegahan-tppo-di-desa" / "index.html"
    ).is_file()


def test_the_engine_plans_only_approved_calendar_posts(project: Project) -> None:
    root = project.root
    campaign = load_campaign(root / CAMPAIGN)
    first, second = campaign.posts[:2]
    records = {
        key: Approval(key, approvals.post_digest(post), "Eko Editor", WHEN)
        for post in (first, second)
        if (key := approvals.post_key(root, root / CAMPAIGN, post.id))
    }
    _write(root, Approvals(root, True, records))
    settings = for_project(project)
    keys = {p.key for p in sources.snapshot(settings, site=False).planned}
    assert keys == {f"cal:{campaign.slug}:{first.id}", f"cal:{campaign.slug}:{second.id}"}
    # An edit of an approved post takes its approval back: it is no longer planned.
    path = root / CAMPAIGN
    path.write_text(path.read_text().replace("Ikuti dan bagikan", "Ikuti lalu bagikan"))
    snap = sources.snapshot(settings, site=False)
    assert {p.key for p in snap.planned} == {f"cal:{campaign.slug}:{second.id}"}
    assert "cal" in snap.complete  # withdrawn on purpose: the scheduler may stale it


def test_an_unreadable_approvals_file_plans_nothing_and_withdraws_nothing(project: Project) -> None:
    (project.root / approvals.FILE).write_text("required: [\n")
    snap = sources.snapshot(for_project(project), site=False)
    assert snap.planned == []
    assert "cal" not in snap.complete
    assert any("approvals.yaml" in p for p in snap.problems)


def test_approve_a_release_then_an_edit_takes_the_approval_back(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    editor = login("editor")
    admin = login("admin")
    token = csrf_of(admin.get("/settings").text)
    assert admin.post("/settings", data={"csrf_token": token, "approval": "on"}).status_code == 303
    assert approvals.load(root).required
    assert approvals.load(root).allows_file(root / RELEASE)  # switched on: all approved as is
    page = editor.get("/item", params={"file": EMBARGOED}).text
    assert "menunggu persetujuan" in page
    token, digest = csrf_of(page), approvals.file_digest(root / EMBARGOED)
    answer = editor.post(
        "/approve", data={"csrf_token": token, "file": EMBARGOED, "digest": digest}
    )
    assert answer.status_code == 303
    record = approvals.load(root).records[EMBARGOED]
    assert (record.by, record.digest, record.at) == (STAFF["editor"], digest, NOW)
    assert (
        git(root, "log", "-1", "--format=%an|%s")
        == f"{STAFF['editor']}|Studio: approve {EMBARGOED}\n"
    )
    page = editor.get("/item", params={"file": EMBARGOED}).text
    assert "disetujui" in page and "Setujui teks ini" not in page
    # The text the editor saw is what is approved: a stale digest is refused.
    stale = editor.post("/approve", data={"csrf_token": token, "file": ARTICLE, "digest": "x"})
    assert stale.status_code == 409 and "changed since you opened it" in stale.text
    # An edit through the studio: the approval no longer matches.
    edit = editor.get("/edit", params={"file": EMBARGOED}).text
    assert "Setelah perubahan disimpan, teks baru menunggu persetujuan" in edit
    form = {"csrf_token": csrf_of(edit), "file": EMBARGOED, "action": "save",
            "base": _value(edit, "base"), "source": (root / EMBARGOED).read_text(),
            "field:title": "Bengkulu Tengah mengajak warga mengenali jebakan lowongan kerja"}  # fmt: skip
    assert editor.post("/edit", data=form).status_code == 303
    assert not approvals.load(root).allows_file(root / EMBARGOED)
    page = editor.get("/item", params={"file": EMBARGOED}).text
    assert "Teks berubah sejak Eko Editor menyetujuinya" in page


def _value(html: str, name: str) -> str:
    import re

    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found
    return found.group(1)
