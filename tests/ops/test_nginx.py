"""The production site as it is served: Debian's nginx with deploy/nginx.conf, over real deploys.

A real nginx runs on a loopback port with the shipped server block (placeholders filled in),
serving `current` of a deploy target that `publisher deploy` fills with production builds
(publishconf.py, with SITE_URL pointing at this nginx). Requests check headers, encodings,
media types, cache lifetimes, the 404 page, and that deploys and rollbacks made while pages
are being fetched never give an error or a page with another release's assets.
"""

from __future__ import annotations

import gzip
import http.client
import itertools
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup

from publisher.content import hotlines
from publisher.ops.deploy import deploy, rollback
from publisher.site.build import build_site
from publisher.site.fingerprint import FINGERPRINTED, MANIFEST
from tests.conftest import BUILD_NOW
from tests.support import CHROMIUM, CHROMIUM_ARGS, ROOT

HOTLINES = ROOT / "data" / "hotlines.yaml"

NGINX = "/usr/sbin/nginx"
BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"
MIME_TYPES = "/etc/nginx/mime.types"
SECURITY_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "referrer-policy",
    "permissions-policy",
    "x-content-type-options",
    "x-frame-options",
)
KEEP = 3


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]  # lower-case name -> every value sent
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name, [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]

    def decoded(self) -> bytes:
        encoding = self.headers.get("content-encoding", [""])[0]
        if encoding == "br":
            return brotli.decompress(self.body)
        if encoding == "gzip":
            return gzip.decompress(self.body)
        assert encoding == "", encoding
        return self.body


