"""The `metrics` capability: each adapter reads the engagement counts of our own posts from
its local platform server through the real client library, counts only, never a person."""

from __future__ import annotations

from typing import Any

import pytest

from publisher.platforms import catalog
from publisher.platforms.draft import Media
from publisher.platforms.metrics import COUNTS, Counts, from_facebook, from_insights, number
from tests.platform_servers.container_fixtures import (
    Site,
    image_bytes,
    instagram_adapter,
    threads_adapter,
)
from tests.platform_servers.fixtures import adapter_for, part

OFFERED = {
    "x": ("reposts", "likes", "replies", "quotes", "views"),
    "mastodon": ("reposts", "likes", "replies"),
    "bluesky": ("reposts", "likes", "replies", "quotes"),
    "facebook": ("reposts", "likes", "replies"),
    "telegram": (),
    "instagram": ("reposts", "likes", "replies", "views"),
    "threads": ("reposts", "likes", "replies", "quotes", "views"),
    "email": (),  # SMTP reads nothing back (no open or click tracking)
}
# Endpoints that list who engaged: the publisher must never ask for them.
PEOPLE = r"liking_users|retweeted_by|favourited_by|reblogged_by|getLikes|getRepostedBy|/likes$"


def test_every_spec_declares_what_it_reads() -> None:
    for name, spec in catalog.SPECS.items():
        assert spec.metrics == OFFERED[name]
        assert set(spec.metrics) <= set(COUNTS)
        assert spec.metrics_batch >= 1


