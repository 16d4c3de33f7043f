"""The studio's security seams, over HTTP: login, roles, CSRF, cookies, headers, paths."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from starlette.routing import Mount, Route

from publisher.studio.app import routes
from publisher.studio.render import markdown_html, post_segments
from publisher.studio.security import HEADERS, inside
from tests.studio.conftest import PASSWORD, STAFF, Running, csrf_of
from tests.support import ROOT

RELEASE = "content/siaran-pers/hari-dunia-menentang-perdagangan-orang-2027.md"


def test_the_headers_are_the_sites_own() -> None:
    """deploy/nginx.conf sets the site's headers; the studio sends the same ones."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    site = dict(re.findall(r'add_header ([\w-]+) "([^"]+)" always;', conf))
    # The site's CSP names its script folders with the site's origin ({{ORIGIN}}, filled in
    # at install); the studio serves its scripts from its own origin: 'self', nothing else.
    site_csp = re.sub(r"script-src [^;]+", "script-src 'self' 'wasm-unsafe-eval'",
                      site.pop("Content-Security-Policy"))  # fmt: skip
    assert HEADERS["Content-Security-Policy"] == site_csp
    for name, value in site.items():
        assert HEADERS[name] == value, name
    assert HEADERS["Cache-Control"] == "no-store"  # studio pages hold unpublished text


