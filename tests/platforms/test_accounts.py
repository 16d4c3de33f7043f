"""`publisher accounts`, `real_adapter` and the registry factories, against the local servers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.accounts import accounts_command
from publisher.engine.ledger import SENT, Ledger
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms import registry as adapters
from publisher.platforms.bluesky import BlueskyAdapter
from publisher.platforms.facebook import FacebookAdapter
from publisher.platforms.mastodon import MastodonAdapter
from publisher.platforms.registry import ADAPTERS, environment, real_adapter
from publisher.platforms.telegram import TelegramAdapter
from publisher.platforms.x import XAdapter
from tests.engine_support import Clock, item, make_settings
from tests.platform_servers.fixtures import environ_for, part

PLATFORMS = ["x", "mastodon", "bluesky", "facebook", "telegram"]
CLASSES = {
    "x": XAdapter,
    "mastodon": MastodonAdapter,
    "bluesky": BlueskyAdapter,
    "facebook": FacebookAdapter,
    "telegram": TelegramAdapter,
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No credential from the machine running the tests leaks in."""
    for name in adapters.variable_names():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "pelicanconf.py").write_text(
        'SITEURL = "https://tppo.example.go.id"\n'
        f"PUBLISHER = {{'platforms': {PLATFORMS!r}, 'ledger': 'var/ledger.sqlite3'}}\n"
    )
    return tmp_path


def run(site: Path, *args: str) -> Any:
    return CliRunner().invoke(accounts_command, ["--settings", str(site / "pelicanconf.py"), *args])


def test_real_adapter_needs_every_credential(tmp_path: Path, all_servers: dict) -> None:
    settings = make_settings(tmp_path)
    env = environ_for(all_servers)
    for platform in PLATFORMS:
        assert isinstance(real_adapter(platform, settings, env), CLASSES[platform])
    del env["X_ACCESS_TOKEN_SECRET"]
    assert real_adapter("x", settings, env) is None
    assert real_adapter("x", settings, {**env, "X_ACCESS_TOKEN_SECRET": "  "}) is None
    assert real_adapter("outbox", settings, env) is None


def test_real_adapter_takes_limits_and_base_urls(tmp_path: Path, all_servers: dict) -> None:
    settings = make_settings(tmp_path, limits={"facebook": {"max_text": 2000}})
    env = environ_for(all_servers) | {"FACEBOOK_API_VERSION": "v21.0"}
    facebook = real_adapter("facebook", settings, env)
    assert facebook.limits.max_text == 2000
    assert facebook.verify().ok
    assert all_servers["facebook"].requests[0].path.startswith("/v21.0/")
    bluesky = real_adapter("bluesky", settings, env)
    assert bluesky.base_url == all_servers["bluesky"].url and bluesky.cards is not None


def test_real_adapters_get_the_projects_cache_folder_and_the_engines_clock(
    tmp_path: Path, all_servers: dict
) -> None:
    settings = make_settings(tmp_path)
    env = environ_for(all_servers)
    clock = Clock("2027-03-01 08:00")
    mastodon = real_adapter("mastodon", settings, env, clock=clock)
    assert mastodon.cache.folder == settings.root / "var" / "cache"
    assert mastodon.limits.max_text == 500  # read once, then kept there
    assert list((settings.root / "var" / "cache").glob("mastodon-instance-*.json"))
    all_servers["telegram"].rate_limit(reset_in=60)
    telegram = real_adapter("telegram", settings, env, clock=clock)
    assert telegram.post(part("telegram", "Info.", link=""), "k", None).retry_at == (
        clock.now + dt.timedelta(seconds=60)
    )


def test_environment_reads_dotenv_and_the_environment_wins(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=from-file\nTELEGRAM_CHAT_ID=@kanal\nOTHER=x\n"
    )
    clean_env.setenv("TELEGRAM_CHAT_ID", "@dari_env")
    env = environment(tmp_path)
    assert {name: env.get(name) for name in env.names()} == {
        "TELEGRAM_BOT_TOKEN": "from-file",
        "TELEGRAM_CHAT_ID": "@dari_env",
    }


def test_no_credentials_everything_goes_to_the_outbox(
    site: Path, clean_env: pytest.MonkeyPatch
) -> None:
    result = run(site)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len(lines) == len(adapters.PLATFORMS)
    enabled = [line for line in lines if " yes " in line]
    assert len(enabled) == 5  # the project names five platforms in PUBLISHER['platforms']
    assert all("outbox" in line and "no credentials configured" in line for line in enabled)
    (email,) = [line for line in lines if "E-mail" in line]
    assert "not in PUBLISHER['platforms']" in email  # e-mail: only when listed
    assert "docs/platforms.md" in result.output


