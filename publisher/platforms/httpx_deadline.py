"""The overall deadline and size cap of publisher.platforms.transport, for httpx (atproto).

httpx, like requests, has per-operation timeouts only. Here each socket operation of httpcore
(connect, TLS, every read and write) gets the time left before the request's deadline as its
timeout, through a network backend that wraps httpcore's own: a trickled answer times out
exactly at the deadline, in the headers or the body. The body is read inside the transport,
so the deadline covers it and the cap applies.

Imported on first use only (httpx is the Bluesky client's), like the client libraries.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from publisher.platforms.transport import DEADLINE, MAX_BODY

# The deadline (time.monotonic) of the request sent in this thread or task.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "publisher_httpx_deadline", default=None
)


class DeadlineTimeout(httpx.ReadTimeout):
    """No complete answer within the deadline. The request may have reached the platform."""

    def __init__(self, seconds: float, request: httpx.Request) -> None:
        super().__init__(f"no complete answer within {seconds:g} s", request=request)
        self.deadline_seconds = seconds


class AnswerTooLarge(httpx.ReadError):
    def __init__(self, limit: int, request: httpx.Request) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes", request=request)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _Stream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def env_proxy(url: str) -> str | None:
    """The proxy the environment sets for `url` (HTTPS_PROXY, NO_PROXY...): httpx reads it
    itself only when it makes its own transport."""
    parts = urlsplit(url)
    if not parts.hostname or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


class DeadlineTransport(httpx.BaseTransport):
    """httpx's own transport, with an overall deadline and a size cap per request."""

    def __init__(self, deadline: float = DEADLINE, max_body: int = MAX_BODY, **kwargs: Any) -> None:
        self.deadline = deadline
        self.max_body = max_body
        self._inner = httpx.HTTPTransport(**kwargs)
        # httpx.HTTPTransport takes no network backend, so it is put into its pool here;
        # checked, so that a new httpx that renames it fails the tests, not production.
        pool = self._inner._pool
        if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
            raise RuntimeError("httpx's connection pool changed: update httpx_deadline.py")
        pool._network_backend = _Backend(pool._network_backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.deadline
        token = _DEADLINE.set(deadline)
        try:
            response = self._inner.handle_request(request)
            try:
                body = self._read(response, request)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline - 0.05:
                raise DeadlineTimeout(self.deadline, request) from exc
            raise
        finally:
            _DEADLINE.reset(token)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            extensions=response.extensions,
        )

    def _read(self, response: httpx.Response, request: httpx.Request) -> bytes:
        chunks, size = [], 0
        for chunk in response.stream:  # the bytes as sent; the client decodes them after
            size += len(chunk)
            if size > self.max_body:
                raise AnswerTooLarge(self.max_body, request)
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._inner.close()
