"""Telegram channel adapter against the local Bot API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher.platforms.draft import Media
from publisher.platforms.telegram import TelegramAdapter, message_url, to_html
from tests.platform_servers import telegram as srv
from tests.platform_servers.fixtures import (
    SLOW,
    TEST_TIMEOUT,
    link_for,
    part,
)
from tests.platform_servers.telegram import TelegramServer, parse_html

LINK = link_for("telegram")  # has & between its parameters
TEXT = f'Waspadai "agen" <tanpa izin> & calo: {LINK} #CegahTPPO'


@pytest.fixture
def adapter(telegram_server: TelegramServer) -> TelegramAdapter:
    return TelegramAdapter(
        srv.BOT_TOKEN, "@tppo_bteng", base_url=telegram_server.url, timeout=TEST_TIMEOUT
    )


def test_send_message_in_html_mode_keeps_the_text_exact(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    result = adapter.post(part("telegram", TEXT, link=LINK), "item:a", None)

    assert result.ok and result.remote_id == "1" and result.url == "https://t.me/tppo_bteng/1"
    [request] = telegram_server.requests
    assert request.path == f"/bot{srv.BOT_TOKEN}/sendMessage"
    body = request.json()
    assert body == {"chat_id": "@tppo_bteng", "parse_mode": "HTML", "text": to_html(TEXT)}
    escaped = LINK.replace("&", "&amp;")
    assert f'<a href="{escaped}">{escaped}</a>' in body["text"]
    assert telegram_server.posts[0]["text"] == TEXT  # what readers see is what we wrote


@pytest.mark.parametrize(
    "text",
    [
        "<b>bukan tebal</b> & &amp; 1<2>3",
        "Kode: a&&b, x>y; \"kutip\" 'tunggal'",
        "https://example.go.id/?a=1&b=<2> lalu teks",
        "emoji 🇮🇩 dan baris\nbaru",
    ],
)
def test_escaping_round_trips_through_telegrams_parser(text: str) -> None:
    problem, plain = parse_html(to_html(text))
    assert problem is None and plain == text


def test_photo_with_an_escaped_caption(
    adapter: TelegramAdapter, telegram_server: TelegramServer, png: Path
) -> None:
    result = adapter.post(
        part("telegram", "Poster <baru> & penting", media=(Media(str(png), "Poster"),)),
        "item:a",
        None,
    )

    assert result.ok
    [request] = telegram_server.requests
    assert request.path.endswith("/sendPhoto")
    assert request.form() == {
        "chat_id": "@tppo_bteng",
        "parse_mode": "HTML",
        "caption": "Poster &lt;baru&gt; &amp; penting",
    }
    assert request.files()["photo"].data == png.read_bytes()
    assert telegram_server.posts[0]["caption"] == "Poster <baru> & penting"


@pytest.mark.parametrize(
    ("text", "with_photo", "fits"),
    [
        ("a" * 4096, False, True),
        ("a" * 4097, False, False),
        ("🙂" * 2048, False, True),  # 2 UTF-16 units each, as Telegram counts
        ("🙂" * 2049, False, False),
        ("a" * 1024, True, True),
        ("a" * 1025, True, False),
    ],
)
def test_limits_4096_and_1024(
    adapter: TelegramAdapter,
    telegram_server: TelegramServer,
    png: Path,
    text: str,
    with_photo: bool,
    fits: bool,
) -> None:
    media = (Media(str(png), "Poster"),) if with_photo else ()
    result = adapter.post(part("telegram", text, media=media, link=""), "item:a", None)
    assert result.ok is fits
    assert len(telegram_server.requests) == (1 if fits else 0)  # refused here, before sending


def test_rate_limit_uses_retry_after(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    telegram_server.fail_next(429)
    before = dt.datetime.now(dt.UTC)
    result = adapter.post(part("telegram", TEXT), "item:a", None)
    assert result.retryable and not result.unknown
    stamp = result.error.split("until ")[1][:19]
    reset = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    assert 15 <= (reset - before).total_seconds() <= 19


@pytest.mark.parametrize(
    ("status", "retryable", "unknown"),
    [(500, True, False), (503, True, False), (502, False, True), (504, False, True)],
)
def test_server_errors(
    adapter: TelegramAdapter,
    telegram_server: TelegramServer,
    status: int,
    retryable: bool,
    unknown: bool,
) -> None:
    telegram_server.fail_next(status)
    result = adapter.post(part("telegram", TEXT), "item:a", None)
    assert (result.ok, result.retryable, result.unknown) == (False, retryable, unknown)


@pytest.mark.parametrize(
    ("token", "chat", "fail", "says"),
    [
        (
            "7000000001:AAHwrongTokenForTheLocalBotApi_99999",
            "@tppo_bteng",
            None,
            "TELEGRAM_BOT_TOKEN",
        ),
        ("not-a-token", "@tppo_bteng", None, "TELEGRAM_BOT_TOKEN"),
        (srv.BOT_TOKEN, "@channel_lain", None, "TELEGRAM_CHAT_ID"),
        (srv.BOT_TOKEN, "@tppo_bteng", 403, "administrator"),
    ],
)
def test_credential_errors_name_what_to_fix(
    telegram_server: TelegramServer, token: str, chat: str, fail: int | None, says: str
) -> None:
    if fail:
        telegram_server.fail_next(fail)
    adapter = TelegramAdapter(token, chat, base_url=telegram_server.url, timeout=TEST_TIMEOUT)
    result = adapter.post(part("telegram", TEXT), "item:a", None)
    assert not result.ok and not result.retryable and not result.unknown
    assert says in result.error and token not in result.error
    assert token not in str(result.request)


def test_timeout_after_sending_is_unknown_and_lookup_cannot_tell(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    telegram_server.slow_next(SLOW, path="sendMessage")
    sent = part("telegram", TEXT)
    result = adapter.post(sent, "item:a", None)
    assert result.unknown and srv.BOT_TOKEN not in result.error
    assert len(telegram_server.posts) == 1  # it was accepted
    assert adapter.lookup(sent) is None  # the Bot API cannot read a channel's history


def test_no_connection_is_retryable_and_shows_no_token(telegram_server: TelegramServer) -> None:
    adapter = TelegramAdapter(
        srv.BOT_TOKEN, "@tppo_bteng", base_url=telegram_server.url, timeout=TEST_TIMEOUT
    )
    telegram_server.stop()
    result = adapter.post(part("telegram", TEXT), "item:a", None)
    assert result.retryable and not result.unknown and srv.BOT_TOKEN not in result.error


def test_verify_checks_token_channel_and_admin_rights(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    result = adapter.verify()
    assert (
        result.ok and result.remote_id == "@tppo_bteng" and result.url == "https://t.me/tppo_bteng"
    )
    assert [r.path.rsplit("/", 1)[1] for r in telegram_server.requests] == [
        "getMe",
        "getChat",
        "getChatMember",
    ]
    assert telegram_server.requests[2].json() == {"chat_id": "@tppo_bteng", "user_id": srv.BOT_ID}


def test_verify_says_when_the_bot_is_not_an_admin() -> None:
    with TelegramServer(bot_is_admin=False) as server:
        result = TelegramAdapter(srv.BOT_TOKEN, "-1001234567890", base_url=server.url).verify()
    assert (
        not result.ok
        and "@tppo_bteng_bot cannot post" in result.error
        and "administrator" in result.error
    )


def test_private_channel_links() -> None:
    assert message_url({"id": -1009876543210}, 12) == "https://t.me/c/9876543210/12"
    assert message_url({"id": 42}, 12) is None


def test_a_group_that_moved_says_the_new_chat_id(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    moved = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1009999999999},
    }
    telegram_server.fail_next(400, body=moved)
    result = adapter.post(part("telegram", TEXT), "item:a", None)
    assert not result.ok and not result.retryable
    assert "set TELEGRAM_CHAT_ID to -1009999999999" in result.error


def test_an_image_our_site_does_not_serve_is_retryable(
    adapter: TelegramAdapter, telegram_server: TelegramServer
) -> None:
    media = (Media("http://127.0.0.1:9/images/poster.png", "Poster"),)  # nothing listens on 9
    result = adapter.post(part("telegram", "Poster", media=media), "item:a", None)
    assert result.retryable and not result.unknown and "could not be fetched" in result.error
    assert telegram_server.requests == []