def test_all_five_verified_and_no_secret_printed(
    site: Path, clean_env: pytest.MonkeyPatch, all_servers: dict
) -> None:
    env = environ_for(all_servers)
    for name, value in env.items():
        clean_env.setenv(name, value)
    result = run(site, "--json")

    assert result.exit_code == 0, result.output
    states = {s["platform"]: s for s in json.loads(result.output)}
    assert all(states[p]["ok"] and states[p]["checked"] for p in PLATFORMS)
    assert states["x"]["detail"].startswith("verified: @tppo_bteng")
    assert states["mastodon"]["detail"].startswith("verified: @tppo")
    assert "; text limit 500" in states["mastodon"]["detail"]
    assert states["telegram"]["detail"].startswith(
        "verified: @tppo_bteng (https://t.me/tppo_bteng)"
    )
    for name in adapters.secret_names():
        assert name not in env or env[name] not in result.output
    assert all(s.posts == [] for s in all_servers.values())  # checks only read


def test_a_failed_check_shows_the_error_and_exits_1(
    site: Path, clean_env: pytest.MonkeyPatch, all_servers: dict
) -> None:
    env = environ_for(all_servers)
    env["TELEGRAM_BOT_TOKEN"] = "7000000001:AAHrevokedTokenForTheLocalBotApi_000"
    del env["X_ACCESS_TOKEN_SECRET"]
    for name, value in env.items():
        clean_env.setenv(name, value)
    result = run(site)

    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.output.splitlines() if line.startswith("  ")}
    assert "FAILED Telegram: 401 Unauthorized: check TELEGRAM_BOT_TOKEN" in rows["Telegram"]
    assert "missing X_ACCESS_TOKEN_SECRET" in rows["X"] and "outbox" in rows["X"]
    assert "OK verified" in rows["Bluesky"]
    assert env["TELEGRAM_BOT_TOKEN"] not in result.output


def test_no_verify_contacts_nobody(
    site: Path, clean_env: pytest.MonkeyPatch, all_servers: dict
) -> None:
    for name, value in environ_for(all_servers).items():
        clean_env.setenv(name, value)
    result = run(site, "--no-verify")
    assert result.exit_code == 0
    assert all(s.requests == [] for s in all_servers.values())
    assert result.output.count("not checked") == 5


def test_registry_factories_post_through_all_five_platforms(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    all_servers: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one-line wiring (REAL_ADAPTERS derived from the adapter classes) and a tick that posts everywhere."""
    monkeypatch.setattr(adapters, "REAL_ADAPTERS", dict(ADAPTERS))
    env = environ_for(all_servers)
    for name, value in env.items():
        clean_env.setenv(name, value)
    settings = make_settings(tmp_path, platforms=PLATFORMS)
    choices = adapters.choose_adapters(settings, environment(tmp_path, env))
    assert [c.mode for c in choices] == ["real"] * 5

    clock = Clock("2027-03-01 08:00")
    ledger = Ledger.open(settings.ledger, actor="test")
    planned = [
        item(
            "item:semua", "2027-03-01 10:00", text="Waspadai calo kerja ke luar negeri. #CegahTPPO"
        )
    ]
    scheduler = Scheduler(
        settings,
        ledger,
        {c.platform: c.adapter for c in choices},
        lambda: Snapshot(planned, [], {"item", "cal"}),
        clock=clock,
        rng=random.Random(0),
    )
    scheduler.tick()
    scheduler.tick(clock.set("2027-03-01 10:00"))

    rows = ledger.rows(key="item:semua")
    assert {(r.platform, r.state) for r in rows} == {(p, SENT) for p in PLATFORMS}
    assert all(len(server.posts) == 1 for server in all_servers.values())
    # UTM parameters are off by default since issue 16: the link is the page's own address.
    assert all_servers["facebook"].posts[0]["link"].endswith("/berita/semua/")
    ledger.close()


def test_no_secret_reaches_the_logs_even_at_debug(
    tmp_path: Path, all_servers: dict, caplog: pytest.LogCaptureFixture
) -> None:
    """urllib3 logs the Bot API URL (token inside), requests-oauthlib the OAuth client."""
    caplog.set_level(logging.DEBUG)
    env = environ_for(all_servers)
    settings = make_settings(tmp_path)
    for platform in PLATFORMS:
        adapter = real_adapter(platform, settings, env)
        text = f"Waspadai calo kerja untuk {platform}. #CegahTPPO"
        assert adapter.post(part(platform, text), "item:log", None).ok
        assert adapter.verify().ok
        adapter.lookup(part(platform, text))
    assert "sendMessage" in caplog.text and "Signing request" in caplog.text  # they did log
    for name in adapters.secret_names():
        assert name not in env or env[name] not in caplog.text, name
