"""Local servers that behave like the social platforms, for the real client libraries.

Each runs a ThreadingHTTPServer on 127.0.0.1 (ephemeral port) in a thread, checks the shape
of the auth header and the required fields, enforces the platform's limits, answers with the
platform's own error bodies, records every request (path, headers, body) and keeps the posts
it accepted, so lookups work. Failures are scriptable:

    server.fail_next(503)                        # the next request answers 503
    server.fail_next(429, path="/2/tweets", after=2)   # the third post is rate limited
    server.slow_next(2.0, path="/2/tweets")      # accepted, but answered after 2 s
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import pytest

# The fixtures module is imported by test modules before pytest loads it as a plugin.
pytest.register_assert_rewrite("tests.platform_servers.fixtures")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes
    query_string: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """URL-encoded or multipart text fields (the last value of each name)."""
        if "multipart/form-data" in self.content_type:
            return {k: v for k, v in self._parts().items() if isinstance(v, str)}
        fields = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[-1] for k, v in fields.items()}

    def form_list(self, name: str) -> list[str]:
        """Every value of a repeated URL-encoded field (`media_ids[]=1&media_ids[]=2`)."""
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True).get(name, [])

    def files(self) -> dict[str, Upload]:
        return {k: v for k, v in self._parts().items() if isinstance(v, Upload)}

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def _parts(self) -> dict[str, str | Upload]:
        head = f"Content-Type: {self.content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        parts: dict[str, str | Upload] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                parts[name] = Upload(filename, part.get_content_type(), data)
            else:
                parts[name] = data.decode("utf-8")
        return parts


@dataclass
class Answer:
    status: int
    body: Any = None  # dict/list -> JSON, bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    """One scripted misbehaviour, applied to the next matching requests."""

    status: int | None  # None: answer normally (after `delay`)
    times: int = 1
    path: str | None = None  # a regular expression searched in the path
    after: int = 0  # let this many matching requests through first
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    method: str | None = None  # only requests with this method ("POST": not the lookups)

    def matches(self, request: Recorded) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        return self.path is None or re.search(self.path, request.path) is not None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client killed mid-request (the crash tests do that on purpose)
        super().handle_error(request, client_address)


class PlatformServer:
    """The shared machinery; a platform subclass writes `route` and `error`."""

    name = ""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.posts: list[dict[str, Any]] = []
        self._scripts: list[Script] = []
        self.lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

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

            def log_message(self, format: str, *args: Any) -> None:  # quiet tests
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting -------------------------------------------------------------------
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
        the platform's own error body, unless `body` is given."""
        with self.lock:
            script = Script(status, times, path, after, body, headers or {}, method=method)
            self._scripts.append(script)

    def slow_next(
        self, seconds: float, *, path: str | None = None, times: int = 1, method: str | None = None
    ) -> None:
        """Process the request normally (a post is accepted), but answer after `seconds`."""
        with self.lock:
            self._scripts.append(Script(None, times, path, 0, delay=seconds, method=method))

    def clear_scripts(self) -> None:
        """Forget every scripted failure or delay still waiting: the outage is over."""
        with self.lock:
            self._scripts.clear()

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

    # --- serving ---------------------------------------------------------------------
    def _script_for(self, request: Recorded) -> Script | None:
        with self.lock:
            for script in self._scripts:
                if not script.matches(request):
                    continue
                if script.after > 0:
                    script.after -= 1
                    return None
                script.times -= 1
                if script.times <= 0:
                    self._scripts.remove(script)
                return script
        return None

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
        if script is not None and script.delay:
            time.sleep(script.delay)
        self._write(handler, answer)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            payload, kind = answer.body, "application/octet-stream"
        elif answer.body is None:
            payload, kind = b"", "application/json"
        else:
            payload, kind = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
        try:
            handler.send_response(answer.status)
            headers = {"Content-Type": kind, **answer.headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (our timeout tests): nothing to answer to


def bearer(request: Recorded) -> str | None:
    value = request.headers.get("authorization", "")
    return value[len("Bearer ") :] if value.startswith("Bearer ") else None


def next_id(existing: int) -> str:
    """Snowflake-like ids: long digit strings, as the platforms give."""
    return str(1_800_000_000_000_000_000 + existing + 1)
