"""Instagram adapter against the local Instagram Graph API, which fetches images from a local
public site: the two steps, the container's status, the quota, tokens, the lookup."""

from __future__ import annotations

import datetime as dt

import pytest

from publisher.platforms.draft import Draft, Media, Part
from publisher.platforms.instagram import InstagramAdapter
from tests.platform_servers import instagram as srv
from tests.platform_servers.container_fixtures import (
    Site,
    Sleeps,
    image_bytes,
    instagram_adapter,
)
from tests.platform_servers.fixtures import SLOW, link_for, part
from tests.platform_servers.instagram import InstagramServer

LINK = link_for("instagram").split("?")[0]  # captions carry the plain address
CAPTION = f"Kenali modus TPPO sebelum berangkat kerja. #CegahTPPO\n\n{LINK}"
ALT = "Poster biru bertuliskan Cegah TPPO."


@pytest.fixture
def adapter(instagram_server: InstagramServer) -> InstagramAdapter:
    return instagram_adapter(instagram_server)


@pytest.fixture
def poster(public_site: Site) -> Media:
    return Media(public_site.put("social/1x1/images/poster.png.jpg", image_bytes()), ALT)


def sent(poster: Media, text: str = CAPTION, stage: str = "") -> object:
    from dataclasses import replace

    return replace(part("instagram", text, media=(poster,), link=LINK), stage=stage)


def post_fully(adapter: InstagramAdapter, draft_part: object) -> object:
    """Both steps, as the engine makes them: the container, then its publication."""
    from dataclasses import replace

    first = adapter.post(draft_part, "item:a", None)  # type: ignore[arg-type]
    assert first.stage and not first.ok and first.error is None, first
    return adapter.post(replace(draft_part, stage=first.stage), "item:a", None)  # type: ignore[type-var]


def test_two_steps_container_then_publish(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]

    assert first.stage in instagram_server.containers and instagram_server.posts == []
    [made] = instagram_server.requests_to(r"/media$", "POST")
    assert made.path == f"/v23.0/{srv.USER_ID}/media"
    assert made.form() == {"caption": CAPTION, "image_url": poster.path_or_url, "alt_text": ALT}
    assert made.headers["authorization"] == f"Bearer {srv.TOKEN}"
    assert srv.TOKEN not in made.path + made.query_string + made.body.decode()
    assert instagram_server.fetched == [(poster.path_or_url, 200)]  # Meta fetched our image
    quota = instagram_server.requests_to("/content_publishing_limit$", "GET")
    assert quota and quota[0].param("fields") == "quota_usage,config"

    second = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert second.ok and second.remote_id == instagram_server.posts[-1]["id"]
    assert second.url == instagram_server.posts[-1]["permalink"]
    assert len(instagram_server.containers) == 1 and len(instagram_server.posts) == 1
    status_reads = instagram_server.requests_to(rf"/{first.stage}$", "GET")
    assert status_reads and status_reads[0].param("fields") == "id,status_code,status"


def test_a_container_in_progress_is_polled_then_left_for_later(
    instagram_server: InstagramServer, poster: Media
) -> None:
    sleeps = Sleeps()
    adapter = instagram_adapter(instagram_server, sleep=sleeps, poll_seconds=2.0)
    instagram_server.in_progress_reads = 2
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    done = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert done.ok and sleeps.seconds == [2.0, 2.0]

    instagram_server.in_progress_reads = 99
    before = dt.datetime.now(dt.UTC)
    again = adapter.post(sent(poster, "Teks kedua"), "item:b", None)  # type: ignore[arg-type]
    waiting = adapter.post(sent(poster, "Teks kedua", again.stage), "item:b", None)  # type: ignore[arg-type]
    assert waiting.retryable and waiting.scope == "post" and "still processing" in waiting.error
    assert waiting.stage is None  # the container is kept for the next attempt
    assert waiting.retry_at is not None and waiting.retry_at - before >= dt.timedelta(seconds=59)
    assert len(instagram_server.posts) == 1


