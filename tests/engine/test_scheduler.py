"""The tick with a fixed clock: seeding, catch-up, caps, threads, errors, edits, go-live."""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.content.golive import GoLive
from publisher.core.environment import Environment
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import Ledger
from publisher.engine.report import TickReport
from publisher.engine.scheduler import Scheduler, draft_part
from publisher.engine.sources import Snapshot
from publisher.ops.runner import redactor
from publisher.platforms.base import BaseAdapter
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.engine_support import Clock, item, make_settings, outbox_files


class Source:
    """A source the test edits between ticks."""

    def __init__(self) -> None:
        self.items: list = []
        self.complete = {"item", "cal"}

    def __call__(self) -> Snapshot:
        return Snapshot(list(self.items), [], set(self.complete))


class Scripted(BaseAdapter):
    """A platform that answers from a script, and records what it was sent."""

    def __init__(self, limits, answers: list[PostResult | Exception]) -> None:
        super().__init__(limits)
        self.answers = answers
        self.sent: list[tuple[str, int, str | None]] = []

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        if preview:
            return PostResult(ok=True, request={"text": part.text})
        self.sent.append((key, part.number, reply_to))
        answer = (
            self.answers.pop(0)
            if self.answers
            else PostResult(ok=True, remote_id=f"{key}#{part.number}")
        )
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict]:
    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path, platforms=["x", "mastodon"], per_tick_cap=5)
    ledger = Ledger.open(settings.ledger, actor="test")
    limits = platform_limits(settings)
    adapters = {p: OutboxAdapter(limits[p], settings.outbox, clock) for p in settings.platforms}
    source = Source()
    scheduler = Scheduler(settings, ledger, adapters, source, clock=clock, rng=random.Random(0))
    yield {
        "clock": clock,
        "settings": settings,
        "ledger": ledger,
        "source": source,
        "scheduler": scheduler,
        "adapters": adapters,
        "limits": limits,
    }
    ledger.close()


def states(ledger: Ledger) -> list[tuple[str, str, int, str]]:
    return [(r.key, r.platform, r.part, r.state) for r in ledger.rows(order="key, platform, part")]


def test_first_run_seeds_what_is_live_and_keeps_what_is_ahead(env) -> None:
    env["source"].items = [
        item("item:old", "2027-02-20 09:00"),
        item("item:later", "2027-03-01 10:00"),
    ]
    report = env["scheduler"].tick()
    assert report.seeded == 2 and report.sent == []
    assert states(env["ledger"]) == [
        ("item:later", "mastodon", 1, "pending"),
        ("item:later", "x", 1, "pending"),
        ("item:old", "mastodon", 1, "seeded"),
        ("item:old", "x", 1, "seeded"),
    ]
    env["clock"].set("2027-03-01 10:00")
    assert [(r.key, r.platform) for r in env["scheduler"].tick().sent] == [
        ("item:later", "mastodon"),
        ("item:later", "x"),
    ]
    assert sorted(outbox_files(env["settings"].outbox)) == [
        "mastodon/item+later.1.json",
        "x/item+later.1.json",
    ]


def test_catch_up_window_sends_recent_posts_oldest_first_and_marks_older_stale(env) -> None:
    env["scheduler"].tick()  # first run on an empty site
    env["source"].items = [
        item("item:b", "2027-03-01 12:00"),
        item("item:too-old", "2027-03-01 09:00"),
        item("item:a", "2027-03-01 11:00"),
    ]
    env["scheduler"].tick(parse_time("2027-03-01 08:30"))  # rows exist, none due
    report = env["scheduler"].tick(parse_time("2027-03-01 15:30"))  # back after a 7 h outage
    assert report.stale == 2
    assert [(r.key, r.platform) for r in report.sent] == [
        ("item:a", "mastodon"),
        ("item:a", "x"),
        ("item:b", "mastodon"),
        ("item:b", "x"),
    ]
    old = env["ledger"].rows(key="item:too-old")
    assert {r.state for r in old} == {"stale"}
    assert old[0].reason.startswith(
        "due 2027-03-01 09:00 WIB, more than 6 h ago, while the publisher was not running since "
        "2027-03-01 08:30 WIB (catch-up window)"
    )


def test_cap_per_tick_per_platform(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item(f"item:{n}", "2027-03-01 09:00") for n in range(7)]
    env["settings"] = settings = dataclasses.replace(env["settings"], per_tick_cap=3)
    env["scheduler"].settings = settings
    first = env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    assert [r.platform for r in first.sent].count("x") == 3
    assert [r.platform for r in first.sent].count("mastodon") == 3
    second = env["scheduler"].tick(parse_time("2027-03-01 09:01"))
    assert len(second.sent) == 6
    assert len(env["scheduler"].tick(parse_time("2027-03-01 09:02")).sent) == 2


