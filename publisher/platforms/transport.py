"""Every request to a platform ends by an overall deadline, and its answer has a size cap.

requests (and tweepy and Mastodon.py, which use it) only has connect and read timeouts: the
read timeout counts from the last byte received, so an answer trickled one byte every two
seconds never ends. `DeadlineAdapter` is a transport adapter that, for each request, arms a
timer; when the deadline passes it shuts the socket down (which wakes a blocked read at once,
in the headers or the body), and the request fails with `DeadlineExceeded`. The body is read
inside the adapter, under the same timer and up to `max_body` bytes, so a 5 MB error page
cannot fill memory or the ledger either.

The socket is found through the connection classes of the adapter's own urllib3 pools, which
note it in the request's context when they connect, send or read. Written here because
neither requests nor urllib3 offers a total deadline (requests issue #3099, urllib3's
`Timeout(total=...)` bounds each socket operation, not their sum).
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager

# (connect, read) seconds for each socket operation, and the most any one request may take.
TIMEOUT = (10.0, 30.0)
DEADLINE = 60.0
# The largest answer we accept: the largest image a platform takes (Mastodon's 16 MB) with
# room to spare. Error bodies are cut much shorter before they are stored (common.clip).
MAX_BODY = 24 * 1024 * 1024


class DeadlineExceeded(requests.exceptions.ReadTimeout):
    """No complete answer within the deadline. The request may have reached the platform."""

    def __init__(self, seconds: float, **kwargs: Any) -> None:
        super().__init__(f"no complete answer within {seconds:g} s", **kwargs)
        self.deadline_seconds = seconds


class AnswerTooLarge(requests.exceptions.RequestException):
    """The answer was longer than the cap; it was not read to the end."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes", **kwargs)


@dataclass
class _Watch:
    """One request's deadline and the socket it is using."""

    seconds: float
    sock: socket.socket | None = None
    expired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, sock: socket.socket | None) -> None:
        with self.lock:
            self.sock = sock
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            _shut(self.sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would unwrap the TLS
    # object under the reading thread's feet. Either way the blocked read ends. OSError:
    # already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The request being sent in this thread (a context variable, not shared state: each thread
# and task sees its own).
_CURRENT: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar(
    "publisher_request_deadline", default=None
)


def _note(sock: Any) -> None:
    watch = _CURRENT.get()
    if watch is not None and isinstance(sock, socket.socket):
        watch.note(sock)


class _Noted:
    """Mixed into urllib3's connections: tell the current request which socket it uses."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _note(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self.sock)  # a kept-alive connection: no connect() this time
        super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _note(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Noted, connection.HTTPConnection):
    pass


class _HTTPSConnection(_Noted, connection.HTTPSConnection):
    pass


class _HTTPPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _watch_pools(manager: Any) -> Any:
    # Only urllib3's own pools (a SOCKS proxy manager has its own classes: left alone, it
    # still has the connect and read timeouts).
    if manager.pool_classes_by_scheme == poolmanager.pool_classes_by_scheme:
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


class DeadlineAdapter(HTTPAdapter):
    """A requests transport adapter with an overall deadline and a size cap per request."""

    def __init__(
        self,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        max_body: int = MAX_BODY,
    ) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.max_body = max_body
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        return _watch_pools(super().proxy_manager_for(proxy, **kwargs))

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        watch = _Watch(self.deadline)
        token = _CURRENT.set(watch)
        timer = threading.Timer(self.deadline, watch.expire)
        timer.daemon = True
        timer.start()
        try:
            response = super().send(request, stream=True, timeout=timeout or self.timeout, **kwargs)
            self._read_body(response)
            return response
        except Exception as exc:
            if watch.expired:
                raise DeadlineExceeded(self.deadline, request=request) from exc
            raise
        finally:
            timer.cancel()
            _CURRENT.reset(token)

    def _read_body(self, response: requests.Response) -> None:
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_body:
                response.close()
                raise AnswerTooLarge(self.max_body, request=response.request, response=response)
            chunks.append(chunk)
        # Stored the way requests stores a body it read itself: `.content`, `.json()` work,
        # and callers that asked for a stream get the same bytes.
        response._content = b"".join(chunks)


def deadline_session(
    timeout: tuple[float, float] = TIMEOUT,
    deadline: float = DEADLINE,
    max_body: int = MAX_BODY,
    session: requests.Session | None = None,
) -> requests.Session:
    """A requests session whose every request has `timeout`, an overall `deadline` and a
    cap of `max_body` bytes."""
    session = session or requests.Session()
    adapter = DeadlineAdapter(timeout, deadline, max_body)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def past_deadline(exc: BaseException | None) -> float | None:
    """The deadline in seconds, if `exc` (or what it wraps) is a deadline that passed."""
    seen = exc
    for _ in range(8):  # libraries wrap: Mastodon.py -> requests; atproto -> httpx
        if seen is None:
            return None
        seconds = getattr(seen, "deadline_seconds", None)
        if isinstance(seconds, (int, float)):
            return float(seconds)
        seen = seen.__cause__ or seen.__context__
    return None