def _post_two(adapter: Any) -> list[str]:
    ids = []
    for n in range(2):
        result = adapter.post(part(adapter.name, f"Metrik uji {n}: cek lowongan kerja."), "k", None)
        assert result.ok, result.error
        ids.append(str(result.remote_id))
    return ids


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky", "facebook"])
def test_counts_flow_from_the_server(platform: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    adapter = adapter_for(platform, server)
    assert adapter.offers_metrics
    first, second = _post_two(adapter)
    server.engage(first, reposts=7, likes=42, replies=3, quotes=2, views=1234)
    answer = adapter.metrics([first, second])
    assert answer.ok, answer.failure
    counts = answer.counts[first].as_dict()
    expected = {"reposts": 7, "likes": 42, "replies": 3, "quotes": 2, "views": 1234}
    for name in COUNTS:
        # A count the platform does not give is None, never 0.
        assert counts[name] == (expected[name] if name in OFFERED[platform] else None), name
    assert set(answer.counts) == {first, second}
    assert server.requests_to(PEOPLE) == []


# --- Instagram and Threads: Meta's media insights, one request a post ------------------

META_ADAPTERS = {"instagram": instagram_adapter, "threads": threads_adapter}
# What each is asked for: the documented metric names, each with a counterpart among ours.
ASKED = {
    "instagram": "reposts,likes,comments,views",
    "threads": "reposts,likes,replies,quotes,views",
}


def _publish_two(adapter: Any, site: Site) -> list[str]:
    """Two posts with a picture, both steps as the engine makes them."""
    from dataclasses import replace

    poster = Media(site.put("social/1x1/images/metrik.jpg", image_bytes()), "Poster biru.")
    ids = []
    for n in range(2):
        draft = part(adapter.name, f"Metrik uji {n}: cek lowongan kerja.", media=(poster,))
        staged = adapter.post(draft, "k", None)
        assert staged.stage, staged
        result = adapter.post(replace(draft, stage=staged.stage), "k", None)
        assert result.ok, result.error
        ids.append(str(result.remote_id))
    return ids


@pytest.mark.parametrize("platform", ["instagram", "threads"])
def test_insights_flow_from_the_meta_servers(
    platform: str, request: pytest.FixtureRequest, public_site: Site
) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    adapter = META_ADAPTERS[platform](server)
    assert adapter.offers_metrics
    first, second = _publish_two(adapter, public_site)
    server.engage(first, reposts=7, likes=42, replies=3, quotes=2, views=1234)
    answer = adapter.metrics([first, second])
    assert answer.ok, answer.failure
    expected = {"reposts": 7, "likes": 42, "replies": 3, "quotes": 2, "views": 1234}
    counts = answer.counts[first].as_dict()
    for name in COUNTS:
        assert counts[name] == (expected[name] if name in OFFERED[platform] else None), name
    said = server.counts_now(server.posts[1], second)
    assert answer.counts[second].likes == said["likes"]
    reads = server.requests_to(r"/insights$", "GET")
    assert [r.path.split("/")[2] for r in reads] == [first, second]  # one request a post
    assert {r.param("metric") for r in reads} == {ASKED[platform]}
    assert all(server.TOKEN not in r.query_string for r in reads)  # in the header only
    assert server.requests_to(PEOPLE + r"|/comments$|/replies$", "GET") == []


@pytest.mark.parametrize("platform", ["instagram", "threads"])
def test_meta_insights_gone_empty_and_refused(
    platform: str, request: pytest.FixtureRequest, public_site: Site
) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    adapter = META_ADAPTERS[platform](server)
    kept, quiet = _publish_two(adapter, public_site)
    server.posts[1]["no_insights"] = True  # Meta has none yet: an empty data set, not 0
    answer = adapter.metrics([kept, "18999999999999999", quiet])
    assert answer.ok and set(answer.counts) == {kept, quiet}  # the unknown id is gone
    assert answer.counts[quiet] == Counts()
    server.fail_next(403, path=r"/insights$")  # the insights permission is missing
    refused = adapter.metrics([kept])
    why = refused.failure.error if refused.failure else ""
    assert not refused.ok and "permission missing" in why and f"{platform}_manage_insights" in why


def test_a_post_gone_from_the_platform_is_absent(x_server: Any, bluesky_server: Any) -> None:
    x = adapter_for("x", x_server)
    (kept, _) = _post_two(x)
    answer = x.metrics([kept, "1899999999999999999"])
    assert set(answer.counts) == {kept}
    bluesky = adapter_for("bluesky", bluesky_server)
    (kept, _) = _post_two(bluesky)
    gone = kept[:-3] + "zzz"
    assert set(bluesky.metrics([kept, gone]).counts) == {kept}


def test_telegram_offers_none(telegram_server: Any) -> None:
    adapter = adapter_for("telegram", telegram_server)
    assert not adapter.offers_metrics
    answer = adapter.metrics(["12"])
    assert not answer.ok and answer.failure.error == "not offered by Telegram"
    assert telegram_server.requests == []


@pytest.mark.parametrize(
    "platform", ["x", "mastodon", "bluesky", "facebook", "instagram", "threads"]
)
def test_a_rate_limited_read_says_when_to_come_back(
    platform: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue(f"{platform}_server")
    if platform in META_ADAPTERS:
        adapter = META_ADAPTERS[platform](server)
        first, _ = _publish_two(adapter, request.getfixturevalue("public_site"))
    else:
        adapter = adapter_for(platform, server)
        first, _ = _post_two(adapter)
    server.fail_next(429, method="GET")
    answer = adapter.metrics([first])
    assert not answer.ok and answer.failure.retry_at is not None, answer.failure
    assert adapter.metrics([first]).ok


def test_answers_are_not_trusted() -> None:
    assert [number(v) for v in (3, "4", -1, "x", None, True, 2.5)] == [3, 4, None, None, None,
                                                                      None, None]  # fmt: skip
    assert from_facebook({"reactions": {"summary": {"total_count": 5}}}) == Counts(0, 5, None)
    assert from_facebook({}) == Counts()
    names = {"comments": "replies", "likes": "likes"}
    likes = {"name": "likes", "period": "lifetime", "values": [{"value": 9}]}
    odd = [{"name": "comments", "values": [{"value": -2}]}, {"name": "saved", "values": [{}]}]
    assert from_insights({"data": [likes, *odd]}, names) == Counts(likes=9)
    assert from_insights({"data": "x"}, names) == from_insights({}, names) == Counts()


# --- the engine's job: when it reads, and when it leaves a platform alone ---------------


def test_the_engine_reads_at_its_points_within_its_pace(
    tmp_path: Any, mastodon_server: Any
) -> None:
    from tests.engine_support import item
    from tests.platform_servers.fixtures import engine_for

    engine = engine_for(tmp_path, adapter_for("mastodon", mastodon_server))
    mastodon_server.use_clock(engine.clock)
    engine.items.append(item("item:a", "2027-03-01 10:00", text="Hitung kami.", link=""))
    tick = engine.scheduler.tick
    reads = lambda: len(mastodon_server.requests_to(r"^/api/v1/statuses$", "GET"))  # noqa: E731
    tick()  # the first run, before the post is due: nothing is seeded
    tick(engine.clock.set("2027-03-01 10:00"))
    assert engine.ledger.rows()[0].state == "sent"
    tick(engine.clock.set("2027-03-01 10:59"))
    assert reads() == 0  # not an hour yet
    mastodon_server.fail_next(429, path=r"^/api/v1/statuses$", method="GET")
    tick(engine.clock.set("2027-03-01 11:00"))
    assert reads() == 1 and engine.ledger.readings() == []  # rate limited: nothing stored
    tick(engine.clock.set("2027-03-01 11:10"))
    assert reads() == 1  # waits for the reset (5 minutes) and its own 15-minute pace
    tick(engine.clock.set("2027-03-01 11:16"))
    assert reads() == 2 and [r.point for r in engine.ledger.readings()] == [3600]
    tick(engine.clock.set("2027-03-01 12:00"))
    assert reads() == 2  # the hour's reading is done; the day's is not due
    engine.ledger.pause("mastodon", engine.clock.now, "incident")
    tick(engine.clock.set("2027-03-02 10:01"))
    assert reads() == 2  # paused: no request of any kind
    engine.ledger.resume("mastodon", engine.clock.now)
    tick(engine.clock.set("2027-03-02 10:02"))
    readings = engine.ledger.readings()
    assert reads() == 3 and [r.point for r in readings] == [3600, 86400]
    row = engine.ledger.rows()[0]
    said = mastodon_server.counts_at(row.remote_id, mastodon_server.posts[0]["_created"],
                                     readings[-1].read_at.timestamp())  # fmt: skip
    assert readings[-1].counts.likes == said["likes"] and readings[-1].counts.views is None
    tick(engine.clock.set("2027-03-20 10:00"))  # a week and more: one reading, not two
    assert [r.point for r in engine.ledger.readings()] == [3600, 86400, 604800]


def test_a_post_gone_from_the_platform_is_not_asked_for_again(tmp_path: Any, x_server: Any) -> None:
    from tests.engine_support import item
    from tests.platform_servers.fixtures import engine_for

    engine = engine_for(tmp_path, adapter_for("x", x_server))
    x_server.use_clock(engine.clock)
    engine.items.append(item("item:a", "2027-03-01 10:00", text="Akan dihapus.", link=""))
    engine.scheduler.tick()
    engine.scheduler.tick(engine.clock.set("2027-03-01 10:00"))
    x_server.posts.clear()  # deleted on X
    engine.scheduler.tick(engine.clock.set("2027-03-01 11:00"))
    (reading,) = engine.ledger.readings()
    assert reading.gone and reading.counts == Counts()
    engine.scheduler.tick(engine.clock.set("2027-03-09 11:00"))
    assert len(x_server.requests_to(r"^/2/tweets$", "GET")) == 1
