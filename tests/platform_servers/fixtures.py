"""pytest fixtures for the local platform servers, and helpers shared by the adapter tests.

Import the fixtures you need in a test module:
    from tests.platform_servers.fixtures import x_server, png  # noqa: F401
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from publisher.engine.compose import compose
from publisher.engine.ledger import Ledger
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.base import BaseAdapter
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart, Media
from tests.engine_support import SITE, Clock, item, make_settings
from tests.platform_servers import bluesky, facebook, mastodon, telegram, x
from tests.platform_servers.bluesky import BlueskyServer
from tests.platform_servers.facebook import FacebookServer
from tests.platform_servers.mastodon import MastodonServer
from tests.platform_servers.telegram import TelegramServer
from tests.platform_servers.x import XServer

# Short enough that a "slow answer" test takes a second, long enough for a loaded CI box.
TEST_TIMEOUT = (2.0, 0.6)
SLOW = 1.5  # seconds a slow answer waits: past TEST_TIMEOUT's read timeout
LINK = f"{SITE}/berita/razia-tppo/?utm_source=PLATFORM&utm_medium=social&utm_campaign=site"


def link_for(platform: str) -> str:
    return LINK.replace("PLATFORM", platform)


def part(
    platform: str,
    text: str,
    *,
    number: int = 1,
    total: int = 1,
    media: tuple[Media, ...] = (),
    key: str = "item:a",
    link: str | None = None,
) -> DraftPart:
    return DraftPart(
        key,
        platform,
        number,
        total,
        text,
        media,
        "id",
        link_for(platform) if link is None else link,
    )


def png_bytes(size: int = 8, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "poster.png"
    path.write_bytes(png_bytes())
    return path


def serving(server: Any) -> Iterator[Any]:
    """A fake server started for one test and stopped after it."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def x_server() -> Iterator[XServer]:
    yield from serving(XServer())


@pytest.fixture
def mastodon_server() -> Iterator[MastodonServer]:
    yield from serving(MastodonServer())


@pytest.fixture
def bluesky_server() -> Iterator[BlueskyServer]:
    yield from serving(BlueskyServer())


@pytest.fixture
def facebook_server() -> Iterator[FacebookServer]:
    yield from serving(FacebookServer())


@pytest.fixture
def telegram_server() -> Iterator[TelegramServer]:
    yield from serving(TelegramServer())


PLATFORMS = ("x", "mastodon", "bluesky", "facebook", "telegram")
SERVERS = {
    "x": XServer,
    "mastodon": MastodonServer,
    "bluesky": BlueskyServer,
    "facebook": FacebookServer,
    "telegram": TelegramServer,
}


def adapter_for(platform: str, server: Any, **options: Any) -> BaseAdapter:
    """The platform's real adapter pointed at `server`, with the test timeouts unless
    `options` say otherwise (deadline, clock, cache_dir...)."""
    from publisher.platforms.bluesky import BlueskyAdapter
    from publisher.platforms.facebook import FacebookAdapter
    from publisher.platforms.mastodon import MastodonAdapter
    from publisher.platforms.telegram import TelegramAdapter
    from publisher.platforms.x import XAdapter, XCredentials

    options.setdefault("timeout", TEST_TIMEOUT)
    if platform == "x":
        creds = XCredentials(x.CONSUMER_KEY, x.CONSUMER_SECRET, x.ACCESS_TOKEN, x.ACCESS_SECRET)
        return XAdapter(creds, base_url=server.url, **options)
    if platform == "mastodon":
        return MastodonAdapter(server.url, mastodon.TOKEN, **options)
    if platform == "bluesky":
        return BlueskyAdapter(bluesky.HANDLE, bluesky.APP_PASSWORD, base_url=server.url, **options)
    if platform == "facebook":
        return FacebookAdapter(
            facebook.PAGE_ID, facebook.PAGE_TOKEN, base_url=server.url, **options
        )
    return TelegramAdapter(telegram.BOT_TOKEN, "@tppo_bteng", base_url=server.url, **options)


@pytest.fixture(params=PLATFORMS)
def any_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Each platform's server in turn (its `name` says which)."""
    yield from serving(SERVERS[request.param]())


def environ_for(servers: dict[str, Any]) -> dict[str, str]:
    """The environment `real_adapter` reads, pointing each platform at its local server."""
    env: dict[str, str] = {}
    if "x" in servers:
        env |= {
            "X_API_KEY": x.CONSUMER_KEY,
            "X_API_SECRET": x.CONSUMER_SECRET,
            "X_ACCESS_TOKEN": x.ACCESS_TOKEN,
            "X_ACCESS_TOKEN_SECRET": x.ACCESS_SECRET,
            "X_BASE_URL": servers["x"].url,
        }
    if "mastodon" in servers:
        env |= {
            "MASTODON_BASE_URL": servers["mastodon"].url,
            "MASTODON_ACCESS_TOKEN": mastodon.TOKEN,
        }
    if "bluesky" in servers:
        env |= {
            "BLUESKY_HANDLE": bluesky.HANDLE,
            "BLUESKY_APP_PASSWORD": bluesky.APP_PASSWORD,
            "BLUESKY_BASE_URL": servers["bluesky"].url,
        }
    if "facebook" in servers:
        env |= {
            "FACEBOOK_PAGE_ID": facebook.PAGE_ID,
            "FACEBOOK_PAGE_TOKEN": facebook.PAGE_TOKEN,
            "FACEBOOK_BASE_URL": servers["facebook"].url,
        }
    if "telegram" in servers:
        env |= {
            "TELEGRAM_BOT_TOKEN": telegram.BOT_TOKEN,
            "TELEGRAM_CHAT_ID": "@tppo_bteng",
            "TELEGRAM_BASE_URL": servers["telegram"].url,
        }
    return env


@pytest.fixture
def all_servers() -> Iterator[dict[str, Any]]:
    servers = {
        "x": XServer(),
        "mastodon": MastodonServer(),
        "bluesky": BlueskyServer(),
        "facebook": FacebookServer(),
        "telegram": TelegramServer(),
    }
    for server in servers.values():
        server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


# --- the engine with one real adapter -------------------------------------------------


@dataclass
class Engine:
    scheduler: Scheduler
    ledger: Ledger
    clock: Clock
    items: list[Any]

    def states(self, key: str) -> list[tuple[int, str]]:
        return [(r.part, r.state) for r in self.ledger.rows(key=key)]


def engine_for(tmp_path: Path, adapter: BaseAdapter) -> Engine:
    """A scheduler posting through `adapter` only, with a fixed clock and a scripted source."""
    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path, platforms=[adapter.name], per_tick_cap=5)
    ledger = Ledger.open(settings.ledger, actor="test")
    items: list[Any] = []
    scheduler = Scheduler(
        settings,
        ledger,
        {adapter.name: adapter},
        lambda: Snapshot(list(items), [], {"item", "cal"}),
        clock=clock,
        rng=random.Random(0),
    )
    return Engine(scheduler, ledger, clock, items)


def three_part_item(limits: PlatformLimits, key: str = "item:thread") -> Any:
    """A thread item that the composer splits into exactly three parts for `limits`."""
    sentences: list[str] = []
    for number in range(1, 200):
        sentences.append(
            f"Kalimat {number}: waspadai tawaran kerja ke luar negeri tanpa dokumen resmi."
        )
        planned = item(key, "2027-03-01 10:00", text=" ".join(sentences), thread=True)
        if len(compose(planned, limits).parts) == 3:
            return planned
    raise AssertionError("no three-part text found")
