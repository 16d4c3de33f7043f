"""Reconciliation: an ambiguous answer or a dead process's claim is looked up on the platform
before anything is sent again; only what the platform cannot tell stays `unknown`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from publisher.engine import actions
from publisher.engine.ledger import Ledger
from publisher.engine.reconcile import draft_part
from publisher.engine.report import TickReport
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms.mastodon import MastodonAdapter
from publisher.platforms.telegram import TelegramAdapter
from publisher.platforms.x import XAdapter, XCredentials
from tests.engine_support import item
from tests.platform_servers import mastodon as mastodon_srv
from tests.platform_servers import telegram as telegram_srv
from tests.platform_servers import x as x_srv
from tests.platform_servers.fixtures import SLOW, TEST_TIMEOUT, Engine, engine_for

X_CREDS = XCredentials(
    x_srv.CONSUMER_KEY, x_srv.CONSUMER_SECRET, x_srv.ACCESS_TOKEN, x_srv.ACCESS_SECRET
)


def x_engine(tmp_path: Path, server: Any) -> Engine:
    return engine_for(tmp_path, XAdapter(X_CREDS, base_url=server.url, timeout=TEST_TIMEOUT))


def post(key: str = "item:a", text: str = "Kenali modus perekrutan palsu.") -> Any:
    return item(key, "2027-03-01 09:00", text=text, link="")


def test_a_timeout_after_sending_is_found_on_the_platform_not_sent_again(
    tmp_path: Path, x_server: Any
) -> None:
    engine = x_engine(tmp_path, x_server)
    engine.scheduler.tick()
    engine.items.append(post())
    x_server.slow_next(SLOW, path="/2/tweets")  # accepted, answered after our timeout
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00"))
    (row,) = engine.ledger.rows()
    assert row.state == "unknown" and "looks for it at 2027-03-01 09:01 WIB" in row.reason
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00:30"))  # too early to look
    assert engine.ledger.row(row.id).state == "unknown"
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:01"))
    settled = engine.ledger.row(row.id)
    assert settled.state == "sent" and settled.remote_id == x_server.posts[0]["id"]
    assert len(x_server.posts) == 1 and len(x_server.requests_to("/2/tweets")) == 1


def test_mastodon_retries_with_its_idempotency_key_when_it_cannot_be_asked(
    tmp_path: Path, mastodon_server: Any
) -> None:
    adapter = MastodonAdapter(mastodon_server.url, mastodon_srv.TOKEN, timeout=TEST_TIMEOUT)
    engine = engine_for(tmp_path, adapter)
    engine.scheduler.tick()
    engine.items.append(post())
    mastodon_server.slow_next(SLOW, path="statuses", method="POST")
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00"))
    assert [r.state for r in engine.ledger.rows()] == ["unknown"]
    mastodon_server.fail_next(503, path="/accounts/.*/statuses")  # the lookup cannot read
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:01"))
    (row,) = engine.ledger.rows()
    assert row.state == "sent" and row.attempts == 2
    keys = [r.headers["idempotency-key"] for r in mastodon_server.requests_to("statuses$", "POST")]
    assert keys == ["item:a/1", "item:a/1"] and len(mastodon_server.posts) == 1


def test_telegram_cannot_be_searched_so_a_person_decides(
    tmp_path: Path, telegram_server: Any
) -> None:
    adapter = TelegramAdapter(
        telegram_srv.BOT_TOKEN, "@tppo_bteng", base_url=telegram_server.url, timeout=TEST_TIMEOUT
    )
    engine = engine_for(tmp_path, adapter)
    engine.scheduler.tick()
    engine.items.append(post())
    telegram_server.slow_next(SLOW, path="sendMessage")
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00"))
    engine.scheduler.tick(engine.clock.set("2027-03-01 12:00"))
    (row,) = engine.ledger.rows()
    assert row.state == "unknown" and row.next_attempt_at is None
    assert "publisher resolve" in row.reason and len(telegram_server.posts) == 1


def test_a_dead_processs_claim_is_settled_at_once_by_the_lock_holder(
    tmp_path: Path, x_server: Any
) -> None:
    """Changed with issue 16: a post X does not show is not sent again after one look (X may
    show it late); the engine looks through X's lookup window, then asks a person."""
    engine = x_engine(tmp_path, x_server)
    engine.scheduler.tick()
    engine.items += [post("item:a", "Satu."), post("item:b", "Dua.")]
    now = engine.clock.set("2027-03-01 09:00")
    engine.scheduler.sync(engine.scheduler.sources(), now, False, TickReport(now))
    dead = Ledger.open(engine.ledger.path, actor="pid:1:gone")  # claimed both, then died
    a, b = engine.ledger.due(now, ["x"])
    dead.claim(a, now, 300)
    dead.claim(b, now, 300)
    dead.close()
    result = engine.scheduler.adapters["x"].post(draft_part(a), a.key, None)
    assert result.ok  # a's post reached X before the process died; b's never left
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:01:05"))
    assert {r.state for r in engine.ledger.rows()} == {"claimed"}  # a tick without the lock
    with InstanceLock(engine.ledger.path):  # a restarted `publisher run`: no lease to wait for
        engine.scheduler.sole_instance = True  # as the runner makes it under the lock
        engine.scheduler.tick()
        got = {r.key: r for r in engine.ledger.rows()}
        assert got["item:a"].state == "sent" and got["item:a"].attempts == 1  # found, not resent
        assert got["item:b"].state == "unknown" and got["item:b"].next_attempt_at is not None
        assert "not on X yet" in got["item:b"].reason
        window = XAdapter.spec.lookup_window
        end = now + window + dt.timedelta(minutes=2)
        while engine.clock.now < end:
            engine.scheduler.tick(engine.clock.advance(minutes=1))
    b = engine.ledger.rows(key="item:b")[0]
    assert (b.state, b.next_attempt_at, b.attempts) == ("unknown", None, 1)
    assert b.lookups >= 3 and "publisher resolve item:b --platform x" in b.reason
    assert [p["sent_text"] for p in x_server.posts] == ["Satu."]  # never sent twice, or blindly
    status = actions.status(engine.ledger, now=engine.clock.now)
    assert not status["ok"] and any(p["kind"] == "unknown" for p in status["problems"])


