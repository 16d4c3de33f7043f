"""The studio behind Debian's nginx with deploy/nginx-studio.conf, over real TLS (a
self-signed certificate made for the test): the redirect to https, the headers once, a
login through the proxy, and a cookie marked Secure."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops.test_nginx import NGINX, free_port, main_config, wait_for
from tests.studio.conftest import PASSWORD, STAFF, Running, csrf_of
from tests.support import ROOT


@pytest.fixture
def proxied(server: Running, tmp_path: Path) -> Iterator[str]:
    base = tmp_path / "nginx"
    base.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http, https = free_port(), free_port()
    text = (ROOT / "deploy" / "nginx-studio.conf").read_text()
    for name, value in {
        "SERVER_NAME": "localhost",
        "HTTP": f"127.0.0.1:{http}",
        "HTTPS": f"127.0.0.1:{https}",
        "CERTIFICATE": str(base / "cert.pem"),
        "KEY": str(base / "key.pem"),
        "STUDIO": server.url.removeprefix("http://"),
    }.items():
        text = text.replace("{{" + name + "}}", value)
    assert "{{" not in text
    (base / "studio.conf").write_text(text)
    (base / "nginx.conf").write_text(main_config(base, base / "studio.conf"))
    command = [
        NGINX,
        "-e",
        str(base / "error.log"),
        "-p",
        str(base),
        "-c",
        str(base / "nginx.conf"),
    ]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0 and "[warn]" not in check.stderr, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(https, process)
        yield f"https://localhost:{https}", f"http://localhost:{http}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_studio_behind_nginx_with_tls(proxied: tuple[str, str]) -> None:
    secure, plain = proxied
    with httpx.Client(verify=False, timeout=30) as client:
        moved = client.get(f"{plain}/calendar")
        assert moved.status_code == 301
        assert moved.headers["location"] == "https://localhost/calendar"
        page = client.get(f"{secure}/login")
        assert page.status_code == 200
        assert page.headers.get_list("content-security-policy") == [
            page.headers["content-security-policy"]
        ]
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert "Secure" in page.headers["set-cookie"]  # X-Forwarded-Proto: https reached it
        answer = client.post(
            f"{secure}/login",
            data={"name": STAFF["editor"], "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 303
        overview = client.get(f"{secure}/")
        assert overview.status_code == 200 and STAFF["editor"] in overview.text
        css = client.get(f"{secure}/static/studio.css", headers={"Accept-Encoding": "gzip"})
        assert css.headers["content-encoding"] == "gzip"
