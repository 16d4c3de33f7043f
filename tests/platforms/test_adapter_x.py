"""X adapter against the local X server: tweepy's create_tweet, our v2 media upload, answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher.engine.ledger import FAILED, SENT
from publisher.platforms import x as x_module
from publisher.platforms.draft import Draft, Media, Part
from publisher.platforms.x import XAdapter, XCredentials
from tests.platform_servers import x as srv
from tests.platform_servers.fixtures import (
    SLOW,
    TEST_TIMEOUT,
    engine_for,
    link_for,
    part,
    three_part_item,
)
from tests.platform_servers.x import XServer

CREDS = XCredentials(srv.CONSUMER_KEY, srv.CONSUMER_SECRET, srv.ACCESS_TOKEN, srv.ACCESS_SECRET)
TEXT = f"Kenali modus TPPO sebelum berangkat kerja. {link_for('x')} #CegahTPPO"


@pytest.fixture
def adapter(x_server: XServer) -> XAdapter:
    return XAdapter(CREDS, base_url=x_server.url, timeout=TEST_TIMEOUT)


def test_text_post_is_one_signed_create_tweet(adapter: XAdapter, x_server: XServer) -> None:
    result = adapter.post(part("x", TEXT), "item:a", None)

    assert result.ok and not result.retryable and result.error is None
    assert result.remote_id == x_server.posts[0]["id"]
    assert result.url == f"https://x.com/i/web/status/{result.remote_id}"
    [request] = x_server.requests
    assert (request.method, request.path) == ("POST", "/2/tweets")
    assert request.json() == {"text": TEXT}
    assert request.headers["authorization"].startswith("OAuth ")
    assert x_server.auth_problem(request) is None  # HMAC-SHA1 over https://api.twitter.com/2/tweets
    # X keeps links as t.co and the real target in the entities
    assert x_server.posts[0]["entities"]["urls"][0]["expanded_url"] == link_for("x")


def test_image_goes_up_through_v2_upload_then_alt_text_then_the_post(
    adapter: XAdapter, x_server: XServer, png: Path
) -> None:
    media = (Media(str(png), "Poster: tiga tanda tawaran kerja palsu"),)
    result = adapter.post(part("x", TEXT, media=media), "item:a", None)

    assert result.ok, result.error
    upload, metadata, create = x_server.requests
    assert (upload.path, metadata.path, create.path) == (
        "/2/media/upload",
        "/2/media/metadata",
        "/2/tweets",
    )
    assert upload.form() == {"media_category": "tweet_image", "media_type": "image/png"}
    assert upload.files()["media"].data == png.read_bytes()
    media_id = next(iter(x_server.media))
    assert metadata.json() == {"id": media_id, "metadata": {"alt_text": {"text": media[0].alt}}}
    assert create.json() == {"text": TEXT, "media": {"media_ids": [media_id]}}
    assert x_server.posts[0]["alt"] == [media[0].alt]
    assert all(x_server.auth_problem(r) is None for r in x_server.requests)


def test_the_other_documented_alt_text_shape_follows_the_constant(
    adapter: XAdapter, x_server: XServer, png: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_module, "MEDIA_METADATA_PATH", "/2/media/metadata/create")
    media = (Media(str(png), "Poster"),)
    assert adapter.post(part("x", TEXT, media=media), "item:a", None).ok
    [metadata] = x_server.requests_to("/2/media/metadata")
    assert metadata.path == "/2/media/metadata/create"
    assert metadata.json() == {
        "media_id": next(iter(x_server.media)),
        "alt_text": {"text": "Poster"},
    }


@pytest.mark.parametrize("path", ["/2/media/metadata", "/2/media/metadata/create"])
@pytest.mark.parametrize(
    ("status", "retryable", "says"),
    [(400, False, "invalid"), (404, False, "MEDIA_METADATA_PATH"), (503, True, "503")],
)
def test_an_alt_text_failure_stops_before_the_post(
    adapter: XAdapter,
    x_server: XServer,
    png: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    status: int,
    retryable: bool,
    says: str,
) -> None:
    monkeypatch.setattr(x_module, "MEDIA_METADATA_PATH", path)
    x_server.fail_next(status, path=path)
    result = adapter.post(part("x", TEXT, media=(Media(str(png), "Poster"),)), "item:a", None)

    assert not result.ok and not result.unknown
    assert result.retryable is retryable
    assert says in result.error
    assert x_server.requests_to("/2/tweets") == [] and x_server.posts == []


def test_thread_part_replies_to_the_previous_post(adapter: XAdapter, x_server: XServer) -> None:
    first = adapter.post(part("x", "Satu (1/2)", total=2), "item:a", None)
    second = adapter.post(part("x", "Dua (2/2)", number=2, total=2), "item:a", first.remote_id)

    assert second.ok
    assert x_server.requests[-1].json() == {
        "text": "Dua (2/2)",
        "reply": {"in_reply_to_tweet_id": first.remote_id},
    }
    assert x_server.posts[1]["in_reply_to"] == first.remote_id


def test_preview_sends_nothing_and_shows_the_body(
    adapter: XAdapter, x_server: XServer, png: Path
) -> None:
    draft = Draft(
        (Part("Satu (1/2)", (Media(str(png), "Poster"),)), Part("Dua (2/2)")),
        key="item:a",
        platform="x",
    )
    first, second = adapter.preview(draft)

    assert x_server.requests == []
    assert first.request["json"] == {"text": "Satu (1/2)", "media": {"media_ids": ["<upload 1>"]}}
    assert second.request["json"] == {
        "text": "Dua (2/2)",
        "reply": {"in_reply_to_tweet_id": "<part 1>"},
    }
    assert (first.count, first.limit) == (10, 280)


def test_text_over_280_is_refused_before_sending(adapter: XAdapter, x_server: XServer) -> None:
    result = adapter.post(part("x", "ä" * 200 + "漢" * 50), "item:a", None)  # 200 + 100 = 300
    assert (
        not result.ok and not result.retryable and "300 long, over the limit of 280" in result.error
    )
    assert x_server.requests == []


def test_rate_limit_is_retryable_with_the_reset_time_from_the_header(
    adapter: XAdapter, x_server: XServer
) -> None:
    x_server.fail_next(429)
    result = adapter.post(part("x", TEXT), "item:a", None)

    reset = dt.datetime.fromtimestamp(x_server.rate_reset, dt.UTC)
    assert result.retryable and not result.unknown
    assert f"until {reset:%Y-%m-%d %H:%M:%S} UTC (x-rate-limit-reset)" in result.error


@pytest.mark.parametrize(
    ("status", "retryable", "unknown"),
    [(500, True, False), (503, True, False), (502, False, True), (504, False, True)],
)
def test_server_errors(
    adapter: XAdapter, x_server: XServer, status: int, retryable: bool, unknown: bool
) -> None:
    x_server.fail_next(status)
    result = adapter.post(part("x", TEXT), "item:a", None)
    assert (result.ok, result.retryable, result.unknown) == (False, retryable, unknown)
    assert str(status) in result.error


def test_duplicate_content_means_an_earlier_send_went_out(
    adapter: XAdapter, x_server: XServer
) -> None:
    assert adapter.post(part("x", TEXT), "item:a", None).ok
    again = adapter.post(part("x", TEXT), "item:a", None)

    assert again.unknown and not again.retryable
    assert "403 duplicate content" in again.error
    assert len(x_server.posts) == 1


def test_wrong_secret_is_a_credentials_error_naming_the_variables(x_server: XServer) -> None:
    wrong = XCredentials(
        srv.CONSUMER_KEY, "not-the-secret-0000", srv.ACCESS_TOKEN, srv.ACCESS_SECRET
    )
    result = XAdapter(wrong, base_url=x_server.url, timeout=TEST_TIMEOUT).post(
        part("x", TEXT), "item:a", None
    )

    assert not result.ok and not result.retryable and not result.unknown
    assert result.error.startswith("X: 401")
    assert "X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET" in result.error
    assert "not-the-secret-0000" not in result.error and x_server.posts == []


def test_forbidden_app_permission_says_how_to_fix_it(adapter: XAdapter, x_server: XServer) -> None:
    detail = "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint."
    x_server.fail_next(
        403, body={"title": "Forbidden", "detail": detail, "type": "about:blank", "status": 403}
    )
    result = adapter.post(part("x", TEXT), "item:a", None)
    assert not result.ok and not result.unknown and not result.retryable
    assert "'Read and write' permission" in result.error and detail in result.error


def test_invalid_request_is_permanent(adapter: XAdapter) -> None:
    result = adapter.post(part("x", "Balasan (2/2)", number=2, total=2), "item:a", "1234")
    assert not result.ok and not result.retryable and not result.unknown
    assert "400 refused as invalid" in result.error


def test_timeout_after_sending_is_unknown_and_lookup_then_finds_the_post(
    adapter: XAdapter, x_server: XServer
) -> None:
    x_server.slow_next(SLOW, path="/2/tweets")
    sent = part("x", TEXT)
    result = adapter.post(sent, "item:a", None)

    assert result.unknown and not result.retryable and "ReadTimeout" in result.error
    found = adapter.lookup(sent)
    assert found is not None and found.ok and found.remote_id == x_server.posts[0]["id"]
    timeline = x_server.requests_to("/2/users/.*/tweets")[0]
    assert timeline.param("tweet.fields") == "entities" and timeline.param("max_results") == "50"


def test_lookup_answers_absent_or_cannot_tell(adapter: XAdapter, x_server: XServer) -> None:
    adapter.post(part("x", "Sesuatu yang lain"), "item:b", None)
    missing = adapter.lookup(part("x", TEXT))
    assert missing is not None and not missing.ok
    x_server.fail_next(503, path="/tweets$")
    assert adapter.lookup(part("x", TEXT)) is None


def test_no_connection_is_retryable_never_unknown(x_server: XServer) -> None:
    adapter = XAdapter(CREDS, base_url=x_server.url, timeout=TEST_TIMEOUT)
    x_server.stop()
    result = adapter.post(part("x", TEXT), "item:a", None)
    assert result.retryable and not result.unknown


def test_verify_is_a_harmless_read(adapter: XAdapter, x_server: XServer) -> None:
    result = adapter.verify()
    assert result.ok and result.remote_id == "@tppo_bteng"
    assert [(r.method, r.path) for r in x_server.requests] == [("GET", "/2/users/me")]


def test_thread_whose_third_part_fails_resumes_replying_to_the_second(
    tmp_path: Path, adapter: XAdapter, x_server: XServer
) -> None:
    engine = engine_for(tmp_path, adapter)
    thread = three_part_item(adapter.limits)
    engine.items.append(thread)
    engine.scheduler.tick()  # first run, nothing due yet
    x_server.fail_next(503, path="^/2/tweets$", after=2)

    engine.scheduler.tick(engine.clock.set("2027-03-01 10:00"))
    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, FAILED)]
    engine.scheduler.tick(engine.clock.advance(minutes=5))

    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, SENT)]
    first, second, third = x_server.posts
    assert (first["in_reply_to"], second["in_reply_to"], third["in_reply_to"]) == (
        None,
        first["id"],
        second["id"],
    )
    assert [r.json()["text"][-5:] for r in x_server.requests_to("^/2/tweets$")] == [
        "(1/3)",
        "(2/3)",
        "(3/3)",
        "(3/3)",
    ]
    engine.ledger.close()


def test_too_long_refusal_is_validation_not_credentials(
    adapter: XAdapter, x_server: XServer
) -> None:
    x_server.fail_next(403, body={"detail": "Your Tweet text is too long.", "status": 403})
    result = adapter.post(part("x", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and not result.unknown
    assert "too long for X" in result.error and "X_API_KEY" not in result.error
