"""Touch targets on the cheapest phone (issue 21, section 1b), in Chromium at 360 px wide:
every interactive target at least 24 x 24 CSS px (WCAG 2.2, 2.5.8), the hotline links and
buttons and the quick exit at least 44 x 44, and form text at least 16 px (iOS zooms into a
field whose text is smaller). The hotline and search pages are checked with the search form
shown, the way a phone with JavaScript sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.site.test_browser import PAGE_TYPES
from tests.support import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

LARGE = ".quick-exit, .strip a, .hotlines a.button, .hotlines-short a"
MEASURE = """(large) => {
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const found = [];
  for (const el of document.querySelectorAll(targets)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.right <= 0 || box.bottom <= 0) continue;  // skip links: off screen until focused
    const minimum = el.matches(large) ? 44 : 24;
    found.push({
      what: `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}"`,
      width: box.width, height: box.height, minimum,
      font: el.matches('input, select, textarea') ? parseFloat(style.fontSize) : null,
    });
  }
  return found;
}"""


@pytest.fixture(scope="module")
def phone() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640})
        yield context.new_page()
        browser.close()


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_every_target_is_big_enough_to_tap_at_360_px(phone: Page, site_url: str, path: str) -> None:
    phone.goto(f"{site_url}{path}")
    targets = phone.evaluate(MEASURE, LARGE)
    assert len(targets) > 10  # the page's hotlines, menu, footer... were measured
    small = [
        f"{t['what']}: {t['width']:.0f} x {t['height']:.0f} (at least {t['minimum']})"
        for t in targets
        if t["width"] < t["minimum"] - 0.5 or t["height"] < t["minimum"] - 0.5
    ]
    assert small == []
    # The hotline links of the strip and the quick exit are among the large ones.
    assert sum(t["minimum"] == 44 for t in targets) >= 4


def test_the_search_field_and_button_are_large_with_16px_text(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/cari/")
    field = phone.locator("#q")
    box = field.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 200
    assert float(field.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 16
    button = phone.locator("form[data-search] button").bounding_box()
    assert button is not None and button["height"] >= 44 and button["width"] >= 44
    fonts = [t["font"] for t in phone.evaluate(MEASURE, LARGE) if t["font"] is not None]
    assert fonts and min(fonts) >= 16
