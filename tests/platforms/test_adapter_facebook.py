"""Facebook Page adapter against the local Graph API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher.platforms.draft import Draft, Media, Part
from publisher.platforms.facebook import FacebookAdapter
from tests.platform_servers import facebook as srv
from tests.platform_servers.facebook import FacebookServer
from tests.platform_servers.fixtures import (
    SLOW,
    TEST_TIMEOUT,
    link_for,
    part,
)

LINK = link_for("facebook")
TEXT = "Kenali modus TPPO sebelum berangkat kerja ke luar negeri. #CegahTPPO"  # link is a field


@pytest.fixture
def adapter(facebook_server: FacebookServer) -> FacebookAdapter:
    return FacebookAdapter(
        srv.PAGE_ID,
        srv.PAGE_TOKEN,
        base_url=facebook_server.url,
        version="v23.0",
        timeout=TEST_TIMEOUT,
    )


def test_text_goes_to_the_feed_with_the_link_as_a_field(
    adapter: FacebookAdapter, facebook_server: FacebookServer
) -> None:
    result = adapter.post(part("facebook", TEXT), "item:a", None)

    assert result.ok and result.remote_id == facebook_server.posts[0]["id"]
    assert result.url == f"https://www.facebook.com/{result.remote_id}"
    [request] = facebook_server.requests
    assert (request.method, request.path) == ("POST", f"/v23.0/{srv.PAGE_ID}/feed")
    assert request.form() == {"message": TEXT, "link": LINK}
    assert request.headers["authorization"] == f"Bearer {srv.PAGE_TOKEN}"
    assert srv.PAGE_TOKEN not in request.path + request.query_string  # never in a URL


def test_version_and_base_url_come_from_settings(facebook_server: FacebookServer) -> None:
    adapter = FacebookAdapter(
        srv.PAGE_ID, srv.PAGE_TOKEN, base_url=facebook_server.url + "/", version="v21.0"
    )
    assert adapter.post(part("facebook", TEXT), "item:a", None).ok
    assert facebook_server.requests[0].path == f"/v21.0/{srv.PAGE_ID}/feed"


def test_photo_with_caption_and_the_link_in_it(
    adapter: FacebookAdapter, facebook_server: FacebookServer, png: Path
) -> None:
    result = adapter.post(
        part("facebook", TEXT, media=(Media(str(png), "Poster"),)), "item:a", None
    )

    assert result.ok and result.remote_id == facebook_server.photos[0]["post_id"]
    [request] = facebook_server.requests
    assert request.path == f"/v23.0/{srv.PAGE_ID}/photos"
    assert request.form() == {"caption": f"{TEXT}\n\n{LINK}", "published": "true"}
    assert request.files()["source"].data == png.read_bytes()
    assert request.files()["source"].content_type == "image/png"


def test_not_an_image_is_refused_before_sending(
    adapter: FacebookAdapter, facebook_server: FacebookServer, tmp_path: Path
) -> None:
    fake = tmp_path / "poster.png"
    fake.write_text("<html>not an image</html>")
    result = adapter.post(
        part("facebook", TEXT, media=(Media(str(fake), "Poster"),)), "item:a", None
    )
    assert (
        not result.ok
        and not result.retryable
        and "is not a PNG, JPEG, GIF or WebP image" in result.error
    )
    assert facebook_server.requests == []


def test_preview_sends_nothing(adapter: FacebookAdapter, facebook_server: FacebookServer) -> None:
    [preview] = adapter.preview(Draft((Part(TEXT),), link=LINK, key="item:a", platform="facebook"))
    assert preview.request["data"] == {"message": TEXT, "link": LINK}
    assert facebook_server.requests == []


def test_page_rate_limit_comes_as_code_32_with_the_regain_time(
    adapter: FacebookAdapter, facebook_server: FacebookServer
) -> None:
    facebook_server.fail_next(429)  # Graph answers HTTP 400, code 32, usage header
    before = dt.datetime.now(dt.UTC)
    result = adapter.post(part("facebook", TEXT), "item:a", None)

    assert result.retryable and not result.unknown
    stamp = result.error.split("until ")[1][:19]
    reset = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert abs((reset - before).total_seconds() - srv.REGAIN_MINUTES * 60) < 5


@pytest.mark.parametrize(
    ("status", "retryable", "unknown"),
    [(500, True, False), (503, True, False), (502, False, True), (504, False, True)],
)
def test_server_errors(
    adapter: FacebookAdapter,
    facebook_server: FacebookServer,
    status: int,
    retryable: bool,
    unknown: bool,
) -> None:
    facebook_server.fail_next(status)
    result = adapter.post(part("facebook", TEXT), "item:a", None)
    assert (result.ok, result.retryable, result.unknown) == (False, retryable, unknown)


def test_duplicate_status_means_it_may_be_there(
    adapter: FacebookAdapter, facebook_server: FacebookServer
) -> None:
    assert adapter.post(part("facebook", TEXT), "item:a", None).ok
    again = adapter.post(part("facebook", TEXT), "item:a", None)
    assert again.unknown and "code 506" in again.error and len(facebook_server.posts) == 1


@pytest.mark.parametrize(
    ("page_id", "token", "status", "names"),
    [
        (srv.PAGE_ID, "EAAwrongtoken999", None, "FACEBOOK_PAGE_TOKEN"),
        ("999", srv.PAGE_TOKEN, None, "FACEBOOK_PAGE_ID"),
        (srv.PAGE_ID, srv.PAGE_TOKEN, 401, "FACEBOOK_PAGE_TOKEN"),
        (srv.PAGE_ID, srv.PAGE_TOKEN, 403, "pages_manage_posts"),
    ],
)
def test_credential_errors_name_what_to_fix(
    facebook_server: FacebookServer, page_id: str, token: str, status: int | None, names: str
) -> None:
    if status:
        facebook_server.fail_next(status)
    adapter = FacebookAdapter(page_id, token, base_url=facebook_server.url, timeout=TEST_TIMEOUT)
    result = adapter.post(part("facebook", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and not result.unknown
    assert result.error.startswith("Facebook: ") and names in result.error
    assert "EAAwrongtoken999" not in result.error and facebook_server.posts == []


def test_validation_error_is_permanent(
    adapter: FacebookAdapter, facebook_server: FacebookServer
) -> None:
    facebook_server.fail_next(
        400,
        body={
            "error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}
        },
    )
    result = adapter.post(part("facebook", TEXT), "item:a", None)
    assert (
        not result.ok and not result.retryable and not result.unknown and "code 100" in result.error
    )


def test_timeout_after_sending_is_unknown_and_lookup_finds_it(
    adapter: FacebookAdapter, facebook_server: FacebookServer
) -> None:
    facebook_server.slow_next(SLOW, path="/feed$")
    sent = part("facebook", TEXT)
    result = adapter.post(sent, "item:a", None)

    assert result.unknown and "ReadTimeout" in result.error
    found = adapter.lookup(sent)
    assert found.ok and found.remote_id == facebook_server.posts[0]["id"]
    assert found.url == facebook_server.posts[0]["permalink_url"]
    feed = facebook_server.requests_to("/feed$", "GET")[0]
    assert feed.param("fields") == "id,message,permalink_url" and feed.param("limit") == "25"
    assert adapter.lookup(part("facebook", "Teks lain")).ok is False
    facebook_server.fail_next(500)
    assert adapter.lookup(sent) is None


def test_photo_post_is_found_by_its_caption(adapter: FacebookAdapter, png: Path) -> None:
    sent = part("facebook", TEXT, media=(Media(str(png), "Poster"),))
    posted = adapter.post(sent, "item:a", None)
    assert adapter.lookup(sent).remote_id == posted.remote_id


def test_verify_reads_the_page(adapter: FacebookAdapter, facebook_server: FacebookServer) -> None:
    result = adapter.verify()
    assert result.ok and result.remote_id == srv.PAGE_NAME
    [request] = facebook_server.requests
    assert (request.method, request.path, request.param("fields")) == (
        "GET",
        f"/v23.0/{srv.PAGE_ID}",
        "id,name,link",
    )