def test_a_published_container_is_never_published_again(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    assert adapter.post(sent(poster, stage=first.stage), "item:a", None).ok  # type: ignore[arg-type]

    again = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert again.unknown and "published already" in again.error
    assert len(instagram_server.posts) == 1  # the fake would have made a second one
    found = adapter.lookup(sent(poster, stage=first.stage))  # type: ignore[arg-type]
    assert found.ok and found.remote_id == instagram_server.posts[0]["id"]


def test_a_failed_container_is_dropped_and_an_expired_one_made_again(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    instagram_server.fail_containers = True
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    failed = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert failed.retryable and failed.stage == "" and "new container" in failed.error

    instagram_server.fail_containers = False
    second = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    instagram_server.expire_containers()
    remade = adapter.post(sent(poster, stage=second.stage), "item:a", None)  # type: ignore[arg-type]
    assert remade.stage and remade.stage != second.stage and remade.error is None
    assert adapter.post(sent(poster, stage=remade.stage), "item:a", None).ok  # type: ignore[arg-type]
    assert [p["container"] for p in instagram_server.posts] == [remade.stage]


def test_the_quota_is_read_from_the_limit_endpoint(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    instagram_server.quota_total = 1
    assert post_fully(adapter, sent(poster)).ok  # type: ignore[attr-defined]
    before = dt.datetime.now(dt.UTC)
    held = adapter.post(sent(poster, "Teks kedua"), "item:b", None)  # type: ignore[arg-type]

    assert held.retryable and held.scope == "platform" and "1 of 1 used" in held.error
    assert held.retry_at is not None and held.retry_at - before >= dt.timedelta(minutes=59)
    assert len(instagram_server.containers) == 1  # no container made over the quota


def test_the_quota_error_at_publication_holds_the_platform(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    instagram_server.quota_total = 0  # spent by another app between the two steps
    held = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert held.retryable and held.scope == "platform" and "2207042" in held.error
    assert instagram_server.posts == []


def test_an_image_not_deployed_yet_waits_and_makes_no_container(
    adapter: InstagramAdapter, instagram_server: InstagramServer, public_site: Site
) -> None:
    missing = Media(public_site.address("social/1x1/images/later.png.jpg"), ALT)
    result = adapter.post(sent(missing), "item:a", None)  # type: ignore[arg-type]
    assert result.retryable and result.scope == "post" and not result.unknown
    assert "does not answer on the public site yet" in result.error
    assert instagram_server.containers == {} and result.retry_at is not None


def test_meta_failing_to_fetch_the_image_is_retryable(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    body = {"error": {"message": "Media could not be fetched from this uri", "code": 9004,
                      "error_subcode": 2207052, "type": "OAuthException"}}  # fmt: skip
    instagram_server.fail_next(400, path=r"/media$", body=body)
    result = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    assert result.retryable and result.scope == "post" and "could not fetch" in result.error


@pytest.mark.parametrize(
    ("text", "media", "why"),
    [
        (CAPTION, (), "only posts with an image"),
        (CAPTION, (Media("/srv/site/poster.jpg", ALT),), "set SITEURL"),
        (" ".join(f"#tag{n}" for n in range(31)), None, "31 hashtags"),
        (" ".join(f"@akun{n}" for n in range(21)), None, "21 @-tags"),
        ("x" * 2201, None, "over the limit of 2200"),
    ],
)
def test_what_instagram_refuses_is_refused_before_sending(
    adapter: InstagramAdapter,
    instagram_server: InstagramServer,
    poster: Media,
    text: str,
    media: tuple[Media, ...] | None,
    why: str,
) -> None:
    chosen = (poster,) if media is None else media
    result = adapter.post(part("instagram", text, media=chosen, link=LINK), "item:a", None)
    assert not result.ok and not result.retryable and why in result.error
    assert instagram_server.requests == []


def test_a_png_is_refused_by_instagram(
    adapter: InstagramAdapter, instagram_server: InstagramServer, public_site: Site
) -> None:
    png = Media(public_site.put("images/poster.png", image_bytes(kind="PNG")), ALT)
    result = adapter.post(sent(png), "item:a", None)  # type: ignore[arg-type]
    assert not result.ok and not result.retryable and "Only JPEG" in result.error


def test_preview_sends_nothing(adapter: InstagramAdapter, instagram_server: InstagramServer,
                               poster: Media) -> None:  # fmt: skip
    draft = Draft((Part(CAPTION, (poster,)),), link=LINK, key="item:a", platform="instagram")
    [preview] = adapter.preview(draft)
    assert preview.request["data"] == {
        "caption": CAPTION,
        "image_url": poster.path_or_url,
        "alt_text": ALT,
    }
    assert preview.limit == 2200 and instagram_server.requests == []


def test_an_expired_token_names_the_variable_and_holds_the_platform(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    instagram_server.expire_token()
    result = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    assert not result.ok and not result.retryable and result.scope == "platform"
    assert "INSTAGRAM_ACCESS_TOKEN" in result.error and "code 190/463" in result.error
    assert srv.TOKEN not in result.error
    assert not adapter.verify().ok


def test_verify_reads_the_account_and_when_the_token_expires(
    adapter: InstagramAdapter, instagram_server: InstagramServer
) -> None:
    ends = dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
    instagram_server.token_expires_at = ends.timestamp()
    result = adapter.verify()
    assert result.ok and result.remote_id == f"@{srv.USERNAME}"
    assert result.url == f"https://www.instagram.com/{srv.USERNAME}/"
    assert result.expires_at == ends
    instagram_server.token_expires_at = 0  # a token that never expires
    assert adapter.verify().expires_at is None


@pytest.mark.parametrize(
    ("status", "retryable", "unknown"),
    [(500, True, False), (503, True, False), (502, False, True), (504, False, True)],
)
def test_server_errors_at_publication(
    adapter: InstagramAdapter,
    instagram_server: InstagramServer,
    poster: Media,
    status: int,
    retryable: bool,
    unknown: bool,
) -> None:
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    instagram_server.fail_next(status, path=r"/media_publish$")
    result = adapter.post(sent(poster, stage=first.stage), "item:a", None)  # type: ignore[arg-type]
    assert (result.ok, result.retryable, result.unknown) == (False, retryable, unknown)


def test_a_timeout_while_publishing_is_unknown_and_the_lookup_settles_it(
    adapter: InstagramAdapter, instagram_server: InstagramServer, poster: Media
) -> None:
    first = adapter.post(sent(poster), "item:a", None)  # type: ignore[arg-type]
    staged = sent(poster, stage=first.stage)
    assert adapter.lookup(staged).ok is False  # type: ignore[arg-type, union-attr]
    instagram_server.slow_next(SLOW, path=r"/media_publish$")
    result = adapter.post(staged, "item:a", None)  # type: ignore[arg-type]

    assert result.unknown and "ReadTimeout" in result.error
    found = adapter.lookup(staged)  # type: ignore[arg-type]
    assert found.ok and found.remote_id == instagram_server.posts[0]["id"]
    assert found.url == instagram_server.posts[0]["permalink"]
    assert adapter.lookup(staged, taken={found.remote_id}) is None  # type: ignore[arg-type]
    assert adapter.lookup(sent(poster)).ok is False  # type: ignore[arg-type, union-attr]