def test_an_edit_after_sending_never_reposts_and_before_sending_is_used(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item("item:a", "2027-03-01 09:00"), item("item:b", "2027-03-02 09:00")]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    sent_before = outbox_files(env["settings"].outbox)
    # Everything about item:a changes except its uid; item:b is edited before its time.
    env["source"].items = [
        item(
            "item:a",
            "2027-03-01 09:30",
            title="Judul baru",
            text="Teks baru.",
            link="https://tppo.example.go.id/berita/lain/",
        ),
        item("item:b", "2027-03-02 09:00", text="Teks b yang diperbaiki."),
    ]
    env["scheduler"].tick(parse_time("2027-03-01 10:00"))
    assert outbox_files(env["settings"].outbox) == sent_before
    assert {r.text for r in env["ledger"].rows(key="item:a")} == {
        "Teks untuk item:a.\n\nhttps://tppo.example.go.id/berita/a/",
    }
    env["scheduler"].tick(parse_time("2027-03-02 09:00"))
    sent = outbox_files(env["settings"].outbox)["x/item+b.1.json"]
    assert sent["text"].startswith("Teks b yang diperbaiki.")
    assert len(env["ledger"].rows()) == 4


def test_thread_parts_go_in_order_each_replying_to_the_previous(env) -> None:
    env["scheduler"].tick()
    long = " ".join(
        f"Kalimat {n} tentang tanda bahaya tawaran kerja palsu di desa." for n in range(12)
    )
    env["source"].items = [
        item("cal:k:p1", "2027-03-01 09:00", thread=True, text=long, kind="calendar")
    ]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    files = outbox_files(env["settings"].outbox)
    x_parts = [files[name] for name in sorted(files) if name.startswith("x/")]
    assert len(x_parts) >= 2
    assert [p["reply_to"] for p in x_parts] == [None] + [
        f"cal+k+p1.{n}" for n in range(1, len(x_parts))
    ]


def test_a_failing_middle_part_is_retried_later_and_replies_to_the_sent_one(env) -> None:
    limits = env["limits"]["x"]
    flaky = Scripted(
        limits,
        [
            PostResult(ok=True, remote_id="r1"),
            PostResult(ok=False, retryable=True, error="503 Service Unavailable"),
        ],
    )
    env["scheduler"].adapters = {"x": flaky}
    env["scheduler"].tick()
    long = " ".join(
        f"Kalimat {n} tentang tanda bahaya tawaran kerja palsu di desa." for n in range(12)
    )
    env["source"].items = [item("cal:k:p1", "2027-03-01 09:00", thread=True, text=long)]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    rows = env["ledger"].rows(key="cal:k:p1")
    assert [r.state for r in rows][:3] == ["sent", "failed", "pending"]
    assert rows[1].next_attempt_at > parse_time("2027-03-01 09:00")
    env["scheduler"].tick(rows[1].next_attempt_at)
    assert flaky.sent[:3] == [("cal:k:p1", 1, None), ("cal:k:p1", 2, "r1"), ("cal:k:p1", 2, "r1")]
    assert {r.state for r in env["ledger"].rows(key="cal:k:p1")} == {"sent"}


def test_results_become_states_and_the_loop_goes_on(env) -> None:
    limits = env["limits"]["x"]
    env["settings"] = dataclasses.replace(
        env["settings"], backoff=dataclasses.replace(env["settings"].backoff, max_attempts=2)
    )
    env["scheduler"].settings = env["settings"]
    env["scheduler"].adapters = {
        "x": Scripted(
            limits,
            [
                RuntimeError("connection reset after sending"),
                PostResult(ok=False, error="401 invalid token"),
                PostResult(ok=False, retryable=True, error="503"),
                PostResult(ok=True, remote_id="ok-1", url="https://x.example/ok-1"),
                PostResult(ok=False, retryable=True, error="503 again"),
            ],
        )
    }
    env["scheduler"].tick()
    env["source"].items = [item(f"item:{n}", "2027-03-01 09:00") for n in "abcd"]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    rows = {r.key: r for r in env["ledger"].rows()}
    assert rows["item:a"].state == "unknown"
    assert rows["item:a"].reason == "RuntimeError: connection reset after sending"
    assert (rows["item:b"].state, rows["item:b"].cause) == ("dead", "platform")
    assert rows["item:c"].state == "failed"
    assert (rows["item:d"].state, rows["item:d"].url) == ("sent", "https://x.example/ok-1")
    env["scheduler"].tick(rows["item:c"].next_attempt_at)
    final = env["ledger"].rows(key="item:c")[0]
    assert (final.state, final.reason) == ("dead", "gave up after 2 attempts: 503 again")


