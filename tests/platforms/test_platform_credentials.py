"""Credentials over time: a revoked credential holds the platform (scope "platform") and names
the variable to fix; once restored, the same adapter posts again. Bluesky's ended session is
renewed inside the send, and the result says so (not an attempt for the engine)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform_servers.fixtures import adapter_for, part

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

VARIABLE = {
    "x": "X_ACCESS_TOKEN",
    "mastodon": "MASTODON_ACCESS_TOKEN",
    "bluesky": "BLUESKY_APP_PASSWORD",
    "facebook": "FACEBOOK_PAGE_TOKEN",
    "telegram": "TELEGRAM_BOT_TOKEN",
}


def send(adapter: Any, text: str) -> Any:
    return adapter.post(part(adapter.name, text, link=""), f"item:{text}", None)


def test_a_revoked_credential_holds_the_platform_until_it_is_restored(any_server: Any) -> None:
    adapter = adapter_for(any_server.name, any_server)
    assert send(adapter, "Satu.").ok and adapter.verify().ok
    any_server.revoke()

    refused = send(adapter, "Dua.")
    assert not refused.ok and not refused.retryable and not refused.unknown
    assert refused.scope == "platform"  # every post there would be refused the same way
    assert VARIABLE[any_server.name] in refused.error
    assert not adapter.verify().ok
    assert len(any_server.posts) == 1

    any_server.restore()
    assert adapter.verify().ok
    assert send(adapter, "Dua.").ok  # the same adapter, no restart
    assert len(any_server.posts) == 2


def test_bluesky_renews_an_ended_session_and_sends_the_same_post_once(
    bluesky_server: Any,
) -> None:
    adapter = adapter_for("bluesky", bluesky_server)
    assert send(adapter, "Satu.").ok
    bluesky_server.expire_sessions()

    result = send(adapter, "Dua.")
    assert result.ok and result.renewed_session
    assert len(bluesky_server.requests_to("createSession")) == 2
    assert [p["record"]["text"] for p in bluesky_server.posts] == ["Satu.", "Dua."]
    assert not send(adapter, "Tiga.").renewed_session


def test_bluesky_ended_session_and_revoked_password_is_a_credentials_hold(
    bluesky_server: Any,
) -> None:
    adapter = adapter_for("bluesky", bluesky_server)
    assert adapter.verify().ok
    bluesky_server.expire_sessions()
    bluesky_server.revoke()

    result = send(adapter, "Satu.")
    assert not result.ok and result.scope == "platform" and result.renewed_session
    assert "BLUESKY_APP_PASSWORD" in result.error and bluesky_server.posts == []


def test_bluesky_lookup_renews_an_ended_session_too(bluesky_server: Any) -> None:
    adapter = adapter_for("bluesky", bluesky_server)
    assert send(adapter, "Satu.").ok
    bluesky_server.expire_sessions()

    found = adapter.lookup(part("bluesky", "Satu.", link=""))
    assert found is not None and found.ok
    assert len(bluesky_server.requests_to("createSession")) == 2
