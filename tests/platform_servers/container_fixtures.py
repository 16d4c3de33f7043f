"""Fixtures for the two-step platforms (Instagram, Threads): their local servers, the
public site Meta fetches the images from, and their real adapters pointed at both.

Registered for every test by tests/conftest.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from publisher.platforms.instagram import InstagramAdapter
from publisher.platforms.threads import ThreadsAdapter
from tests.platform_servers import instagram, threads
from tests.platform_servers.fixtures import TEST_TIMEOUT, serving
from tests.platform_servers.instagram import InstagramServer
from tests.platform_servers.threads import ThreadsServer
from tests.support import serve_folder


def image_bytes(size: tuple[int, int] = (64, 64), kind: str = "JPEG", color: str = "blue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


@dataclass
class Site:
    """Our public site on 127.0.0.1: what Meta fetches `image_url` from."""

    url: str
    folder: Path

    def put(self, path: str, data: bytes) -> str:
        file = self.folder / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)
        return f"{self.url}/{path}"

    def address(self, path: str) -> str:
        return f"{self.url}/{path}"


@pytest.fixture
def public_site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "public-site"
    folder.mkdir()
    with serve_folder(folder) as url:
        yield Site(url, folder)


@pytest.fixture
def instagram_server() -> Iterator[InstagramServer]:
    yield from serving(InstagramServer())


@pytest.fixture
def threads_server() -> Iterator[ThreadsServer]:
    yield from serving(ThreadsServer())


@dataclass
class Sleeps:
    """The adapter's waits between status reads, recorded instead of slept."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def instagram_adapter(server: InstagramServer, **options: Any) -> InstagramAdapter:
    options.setdefault("timeout", TEST_TIMEOUT)
    options.setdefault("sleep", Sleeps())
    return InstagramAdapter(
        instagram.USER_ID, instagram.TOKEN, base_url=server.url, version="v23.0", **options
    )


def threads_adapter(server: ThreadsServer, **options: Any) -> ThreadsAdapter:
    options.setdefault("timeout", TEST_TIMEOUT)
    options.setdefault("sleep", Sleeps())
    return ThreadsAdapter(
        threads.USER_ID, threads.TOKEN, base_url=server.url, version="v1.0", **options
    )


def container_environ(servers: dict[str, Any]) -> dict[str, str]:
    """The environment `real_adapter` reads for the two-step platforms among `servers`."""
    env: dict[str, str] = {}
    if "instagram" in servers:
        env |= {
            "INSTAGRAM_USER_ID": instagram.USER_ID,
            "INSTAGRAM_ACCESS_TOKEN": instagram.TOKEN,
            "INSTAGRAM_BASE_URL": servers["instagram"].url,
        }
    if "threads" in servers:
        env |= {
            "THREADS_USER_ID": threads.USER_ID,
            "THREADS_ACCESS_TOKEN": threads.TOKEN,
            "THREADS_BASE_URL": servers["threads"].url,
        }
    return env
