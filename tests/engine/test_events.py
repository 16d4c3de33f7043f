"""Structured logs: one line per event with key, platform, part, state and remote URL, as
key=value text or JSON lines, and never a secret."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from pelican.log import LimitLogger

from publisher.cli.output import make_console, setup_logging
from publisher.core.timeutil import parse_time
from publisher.engine.events import JsonFormatter, TextFormatter, event
from publisher.platforms import registry
from tests.cli_support import run
from tests.engine_support import log_events, loopback_only, own_site_on_loopback
from tests.platform_servers.fixtures import environ_for

SECRET = 'tok-SECRET-"quoted"\\-1234'


def record(message: str, *args: Any, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("publisher.engine", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    made.created = parse_time("2027-03-02 10:00").timestamp()
    return made


def hide(text: str) -> str:
    return text.replace(SECRET, "[secret]")


FAILED = event(
    "failed",
    "cal:kampanye-uji:p3-utas",
    "mastodon",
    2,
    3,
    "failed",
    retry_at=parse_time("2027-03-05 19:02"),
    reason=f"Mastodon: server error 503 (token {SECRET})",
    url=None,
)


def test_an_event_is_one_line_of_fields_in_a_fixed_order() -> None:
    line = TextFormatter(hide, with_time=False).format(
        record("failed %s: %s", "mastodon ...", "the human message", **FAILED)
    )
    assert line == (
        "event=failed key=cal:kampanye-uji:p3-utas platform=mastodon part=2/3 state=failed "
        'retry_at=2027-03-05T12:02:00Z reason="Mastodon: server error 503 (token [secret])"'
    )


def test_other_lines_keep_their_message_and_lose_their_secrets() -> None:
    line = TextFormatter(hide).format(record("deploy failed: %s", f"ssh {SECRET}"))
    assert line.endswith(" WARNING deploy failed: ssh [secret]")


def test_json_lines_carry_the_same_fields() -> None:
    line = JsonFormatter(hide).format(record("failed %s", "x", **FAILED))
    assert SECRET not in line and json.loads(line) == {
        "time": "2027-03-02T03:00:00.000+00:00",
        "level": "warning",
        "logger": "publisher.engine",
        "event": "failed",
        "key": "cal:kampanye-uji:p3-utas",
        "platform": "mastodon",
        "part": "2/3",
        "state": "failed",
        "retry_at": "2027-03-05T12:02:00Z",
        "reason": "Mastodon: server error 503 (token [secret])",
        "message": "failed x",
    }


# The first run, the article going live, the campaign card, a scheduled share, the release.
TICKS = [
    "2027-03-01 08:00",
    "2027-03-02 10:00",
    "2027-03-03 09:00",
    "2027-03-03 19:00",
    "2027-03-04 09:00",
]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_full_run_logs_every_post_with_its_url_and_no_secret(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    all_servers: dict[str, Any],
    log_format: str,
) -> None:
    """`publisher tick` as systemd runs it, through the five real adapters."""
    loopback_only(monkeypatch)
    environ = environ_for(all_servers)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    logs = []
    with own_site_on_loopback(monkeypatch, project / "output"):
        for now in TICKS:
            code, _, err = run(project, "tick", "--now", now, "--log-format", log_format)
            assert code == 0, err
            logs.append(err)
    log = "".join(logs)

    if log_format == "json":
        lines = [json.loads(line) for line in log.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
        found = [line for line in lines if "event" in line]
    else:
        stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")
        assert all(stamp.match(line) for line in log.splitlines())
        found = log_events(log)
    assert "x: real (credentials configured)" in log

    sent = sorted((e["platform"], e["key"], e["part"], e["state"]) for e in found)
    assert sent == [
        ("bluesky", "cal:kampanye-uji:p2-kartu", "1/1", "sent"),
        ("bluesky", "item:uji-rilis", "1/1", "sent"),
        ("facebook", "item:uji-rilis", "1/1", "sent"),
        ("mastodon", "item:uji-baru", "1/1", "sent"),
        ("telegram", "item:uji-rilis", "1/1", "sent"),
        ("telegram", "item:uji-terjadwal", "1/1", "sent"),
        ("x", "cal:kampanye-uji:p2-kartu", "1/1", "sent"),
        ("x", "item:uji-baru", "1/1", "sent"),
        ("x", "item:uji-rilis", "1/1", "sent"),
    ]
    assert {e["event"] for e in found} == {"sent"}
    urls = {e["platform"]: e["url"] for e in found}
    assert urls["x"].startswith("https://x.com/i/web/status/")
    assert urls["mastodon"].startswith(all_servers["mastodon"].url + "/@tppo/")
    assert urls["bluesky"].startswith("https://bsky.app/profile/tppo-bteng.bsky.social/post/")
    assert urls["facebook"].startswith("https://www.facebook.com/")
    assert urls["telegram"].startswith("https://t.me/tppo_bteng/")
    secrets = [environ[name] for name in registry.secret_names() if name in environ]
    assert len(secrets) == 8
    assert not [s for s in secrets if s in log]


def test_a_line_that_repeats_is_logged_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    """Pelican's logger class drops repeats process-wide; a months-long run must not."""
    log = logging.getLogger("publisher.test-repeats")
    assert isinstance(log, LimitLogger)  # made after `import pelican`: it has the filter
    setup_logging(make_console(), "text")
    for _ in range(3):
        log.warning("feed: the site did not answer")
    assert capsys.readouterr().err.count("WARNING feed: the site did not answer") == 3