@dataclass
class Server:
    url: str
    port: int
    site: Path  # the deploy target; nginx serves site/current
    error_log: Path

    def get(self, path: str, encoding: str | None = None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Accept-Encoding": encoding} if encoding else {}
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            found: dict[str, list[str]] = {}
            for name, value in answer.getheaders():
                found.setdefault(name.lower(), []).append(value)
            return Response(answer.status, found, answer.read())
        finally:
            connection.close()


def fill(template: str, listen: str, server_name: str, root: Path, origin: str = "") -> str:
    text = template.replace("{{LISTEN}}", listen).replace("{{SERVER_NAME}}", server_name)
    text = text.replace("{{ROOT}}", str(root)).replace("{{ORIGIN}}", origin or f"http://{listen}")
    assert "{{" not in text, "a placeholder of deploy/nginx.conf was not filled in"
    return text


def main_config(base: Path, server_block: Path) -> str:
    """nginx.conf around the shipped server block: everything in `base`, in the foreground."""
    temp = base / "temp"
    temp.mkdir()
    # Run as root (CI), nginx would start workers as `nobody`, which cannot read pytest's
    # private temporary folders; this test server only ever listens on 127.0.0.1.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
daemon off;
worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
{user}
load_module {BROTLI_MODULE};
events {{ worker_connections 256; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {server_block};
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    for path, package in [(NGINX, "nginx"), (BROTLI_MODULE, "libnginx-mod-http-brotli-static")]:
        assert Path(path).exists(), f"{path} is missing: apt-get install {package}"
    base = tmp_path_factory.mktemp("nginx")
    site = base / "site"
    port = free_port()
    block = base / "tppo.conf"
    template = (ROOT / "deploy" / "nginx.conf").read_text()
    block.write_text(fill(template, f"127.0.0.1:{port}", "localhost", site / "current"))
    conf = base / "nginx.conf"
    conf.write_text(main_config(base, block))
    check = subprocess.run(
        [NGINX, "-t", "-e", str(base / "error.log"), "-p", str(base), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr
    assert "[warn]" not in check.stderr, check.stderr
    process = subprocess.Popen(
        [NGINX, "-e", str(base / "error.log"), "-p", str(base), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, process)
        yield Server(f"http://127.0.0.1:{port}", port, site, base / "error.log")
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start listening")


@pytest.fixture(scope="module")
def builds(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two production builds for this nginx's address; B's site.css differs by a comment."""
    folder = tmp_path_factory.mktemp("production")
    theme_b = folder / "theme-b"
    shutil.copytree(ROOT / "theme", theme_b)
    css = theme_b / "static" / "css" / "site.css"
    css.write_text(css.read_text() + "\n/* build B */\n")
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        # The real way to set the address: publishconf.py reads SITE_URL.
        patch.setenv("SITE_URL", server.url)
        for label, overrides in [("A", {}), ("B", {"THEME": str(theme_b)})]:
            output = folder / f"output-{label}"
            build_site(ROOT / "publishconf.py", output=output, now=BUILD_NOW, overrides=overrides)
            found[label] = output
    return found


@pytest.fixture(scope="module")
def live(server: Server, builds: dict[str, Path]) -> Path:
    """Build A deployed and live; returns that build's folder (what nginx should send)."""
    deploy(builds["A"], str(server.site), KEEP)
    return builds["A"]


def asset_paths(html: bytes) -> list[str]:
    """Paths of the stylesheets and scripts a page loads (its 'build id': they are hashed)."""
    soup = BeautifulSoup(html, "lxml")
    urls = [link["href"] for link in soup.select("link[rel=stylesheet]")]
    urls += [script["src"] for script in soup.select("script[src]")]
    return [re.sub(r"^https?://[^/]+", "", url) for url in urls]


def headers_file(origin: str = "") -> dict[str, dict[str, str]]:
    """deploy/_headers as {path pattern: {header name (lower case): value}}, {{ORIGIN}} filled."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    text = (ROOT / "deploy" / "_headers").read_text()
    for line in text.replace("{{ORIGIN}}", origin).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        else:
            name, _, value = line.strip().partition(":")
            current[name.strip().lower()] = value.strip()
    return rules


def headers_for(path: str, origin: str = "") -> dict[str, str]:
    """What a `_headers` host would send for `path`: the rules whose pattern matches, merged."""
    merged: dict[str, str] = {}
    for pattern, values in headers_file(origin).items():
        if fnmatchcase(path, pattern):
            for name, value in values.items():
                assert name not in merged, f"{name} set by two rules for {path}: hosts join them"
                merged[name] = value
    return merged


@pytest.fixture(scope="module")
def paths(live: Path) -> dict[str, str]:
    """One URL path per kind of file in the live build."""
    index = (live / "index.html").read_bytes()
    css = next(p for p in asset_paths(index) if p.endswith(".css"))
    js = next(p for p in asset_paths(index) if p.endswith(".js"))
    return {
        "home": "/",
        "page": "/bantuan/",
        "css": css,
        "js": js,
        "atom": "/feeds/all.atom.xml",
        "rss": "/feeds/siaran-pers.rss.xml",
        "json feed": "/feeds/all.json",
        "image": "/images/og-default.png",
        "missing": "/tidak-ada/di-sini/",
    }


# --- the production build itself -------------------------------------------------------------


def test_production_build_is_absolute_fingerprinted_and_precompressed(
    server: Server, live: Path
) -> None:
    listed = (live / MANIFEST).read_text().split()
    theme_files = sorted(
        p.relative_to(live).as_posix()
        for p in (live / "theme").rglob("*")
        if p.suffix in {".css", ".js"}
    )
    assert listed == theme_files and listed, "every theme CSS and JS file is fingerprinted"
    for page in live.rglob("*.html"):
        html = page.read_text()
        for path in asset_paths(html.encode()):
            if path.startswith("/theme/"):
                assert FINGERPRINTED.search(path), f"{page}: {path}"
                assert (live / path.lstrip("/")).is_file(), f"{page}: {path}"
        canonical = BeautifulSoup(html, "lxml").select_one("link[rel=canonical]")
        assert canonical["href"].startswith(f"{server.url}/"), page
    texts = [p for p in live.rglob("*") if p.suffix in {".html", ".css", ".js", ".xml", ".json"}]
    twins = 0
    for text in texts:
        data = text.read_bytes()
        for suffix, decompress in [(".br", brotli.decompress), (".gz", gzip.decompress)]:
            twin = text.with_name(text.name + suffix)
            if twin.exists():
                assert decompress(twin.read_bytes()) == data, twin
                twins += 1
    assert (live / "index.html.br").exists() and (live / "index.html.gz").exists()
    assert twins >= len(texts)  # nearly every text file has both twins
    assert (live / "404.html").exists()


def test_a_development_build_in_the_same_process_stays_plain(live: Path, tmp_path: Path) -> None:
    """The production plugins stay connected to Pelican's signals; they must not act here."""
    output = tmp_path / "dev"
    build_site(
        ROOT / "pelicanconf.py", output=output, now=BUILD_NOW, overrides={"SEARCH_INDEX": False}
    )
    assert not list(output.rglob("*.gz")) and not list(output.rglob("*.br"))
    assert (output / "theme" / "css" / "site.css").exists()
    assert not (output / MANIFEST).exists()


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["home", "page", "css", "js", "atom", "image", "missing"])
def test_every_response_has_the_security_headers(server: Server, paths, kind: str) -> None:
    answer = server.get(paths[kind], "br, gzip")
    expected = headers_file(server.url)["/*"]
    for name in SECURITY_HEADERS:
        assert answer.header(name) == expected[name], name
    assert answer.header("server") == "nginx"  # no version


def test_the_security_headers_say_what_the_issue_asks(server: Server) -> None:
    answer = server.get("/")
    csp = dict(
        (part.split()[0], part.split()[1:])
        for part in answer.header("content-security-policy").split("; ")
    )
    assert csp["default-src"] == ["'self'"]
    # No inline script, and scripts only from the theme's folder and Pagefind's bundle.
    assert csp["script-src"] == [
        f"{server.url}/theme/js/",
        f"{server.url}/pagefind/",
        "'wasm-unsafe-eval'",
    ]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    hsts = answer.header("strict-transport-security")
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert answer.header("referrer-policy") == "no-referrer"
    assert answer.header("x-content-type-options") == "nosniff"
    policy = answer.header("permissions-policy")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in policy


def test_pages_need_nothing_the_policy_forbids(server: Server, live: Path) -> None:
    """No inline script or style, and everything a page loads comes from this origin."""
    for page in live.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "lxml")
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", page
        assert not soup.find_all("style"), page
        assert not soup.select("[style]"), page
        assert not [
            tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]
        loaded = [t["src"] for t in soup.select("script[src], img[src]")]
        loaded += [t["href"] for t in soup.select("link[rel~=stylesheet], link[rel~=icon]")]
        for url in loaded:
            assert url.startswith(f"{server.url}/") or url.startswith("data:"), (page, url)


@pytest.mark.parametrize(
    ("kind", "cache_control"),
    [
        ("css", "public, max-age=31536000, immutable"),
        ("js", "public, max-age=31536000, immutable"),
        ("home", "no-cache"),
        ("page", "no-cache"),
        ("missing", "no-cache"),
        ("atom", "public, max-age=300"),
        ("json feed", "public, max-age=300"),
        ("image", "public, max-age=86400"),
    ],
)
def test_cache_lifetimes(server: Server, paths, kind: str, cache_control: str) -> None:
    assert server.get(paths[kind], "br").header("cache-control") == cache_control


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/tidak-ada.html", "text/html; charset=utf-8"),
        ("/feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feeds/siaran-pers.atom.xml", "application/atom+xml; charset=utf-8"),
        ("/en/feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feeds/siaran-pers.rss.xml", "application/rss+xml; charset=utf-8"),
        ("/feeds/all.json", "application/feed+json; charset=utf-8"),
        ("/feeds/siaran-pers.json", "application/feed+json; charset=utf-8"),
        ("/en/feeds/all.json", "application/feed+json; charset=utf-8"),
        ("/feeds/syndication.json", "application/json; charset=utf-8"),
        ("/sitemap.xml", "text/xml; charset=utf-8"),
    ],
)
@pytest.mark.parametrize("encoding", [None, "br", "gzip"])
def test_media_types(server: Server, live: Path, path, media_type, encoding) -> None:
    answer = server.get(path, encoding)
    assert answer.header("content-type") == media_type
    if path.startswith("/feeds/") or path.startswith("/en/feeds/"):
        assert answer.status == 200
        assert answer.header("access-control-allow-origin") == "*"


def test_css_and_js_media_types(server: Server, paths) -> None:
    assert server.get(paths["css"]).header("content-type") == "text/css; charset=utf-8"
    assert server.get(paths["js"]).header("content-type") == (
        "application/javascript; charset=utf-8"
    )


def test_feed_files_all_have_their_media_type_rule_in_the_headers_file(live: Path) -> None:
    for feed in live.glob("**/feeds/**/*"):
        if feed.suffix in {".gz", ".br"} or feed.name == "syndication.json" or feed.is_dir():
            continue
        expected = (
            "application/atom+xml"
            if feed.name.endswith(".atom.xml")
            else "application/rss+xml"
            if feed.name.endswith(".rss.xml")
            else "application/feed+json"
        )
        path = "/" + feed.relative_to(live).as_posix()
        assert headers_for(path).get("content-type") == f"{expected}; charset=utf-8", path


def test_the_headers_file_matches_the_server(server: Server, paths) -> None:
    for kind in ("home", "css", "js", "atom", "json feed"):
        answer = server.get(paths[kind])
        for name, value in headers_for(paths[kind], server.url).items():
            assert answer.header(name) == value, (kind, name)


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["home", "page", "css", "js", "atom", "rss", "json feed"])
def test_precompressed_files_are_sent_as_they_are(server: Server, live: Path, paths, kind) -> None:
    path = paths[kind]
    file = live / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    plain = file.read_bytes()
    cases = [
        ("br", "br", ".br"),
        ("gzip", "gzip", ".gz"),
        ("gzip, deflate, br", "br", ".br"),  # brotli wins when both are accepted
        (None, "", ""),
    ]
    for accept, encoding, suffix in cases:
        answer = server.get(path, accept)
        assert answer.status == 200
        assert answer.headers.get("content-encoding", [""])[0] == encoding, accept
        assert answer.body == file.with_name(file.name + suffix).read_bytes(), accept
        assert answer.decoded() == plain
        assert "Accept-Encoding" in answer.header("vary")


def test_a_file_without_a_twin_is_gzipped_on_the_fly(server: Server, live: Path) -> None:
    # A text file added to the web root by hand, without precompressed twins.
    bundle = server.site / "current" / "notes.txt"
    bundle.write_text("Catatan tanpa versi terkompresi. " * 200, encoding="utf-8")
    assert not bundle.with_name("notes.txt.gz").exists()
    answer = server.get("/notes.txt", "gzip")
    assert answer.header("content-encoding") == "gzip"
    assert answer.decoded() == bundle.read_bytes()


# --- errors and redirects --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [None, "br"])
def test_a_missing_page_gets_the_404_page_with_the_hotlines(
    server: Server, paths, encoding
) -> None:
    answer = server.get(paths["missing"], encoding)
    assert answer.status == 404
    assert answer.header("content-type") == "text/html; charset=utf-8"
    soup = BeautifulSoup(answer.decoded(), "lxml")
    assert "tidak ditemukan" in soup.h1.get_text()
    hrefs = {a["href"] for a in soup.select("main a[href]")}
    for row in hotlines.published(HOTLINES):
        for link in row.links:
            assert link.href in hrefs, link.href
        if row.number:
            assert row.number in soup.main.get_text()
    assert soup.select("[data-quick-exit]")
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    # It is served at any depth, so what it loads is absolute and there.
    for path in asset_paths(answer.decoded()):
        assert server.get(path).status == 200, path


def test_a_missing_asset_is_a_plain_404(server: Server) -> None:
    answer = server.get("/theme/css/site.0000000000.css")
    assert answer.status == 404


def test_a_folder_without_its_slash_is_redirected(server: Server) -> None:
    answer = server.get("/bantuan")
    assert answer.status == 301
    assert answer.header("location") == "/bantuan/"


def test_hidden_files_are_never_served(server: Server, live: Path) -> None:
    stray = server.site / "current" / ".git-credentials"
    stray.write_text("secret")
    try:
        assert server.get("/.git-credentials").status == 404
    finally:
        stray.unlink()


# --- the browser's view of the policy --------------------------------------------------------


@pytest.mark.browser
def test_a_browser_reports_no_policy_violation(server: Server, live: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            problems: list[str] = []

            def note(message) -> None:
                # The 404 page's own status is expected; anything else is a problem.
                missing = "tidak-ada" in message.location.get("url", "")
                if message.type in ("error", "warning") and not missing:
                    problems.append(message.text)

            page.on("console", note)
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation',"
                " e => console.error('CSP violation: ' + e.violatedDirective));"
            )
            for path in ["/", "/bantuan/", "/tidak-ada/"]:
                page.goto(f"{server.url}{path}")
                # The stylesheet applied (it hides .vh text) and the quick exit script runs.
                assert page.locator("#qe-status").evaluate("e => getComputedStyle(e).position")
                page.keyboard.press("Shift")
                assert "2" in page.locator("#qe-status").inner_text()
            # Search: Pagefind's WebAssembly runs under the policy.
            page.goto(f"{server.url}/cari/?q=kerja")
            page.wait_for_selector("#search-results li", timeout=15000)
            assert not problems, problems
        finally:
            browser.close()


@pytest.mark.browser
def test_scripts_run_only_from_the_theme_folder(server: Server, live: Path) -> None:
    """A script that reached /files/ or /images/ (where writers' uploads go) never runs, even
    if something put a <script> on the page: the policy allows the theme's folder only."""
    from playwright.sync_api import sync_playwright

    current = server.site / "current"
    planted = {
        folder: current / folder / "planted.js" for folder in ("files", "images", "theme/js")
    }
    for folder, path in planted.items():
        path.write_text(f"window.ran = (window.ran || []).concat([{folder!r}]);")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.add_init_script(
                    "window.blocked = []; document.addEventListener('securitypolicyviolation',"
                    " e => window.blocked.push(e.blockedURI));"
                )
                page.goto(f"{server.url}/")
                for folder in planted:
                    page.evaluate(
                        "src => new Promise(done => { const s = document.createElement('script');"
                        " s.src = src; s.onload = s.onerror = () => done();"
                        " document.head.append(s); })",
                        f"/{folder}/planted.js",
                    )
                assert page.evaluate("window.ran || []") == ["theme/js"]
                blocked = page.evaluate("window.blocked")
                assert f"{server.url}/files/planted.js" in blocked, blocked
                assert f"{server.url}/images/planted.js" in blocked, blocked
                # The theme's own script still runs: the quick exit counts Shift presses.
                page.keyboard.press("Shift")
                assert "2" in page.locator("#qe-status").inner_text()
            finally:
                browser.close()
    finally:
        for path in planted.values():
            path.unlink(missing_ok=True)


# --- deploys while readers read --------------------------------------------------------------


def test_deploys_during_a_stream_of_requests_never_give_an_error_or_a_mixed_page(
    server: Server, builds: dict[str, Path], live: Path
) -> None:
    """Readers fetch a page and then the CSS and JS it names, while releases switch.

    Every answer must be 200 and byte for byte a file of one build, and a page's assets must
    be those of the same build (their names carry its content hash, the page's build id).
    """
    pages = {label: (out / "index.html").read_bytes() for label, out in builds.items()}
    assert pages["A"] != pages["B"]
    problems: list[str] = []
    loads = {"A": 0, "B": 0}
    stop = threading.Event()

    def read(encodings: Iterator[str | None]) -> None:
        while not stop.is_set() and len(problems) < 5:
            encoding = next(encodings)
            try:
                answer = server.get("/", encoding)
                body = answer.decoded()
                label = next((k for k, v in pages.items() if v == body), None)
                if answer.status != 200 or label is None:
                    problems.append(f"page: {answer.status}, from no build")
                    continue
                for path in asset_paths(body):
                    asset = server.get(path, encoding)
                    expected = (builds[label] / path.lstrip("/")).read_bytes()
                    if asset.status != 200 or asset.decoded() != expected:
                        problems.append(f"{path} for build {label}: {asset.status}")
                loads[label] += 1
            except Exception as exc:  # any transport error is a failure too
                problems.append(repr(exc))

    readers = [
        threading.Thread(target=read, args=(itertools.cycle(order),))
        for order in (["br", "gzip", None], [None, "gzip, br"])
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    try:
        for i in range(24):
            deploy(builds["BA"[i % 2]], str(server.site), KEEP)
            if i % 4 == 3:
                rollback(str(server.site))
            if time.monotonic() - started > 120:
                break
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
        deploy(builds["A"], str(server.site), KEEP)  # leave A live, as the fixture said
    assert not problems, problems
    assert loads["A"] > 10 and loads["B"] > 10, loads
    assert "[crit]" not in server.error_log.read_text()
