"""Local servers that behave like the social platforms, for the real client libraries.

Each runs a ThreadingHTTPServer on 127.0.0.1 (ephemeral port) in a thread, checks the shape
of the auth header and the required fields, enforces the platform's limits, answers with the
platform's own error bodies, records every request (path, headers, body) and keeps the posts
it accepted, so lookups work. Failures are scriptable (README.md in this folder lists them):

    server.fail_next(503)                        # the next request answers 503
    server.fail_next(429, path="/2/tweets", after=2)   # the third post is rate limited
    server.slow_next(2.0, path="/2/tweets")      # accepted, but answered after 2 s
    server.hang_next(path=server.CREATE)         # no answer until server.release()
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.platform_servers.engagement import Engagement
from tests.platform_servers.recorded import Recorded, Upload
from tests.platform_servers.scripts import Answer, Script, trickle, write

__all__ = ["Answer", "PlatformServer", "Recorded", "Script", "Upload", "bearer", "next_id"]

# The fixtures module is imported by test modules before pytest loads it as a plugin.
pytest.register_assert_rewrite("tests.platform_servers.fixtures")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client killed mid-request (the crash tests do that on purpose)
        super().handle_error(request, client_address)


class PlatformServer(Engagement):
    """The shared machinery; a platform subclass writes `route` and `error`, and says where
    its posts are created (`CREATE`) and how an answer looks without its id (`without_id`).
    Engagement counts of its posts come from `Engagement` (engagement.py)."""

    name = ""
    CREATE = ""  # a regular expression for the path of the request that makes a post

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.posts: list[dict[str, Any]] = []
        self._scripts: list[Script] = []
        self.lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # The server's clock: real time, or a test's fake clock (`use_clock`). Reset times,
        # the `Date` header, the 24-hour cap and late indexing all read it.
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.index_delay = 0.0  # seconds before a new post shows where lookups read
        self.rate_window = 900.0  # seconds from a 429 to the reset it announces
        self.revoked = False  # the credentials were withdrawn (revoke/restore)
        self.released = threading.Event()  # ends every hang
        self.stopping = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                platform._serve(self)

            do_POST = do_GET
            do_DELETE = do_GET

            def date_time_string(self, timestamp: float | None = None) -> str:
                return formatdate(platform.now() if timestamp is None else timestamp, usegmt=True)

            def log_message(self, format: str, *args: Any) -> None:  # quiet tests
                pass

        self.stopping.clear()
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.released.set()  # no request stays hung after the test
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the clock ---------------------------------------------------------------------
    def use_clock(self, clock: Callable[[], dt.datetime]) -> None:
        """Read time from `clock` (e.g. tests.engine_support.Clock) instead of the real one."""
        self.clock = clock

    def now(self) -> float:
        return self.clock().timestamp()

    def keep(self, post: dict[str, Any]) -> dict[str, Any]:
        """Store an accepted post, stamped with the server's time (for late indexing)."""
        post["_created"] = self.now()
        self.posts.append(post)
        return post

    def visible(self, post: dict[str, Any]) -> bool:
        """Does the post show yet where lookups read (timelines, feeds)?"""
        return post.get("_created", 0.0) + self.index_delay <= self.now()

    def index_after(self, seconds: float) -> None:
        """Late indexing: new posts show in the timeline only `seconds` after they were made,
        on the server's clock. Creates, duplicates and replies see them at once."""
        self.index_delay = seconds

    # --- credentials -----------------------------------------------------------------
    def revoke(self) -> None:
        """Withdraw the credentials: every authenticated request is refused the way the
        platform refuses a revoked token, until restore()."""
        self.revoked = True

    def restore(self) -> None:
        self.revoked = False

    # --- scripting -------------------------------------------------------------------
    def _add(self, script: Script) -> None:
        with self.lock:
            self._scripts.append(script)

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        path: str | None = None,
        after: int = 0,
        body: Any = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> None:
        """The next `times` matching requests (after `after` of them) answer `status` with
        the platform's own error body (and, for 429, its own reset headers), unless `body`
        is given."""
        self._add(Script(status, times, path, after, body, headers or {}, method=method))

    def fail_all(self, status: int = 500, *, path: str | None = None) -> None:
        """Every matching request answers `status` until clear_scripts(): an outage."""
        self._add(Script(status, None, path))

    def rate_limit(
        self, *, reset_in: float | None = None, times: int | None = 1, path: str | None = None
    ) -> None:
        """Answer 429 with the platform's real rate-limit headers, announcing a reset
        `reset_in` seconds from the server's clock (default `rate_window`)."""
        if reset_in is not None:
            self.rate_window = reset_in
        self._add(Script(429, times, path))

    def slow_next(
        self,
        seconds: float,
        *,
        path: str | None = None,
        times: int = 1,
        method: str | None = None,
        phase: str = "answer",
        advance_clock: bool = False,
    ) -> None:
        """Slow create: with phase "answer" the request is processed at once (a post is
        made) and answered after `seconds`; with phase "process" it waits `seconds`, then
        is processed (the post appears late, even after the client gave up). With
        `advance_clock` the server's test clock moves by `seconds` instead of waiting."""
        assert phase in ("answer", "process")
        self._add(
            Script(
                None,
                times,
                path,
                0,
                delay=seconds,
                method=method,
                phase=phase,
                advance_clock=advance_clock,
            )
        )

    def hang_next(
        self,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int | None = 1,
        then: str = "drop",
    ) -> None:
        """Hang: matching requests get no answer until release() (or stop()); then the
        connection is closed ("drop", nothing made) or the request is processed and answered
        ("process")."""
        assert then in ("drop", "process")
        self.released.clear()
        self._add(Script(None, times, path, method=method, hang=True, then=then))

    def release(self) -> None:
        """End every hang."""
        self.released.set()

    def trickle_next(
        self,
        every: float = 2.0,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        headers: bool = False,
        body: Any = None,
    ) -> None:
        """Trickle: the answer (the normal one, or `body`) is written one byte every `every`
        seconds: only the body, or from the status line on with `headers`."""
        script = Script(None, times, path, method=method, trickle=every, trickle_headers=headers)
        if body is not None:
            script.mangle = lambda answer: Answer(answer.status, body, answer.headers)
        self._add(script)

    def mangle_next(
        self,
        change: Callable[[Answer], Answer],
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        """Process matching requests normally, then answer `change(answer)`."""
        self._add(Script(None, times, path, method=method, mangle=change))

    def no_id_next(self, how: str = "null", *, times: int = 1) -> None:
        """200 without an id: the next create is made, but its answer has the id
        `how` = "null", "missing", "None" (the string) or "malformed"."""
        assert how in ("null", "missing", "None", "malformed")
        self.mangle_next(
            lambda answer: self.without_id(answer, how),
            path=self.CREATE,
            method="POST",
            times=times,
        )

    def clear_scripts(self) -> None:
        """Forget every scripted failure or delay still waiting: the outage is over."""
        with self.lock:
            self._scripts.clear()
        self.released.set()

    recover = clear_scripts

    def requests_to(self, pattern: str, method: str | None = None) -> list[Recorded]:
        with self.lock:
            return [
                r
                for r in self.requests
                if re.search(pattern, r.path) and (method is None or r.method == method)
            ]

    # --- for subclasses --------------------------------------------------------------
    def route(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def error(self, status: int, message: str = "") -> Answer:
        """The platform's own error answer for `status`."""
        raise NotImplementedError

    def without_id(self, answer: Answer, how: str) -> Answer:
        """The create's answer with its id null, missing, "None" or malformed."""
        raise NotImplementedError

    @staticmethod
    def broken_id(value: Any, how: str) -> Any:
        return {"null": None, "None": "None", "malformed": "../../x.com/evil"}.get(how, value)

    # --- serving ---------------------------------------------------------------------
    def _script_for(self, request: Recorded) -> Script | None:
        with self.lock:
            for script in self._scripts:
                if not script.matches(request):
                    continue
                if script.after > 0:
                    script.after -= 1
                    return None
                if script.use():
                    self._scripts.remove(script)
                return script
        return None

    def _wait(self, script: Script) -> None:
        if script.advance_clock and hasattr(self.clock, "advance"):
            self.clock.advance(seconds=script.delay)
        elif script.delay:
            self.stopping.wait(script.delay)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        request = Recorded(
            handler.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            parts.query,
        )
        with self.lock:
            self.requests.append(request)
        script = self._script_for(request)
        if script is not None and script.hang:
            self.released.wait()
            if script.then == "drop" or self.stopping.is_set():
                handler.close_connection = True
                return
        if script is not None and script.phase == "process":
            self._wait(script)
        if script is not None and script.status is not None:
            answer = self.error(script.status)
            if script.body is not None:
                answer.body = script.body
            answer.headers.update(script.headers)
        else:
            try:
                answer = self.route(request)
            except Exception as exc:  # a bug in the fake must show, not hang the client
                answer = Answer(500, {"error": f"test server: {type(exc).__name__}: {exc}"})
        if script is not None and script.mangle is not None:
            answer = script.mangle(answer)
        if script is not None and script.phase == "answer":
            self._wait(script)
        if script is not None and script.trickle is not None:
            trickle(
                handler, answer, script.trickle, self.stopping, headers_too=script.trickle_headers
            )
        else:
            write(handler, answer)


def bearer(request: Recorded) -> str | None:
    value = request.headers.get("authorization", "")
    return value[len("Bearer ") :] if value.startswith("Bearer ") else None


def next_id(existing: int) -> str:
    """Snowflake-like ids: long digit strings, as the platforms give."""
    return str(1_800_000_000_000_000_000 + existing + 1)
