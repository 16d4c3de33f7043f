"""Every request to a platform has an overall deadline and a size cap, not only connect and
read timeouts: an answer trickled one byte every 2 s, or one that never comes, ends at the
deadline (the figures are measured in bench/bench_platform_deadline.py)."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import requests

from publisher.platforms.httpx_deadline import AnswerTooLarge as HttpxTooLarge
from publisher.platforms.httpx_deadline import DeadlineTransport
from publisher.platforms.transport import AnswerTooLarge, DeadlineExceeded, deadline_session
from tests.platform_servers.fixtures import adapter_for, part

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

DEADLINE = 2.5  # the trickle's second byte would come at 4 s
HANG_DEADLINE = 1.0  # nothing comes at all: any deadline shows it
# The read timeout is far longer than the gaps of the trickle: only the deadline can end it.
LONG_READ = (2.0, 30.0)
# Without a deadline a trickled answer of this many bytes would take minutes.
NEVER = 20.0


def post(server: Any, deadline: float = DEADLINE) -> tuple[Any, float]:
    adapter = adapter_for(server.name, server, timeout=LONG_READ, deadline=deadline)
    if server.name == "bluesky":
        adapter.verify()  # log in first: only the create is slow
    start = time.monotonic()
    result = adapter.post(part(server.name, "Info penting (uji).", link=""), "item:a", None)
    return result, time.monotonic() - start


def test_an_answer_trickled_one_byte_every_2_s_ends_at_the_deadline(any_server: Any) -> None:
    any_server.trickle_next(2.0, path=any_server.CREATE, method="POST")
    result, took = post(any_server)

    assert result.unknown and not result.ok  # it was sent: it may exist
    assert f"no complete answer within {DEADLINE:g} s (deadline)" in result.error
    assert took < NEVER
    assert len(any_server.posts) == 1


@pytest.mark.parametrize("platform", ["x", "bluesky"])  # requests and httpx
def test_trickled_headers_end_at_the_deadline_too(platform: str, request: Any) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    server.trickle_next(2.0, path=server.CREATE, method="POST", headers=True)
    result, took = post(server)

    assert result.unknown and "(deadline)" in result.error
    assert took < NEVER


def test_a_create_that_never_answers_ends_at_the_deadline(any_server: Any) -> None:
    any_server.hang_next(path=any_server.CREATE, method="POST")
    result, took = post(any_server, HANG_DEADLINE)
    any_server.release()

    assert result.unknown and f"within {HANG_DEADLINE:g} s (deadline)" in result.error
    assert took < NEVER
    assert any_server.posts == []  # the fake dropped it: the lookup would find nothing


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])  # requests and httpx
def test_a_lookup_that_never_answers_cannot_tell(platform: str, request: Any) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    adapter = adapter_for(platform, server, timeout=LONG_READ, deadline=HANG_DEADLINE)
    adapter.verify()
    server.hang_next(method="GET")
    assert adapter.lookup(part(platform, "x", link="")) is None
    server.release()


# --- the transports themselves ---------------------------------------------------------


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        size = int(self.path.strip("/") or 0)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"x" * size)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def pages() -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_answer_over_the_cap_is_not_read_whole(pages: str) -> None:
    session = deadline_session(max_body=1000)
    assert session.get(f"{pages}/1000").content == b"x" * 1000
    with pytest.raises(AnswerTooLarge):
        session.get(f"{pages}/5000")
    with httpx.Client(transport=DeadlineTransport(max_body=1000)) as client:
        assert client.get(f"{pages}/1000").content == b"x" * 1000
        with pytest.raises(HttpxTooLarge):
            client.get(f"{pages}/5000")


def test_a_kept_alive_connection_is_watched_too(x_server: Any) -> None:
    session = deadline_session(LONG_READ, deadline=DEADLINE)
    assert session.get(f"{x_server.url}/nothing").status_code == 401  # opens the connection
    x_server.trickle_next(2.0)
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        session.get(f"{x_server.url}/nothing")  # same connection, no connect() this time
    assert time.monotonic() - start < NEVER
    assert len({r.headers.get("connection") for r in x_server.requests}) == 1


def test_requests_without_a_deadline_would_wait_far_longer(x_server: Any) -> None:
    """The control: the same trickle through plain requests is still going after the
    deadline (so the tests above measure the deadline, not a short answer)."""
    x_server.trickle_next(0.5)
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(f"{x_server.url}/nothing", timeout=(2.0, 0.2))  # each gap: read timeout
    x_server.trickle_next(0.5)
    start = time.monotonic()
    answer = requests.get(f"{x_server.url}/nothing", timeout=LONG_READ, stream=True)
    answer.raw.read(8)
    assert time.monotonic() - start >= 3.5  # eight bytes at 0.5 s each
    answer.close()


def test_the_httpx_transport_keeps_the_environments_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from publisher.platforms.httpx_deadline import env_proxy

    for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert env_proxy("https://bsky.social") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert env_proxy("https://bsky.social") == "http://proxy.internal:3128"
    assert env_proxy("http://127.0.0.1:8080") is None
    DeadlineTransport(proxy=env_proxy("https://bsky.social")).close()  # accepted by httpx