def test_every_response_carries_the_headers(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in ("/login", "/", "/static/studio.css", "/nothing-here"):
            answer = client.get(path)
            for name, value in HEADERS.items():
                if name != "Cache-Control":
                    assert answer.headers[name] == value, (path, name)


def test_pages_need_a_login(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in ("/", "/calendar", "/items", "/attention", f"/edit?file={RELEASE}", "/site/"):
            answer = client.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=")


def test_actions_without_a_login_are_refused(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = csrf_of(client.get("/login").text)  # a valid token, but no login
        for path in ("/approve", "/attention/retry", "/edit", "/new", "/publish", "/settings"):
            answer = client.post(path, data={"csrf_token": token, "file": RELEASE})
            assert answer.status_code == 403, path
            assert "Masuk dulu" in answer.text


def test_actions_without_the_csrf_token_are_refused(login: Callable[[str], httpx.Client]) -> None:
    client = login("admin")
    for path in (
        "/approve",
        "/attention/retry",
        "/edit",
        "/new",
        "/publish",
        "/settings",
        "/logout",
    ):
        answer = client.post(path, data={"file": RELEASE, "kind": "post", "title": "X"})
        assert answer.status_code == 403, path
        wrong = client.post(path, data={"csrf_token": "0" * 64, "file": RELEASE})
        assert wrong.status_code == 403, path
    assert client.get("/").status_code == 200  # still logged in: nothing happened


def test_a_form_from_another_site_is_refused(login: Callable[[str], httpx.Client]) -> None:
    client = login("editor")
    token = csrf_of(client.get("/attention").text)
    answer = client.post(
        "/attention/retry",
        data={"csrf_token": token, "key": "item:x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403


def test_a_writer_cannot_approve(login: Callable[[str], httpx.Client], server: Running) -> None:
    client = login("writer")
    page = client.get(f"/item?file={RELEASE}").text
    assert "Setujui teks ini" not in page
    assert "Hanya editor yang dapat menyetujui" in page
    token = csrf_of(page)
    answer = client.post("/approve", data={"csrf_token": token, "file": RELEASE, "digest": "x"})
    assert answer.status_code == 403
    assert not (server.project.root / "data" / "approvals.yaml").exists()


def test_the_session_cookie_is_signed_httponly_and_strict(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        cookie = client.get("/login").headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        value = client.cookies["studio_session"]
        client.cookies.set("studio_session", value[:-2] + "AA")  # a forged signature
        assert client.get("/").status_code == 303


def test_login_starts_a_new_session(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/login")
        before = client.cookies["studio_session"]
        client.post("/login", data={"name": STAFF["editor"], "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text)})  # fmt: skip
        assert client.cookies["studio_session"] != before
        with httpx.Client(base_url=server.url, cookies={"studio_session": before}) as other:
            assert other.get("/").status_code == 303  # the old id is not logged in


def test_failed_logins_are_rate_limited(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = csrf_of(client.get("/login").text)
        tries = [
            client.post(
                "/login",
                data={"name": STAFF["editor"], "password": f"salah {n}", "csrf_token": token},
            ).status_code
            for n in range(6)
        ]
        assert tries == [401] * 5 + [429]
        # The right password waits too: guessing must not go on by luck.
        right = client.post(
            "/login", data={"name": STAFF["editor"], "password": PASSWORD, "csrf_token": token}
        )
        assert right.status_code == 429
        assert "Terlalu banyak percobaan" in right.text


def test_logout_ends_the_session(login: Callable[[str], httpx.Client], server: Running) -> None:
    client = login("editor")
    kept = client.cookies["studio_session"]
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    with httpx.Client(base_url=server.url, cookies={"studio_session": kept}) as replay:
        assert replay.get("/").status_code == 303


def test_a_removed_account_is_logged_out_at_once(
    login: Callable[[str], httpx.Client], server: Running
) -> None:
    client = login("writer")
    assert client.get("/").status_code == 200
    server.studio.accounts.remove(STAFF["writer"])
    assert client.get("/").status_code == 303


ESCAPES = [
    "../pelicanconf.py",
    "..%2fpelicanconf.py",
    "%2e%2e/pelicanconf.py",
    "%2e%2e%2fpelicanconf.py",
    "%252e%252e%252fpelicanconf.py",
    "images/../../pelicanconf.py",
    "..%5cpelicanconf.py",
    "/etc/passwd",
    "%2fetc%2fpasswd",
]


def test_no_route_serves_a_file_from_outside_its_folder(
    login: Callable[[str], httpx.Client],
) -> None:
    client = login("admin")
    for escape in ESCAPES:
        for prefix in ("/site/", "/files/", "/static/"):
            answer = client.get(prefix + escape)
            assert answer.status_code in (400, 404), (prefix, escape)
            assert "PUBLISHER" not in answer.text and "root:" not in answer.text
        answer = client.get("/edit", params={"file": httpx.URL(escape).path})
        assert answer.status_code == 409, escape  # refused with the reason, nothing read
        assert "PUBLISHER" not in answer.text


def test_inside_keeps_to_its_folder(tmp_path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.html").write_text("a")
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "site" / "out").symlink_to(tmp_path)
    assert inside(tmp_path / "site", "a.html") == (tmp_path / "site" / "a.html").resolve()
    for escape in [*ESCAPES, "out/secret.txt", "a.html\x00"]:
        assert inside(tmp_path / "site", escape) is None, escape


def test_the_files_it_serves(login: Callable[[str], httpx.Client]) -> None:
    client = login("writer")
    assert client.get("/site/bantuan/").status_code == 200
    assert client.get("/files/images/og-default.png").headers["content-type"] == "image/png"
    assert client.get("/files/berita/sosialisasi-pencegahan-tppo-di-desa.md").status_code == 404


def test_every_route_declares_its_guard() -> None:
    """No route can be added without saying who may use it (web.page / web.action)."""
    public = {"/login", "/lang"}
    for route in routes():
        if isinstance(route, Mount):
            assert route.path == "/static"
            continue
        assert isinstance(route, Route)
        guard = getattr(route, "guard", None)
        assert guard is not None, route.path
        assert (guard.role is None) == (route.path in public), route.path
        assert route.methods <= {"GET", "HEAD", "POST"}


def test_a_post_preview_marks_links_and_tags_without_building_markup() -> None:
    """Pieces, not HTML: the template escapes each one, so a writer's '<' stays text."""
    text = "<b>Lapor</b> #StopTPPO https://contoh.go.id/a?x=1 selesai"
    pieces = post_segments(text)
    assert "".join(piece for _kind, piece in pieces) == text
    assert ("tag", "#StopTPPO") in pieces
    assert ("link", "https://contoh.go.id/a?x=1") in pieces
    assert pieces[0] == ("", "<b>Lapor</b> ")


def test_the_body_preview_is_cleaned_as_the_site_cleans_it() -> None:
    html = markdown_html('Teks.\n\n<p onclick="x()">a</p><script>b()</script>\n', {})
    assert "script" not in html and "onclick" not in html and "<p>a</p>" in html
