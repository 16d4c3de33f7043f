"""Bluesky adapter against the local PDS, through atproto's Client."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher.engine.ledger import FAILED, SENT
from publisher.platforms.bluesky import BlueskyAdapter, rich_text
from publisher.platforms.draft import Media
from publisher.platforms.opengraph import OpenGraphReader
from tests.engine_support import SITE
from tests.platform_servers import Answer, PlatformServer, Recorded
from tests.platform_servers import bluesky as srv
from tests.platform_servers.bluesky import BlueskyServer
from tests.platform_servers.fixtures import (
    SLOW,
    TEST_TIMEOUT,
    engine_for,
    link_for,
    part,
    png_bytes,
    three_part_item,
)

# atproto's upload_blob passes raw bytes the way httpx 0.28 deprecates; not ours to fix.

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
LINK = link_for("bluesky")
TEXT = f"Kenali modus TPPO 🇮🇩 sebelum berangkat. {LINK} #CegahTPPO"
PAGE = """<!doctype html><html><head>
<meta property="og:title" content="Razia TPPO di Pelabuhan Pulau Baai">
<meta property="og:description" content="Petugas memeriksa dokumen &amp; keberangkatan.">
<meta property="og:image" content="{image}">
</head><body></body></html>"""


@pytest.fixture
def adapter(bluesky_server: BlueskyServer) -> BlueskyAdapter:
    return BlueskyAdapter(
        srv.HANDLE, srv.APP_PASSWORD, base_url=bluesky_server.url, timeout=TEST_TIMEOUT
    )


def records(server: BlueskyServer) -> list[dict]:
    return [p["record"] for p in server.posts]


def test_text_post_has_link_and_tag_facets_at_byte_offsets(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    result = adapter.post(part("bluesky", TEXT), "item:a", None)

    assert result.ok, result.error
    assert result.remote_id == bluesky_server.posts[0]["uri"]
    assert (
        result.url
        == f"https://bsky.app/profile/{srv.HANDLE}/post/{result.remote_id.rsplit('/', 1)[1]}"
    )
    [record] = records(bluesky_server)
    assert record["text"] == TEXT and record["langs"] == ["id"] and "embed" not in record
    encoded = TEXT.encode()
    link_start = encoded.index(LINK.encode())
    tag_start = encoded.index(b"#CegahTPPO")
    assert [
        (f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]) for f in record["facets"]
    ] == [
        (
            link_start,
            link_start + len(LINK),
            {"$type": "app.bsky.richtext.facet#link", "uri": LINK},
        ),
        (tag_start, tag_start + 10, {"$type": "app.bsky.richtext.facet#tag", "tag": "CegahTPPO"}),
    ]
    create = bluesky_server.requests_to("createRecord")[0]
    assert create.headers["authorization"] == f"Bearer {bluesky_server.access}"


def test_hash_inside_a_url_is_not_a_tag() -> None:
    facets = rich_text("Lihat https://example.go.id/a#bagian dan #TPPO").build_facets()
    assert [f.features[0].py_type for f in facets] == [
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    ]


def test_link_card_from_our_own_open_graph_data(
    bluesky_server: BlueskyServer, tmp_path: Path
) -> None:
    site = tmp_path / "output"
    (site / "berita" / "razia-tppo").mkdir(parents=True)
    (site / "images").mkdir()
    thumb = png_bytes(16, "blue")
    (site / "images" / "razia.png").write_bytes(thumb)
    (site / "berita" / "razia-tppo" / "index.html").write_text(
        PAGE.format(image=f"{SITE}/images/razia.png")
    )
    cards = OpenGraphReader(SITE, site)
    adapter = BlueskyAdapter(
        srv.HANDLE, srv.APP_PASSWORD, base_url=bluesky_server.url, timeout=TEST_TIMEOUT, cards=cards
    )

    assert adapter.post(part("bluesky", TEXT), "item:a", None).ok
    [record] = records(bluesky_server)
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        LINK,  # the link as posted, with its UTM parameters
        "Razia TPPO di Pelabuhan Pulau Baai",
        "Petugas memeriksa dokumen & keberangkatan.",
    )
    [upload] = bluesky_server.requests_to("uploadBlob")
    assert upload.body == thumb
    assert external["thumb"]["ref"]["$link"] in bluesky_server.blobs


class SiteServer(PlatformServer):
    """Our own site, as the card reader fetches it when the page is not in a local folder."""

    def route(self, request: Recorded) -> Answer:
        if request.path == "/berita/razia-tppo/":
            return Answer(
                200, PAGE.format(image="/images/razia.png").encode(), {"Content-Type": "text/html"}
            )
        if request.path == "/images/razia.png":
            return Answer(200, png_bytes(), {"Content-Type": "image/png"})
        return Answer(404, b"")


def test_card_fetched_over_http_without_utm_parameters() -> None:
    with SiteServer() as site:
        link = f"{site.url}/berita/razia-tppo/?utm_source=bluesky&utm_medium=social&id=7"
        card = OpenGraphReader()(link)
        assert card is not None and card.uri == link and card.thumb == png_bytes()
        page = site.requests_to("/berita/")[0]
        assert page.query_string == "id=7"
        assert OpenGraphReader()(f"{site.url}/hilang/") is None


def test_images_carry_their_alt_text(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer, png: Path
) -> None:
    alt = "Poster: tiga tanda tawaran kerja palsu"
    assert adapter.post(
        part("bluesky", "Poster baru", media=(Media(str(png), alt),)), "item:a", None
    ).ok

    [upload] = bluesky_server.requests_to("uploadBlob")
    assert upload.body == png.read_bytes()
    [image] = records(bluesky_server)[0]["embed"]["images"]
    assert image["alt"] == alt and image["image"]["mimeType"] == "image/png"


def test_graphemes_are_counted_by_us(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    accent = "e\u0301"  # one grapheme, two code points, three bytes
    assert adapter.post(part("bluesky", accent * 300, link=""), "item:a", None).ok
    refused = adapter.post(part("bluesky", accent * 301, link=""), "item:b", None)
    assert (
        not refused.ok
        and not refused.retryable
        and "301 long, over the limit of 300" in refused.error
    )
    assert len(bluesky_server.requests_to("createRecord")) == 1


def test_thread_reply_names_root_and_parent(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    one = adapter.post(part("bluesky", "Satu (1/3)", total=3), "item:a", None)
    two = adapter.post(part("bluesky", "Dua (2/3)", number=2, total=3), "item:a", one.remote_id)
    three = adapter.post(part("bluesky", "Tiga (3/3)", number=3, total=3), "item:a", two.remote_id)

    assert three.ok
    first, second, third = bluesky_server.posts
    assert third["record"]["reply"]["root"] == {
        "$type": "com.atproto.repo.strongRef",
        "uri": first["uri"],
        "cid": first["cid"],
    }
    assert third["record"]["reply"]["parent"] == {
        "$type": "com.atproto.repo.strongRef",
        "uri": second["uri"],
        "cid": second["cid"],
    }
    assert second["record"]["reply"]["root"]["uri"] == first["uri"]


def test_one_session_for_many_posts_and_refresh_when_it_expires() -> None:
    with BlueskyServer(access_lifetime=60) as server:  # atproto refreshes 15 min before expiry
        adapter = BlueskyAdapter(
            srv.HANDLE, srv.APP_PASSWORD, base_url=server.url, timeout=TEST_TIMEOUT
        )
        assert adapter.post(part("bluesky", "Satu", link=""), "item:a", None).ok
        assert adapter.post(part("bluesky", "Dua", link=""), "item:b", None).ok
        assert len(server.requests_to("createSession")) == 1
        assert server.requests_to("refreshSession")


def test_rate_limit_is_retryable_with_the_reset_header(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    bluesky_server.fail_next(429, path="createRecord")
    result = adapter.post(part("bluesky", TEXT), "item:a", None)
    assert result.retryable and not result.unknown
    assert "(ratelimit-reset)" in result.error
    stamp = result.error.split("until ")[1][:19]
    delta = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=dt.UTC
    ) - dt.datetime.now(dt.UTC)
    assert 3500 < delta.total_seconds() <= 3600


@pytest.mark.parametrize(
    ("status", "retryable", "unknown"),
    [(500, True, False), (503, True, False), (502, False, True), (504, False, True)],
)
def test_server_errors_on_the_post(
    adapter: BlueskyAdapter,
    bluesky_server: BlueskyServer,
    status: int,
    retryable: bool,
    unknown: bool,
) -> None:
    bluesky_server.fail_next(status, path="createRecord")
    result = adapter.post(part("bluesky", TEXT), "item:a", None)
    assert (result.ok, result.retryable, result.unknown) == (False, retryable, unknown)


def test_server_error_on_an_upload_is_retryable_never_unknown(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer, png: Path
) -> None:
    bluesky_server.fail_next(502, path="uploadBlob")
    result = adapter.post(
        part("bluesky", "Poster", media=(Media(str(png), "Poster"),)), "item:a", None
    )
    assert result.retryable and not result.unknown and bluesky_server.posts == []


def test_wrong_app_password_names_both_variables(bluesky_server: BlueskyServer) -> None:
    adapter = BlueskyAdapter(
        srv.HANDLE, "zzzz-zzzz-zzzz-zzzz", base_url=bluesky_server.url, timeout=TEST_TIMEOUT
    )
    result = adapter.post(part("bluesky", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and not result.unknown
    assert (
        "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD" in result.error
        and "zzzz-zzzz" not in result.error
    )


def test_invalid_record_is_permanent(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    bluesky_server.fail_next(
        400,
        path="createRecord",
        body={"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"},
    )
    result = adapter.post(part("bluesky", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and "InvalidRequest" in result.error


def test_timeout_after_sending_is_unknown_and_lookup_finds_it(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    adapter.verify()  # log in first: only the post itself is slow
    bluesky_server.slow_next(SLOW, path="createRecord")
    sent = part("bluesky", TEXT)
    result = adapter.post(sent, "item:a", None)

    assert result.unknown and "ReadTimeout" in result.error
    found = adapter.lookup(sent)
    assert found.ok and found.remote_id == bluesky_server.posts[0]["uri"]
    assert adapter.lookup(part("bluesky", "Belum pernah dikirim", link="")).ok is False
    bluesky_server.fail_next(500, path="listRecords")
    assert adapter.lookup(sent) is None


def test_verify_logs_in_and_reads_the_profile(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    result = adapter.verify()
    assert result.ok and result.remote_id == f"@{srv.HANDLE}"
    assert [r.path.rsplit("/", 1)[1] for r in bluesky_server.requests] == [
        "com.atproto.server.createSession",
        "app.bsky.actor.getProfile",
    ]


def test_thread_whose_third_part_fails_resumes_replying_to_the_second(
    tmp_path: Path, adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    engine = engine_for(tmp_path, adapter)
    thread = three_part_item(adapter.limits)
    engine.items.append(thread)
    engine.scheduler.tick()
    bluesky_server.fail_next(503, path="createRecord", after=2)

    engine.scheduler.tick(engine.clock.set("2027-03-01 10:00"))
    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, FAILED)]
    engine.scheduler.tick(engine.clock.advance(minutes=5))

    assert engine.states(thread.key) == [(1, SENT), (2, SENT), (3, SENT)]
    first, second, third = bluesky_server.posts
    assert third["record"]["reply"]["parent"]["uri"] == second["uri"]
    assert third["record"]["reply"]["root"]["uri"] == first["uri"]
    assert [p["record"]["text"][-5:] for p in bluesky_server.posts] == ["(1/3)", "(2/3)", "(3/3)"]
    engine.ledger.close()


def test_an_ended_session_is_renewed_and_the_same_create_sent_once_more(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    bluesky_server.fail_next(400, path="createRecord", body=expired)
    result = adapter.post(part("bluesky", TEXT), "item:a", None)

    assert result.ok and result.renewed_session  # not a new attempt for the engine
    assert len(bluesky_server.requests_to("createSession")) == 2
    assert len(bluesky_server.requests_to("createRecord")) == 2 and len(bluesky_server.posts) == 1
    assert not adapter.post(part("bluesky", "Dua", link=""), "item:b", None).renewed_session


def test_a_session_that_ends_twice_in_a_row_is_retryable_not_a_loop(
    adapter: BlueskyAdapter, bluesky_server: BlueskyServer
) -> None:
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    bluesky_server.fail_next(400, path="createRecord", body=expired, times=2)
    result = adapter.post(part("bluesky", TEXT), "item:a", None)

    assert result.retryable and result.renewed_session and "ExpiredToken" in result.error
    assert len(bluesky_server.requests_to("createRecord")) == 2 and bluesky_server.posts == []