def test_interrupted_send_is_settled_from_the_outbox_or_left_unknown(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item("item:a", "2027-03-01 09:00"), item("item:b", "2027-03-01 09:00")]
    ledger = env["ledger"]
    now = parse_time("2027-03-01 09:00")
    env["scheduler"].sync(env["source"](), now, False, TickReport(now))
    a, b = (r for r in ledger.due(now, ["x"]))
    # A process claimed both and died: a's file reached the outbox, b's never did.
    ledger.claim(a, now, 300)
    ledger.claim(b, now, 300)
    env["adapters"]["x"].post(draft_part(a), a.key, None)
    env["scheduler"].adapters = {"x": env["adapters"]["x"]}
    env["scheduler"].tick(parse_time("2027-03-01 09:06"))
    got = {r.key: r for r in ledger.rows(platform="x")}
    assert got["item:a"].state == "sent" and got["item:a"].reason.startswith(
        "found on the platform"
    )
    assert got["item:b"].state == "sent" and got["item:b"].attempts == 2
    assert len(outbox_files(env["settings"].outbox)) == 2


def test_withdrawn_before_its_time_is_not_posted_and_comes_back_if_restored(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item("item:a", "2027-03-01 12:00")]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    env["source"].items = []
    env["scheduler"].tick(parse_time("2027-03-01 10:00"))
    assert {(r.state, r.cause) for r in env["ledger"].rows()} == {("stale", "withdrawn")}
    env["source"].complete = set()  # a source that could not be read withdraws nothing
    env["source"].items = [item("item:a", "2027-03-01 12:00")]
    env["scheduler"].tick(parse_time("2027-03-01 11:00"))
    assert {r.state for r in env["ledger"].rows()} == {"pending"}
    env["scheduler"].tick(parse_time("2027-03-01 12:00"))
    assert {r.state for r in env["ledger"].rows()} == {"sent"}


def test_composition_error_is_dead_and_recovers_when_the_source_is_fixed(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item("item:a", "2027-03-01 12:00", image=("img/a.png", ""))]
    env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    rows = env["ledger"].rows()
    assert {(r.state, r.cause) for r in rows} == {("dead", "compose")}
    assert "has no alt text" in rows[0].reason
    env["source"].items = [item("item:a", "2027-03-01 12:00", image=("img/a.png", "Poster"))]
    env["scheduler"].tick(parse_time("2027-03-01 12:00"))
    assert {r.state for r in env["ledger"].rows()} == {"sent"}


def test_go_live_rebuilds_once_at_the_time_seen_in_advance(env) -> None:
    built: list = []
    times = [
        GoLive("rilis", "Rilis", parse_time("2027-03-02 09:00"), "embargo", Path("r.md")),
        GoLive("lama", "Lama", parse_time("2027-02-01 09:00"), "date", Path("l.md")),
    ]
    scheduler = env["scheduler"]
    scheduler.golive = lambda: (times, [])
    scheduler.rebuild = built.append
    scheduler.tick()
    scheduler.tick(parse_time("2027-03-02 08:59"))
    assert built == []
    scheduler.rebuild = lambda now: (_ for _ in ()).throw(RuntimeError("theme broken"))
    report = scheduler.tick(parse_time("2027-03-02 09:00"))
    assert report.problems == [
        "rebuild for rilis (embargo 2027-03-02 09:00 WIB) failed: theme broken"
    ]
    scheduler.rebuild = built.append
    assert scheduler.tick(parse_time("2027-03-02 09:01")).rebuilt
    scheduler.tick(parse_time("2027-03-02 09:02"))
    assert built == [parse_time("2027-03-02 09:01")]


def test_secrets_are_redacted_from_reasons_and_logs(env, caplog) -> None:
    secret = "tok-1234567890-SECRET"
    env["scheduler"].redact = redactor(
        Environment({"TELEGRAM_BOT_TOKEN": secret, "TELEGRAM_CHAT_ID": "@c"})
    )
    env["scheduler"].adapters = {
        "x": Scripted(
            env["limits"]["x"],
            [RuntimeError(f"POST https://api.example/bot{secret}/sendMessage timed out")],
        )
    }
    env["scheduler"].tick()
    env["source"].items = [item("item:a", "2027-03-01 09:00")]
    with caplog.at_level(logging.INFO, logger="publisher"):
        env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    assert secret not in caplog.text and "[secret]" in caplog.text
    assert all(secret not in a["reason"] for a in env["ledger"].audit())


def test_stop_between_posts(env) -> None:
    env["scheduler"].tick()
    env["source"].items = [item(f"item:{n}", "2027-03-01 09:00") for n in range(3)]
    x = Scripted(env["limits"]["x"], [])
    original = x._send

    def send_then_stop(*args, **kwargs):
        env["scheduler"].stop.set()  # SIGTERM arrives during the first send
        return original(*args, **kwargs)

    x._send = send_then_stop  # type: ignore[method-assign]
    env["scheduler"].adapters = {"x": x}
    report = env["scheduler"].tick(parse_time("2027-03-01 09:00"))
    assert report.stopped and len(report.sent) == 1
    assert [r.state for r in env["ledger"].rows()] == ["sent", "pending", "pending"]
