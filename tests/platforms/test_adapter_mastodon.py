"""Mastodon adapter against the local Mastodon server, through Mastodon.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from publisher.engine.ledger import FAILED, SENT
from publisher.platforms.draft import Draft, Media, Part
from publisher.platforms.mastodon import MastodonAdapter
from tests.platform_servers import mastodon as srv
from tests.platform_servers.fixtures import (
    SLOW,
    TEST_TIMEOUT,
    engine_for,
    link_for,
    part,
    three_part_item,
)
from tests.platform_servers.mastodon import MastodonServer

TEXT = f"Kenali modus TPPO sebelum berangkat kerja. {link_for('mastodon')} #CegahTPPO"


@pytest.fixture
def adapter(mastodon_server: MastodonServer) -> MastodonAdapter:
    return MastodonAdapter(mastodon_server.url, srv.TOKEN, timeout=TEST_TIMEOUT)


def posts_to(server: MastodonServer) -> list:
    return server.requests_to("^/api/v1/statuses$", "POST")


def test_status_carries_language_visibility_and_idempotency_key(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    result = adapter.post(part("mastodon", TEXT), "item:a", None)

    assert result.ok and result.remote_id == mastodon_server.posts[0]["id"]
    assert result.url == f"{mastodon_server.url}/@tppo/{result.remote_id}"
    [request] = posts_to(mastodon_server)
    assert request.form() == {
        "status": TEXT,
        "language": "id",
        "visibility": "public",
        "sensitive": "0",
    }
    assert request.headers["idempotency-key"] == "item:a/1"
    assert request.headers["authorization"] == f"Bearer {srv.TOKEN}"


def test_image_goes_to_v2_media_with_its_description(
    adapter: MastodonAdapter, mastodon_server: MastodonServer, png: Path
) -> None:
    alt = "Poster: tiga tanda tawaran kerja palsu"
    result = adapter.post(part("mastodon", TEXT, media=(Media(str(png), alt),)), "item:a", None)

    assert result.ok, result.error
    [upload] = mastodon_server.requests_to("/media", "POST")
    assert upload.path == "/api/v2/media"  # the version check worked: not the retired v1 path
    assert upload.form() == {"description": alt}
    assert upload.files()["file"].data == png.read_bytes()
    assert upload.files()["file"].content_type == "image/png"
    media_id = next(iter(mastodon_server.media))
    assert posts_to(mastodon_server)[0].form_list("media_ids[]") == [media_id]
    assert mastodon_server.media[media_id]["description"] == alt


def test_limits_come_from_the_instance(png: Path) -> None:
    with MastodonServer(max_characters=1000, per_url=30) as server:
        adapter = MastodonAdapter(server.url, srv.TOKEN, timeout=TEST_TIMEOUT)
        assert (adapter.limits.max_text, adapter.limits.url_weight) == (1000, 30)
        assert adapter.limits.max_media_bytes == 16777216
        assert adapter.post(
            part("mastodon", "a" * 900), "item:long", None
        ).ok  # over the default 500


def test_unreachable_instance_keeps_the_configured_limits_and_asks_again_later() -> None:
    clock = [0.0]
    with MastodonServer(max_characters=800) as server:
        adapter = MastodonAdapter(
            server.url, srv.TOKEN, timeout=TEST_TIMEOUT, monotonic=lambda: clock[0]
        )
        server.fail_next(503, path="instance", times=1000)
        assert adapter.limits.max_text == 500
        asked = len(server.requests)
        assert asked == 1  # one read, not Mastodon.py's recursive re-reads of the version
        assert adapter.limits.max_text == 500 and len(server.requests) == asked  # not every time
        down = adapter.post(part("mastodon", TEXT), "item:a", None)
        assert down.retryable and not down.unknown and server.posts == []
        server._scripts.clear()
        clock[0] += 601
        assert adapter.limits.max_text == 800


def test_thread_part_replies_to_the_previous_status(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    first = adapter.post(part("mastodon", "Satu (1/2)", total=2), "item:a", None)
    second = adapter.post(
        part("mastodon", "Dua (2/2)", number=2, total=2), "item:a", first.remote_id
    )

    assert second.ok
    request = posts_to(mastodon_server)[-1]
    assert request.form()["in_reply_to_id"] == first.remote_id
    assert request.headers["idempotency-key"] == "item:a/2"


def test_a_retry_with_the_same_key_never_makes_a_second_status(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    mastodon_server.slow_next(SLOW, path="statuses")
    first = adapter.post(part("mastodon", TEXT), "item:a", None)
    again = adapter.post(part("mastodon", TEXT), "item:a", None)

    assert first.unknown and "ReadTimeout" in first.error
    assert again.ok and again.remote_id == mastodon_server.posts[0]["id"]
    assert len(mastodon_server.posts) == 1
    assert {r.headers["idempotency-key"] for r in posts_to(mastodon_server)} == {"item:a/1"}


def test_preview_posts_nothing(adapter: MastodonAdapter, mastodon_server: MastodonServer) -> None:
    draft = Draft((Part("Satu (1/2)"), Part("Dua (2/2)")), key="item:a", platform="mastodon")
    first, second = adapter.preview(draft)
    assert [r for r in mastodon_server.requests if r.method == "POST"] == []
    assert (
        first.request["idempotency_key"] == "item:a/1"
        and second.request["in_reply_to_id"] == "<part 1>"
    )
    assert first.limit == 500


def test_rate_limit_is_retryable_with_the_reset_from_the_header(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    mastodon_server.fail_next(429, path="statuses")
    result = adapter.post(part("mastodon", TEXT), "item:a", None)

    assert result.retryable and not result.unknown
    # Mastodon.py shifts the reset by the server's Date header (whole seconds)
    found = re.search(r"until (\S+ \S+) UTC \(X-RateLimit-Reset\)", result.error)
    reset = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert abs((reset - mastodon_server.reset_at).total_seconds()) < 2.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retryable_thanks_to_the_idempotency_key(
    adapter: MastodonAdapter, mastodon_server: MastodonServer, status: int
) -> None:
    mastodon_server.fail_next(status, path="statuses")
    result = adapter.post(part("mastodon", TEXT), "item:a", None)
    assert result.retryable and not result.unknown and f"server error {status}" in result.error


def test_bad_token_names_the_variable(mastodon_server: MastodonServer) -> None:
    result = MastodonAdapter(mastodon_server.url, "wrong-token-123", timeout=TEST_TIMEOUT).post(
        part("mastodon", TEXT), "item:a", None
    )
    assert not result.ok and not result.retryable and not result.unknown
    assert "401" in result.error and "MASTODON_ACCESS_TOKEN" in result.error
    assert "wrong-token-123" not in result.error


def test_missing_scope_says_which_scopes(mastodon_server: MastodonServer) -> None:
    result = MastodonAdapter(mastodon_server.url, srv.READ_ONLY_TOKEN, timeout=TEST_TIMEOUT).post(
        part("mastodon", TEXT), "item:a", None
    )
    assert not result.ok and not result.retryable
    assert (
        "403" in result.error
        and "write:statuses" in result.error
        and "MASTODON_ACCESS_TOKEN" in result.error
    )


def test_validation_error_is_permanent(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    mastodon_server.fail_next(
        422,
        path="statuses",
        body={"error": "Validation failed: Text character limit of 500 exceeded"},
    )
    result = adapter.post(part("mastodon", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and not result.unknown
    assert "Text character limit of 500 exceeded" in result.error


def test_reply_to_a_deleted_status_is_permanent(adapter: MastodonAdapter) -> None:
    result = adapter.post(part("mastodon", "Dua (2/2)", number=2, total=2), "item:a", "999")
    assert not result.ok and not result.retryable and "the post to reply to is gone" in result.error


def test_no_connection_is_retryable(mastodon_server: MastodonServer) -> None:
    adapter = MastodonAdapter(mastodon_server.url, srv.TOKEN, timeout=TEST_TIMEOUT)
    adapter.limits  # noqa: B018 - read the instance while it is up
    mastodon_server.stop()
    result = adapter.post(part("mastodon", TEXT), "item:a", None)
    assert result.retryable and not result.unknown


def test_lookup_reads_the_rendered_html(
    adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    sent = part("mastodon", TEXT)
    assert adapter.lookup(sent).ok is False
    posted = adapter.post(sent, "item:a", None)
    assert '<span class="invisible">https://</span>' in srv.render(TEXT)  # what lookup must read
    found = adapter.lookup(sent)
    assert found.ok and found.remote_id == posted.remote_id
    statuses = mastodon_server.requests_to("/statuses$", "GET")[-1]
    assert (
        statuses.path == f"/api/v1/accounts/{srv.ACCOUNT_ID}/statuses"
        and statuses.param("limit") == "40"
    )
    other = link_for("other")
    other_link = part("mastodon", TEXT.replace(link_for("mastodon"), other), link=other)
    assert adapter.lookup(other_link).ok is False  # same words, another link: not ours
    mastodon_server.fail_next(503, path="/statuses$")
    assert adapter.lookup(sent) is None


def test_verify(adapter: MastodonAdapter, mastodon_server: MastodonServer) -> None:
    result = adapter.verify()
    assert result.ok and result.remote_id == "@tppo"
    assert all(r.method == "GET" for r in mastodon_server.requests)


def test_thread_whose_third_part_fails_resumes_replying_to_the_second(
    tmp_path: Path, adapter: MastodonAdapter, mastodon_server: MastodonServer
) -> None:
    engine = engine_for(tmp_path, adapter)
    thread = three_part_item(adapter.limits)
    engine.items.append(thread)
    engine.scheduler.tick()
    mastodon_server.fail_next(503, path="^/api/v1/statuses$", after=2)

    engine.scheduler.tick(engine.clock.set("2027-03-01 10:00"))
    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, FAILED)]
    engine.scheduler.tick(engine.clock.advance(minutes=5))

    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, SENT)]
    first, second, third = mastodon_server.posts
    assert [s["in_reply_to_id"] for s in (first, second, third)] == [
        None,
        first["id"],
        second["id"],
    ]
    keys = [r.headers["idempotency-key"] for r in posts_to(mastodon_server)]
    assert keys == ["item:thread/1", "item:thread/2", "item:thread/3", "item:thread/3"]
    engine.ledger.close()


def test_instance_information_is_read_once_a_day_across_processes(tmp_path: Path) -> None:
    from tests.engine_support import Clock

    clock = Clock("2027-03-01 08:00")
    cache = tmp_path / "var" / "cache"
    with MastodonServer(max_characters=700) as server:

        def tick() -> MastodonAdapter:  # each `publisher tick` builds a new adapter
            adapter = MastodonAdapter(
                server.url, srv.TOKEN, timeout=TEST_TIMEOUT, cache_dir=cache, clock=clock
            )
            assert adapter.post(part("mastodon", f"Info {clock.now}", link=""), "k", None).ok
            return adapter

        for _ in range(30):
            assert tick().limits.max_text == 700
            clock.advance(minutes=1)
        assert server.instance_reads == 1
        server.max_characters = 900  # the server was upgraded
        clock.advance(hours=24)
        assert tick().limits.max_text == 900 and server.instance_reads == 2


def test_without_a_cache_folder_or_with_a_broken_file_it_reads_the_server(tmp_path: Path) -> None:
    with MastodonServer() as server:
        for _ in range(2):
            assert MastodonAdapter(server.url, srv.TOKEN, timeout=TEST_TIMEOUT).limits.max_text
        assert server.instance_reads == 2
        cache = tmp_path / "cache"
        adapter = MastodonAdapter(server.url, srv.TOKEN, timeout=TEST_TIMEOUT, cache_dir=cache)
        assert adapter.limits.max_text == 500 and server.instance_reads == 3
        for path in cache.iterdir():
            path.write_text("{not json", encoding="utf-8")
        again = MastodonAdapter(server.url, srv.TOKEN, timeout=TEST_TIMEOUT, cache_dir=cache)
        assert again.limits.max_text == 500 and server.instance_reads == 4
