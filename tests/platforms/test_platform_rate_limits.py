"""Rate limits hold the platform until the reset it announces, read from its own headers,
on the engine's clock: X's 15-minute window and 24-hour caps, Mastodon's X-RateLimit-Reset,
Bluesky's ratelimit-reset, Facebook's estimated_time_to_regain_access, Telegram's
retry_after. The servers run on the same fake clock as the adapters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from publisher.platforms.x import rate_reset
from tests.engine_support import Clock
from tests.platform_servers.fixtures import adapter_for, part

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

START = "2027-03-01 08:00"
HEADER = {
    "x": "x-rate-limit-reset",
    "mastodon": "X-RateLimit-Reset",
    "bluesky": "ratelimit-reset",
    "facebook": "estimated_time_to_regain_access",
    "telegram": "retry_after",
}


def on_clock(server: Any, clock: Clock, **options: Any) -> Any:
    server.use_clock(clock)
    return adapter_for(server.name, server, clock=clock, **options)


def send(adapter: Any, text: str = "Info penting.") -> Any:
    return adapter.post(part(adapter.name, text, link=""), "item:a", None)


def test_a_429_holds_the_platform_until_the_reset_its_headers_announce(any_server: Any) -> None:
    clock = Clock(START)
    adapter = on_clock(any_server, clock)
    any_server.rate_limit(reset_in=2 * 3600, path=any_server.CREATE)
    result = send(adapter)

    assert not result.ok and result.retryable and not result.unknown
    assert result.scope == "platform"  # its other posts wait too
    assert result.retry_at == clock.now + dt.timedelta(hours=2)
    assert f"({HEADER[any_server.name]})" in result.error
    assert any_server.posts == []


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])  # resets said as a time
def test_a_reset_on_a_platform_whose_clock_is_ahead_is_moved_onto_ours(
    platform: str, request: Any
) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    ours = Clock(START)
    server.use_clock(lambda: ours.now + dt.timedelta(minutes=7))  # its clock is 7 min ahead
    adapter = adapter_for(platform, server, clock=ours)
    server.rate_limit(reset_in=900, path=server.CREATE)

    assert send(adapter).retry_at == ours.now + dt.timedelta(seconds=900)


def test_x_24_hour_cap_on_a_fake_clock_holds_x_until_a_day_after_the_first_post(
    x_server: Any,
) -> None:
    clock = Clock(START)
    adapter = on_clock(x_server, clock)
    x_server.cap_24h(3)
    first = clock.now
    for n in range(3):
        assert send(adapter, f"Pesan {n}.").ok
        clock.advance(hours=1)
    refused = send(adapter, "Pesan 3.")

    assert refused.retryable and refused.scope == "platform"
    assert refused.retry_at == first + dt.timedelta(hours=24)  # not the 15-minute window
    assert "(x-user-limit-24hour-reset)" in refused.error
    clock.set(first + dt.timedelta(hours=24))
    assert send(adapter, "Pesan 3.").ok  # the day has passed on the same clock


NOW = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)


def epoch(**delta: float) -> str:
    return str(int((NOW + dt.timedelta(**delta)).timestamp()))


@pytest.mark.parametrize(
    ("headers", "expected", "name"),
    [
        # the 15-minute window alone
        (
            {"x-rate-limit-remaining": "0", "x-rate-limit-reset": epoch(minutes=15)},
            NOW + dt.timedelta(minutes=15),
            "x-rate-limit-reset",
        ),
        # the day's cap spent, the window not: the day's reset
        (
            {
                "x-rate-limit-remaining": "40",
                "x-rate-limit-reset": epoch(minutes=15),
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": epoch(hours=20),
            },
            NOW + dt.timedelta(hours=20),
            "x-user-limit-24hour-reset",
        ),
        # both spent: the later one wins
        (
            {
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": epoch(minutes=15),
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": epoch(hours=3),
                "x-app-limit-24hour-remaining": "0",
                "x-app-limit-24hour-reset": epoch(hours=5),
            },
            NOW + dt.timedelta(hours=5),
            "x-app-limit-24hour-reset",
        ),
        # a 429 that says nothing is spent: the window's reset still holds
        (
            {"x-rate-limit-reset": epoch(minutes=9)},
            NOW + dt.timedelta(minutes=9),
            "x-rate-limit-reset",
        ),
        ({}, None, "x-rate-limit-reset"),
    ],
)
def test_x_reads_every_window_and_the_later_spent_one_wins(
    headers: dict[str, str], expected: dt.datetime | None, name: str
) -> None:
    assert rate_reset(headers, NOW) == (expected, name)
