"""Hostile titles in headless Chromium: no dialog fires, the page stays whole, and the
hotline links and the quick exit work (tests/markup_support.py builds the site)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from publisher.site.build import build_site
from tests.markup_support import HOSTILE, NOW, SLUGS, make_hostile_project
from tests.support import ROOT, serve_folder

pytestmark = pytest.mark.browser

PATHS = [f"/berita/2027/{slug}/" for slug in SLUGS] + [
    "/siaran-pers/sp-markup/",
    "/halaman-markup/",
    "/kampanye/kampanye-markup/",
    "/",
]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, neutral_site: str) -> Iterator[str]:
    root = make_hostile_project(tmp_path_factory.mktemp("hostile-browser"), ROOT)
    output = root / "output"
    build_site(
        root / "pelicanconf.py",
        output=output,
        now=NOW,
        overrides={"SEARCH_INDEX": False, "QUICK_EXIT_URL": f"{neutral_site}/"},
    )
    with serve_folder(output) as url:
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path", PATHS)
def test_no_dialog_and_the_safety_parts_work(
    phone: Page, hostile_url: str, neutral_site: str, path: str
) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{hostile_url}{path}")
    phone.wait_for_load_state("load")
    assert not dialogs and not errors
    # The page was parsed whole: one title, the hotline strip before the content, the footer.
    assert phone.evaluate("document.querySelectorAll('title').length") == 1
    assert phone.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    strip = phone.locator("aside.safety ul.strip a")
    assert strip.first.get_attribute("href") == "tel:110" and strip.first.is_visible()
    assert phone.locator("footer.site-footer ul.hotlines-short a[href='tel:129']").count() == 1
    # The quick exit still leaves the site (its script is the theme's, and it runs).
    phone.keyboard.press("Shift")
    assert "2" in phone.locator("#qe-status").inner_text()
    phone.click("aside.safety a.quick-exit")
    phone.wait_for_url(f"{neutral_site}/")
    assert not dialogs


def test_titles_show_as_typed(phone: Page, hostile_url: str) -> None:
    for slug, text in zip(SLUGS, HOSTILE, strict=True):
        phone.goto(f"{hostile_url}/berita/2027/{slug}/")
        assert phone.locator("article h1").inner_text() == text
        assert phone.title().startswith(text)
