"""The real theme in headless Debian Chromium: quick exit, layout at 360 px, axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PAGE_TYPES = {
    "home": "/",
    "help": "/bantuan/",
    "page": "/migrasi-aman/",
    "safety": "/keamanan/",
    "news list": "/berita/",
    "press room": "/ruang-media/",
    "release": "/siaran-pers/sp-2026-001/",
    "campaigns": "/kampanye/",
    "campaign": "/kampanye/hari-dunia-anti-perdagangan-orang-2027/",
    "search": "/cari/",
    "english home": "/en/",
    "english help": "/en/bantuan/",
}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def _first_article_path(site_url: str, phone: Page) -> str:
    phone.goto(f"{site_url}/berita/")
    return phone.locator("ul.posts a").first.get_attribute("href")


def test_quick_exit_click_leaves_and_back_does_not_return(
    phone: Page, site_url: str, neutral_site: str
) -> None:
    phone.goto(f"{neutral_site}/start.html")
    phone.goto(f"{site_url}/bantuan/")
    phone.click("aside.safety a.quick-exit")
    phone.wait_for_url(f"{neutral_site}/")
    assert phone.title() == "Weather"
    phone.go_back()
    assert phone.url == f"{neutral_site}/start.html"


def test_shift_three_times_leaves_the_site(phone: Page, site_url: str, neutral_site: str) -> None:
    phone.goto(f"{neutral_site}/start.html")
    phone.goto(f"{site_url}/")
    for _ in range(3):
        phone.keyboard.press("Shift")
    phone.wait_for_url(f"{neutral_site}/")
    phone.go_back()
    assert phone.url == f"{neutral_site}/start.html"


def test_shift_as_a_modifier_does_nothing(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/")
    for _ in range(3):
        phone.keyboard.press("Shift+A")
    phone.wait_for_timeout(300)
    assert phone.url == f"{site_url}/"
    assert "qe-hidden" not in (phone.locator("html").get_attribute("class") or "")


def test_shift_count_is_announced_to_screen_readers(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/")
    phone.keyboard.press("Shift")
    assert "2 kali lagi" in phone.locator("#qe-status").inner_text()


def test_quick_exit_hides_the_page_and_blanks_the_title_at_once(
    phone: Page, site_url: str, neutral_site: str
) -> None:
    phone.goto(f"{site_url}/")
    # A 204 answer cancels the navigation, so the page can be inspected as it was left.
    phone.route(f"{neutral_site}/**", lambda route: route.fulfill(status=204))
    phone.click("aside.safety a.quick-exit")
    state = phone.evaluate(
        """() => ({hidden: document.documentElement.classList.contains('qe-hidden'),
                   title: document.title,
                   mainShown: document.querySelector('main').getClientRects().length > 0,
                   status: document.getElementById('qe-status').textContent})"""
    )
    assert state == {"hidden": True, "title": "", "mainShown": False, "status": "Memuat"}


def test_quick_exit_works_without_javascript(
    browser: Browser, site_url: str, neutral_site: str
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(f"{site_url}/tanda-tanda/")
    page.click("aside.safety a.quick-exit")
    page.wait_for_url(f"{neutral_site}/")
    context.close()


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_hotlines_and_quick_exit_in_the_first_screen_without_horizontal_scroll(
    phone: Page, site_url: str, path: str
) -> None:
    phone.goto(f"{site_url}{path}")
    for selector in (
        "a[href='tel:110']",
        "a[href='tel:129']",
        "a[href='https://wa.me/628111129129']",
        "aside a.quick-exit",
    ):
        box = phone.locator(
            f"aside.safety {selector}" if not selector.startswith("aside") else selector
        ).bounding_box()
        assert (
            box is not None and box["y"] + box["height"] <= 640 and box["x"] + box["width"] <= 360
        ), (path, selector, box)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_keyboard_reaches_skip_links_first(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.getAttribute('href')") == "#isi"
    assert phone.locator("a.skip-link[href='#isi']").is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.hasAttribute('data-quick-exit')")


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_axe_reports_no_violations(phone: Page, site_url: str, path: str) -> None:
    phone.goto(f"{site_url}{path}")
    assert _axe_violations(phone) == []


def test_axe_reports_no_violations_on_an_article(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/berita/")
    phone.locator("ul.posts a").first.click()
    phone.wait_for_load_state()
    assert phone.locator("article h1").count() == 1
    assert _axe_violations(phone) == []


@pytest.mark.parametrize(
    ("search_page", "word", "target"),
    [("/cari/", "paspor", "/migrasi-aman/"), ("/en/search/", "passport", "/en/migrasi-aman/")],
)
def test_search_finds_the_safe_migration_page(
    phone: Page, site_url: str, search_page: str, word: str, target: str
) -> None:
    phone.goto(f"{site_url}{search_page}")
    phone.fill("#q", word)
    phone.press("#q", "Enter")
    first_result = phone.locator("#search-results li a").first
    first_result.wait_for()
    hrefs = phone.locator("#search-results li a").evaluate_all(
        "links => links.map(a => a.pathname)"
    )
    assert target in hrefs
    assert phone.locator("#search-results li .summary mark").count() > 0
    phone.locator(f"#search-results li a[href$='{target}']").first.click()
    phone.wait_for_url(f"{site_url}{target}")


def test_search_page_without_javascript_says_how_to_browse(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/cari/")
    assert page.locator("[data-no-js]").is_visible()
    assert page.locator("form[data-search]").is_hidden()
    assert page.locator("[data-no-js] a[href$='migrasi-aman/']").count() == 1
    context.close()


def test_only_the_search_page_loads_the_search_code(phone: Page, site_url: str) -> None:
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto(f"{site_url}/")
    phone.goto(f"{site_url}/bantuan/")
    assert not [url for url in requested if "pagefind" in url or "search.js" in url]


def test_switching_language_on_a_release_lands_on_its_translation(
    phone: Page, site_url: str
) -> None:
    phone.goto(f"{site_url}/siaran-pers/sp-2026-001/")
    phone.locator(".lang-switch a").click()
    phone.wait_for_url(f"{site_url}/en/press-releases/sp-2026-001/")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h2", has_text="Media contacts").count() == 1
