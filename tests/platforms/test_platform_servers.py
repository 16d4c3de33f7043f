"""The fake platforms misbehave as tests/platform_servers/README.md says, through the real
adapters: the engine's tests rely on these behaviours."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import pytest
import requests

from tests.engine_support import Clock
from tests.platform_servers.fixtures import adapter_for, part

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

TEXT = "Kenali modus perdagangan orang."


def posted(adapter: Any, text: str = TEXT) -> Any:
    return adapter.post(part(adapter.name, text, link=""), "item:a", None)


def test_late_indexing_hides_a_new_post_from_the_lookup_until_the_clock_passes(
    any_server: Any,
) -> None:
    clock = Clock("2027-03-01 08:00")
    any_server.use_clock(clock)
    any_server.index_after(45)
    adapter = adapter_for(any_server.name, any_server, clock=clock)
    assert posted(adapter).ok
    if not adapter.can_lookup:
        return
    look = part(any_server.name, TEXT, link="")
    if any_server.name == "bluesky":  # the repository has it at once; the AppView is late
        assert adapter.lookup(look).ok
        feed = any_server.requests_to("getAuthorFeed")
        assert feed == []
        return
    first = adapter.lookup(look)
    assert first is not None and not first.ok  # absent, as far as the platform shows
    clock.advance(seconds=46)
    assert adapter.lookup(look).ok


def test_bluesky_appview_feed_is_late_while_the_repository_is_not(bluesky_server: Any) -> None:
    clock = Clock("2027-03-01 08:00")
    bluesky_server.use_clock(clock)
    bluesky_server.index_after(60)
    adapter = adapter_for("bluesky", bluesky_server, clock=clock)
    assert posted(adapter).ok
    feed = adapter.client().get_author_feed(actor="tppo-bteng.bsky.social", limit=10).feed
    assert feed == []
    clock.advance(seconds=61)
    assert len(adapter.client().get_author_feed(actor="tppo-bteng.bsky.social").feed) == 1


def test_slow_create_phase_answer_makes_the_post_then_answers_late(x_server: Any) -> None:
    x_server.slow_next(1.5, path=x_server.CREATE)
    result = posted(adapter_for("x", x_server))  # read timeout 0.6 s
    assert result.unknown and len(x_server.posts) == 1


def test_slow_create_phase_process_makes_the_post_after_the_client_gave_up(
    mastodon_server: Any,
) -> None:
    mastodon_server.slow_next(1.0, path=mastodon_server.CREATE, phase="process")
    result = posted(adapter_for("mastodon", mastodon_server))
    assert result.unknown and mastodon_server.posts == []  # not yet...
    deadline = time.monotonic() + 5
    while not mastodon_server.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mastodon_server.posts) == 1  # ...but it comes


def test_slow_create_on_the_test_clock_moves_the_clock_not_the_test(facebook_server: Any) -> None:
    clock = Clock("2027-03-01 08:00")
    facebook_server.use_clock(clock)
    facebook_server.slow_next(90, path=facebook_server.CREATE, advance_clock=True)
    start = time.monotonic()
    assert posted(adapter_for("facebook", facebook_server, clock=clock)).ok
    assert clock.now == Clock("2027-03-01 08:01:30").now and time.monotonic() - start < 5


def test_hang_then_process_makes_the_post_on_release(telegram_server: Any) -> None:
    telegram_server.hang_next(path=telegram_server.CREATE, then="process")
    adapter = adapter_for("telegram", telegram_server, deadline=1.0)
    result = posted(adapter)
    assert result.unknown and telegram_server.posts == []
    telegram_server.release()
    deadline = time.monotonic() + 5
    while not telegram_server.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(telegram_server.posts) == 1


def test_an_outage_answers_500_to_everything_until_it_is_over(any_server: Any) -> None:
    any_server.fail_all(500)
    adapter = adapter_for(any_server.name, any_server)
    for _ in range(3):
        result = posted(adapter)
        assert not result.ok and result.retryable and result.scope == "platform"
    assert not adapter.verify().ok
    any_server.recover()
    assert posted(adapter).ok


def test_the_date_header_follows_the_servers_clock(mastodon_server: Any) -> None:
    mastodon_server.use_clock(Clock("2027-03-01 08:00"))
    answer = requests.get(f"{mastodon_server.url}/api/v1/instance", timeout=5)
    assert answer.headers["Date"] == "Mon, 01 Mar 2027 01:00:00 GMT"


def test_stop_ends_every_hung_request(x_server: Any) -> None:
    x_server.hang_next()
    done = threading.Event()

    def call() -> None:
        with contextlib.suppress(requests.RequestException):
            requests.get(f"{x_server.url}/2/users/me", timeout=(2, 10))
        done.set()

    threading.Thread(target=call, daemon=True).start()
    time.sleep(0.2)
    x_server.stop()
    assert done.wait(5)
