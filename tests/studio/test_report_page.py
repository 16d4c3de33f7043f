"""The studio's report page: the same report as `publisher report`, in the browser, with its
PDF and CSV to download, behind the login and the studio's security headers."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from publisher.core.settings import for_project
from publisher.engine.ledger import Ledger
from publisher.engine.ledger.metrics import Reading
from publisher.platforms.metrics import Counts
from tests.studio.conftest import NOW, Running, seed_ledger

CAMPAIGN = "hari-dunia-anti-perdagangan-orang-2027"
FIRST = f"cal:{CAMPAIGN}:hdapo27-01-pembukaan"


def _with_counts(server: Running) -> None:
    seed_ledger(server.project, [(FIRST, "x", "sent", ""), (FIRST, "telegram", "sent", ""),
                                 (FIRST, "facebook", "dead", "refused (400)")])  # fmt: skip
    ledger = Ledger.open(for_project(server.project).ledger, actor="test")
    try:
        row = ledger.rows(key=FIRST, platform="x")[0]
        counts = Counts(reposts=7, likes=42, replies=3, quotes=2, views=1234)
        ledger.add_readings([Reading(row.id, FIRST, "x", 1, "1", 3600, NOW, counts=counts)])
    finally:
        ledger.close()


def test_the_report_page_shows_the_campaigns_report(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    _with_counts(server)
    client = login("writer")
    listing = client.get("/report")
    assert listing.status_code == 200 and f'href="/report/{CAMPAIGN}"' in listing.text
    page = client.get(f"/report/{CAMPAIGN}")
    assert page.status_code == 200
    text = page.text
    assert "1,234" in text and "42 likes" in text and "not offered by Telegram" in text
    assert "refused (400)" in text and text.count("<svg") >= 2
    assert '<link rel="stylesheet" href="/report/style.css">' in text and "<style>" not in text
    assert "style-src 'self'" in page.headers["content-security-policy"]
    css = client.get("/report/style.css")
    assert css.status_code == 200 and "@font-face" not in css.text
    pdf = client.get(f"/report/{CAMPAIGN}.pdf")
    assert pdf.content.startswith(b"%PDF-") and "attachment" in pdf.headers["content-disposition"]
    rows = client.get(f"/report/{CAMPAIGN}.csv").text.splitlines()
    assert rows[0].startswith("campaign,post,key,platform") and len(rows) == 4


def test_the_report_needs_a_login_and_a_known_campaign(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    anonymous = httpx.get(f"{server.url}/report/{CAMPAIGN}", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    client = login("writer")
    answer = client.get("/report/kampanye-lain")
    assert answer.status_code == 409 and "no campaign with this slug" in answer.text
    assert client.get(f"/report/{CAMPAIGN}.exe").status_code == 404
