"""The engine with a two-step platform (Instagram, Threads): the container's id in the ledger
before publishing, a crash between the steps settled without a second post, a post that
waits for its image to be deployed, refused tokens parking the platform, items without an
image left out, the caption composed by the platform's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.engine.compose import compose, skipped
from publisher.engine.ledger import CLAIMED, PENDING, SENT, Ledger
from publisher.engine.reconcile import draft_part
from publisher.engine.report import TickReport
from publisher.platforms import registry
from publisher.platforms.draft import Media
from tests.engine_support import SITE, item, make_settings
from tests.platform_servers.container_fixtures import (
    Site,
    container_environ,
    image_bytes,
    instagram_adapter,
    threads_adapter,
)
from tests.platform_servers.fixtures import Engine, engine_for
from tests.platform_servers.instagram import InstagramServer
from tests.platform_servers.threads import ThreadsServer

ALT = "Poster biru bertuliskan Cegah TPPO."
VARIANT = "social/1x1/images/poster.png.jpg"


def shaped(site: Site, deployed: bool = True) -> Media:
    """The item's image as syndication.json gives it: its own address and its variants."""
    url = site.put(VARIANT, image_bytes()) if deployed else site.address(VARIANT)
    variants = (("1:1", url), ("4:5", site.address("social/4x5/images/poster.png.jpg")))
    return Media(site.address("images/poster.png"), ALT, variants)


def started(tmp_path: Path, server: InstagramServer) -> Engine:
    engine = engine_for(tmp_path, instagram_adapter(server))
    server.use_clock(engine.clock)
    engine.scheduler.tick()  # the first run, before anything is due
    return engine


def test_the_container_is_in_the_ledger_before_it_is_published(
    tmp_path: Path, instagram_server: InstagramServer, public_site: Site
) -> None:
    engine = started(tmp_path, instagram_server)
    engine.items.append(item("item:a", image=shaped(public_site)))
    engine.scheduler.tick(engine.clock.set("2027-03-01 10:05"))

    [row] = engine.ledger.rows(key="item:a")
    [post] = instagram_server.posts
    assert (row.state, row.remote_id, row.stage) == (SENT, post["id"], post["container"])
    trail = [(a["to_state"], a["reason"]) for a in engine.ledger.audit("item:a")]
    staged = trail.index((CLAIMED, f"first step recorded: {post['container']}"))
    assert trail[staged - 1][0] == CLAIMED and trail[staged + 1][0] == SENT
    assert post["image_url"] == public_site.address(VARIANT) and post["alt_text"] == ALT


def test_a_crash_between_container_and_publication_posts_once(
    tmp_path: Path, instagram_server: InstagramServer, public_site: Site
) -> None:
    engine = started(tmp_path, instagram_server)
    engine.items.append(item("item:a", image=shaped(public_site)))
    engine.clock.set("2027-03-01 10:05")
    now = engine.clock()
    engine.scheduler.sync(engine.scheduler.sources(), now, False, TickReport(now))
    # Another process claims the row, makes the container, records it, and dies.
    dead = Ledger.open(engine.ledger.path, actor="pid:1:dead")
    [row] = dead.rows(key="item:a")
    claimed = dead.claim(row, engine.clock(), 300)
    assert claimed is not None
    first = instagram_adapter(instagram_server).post(draft_part(claimed), row.key, None)
    assert dead.record_stage(claimed, first.stage, engine.clock(), "first step recorded")
    dead.close()

    for minutes in (6, 2, 2):  # past the lease, then the lookup, then the resend
        engine.scheduler.tick(engine.clock.advance(minutes=minutes))

    [row] = engine.ledger.rows(key="item:a")
    assert row.state == SENT and len(instagram_server.containers) == 1
    assert [p["container"] for p in instagram_server.posts] == [first.stage]