def test_a_duplicate_refusal_is_never_sent_again_blindly(tmp_path: Path, x_server: Any) -> None:
    engine = x_engine(tmp_path, x_server)
    engine.scheduler.tick()
    engine.items.append(post())
    x_server.fail_next(403, path="/2/tweets")  # X: "duplicate content", yet not in the feed
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00"))
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:05"))
    (row,) = engine.ledger.rows()
    assert (row.state, row.next_attempt_at) == ("unknown", None)
    assert "refused it as a duplicate, so it is there" in row.reason
    assert len(x_server.requests_to("/2/tweets")) == 1


def test_a_post_with_the_same_words_as_an_older_one_is_not_taken_for_it(
    tmp_path: Path, mastodon_server: Any
) -> None:
    adapter = MastodonAdapter(mastodon_server.url, mastodon_srv.TOKEN, timeout=TEST_TIMEOUT)
    engine = engine_for(tmp_path, adapter)
    engine.scheduler.tick()
    engine.items.append(post("item:old", "Simpan nomor bantuan resmi."))
    engine.scheduler.tick(engine.clock.set("2027-03-01 09:00"))
    engine.items.append(
        item("item:new", "2027-03-02 09:00", text="Simpan nomor bantuan resmi.", link="")
    )
    now = engine.clock.set("2027-03-02 09:00")
    engine.scheduler.sync(engine.scheduler.sources(), now, False, TickReport(now))
    (new,) = engine.ledger.due(now, ["mastodon"])
    engine.ledger.claim(new, now, 60)  # claimed, then the process died before the request
    engine.scheduler.tick(engine.clock.set("2027-03-02 09:02"))
    old, new = engine.ledger.rows(key="item:old")[0], engine.ledger.rows(key="item:new")[0]
    # The older post has the same words, but it is item:old's: item:new was not there.
    assert (old.state, new.state) == ("sent", "sent") and old.remote_id != new.remote_id
    assert len(mastodon_server.posts) == 2
