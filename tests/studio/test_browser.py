"""Each task of the studio as a staff member does it, in real Debian Chromium; axe-core
finds no WCAG 2.2 AA violation on any page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from publisher.content import approvals
from publisher.engine.ledger import Ledger
from publisher.studio.approving import set_required
from tests.studio.conftest import PASSWORD, STAFF, Running, git, seed_ledger
from tests.support import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

RELEASE = "content/siaran-pers/hari-dunia-menentang-perdagangan-orang-2027.md"
CAMPAIGN = "hari-dunia-anti-perdagangan-orang-2027"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2)
    yield context.new_page()
    context.close()


def log_in(page: Page, server: Running, role: str) -> None:
    page.goto(f"{server.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Nama").fill(STAFF[role])
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Ringkasan", level=1)).to_be_visible()


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]


def test_find_tomorrows_posts_and_preview_one_on_every_platform(
    page: Page, server: Running
) -> None:
    log_in(page, server, "writer")
    page.get_by_role("link", name="Kalender").click()
    tomorrow = page.locator("li.day", has=page.locator(".tag", has_text="besok"))
    expect(tomorrow.locator("h2")).to_contain_text("Selasa, 20 Juli")
    entry = tomorrow.locator("li.entry.post").first
    expect(entry.locator(".chip")).to_have_count(5)
    entry.locator(".what a").click()
    expect(page.get_by_role("heading", name="Kiriman hdapo27-01-pembukaan")).to_be_visible()
    cards = page.locator("article.card")
    expect(cards).to_have_count(5)
    for label in ("X", "Mastodon", "Bluesky", "Facebook", "Telegram"):
        card = cards.filter(has=page.get_by_role("heading", name=re.compile(f"^{label}")))
        expect(card.locator(".count")).to_contain_text(re.compile(r"\d+ dari \d+ karakter"))
        expect(card.locator(".body")).to_contain_text("Hari Dunia Anti Perdagangan Orang")
    # The link card is the built page's own Open Graph card (the page linked: program/).
    expect(cards.first.locator(".linkcard .ltitle")).to_have_text(re.compile("Program"))
    x_text = cards.first.locator(".body").inner_text()
    # Exactly what the composer sends to X: the page's own address, no UTM (off by default).
    assert "/program/" in x_text and "utm_" not in x_text
    assert violations(page) == []


def test_write_a_new_article_fix_a_check_error_and_save(page: Page, server: Running) -> None:
    root = server.project.root
    log_in(page, server, "writer")
    page.get_by_role("link", name="Naskah").click()
    page.get_by_role("link", name="Berita baru").click()
    page.get_by_label("Judul").fill("Warga desa belajar mengenali lowongan palsu")
    page.get_by_role("button", name="Buat").click()
    expect(page.get_by_role("status")).to_contain_text("Berkas baru dibuat")
    date = page.get_by_label("Tanggal terbit (WIB)")
    date.fill("besok pagi")
    errors = page.locator(".field", has=date).locator("ul.errors")
    expect(errors).to_contain_text("is not a valid date and time", timeout=20_000)  # live check
    expect(date).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_contain_text("Belum tersimpan: 1 kesalahan")
    assert violations(page) == []
    page.get_by_label("Tanggal terbit (WIB)").fill("2027-07-21 09:00")
    page.locator("#body").fill("Warga belajar mengenali lowongan kerja **palsu**.\n")
    preview = page.frame_locator("iframe.preview")  # rendered as the site's Markdown does
    expect(preview.locator("strong")).to_have_text("palsu", timeout=20_000)
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_contain_text("Tersimpan")
    log = git(root, "log", "-2", "--format=%an|%s").splitlines()
    path = "content/berita/warga-desa-belajar-mengenali-lowongan-palsu.md"
    assert log == [
        f"{STAFF['writer']}|Studio: edit {path}",
        f"{STAFF['writer']}|Studio: new post {path}",
    ]
    commit = git(root, "log", "-1", "--format=%h").strip()
    expect(page.get_by_text(f"Commit git: {commit}.")).to_be_visible()
    assert "date: 2027-07-21 09:00" in (root / path).read_text()


def test_approve_a_release_then_edit_it_and_the_approval_drops(page: Page, server: Running) -> None:
    studio = server.studio
    set_required(studio, studio.accounts.get(STAFF["admin"]), True)
    log_in(page, server, "editor")
    page.goto(f"{server.url}/item?file={RELEASE}")
    section = page.locator("section.approval")
    expect(section).to_contain_text("menunggu persetujuan")
    section.get_by_role("button", name="Setujui teks ini").click()
    expect(page.get_by_role("status")).to_contain_text("Disetujui")
    expect(section).to_contain_text(f"disetujui oleh {STAFF['editor']}")
    assert approvals.load(server.project.root).allows_file(server.project.root / RELEASE)
    page.get_by_role("link", name="Sunting berkas").click()
    expect(page.get_by_text("Setelah perubahan disimpan, teks baru menunggu")).to_be_visible()
    page.get_by_label("Judul").fill(
        "Bengkulu Tengah mengajak warga mengenali jebakan lowongan kerja"
    )
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_contain_text("Tersimpan")
    page.goto(f"{server.url}/item?file={RELEASE}")
    expect(section).to_contain_text("Teks berubah sejak Eko Editor menyetujuinya")
    assert not approvals.load(server.project.root).allows_file(server.project.root / RELEASE)
    page.get_by_role("link", name="Kalender").click()
    page.get_by_role("link", name="Bulan").click()
    page.get_by_role("link", name="Berikutnya").click()  # the release goes live on 30 July
    page.get_by_role("link", name=re.compile("^09:00 tayang: Bengkulu Tengah mengajak")).click()
    expect(page.locator("section.approval")).to_contain_text("menunggu persetujuan")


def test_retry_a_failed_post_and_resolve_an_unknown_one(page: Page, server: Running) -> None:
    failed, unknown = f"cal:{CAMPAIGN}:hdapo27-02-gaji-terlalu-tinggi", "item:sp-2026-001"
    seed_ledger(server.project, [(failed, "mastodon", "failed", "Mastodon: server error 503"),
                                 (unknown, "telegram", "unknown", "timeout after sending")])  # fmt: skip
    log_in(page, server, "editor")
    page.get_by_role("link", name="Perlu tindakan").click()
    rows = page.locator("li.att")
    expect(rows).to_have_count(2)
    assert violations(page) == []
    rows.filter(has_text=failed).get_by_role("button", name="Coba lagi").click()
    expect(page.get_by_role("status")).to_contain_text("Dijadwalkan ulang")
    expect(rows).to_have_count(1)
    row = rows.filter(has_text=unknown)
    row.get_by_label("Alamat kiriman di telegram").fill("https://t.me/tppo_bengkulu/123")
    row.get_by_role("button", name="Sudah terkirim").click()
    expect(page.get_by_role("status")).to_contain_text("Dicatat terkirim")
    expect(page.get_by_text("Tidak ada. Semua kiriman berjalan.")).to_be_visible()
    ledger = Ledger.open(server.studio.settings.ledger)
    try:
        assert [r.state for r in ledger.rows(key=failed)] == ["pending"]
        sent = ledger.rows(key=unknown)[0]
        assert (sent.state, sent.url) == ("sent", "https://t.me/tppo_bengkulu/123")
        actors = {
            a["actor"] for a in ledger.audit() if a["reason"].startswith(("retry", "resolved"))
        }
        assert actors == {f"studio:{STAFF['editor']}"}
    finally:
        ledger.close()


def test_a_writer_cannot_approve_and_forms_need_a_login_and_a_token(
    page: Page, browser: Browser, server: Running
) -> None:
    log_in(page, server, "writer")
    page.goto(f"{server.url}/item?file={RELEASE}")
    expect(page.get_by_role("button", name="Setujui teks ini")).to_have_count(0)
    expect(page.get_by_text("Hanya editor yang dapat menyetujui.")).to_be_visible()
    digest = approvals.file_digest(server.project.root / RELEASE)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(f"{server.url}/approve",
                                form={"csrf_token": token, "file": RELEASE, "digest": digest})  # fmt: skip
    assert refused.status == 403 and "Hanya untuk peran editor" in refused.text()
    no_token = page.request.post(f"{server.url}/new", form={"kind": "post", "title": "Tanpa token"})
    assert no_token.status == 403
    stranger = browser.new_context()
    try:
        anonymous = stranger.request.post(f"{server.url}/attention/retry", form={"key": "x"})
        assert anonymous.status == 403
    finally:
        stranger.close()
    assert not (server.project.root / "content/berita/tanpa-token.md").exists()


PAGES = [
    "/", "/calendar", "/calendar?view=month", "/items", f"/item?file={RELEASE}",
    f"/item?key=cal:{CAMPAIGN}:hdapo27-05-lima-pertanyaan", f"/item?file=campaigns/{CAMPAIGN}.md",
    f"/edit?file={RELEASE}", "/new?kind=campaign", "/attention", "/settings", "/publish",
]  # fmt: skip


def test_no_axe_violations_on_a_phone(phone: Page, server: Running) -> None:
    seed_ledger(server.project, [("item:sp-2026-001", "x", "dead", "X: 403 forbidden")])
    phone.goto(f"{server.url}/login")
    assert violations(phone) == []
    log_in(phone, server, "admin")
    for path in PAGES:
        phone.goto(f"{server.url}{path}")
        assert violations(phone) == [], path
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
    phone.goto(f"{server.url}/item?file=campaigns/{CAMPAIGN}.md")
    phone.locator("details.new-post summary").click()  # the form for a new calendar post
    expect(phone.get_by_label("Teks (tagar ditulis di dalam teks)")).to_be_visible()
    assert violations(phone) == []
    phone.goto(f"{server.url}/lang?to=en&next=/calendar")
    expect(phone.get_by_role("heading", name="Calendar", level=1)).to_be_visible()
    assert violations(phone) == []


def test_reading_works_without_javascript(browser: Browser, server: Running) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, server, "writer")
        page.goto(f"{server.url}/calendar?day=2027-07-20")
        expect(page.locator("li.entry")).not_to_have_count(0)
        page.goto(f"{server.url}/edit?file={RELEASE}")
        page.get_by_label("Tanggal terbit (WIB)").fill("bukan tanggal")
        page.get_by_role("button", name="Periksa dan pratinjau").click()  # the form, not a script
        expect(page.locator(".field.invalid")).to_contain_text("is not a valid date and time")
    finally:
        context.close()