def test_a_post_waits_without_an_attempt_until_its_image_is_deployed(
    tmp_path: Path, instagram_server: InstagramServer, public_site: Site
) -> None:
    engine = started(tmp_path, instagram_server)
    engine.items.append(item("item:a", image=shaped(public_site, deployed=False)))
    engine.scheduler.tick(engine.clock.set("2027-03-01 10:05"))

    [row] = engine.ledger.rows(key="item:a")
    assert (row.state, row.attempts) == (PENDING, 0)
    assert row.reason.startswith("waiting: its image") and "not deployed" in row.reason
    assert instagram_server.requests == []
    engine.scheduler.tick(engine.clock.advance(minutes=1))  # still not there: no new audit
    assert len(engine.ledger.audit("item:a")) == 2

    public_site.put(VARIANT, image_bytes())  # deployed
    engine.scheduler.tick(engine.clock.advance(minutes=1))
    assert engine.states("item:a") == [(1, SENT)] and len(instagram_server.posts) == 1


def test_an_expired_token_parks_the_platform(
    tmp_path: Path, instagram_server: InstagramServer, public_site: Site
) -> None:
    engine = started(tmp_path, instagram_server)
    engine.items.append(item("item:a", image=shaped(public_site)))
    instagram_server.expire_token()
    engine.scheduler.tick(engine.clock.set("2027-03-01 10:05"))

    state = engine.ledger.platform_state("instagram")
    assert state.state == "parked" and "INSTAGRAM_ACCESS_TOKEN" in state.reason
    [row] = engine.ledger.rows(key="item:a")
    assert row.state == "failed" and row.cause == "credentials"


def test_items_without_an_image_are_left_out_of_instagram_only(
    tmp_path: Path, instagram_server: InstagramServer, threads_server: ThreadsServer
) -> None:
    bare = item("item:bare")
    assert skipped(bare, "instagram") == (
        "Instagram takes only posts with an image, and this one has none"
    )
    assert skipped(bare, "threads") is None
    engine = engine_for(tmp_path, instagram_adapter(instagram_server))
    engine.items.append(bare)
    engine.scheduler.tick(engine.clock.set("2027-03-01 10:05"))
    assert engine.ledger.rows(key="item:bare") == []
    no_shape = item("item:old", image=Media(f"{SITE}/images/poster.png", ALT))
    assert "the build made none" in (skipped(no_shape, "instagram") or "")


def test_the_caption_writes_the_link_out_and_keeps_to_30_hashtags(public_site: Site) -> None:
    tags = tuple(f"Tag{n}" for n in range(40))
    planned = item("item:a", text="Kenali modus TPPO. #CegahTPPO", image=shaped(public_site),
                   hashtags=tags, campaign="uji")  # fmt: skip
    draft = compose(planned, registry.spec("instagram").limits, utm=True)

    [caption] = draft.parts
    assert caption.text.endswith(f" {SITE}/berita/a/") and "utm_" not in caption.text
    assert caption.text.count("#") == 30 and caption.media[0].path_or_url.endswith(VARIANT)
    assert caption.media[0].alt == ALT
    other = compose(planned, registry.spec("threads").limits, utm=True)
    assert "utm_source=threads" in other.parts[0].text  # a link that can be clicked


@pytest.mark.parametrize("platform", ["instagram", "threads"])
def test_a_tick_with_the_real_adapter_from_the_environment(
    tmp_path: Path,
    platform: str,
    instagram_server: InstagramServer,
    threads_server: ThreadsServer,
    public_site: Site,
) -> None:
    env = container_environ({"instagram": instagram_server, "threads": threads_server})
    settings = make_settings(tmp_path, platforms=[platform])
    adapter = registry.real_adapter(platform, settings, env)
    assert adapter is not None and adapter.mode == "real"
    assert adapter.verify().ok
    maker = threads_adapter if platform == "threads" else instagram_adapter
    assert type(adapter) is type(
        maker(threads_server if platform == "threads" else instagram_server)
    )
