"""The screenshots of docs/studio.md, taken with Playwright in Debian's Chromium.

Run: .venv/bin/python scripts/studio_screenshots.py [docs/studio]

The studio runs over a copy of the project (built as of 19 July 2027, the day before the
sample campaign starts), with a few ledger rows so the attention list has something to
show; nothing of the working tree changes but the PNG files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.studio.demo import (  # noqa: E402
    PASSWORD,
    STAFF,
    build,
    copy_project,
    make_repository,
    seed_ledger,
    serving,
    studio_app,
)
from tests.support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CAMPAIGN = "hari-dunia-anti-perdagangan-orang-2027"


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "studio").resolve()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="studio-shots-") as folder:
        root = copy_project(Path(folder) / "project")
        build(root)
        project = make_repository(root)
        seed_ledger(project, [
            ("item:berita-2026-003", "x", "sent", ""),
            (f"cal:{CAMPAIGN}:hdapo27-02-gaji-terlalu-tinggi", "mastodon", "failed",
             "Mastodon: server error 503 (the platform is down or busy)"),
            ("item:sp-2026-001", "telegram", "unknown",
             "Telegram: no answer after the request was sent (timeout)"),
            ("item:berita-2026-004", "x", "dead", "X: 403 You are not allowed to create a Tweet with duplicate content."),
        ])  # fmt: skip
        with serving(studio_app(project)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(f"{url}/login")
            page.get_by_label("Nama").fill(STAFF["editor"])
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.goto(f"{url}/calendar")
            page.screenshot(path=target / "calendar.png")
            page.goto(f"{url}/item?key=cal:{CAMPAIGN}:hdapo27-01-pembukaan")
            page.locator("section", has=page.locator("#h-cards")).screenshot(
                path=target / "preview.png"
            )
            page.goto(f"{url}/attention")
            page.screenshot(path=target / "attention.png", full_page=True)
            browser.close()
    for name in ("calendar.png", "preview.png", "attention.png"):
        print(target / name)


if __name__ == "__main__":
    main()
