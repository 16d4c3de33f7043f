"""Threads adapter against the local Threads API: text and image posts in two steps, thread
sequences by `reply_to_id`, the reply quota, emoji counted as UTF-8 bytes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from publisher.engine.compose import compose
from publisher.platforms import registry
from publisher.platforms.draft import DraftPart, Media, PostResult
from publisher.platforms.threads import ThreadsAdapter, count_threads
from tests.engine_support import item
from tests.platform_servers import threads as srv
from tests.platform_servers.container_fixtures import Site, image_bytes, threads_adapter
from tests.platform_servers.fixtures import engine_for, link_for, part, three_part_item
from tests.platform_servers.threads import ThreadsServer, threads_length

TEXT = f"Kenali modus TPPO sebelum berangkat kerja. #CegahTPPO\n\n{link_for('threads')}"
ALT = "Poster biru bertuliskan Cegah TPPO."


@pytest.fixture
def adapter(threads_server: ThreadsServer) -> ThreadsAdapter:
    return threads_adapter(threads_server)


def both_steps(
    adapter: ThreadsAdapter, draft: DraftPart, reply_to: str | None = None
) -> PostResult:
    first = adapter.post(draft, draft.key, reply_to)
    assert first.stage and first.error is None, first
    return adapter.post(replace(draft, stage=first.stage), draft.key, reply_to)


def test_a_text_post_in_two_steps(adapter: ThreadsAdapter, threads_server: ThreadsServer) -> None:
    result = both_steps(adapter, part("threads", TEXT))

    assert result.ok and result.remote_id == threads_server.posts[0]["id"]
    assert result.url == threads_server.posts[0]["permalink"]
    [made] = threads_server.requests_to(r"/threads$", "POST")
    assert made.path == f"/v1.0/{srv.USER_ID}/threads"
    assert made.form() == {"media_type": "TEXT", "text": TEXT}
    [published] = threads_server.requests_to(r"/threads_publish$", "POST")
    assert published.form() == {"creation_id": threads_server.posts[0]["container"]}
    status = threads_server.requests_to(rf"/{threads_server.posts[0]['container']}$", "GET")
    assert status[0].param("fields") == "id,status,error_message"


def test_an_image_post_carries_its_alt_text(
    adapter: ThreadsAdapter, threads_server: ThreadsServer, public_site: Site
) -> None:
    url = public_site.put("images/poster.png", image_bytes(kind="PNG"))
    result = both_steps(adapter, part("threads", TEXT, media=(Media(url, ALT),)))
    assert result.ok
    [made] = threads_server.requests_to(r"/threads$", "POST")
    assert made.form() == {"media_type": "IMAGE", "text": TEXT, "image_url": url, "alt_text": ALT}
    assert threads_server.fetched == [(url, 200)]


def test_a_thread_is_a_chain_of_replies_within_the_reply_quota(
    tmp_path: Path, threads_server: ThreadsServer
) -> None:
    adapter = threads_adapter(threads_server)
    engine = engine_for(tmp_path, adapter)
    engine.items.append(three_part_item(adapter.limits))
    threads_server.use_clock(engine.clock)
    engine.scheduler.tick()  # the first run, before the item is due

    engine.scheduler.tick(engine.clock.set("2027-03-01 10:05"))

    assert engine.states("item:thread") == [(1, "sent"), (2, "sent"), (3, "sent")]
    first, second, third = threads_server.posts
    assert (first["reply_to"], second["reply_to"], third["reply_to"]) == (
        None,
        first["id"],
        second["id"],
    )
    fields = [r.param("fields") for r in threads_server.requests_to("_publishing_limit$", "GET")]
    assert fields == [
        "quota_usage,config",
        "reply_quota_usage,reply_config",
        "reply_quota_usage,reply_config",
    ]
    rows = engine.ledger.rows(key="item:thread")
    assert [r.stage for r in rows] == [p["container"] for p in threads_server.posts]


@pytest.mark.parametrize(
    "text",
    ["abc", "Halo 🇮🇩!", "👍🏽 ok", "❤️", "1️⃣ dua", "👨‍👩‍👧 keluarga", "श्री", "©"],
)
def test_the_counter_counts_emoji_as_bytes_as_the_server_does(text: str) -> None:
    limits = registry.spec("threads").limits
    assert count_threads(text, limits) == threads_length(text)
    assert count_threads("😀" * 125, limits) == 500


def test_a_text_that_fits_by_characters_but_not_by_bytes_is_split(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    words = " ".join(["Waspada 🚨 penipuan kerja 🙏"] * 16)  # 448 characters, 576 by Threads
    assert len(words) < 500 < count_threads(words, adapter.limits)
    draft = compose(item("item:emoji", text=words, link="", thread=True), adapter.limits)
    assert len(draft.parts) == 2
    reply_to = None
    for number in (1, 2):
        result = both_steps(adapter, draft.part(number), reply_to)
        assert result.ok, result.error
        reply_to = result.remote_id
    assert len(threads_server.posts) == 2  # the server refused nothing as too long


def test_the_post_quota_holds_the_platform(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    threads_server.quota_total = 0
    before = dt.datetime.now(dt.UTC)
    held = adapter.post(part("threads", TEXT), "item:a", None)
    assert held.retryable and held.scope == "platform" and "0 of 0 used" in held.error
    assert held.retry_at is not None and held.retry_at - before >= dt.timedelta(minutes=59)
    assert threads_server.containers == {}


def test_an_expired_token_names_the_variable(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    threads_server.expire_token()
    result = adapter.post(part("threads", TEXT), "item:a", None)
    assert not result.ok and result.scope == "platform" and "THREADS_ACCESS_TOKEN" in result.error
    verified = adapter.verify()
    assert not verified.ok and "THREADS_ACCESS_TOKEN" in verified.error


def test_verify_reads_the_profile_and_the_token_expiry(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    threads_server.token_expires_at = dt.datetime(2027, 4, 1, tzinfo=dt.UTC).timestamp()
    result = adapter.verify()
    assert result.ok and result.remote_id == f"@{srv.USERNAME}"
    assert result.url == f"https://www.threads.net/@{srv.USERNAME}"
    assert result.expires_at == dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    [debug] = threads_server.requests_to("/debug_token$", "GET")
    assert debug.path == "/v1.0/debug_token"


def test_a_reply_to_a_post_that_is_gone_is_refused(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    result = adapter.post(part("threads", "Bagian dua", number=2, total=2), "item:a", "999")
    assert not result.ok and not result.retryable and "reply_to_id" in result.error


def test_a_later_part_is_found_among_the_profiles_replies(
    adapter: ThreadsAdapter, threads_server: ThreadsServer
) -> None:
    first = both_steps(adapter, part("threads", "Bagian satu. (1/2)", total=2))
    second = part("threads", "Bagian dua. (2/2)", number=2, total=2)
    staged = replace(second, stage=adapter.post(second, "item:a", first.remote_id).stage or "")
    assert adapter.post(staged, "item:a", first.remote_id).ok

    found = adapter.lookup(staged)
    assert found is not None and found.ok and found.remote_id == threads_server.posts[1]["id"]
    assert threads_server.requests_to(rf"/{srv.USER_ID}/replies$", "GET")
    assert adapter.lookup(replace(staged, number=1)) is None  # not among the posts themselves
