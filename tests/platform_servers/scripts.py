"""Scripted misbehaviour of the local platform servers, and how an answer is written.

A Script applies to the next matching requests; PlatformServer (tests/platform_servers/
__init__.py) has one method per behaviour that makes it (see README.md in this folder).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.platform_servers.recorded import Recorded


@dataclass
class Answer:
    status: int
    body: Any = None  # dict/list -> JSON, bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    """One scripted misbehaviour, applied to the next matching requests."""

    status: int | None  # None: answer normally (after `delay`)
    times: int | None = 1  # None: every matching request until cleared
    path: str | None = None  # a regular expression searched in the path
    after: int = 0  # let this many matching requests through first
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    method: str | None = None  # only requests with this method ("POST": not the lookups)
    # "answer": the request is processed at once and the answer waits `delay`;
    # "process": the request waits `delay`, then is processed (a post made late).
    phase: str = "answer"
    advance_clock: bool = False  # move the server's test clock by `delay` instead of sleeping
    hang: bool = False  # wait for release() (or stop()) before anything else
    then: str = "drop"  # after a hang: "drop" the connection, or "process" the request
    trickle: float | None = None  # write the answer one byte every this many seconds
    trickle_headers: bool = False  # ... from the status line on, not only the body
    mangle: Callable[[Answer], Answer] | None = None  # rewrite the normal answer

    def matches(self, request: Recorded) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        return self.path is None or re.search(self.path, request.path) is not None

    def use(self) -> bool:
        """Count one use; True when the script is used up."""
        if self.times is None:
            return False
        self.times -= 1
        return self.times <= 0


def encode(answer: Answer) -> tuple[bytes, dict[str, str]]:
    if isinstance(answer.body, bytes):
        payload, kind = answer.body, "application/octet-stream"
    elif answer.body is None:
        payload, kind = b"", "application/json"
    else:
        payload, kind = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
    headers = {"Content-Type": kind, **answer.headers, "Content-Length": str(len(payload))}
    return payload, headers


def write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    payload, headers = encode(answer)
    try:
        handler.send_response(answer.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (our timeout tests): nothing to answer to


def trickle(
    handler: BaseHTTPRequestHandler,
    answer: Answer,
    every: float,
    stopping: threading.Event,
    *,
    headers_too: bool,
) -> None:
    """Write the answer one byte every `every` seconds (from the status line when
    `headers_too`), until it is written, the client leaves or the server stops."""
    payload, headers = encode(answer)
    head = f"HTTP/1.1 {answer.status} {handler.responses.get(answer.status, ('',))[0]}\r\n"
    head += f"Date: {handler.date_time_string()}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    slow, data = (head.encode() + payload, b"") if headers_too else (payload, head.encode())
    try:
        if data:
            handler.wfile.write(data)
            handler.wfile.flush()
        for index in range(len(slow)):
            if stopping.wait(every):
                return
            handler.wfile.write(slow[index : index + 1])
            handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    handler.close_connection = True
