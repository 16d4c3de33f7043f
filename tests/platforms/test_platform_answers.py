"""Platform answers are untrusted: a success without a usable id or URL is `unknown`, never
`sent`; error bodies are cut to a few KB and cannot carry terminal escapes."""

from __future__ import annotations

from typing import Any

import pytest

from publisher.platforms.answers import MAX_DETAIL, clip, id_problem, origin_of, url_problem
from publisher.platforms.catalog import SPECS
from tests.platform_servers.fixtures import adapter_for, part

TEXT = "Waspadai tawaran kerja ke luar negeri tanpa dokumen resmi. #CegahTPPO"


def send(server: Any, text: str = TEXT, **options: Any) -> Any:
    adapter = adapter_for(server.name, server, **options)
    return adapter, adapter.post(part(server.name, text, link=""), "item:a", None)


@pytest.mark.parametrize("how", ["null", "missing", "None", "malformed"])
def test_a_success_answer_without_a_usable_id_is_unknown_never_sent(
    any_server: Any, how: str
) -> None:
    any_server.no_id_next(how)
    adapter, result = send(any_server)

    assert not result.ok and result.unknown and not result.retryable
    assert result.remote_id is None and result.url is None
    assert "the post was accepted, but its answer" in result.error
    assert "/status/None" not in result.error
    assert len(any_server.posts) == 1  # it was made: the engine must look before resending
    if adapter.can_lookup:
        found = adapter.lookup(part(any_server.name, TEXT, link=""))
        assert found is not None and found.ok and found.remote_id
        assert adapter.spec.id_format.fullmatch(found.remote_id)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/@tppo/1800000000000000001",
        "javascript:alert(1)",
        "https://127.0.0.1@evil.example/@tppo/1",
        None,
    ],
)
def test_a_mastodon_post_url_off_its_own_server_is_unknown(
    mastodon_server: Any, url: str | None
) -> None:
    mastodon_server.answer_url(url)
    _, result = send(mastodon_server)

    assert result.unknown and not result.ok and result.url is None
    assert "post URL" in result.error and mastodon_server.url in result.error


def test_a_facebook_lookup_whose_permalink_is_elsewhere_cannot_tell(facebook_server: Any) -> None:
    adapter, result = send(facebook_server)
    assert result.ok and result.url.startswith("https://www.facebook.com/")
    facebook_server.answer_permalink("https://facebook.com.evil.example/104/posts/1")

    assert adapter.lookup(part("facebook", TEXT, link="")) is None  # neither found nor absent


@pytest.mark.parametrize(
    ("platform", "remote_id", "good"),
    [
        ("x", "1800000000000000001", True),
        ("x", "18000000000000000010000", False),
        ("x", "0", False),
        ("x", "12a", False),
        ("mastodon", "109000000000000001", True),
        ("mastodon", "AbC123xyz", True),  # Pleroma, GoToSocial
        ("mastodon", "None", False),
        ("mastodon", "../1", False),
        ("bluesky", "at://did:plc:tppobtengtest234567abcd/app.bsky.feed.post/3kabc2def", True),
        ("bluesky", "at://did:plc:x/app.bsky.feed.like/3kabc", False),
        ("bluesky", "https://bsky.app/profile/x/post/1", False),
        ("facebook", "104123456789012_900000000000", True),
        ("facebook", "700000000000", True),  # a photo
        ("facebook", "104_abc", False),
        ("telegram", "42", True),
        ("telegram", 42, True),
        ("telegram", "-42", False),
        ("telegram", True, False),
        ("telegram", None, False),
    ],
)
def test_each_platform_declares_its_id_format_once(
    platform: str, remote_id: Any, good: bool
) -> None:
    assert (id_problem(SPECS[platform], remote_id) is None) is good


@pytest.mark.parametrize(
    ("url", "good"),
    [
        ("https://mastodon.social/@tppo/1", True),
        ("https://MASTODON.social/@tppo/1", True),
        ("http://mastodon.social/@tppo/1", False),
        ("https://mastodon.social.evil.example/@tppo/1", False),
        ("https://mastodon.social@evil.example/@tppo/1", False),
        ("https://mastodon.social:8443/@tppo/1", False),
        ("https://mastodon.social/", False),
        ("https://evil.example/https://mastodon.social/@tppo/1", False),
    ],
)
def test_a_post_url_must_be_https_on_the_platforms_own_host(url: str, good: bool) -> None:
    allowed = (origin_of("https://mastodon.social/"),)
    assert (url_problem(url, allowed) is None) is good


def test_only_a_server_on_this_machine_may_be_plain_http() -> None:
    assert origin_of("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert origin_of("http://mastodon.example") == "https://mastodon.example"


BIG = 5 * 1024 * 1024
ERROR_BODIES = {
    "x": lambda text: {"title": "Invalid Request", "detail": text, "status": 400},
    "mastodon": lambda text: {"error": text},
    "bluesky": lambda text: {"error": "InvalidRequest", "message": text},
    "facebook": lambda text: {"error": {"message": text, "type": "OAuthException", "code": 100}},
    "telegram": lambda text: {"ok": False, "error_code": 400, "description": text},
}


def test_a_5_mb_error_body_is_cut_to_a_few_kb(any_server: Any) -> None:
    body = ERROR_BODIES[any_server.name]("a" * BIG)
    any_server.fail_next(400, path=any_server.CREATE, body=body)
    _, result = send(any_server)

    assert not result.ok and result.error
    assert len(result.error) < MAX_DETAIL + 400 < BIG
    assert len(repr(result)) < 3 * MAX_DETAIL + 4000  # what the ledger would store


def test_terminal_escapes_in_an_error_never_reach_the_result(any_server: Any) -> None:
    hostile = "\x1b[2J\x1b[H\rStatus: OK\nAll platforms fine \u202e[/]\x07"
    any_server.fail_next(400, path=any_server.CREATE, body=ERROR_BODIES[any_server.name](hostile))
    _, result = send(any_server)

    assert not result.ok
    for character in ("\x1b", "\r", "\n", "\x07", "\u202e"):
        assert character not in result.error
    if any_server.name != "x":  # tweepy shows X's `detail` only for some statuses
        assert "Status: OK" in result.error  # shown as text, on the same line


def test_clip_keeps_one_line_and_says_how_much_was_cut() -> None:
    assert clip("a\r\nb\tc") == "a b c"
    assert clip("x" * 10, limit=4) == "xxxx… (6 characters cut)"
    assert clip("\x00\x1b\x9b") == "\ufffd\ufffd\ufffd"
