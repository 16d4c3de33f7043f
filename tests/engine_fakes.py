"""Slow, late-indexing and hanging platforms for the engine's tests and benchmarks.

The local platform servers (tests/platform_servers/) answer like the platforms; these add
what a real network and a real platform do over time, without changing those servers:

- `late(XServer, index_delay=40, create_delay=0.5, clock=...)`: a server of that platform
  that takes `create_delay` real seconds to create a post (it is created at the end, even
  if the client has gone: a killed publisher's request still lands), and shows a new post in
  the account's timeline or feed (what the lookups read) only `index_delay` seconds after it
  was created, on `clock` (seconds; the harness's warped clock, or a test's fake clock). A
  read of one record by its id (Bluesky's getRecord, for a reply) sees it at once, as the
  platform's own store does;
- `Hanging`: an adapter whose create never answers until the test lets it go;
- `Stepping`: an adapter whose create takes time on a fake clock (the clock advances while
  it "sends"), for the tests of event times.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from publisher.platforms import catalog
from publisher.platforms.base import BaseAdapter
from publisher.platforms.draft import DraftPart, PostResult

LOOKUP_PATHS = {  # where each platform's lookup reads the account's recent posts
    "x": r"^/2/users/\d+/tweets$",
    "mastodon": r"^/api/v1/accounts/[^/]+/statuses$",
    "bluesky": r"getAuthorFeed$",
    "facebook": r"/feed$",
    "telegram": r"^$",  # none: the Bot API cannot read a channel back
}
CREATE_PATHS = {  # where each platform takes a post (as in tests/crash_support.py)
    "x": r"^/2/tweets$",
    "mastodon": r"^/api/v1/statuses$",
    "bluesky": r"createRecord$",
    "facebook": r"/(feed|photos)$",
    "telegram": r"/send(Message|Photo)$",
}


def late(
    server_class: type,
    *,
    index_delay: float | Callable[[], float] = 0.0,
    create_delay: float | Callable[[], float] = 0.0,
    clock: Callable[[], float] = time.time,
) -> Any:
    """An instance of `server_class` that creates slowly and indexes late."""

    class Late(server_class):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.visible_at: dict[int, float] = {}  # id(post) -> when reads show it
            self.create_path = CREATE_PATHS[self.name]
            self.lookup_path = LOOKUP_PATHS[self.name]

        def route(self, request: Any) -> Any:
            if request.method == "GET" and re.search(self.lookup_path, request.path):
                with self.lock:  # every server reads and appends its posts under this lock
                    everything = self.posts
                    now = clock()
                    self.posts = [p for p in everything if self.visible_at.get(id(p), 0) <= now]
                    try:
                        return super().route(request)
                    finally:
                        self.posts = everything
            if request.method == "POST" and re.search(self.create_path, request.path):
                delay = create_delay() if callable(create_delay) else create_delay
                time.sleep(delay)  # the platform works; the client may give up or die
                with self.lock:
                    before = len(self.posts)
                    answer = super().route(request)
                    wait = index_delay() if callable(index_delay) else index_delay
                    for post in self.posts[before:]:
                        self.visible_at[id(post)] = clock() + wait
                    return answer
            return super().route(request)

    Late.__name__ = f"Late{server_class.__name__}"
    return Late()


class Hanging(BaseAdapter):
    """A platform whose create never answers until `release` is set (then: a network error
    after the request went out, as a timeout would end it)."""

    def __init__(self, limits: Any) -> None:
        self.spec = catalog.spec(limits.name)
        super().__init__(limits)
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls = 0

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        if preview:
            return PostResult(ok=True, request={"text": part.text})
        self.calls += 1
        self.started.set()
        self.release.wait()
        return PostResult(ok=False, unknown=True, error=f"{self.spec.label}: no answer (timeout)")

    @property
    def can_lookup(self) -> bool:
        return False


class Stepping(BaseAdapter):
    """A platform that takes `seconds` of the test clock to create each post, and shows a
    post to `lookup` only `index_delay` after it was created (on the same clock). Its answer
    is lost (unknown) when `lose_answer` is set: the post exists all the same."""

    def __init__(
        self,
        limits: Any,
        clock: Any,
        seconds: float = 0.0,
        index_delay: float = 0.0,
        lose_answer: bool = False,
    ) -> None:
        self.spec = catalog.spec(limits.name)
        super().__init__(limits)
        self.clock = clock
        self.seconds = seconds
        self.index_delay = dt.timedelta(seconds=index_delay)
        self.lose_answer = lose_answer
        self.posts: list[tuple[str, str, dt.datetime]] = []  # (id, text, created)
        self.lookups: list[dt.datetime] = []
        self.answered_at: list[dt.datetime] = []

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        if preview:
            return PostResult(ok=True, request={"text": part.text})
        self.clock.advance(seconds=self.seconds)  # the send takes this long
        post_id = str(1000 + len(self.posts))
        self.posts.append((post_id, part.text, self.clock.now))
        self.answered_at.append(self.clock.now)
        if self.lose_answer:
            return PostResult(ok=False, unknown=True, error=f"{self.spec.label}: no answer")
        return PostResult(ok=True, remote_id=post_id, url=f"https://example.test/{post_id}")

    def lookup(self, part: DraftPart, taken: Any = ()) -> PostResult | None:
        self.lookups.append(self.clock.now)
        for post_id, text, created in self.posts:
            shown = created + self.index_delay <= self.clock.now
            if text == part.text and post_id not in taken and shown:
                return PostResult(ok=True, remote_id=post_id, url=f"https://example.test/{post_id}")
        return PostResult(ok=False, error="not among the recent posts")
