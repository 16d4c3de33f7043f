"""The crash harness: the real `publisher run` process, killed with SIGKILL and restarted.

One scenario: a fresh project (tests/crash_project.py) and five fresh local platform servers
in this process; the child gets their URLs and fake credentials through the environment,
exactly as production gets the real ones. The child is killed `kills` times at moments of
one kind, restarted each time, then left to finish; after every run, what each server
received is compared with the ledger (`compare`):

- every planned row is on its platform exactly once, or `unknown` in the ledger and listed
  by `publisher status` (which then exits non-zero);
- nothing is missing without a ledger state that says why (a `sent` row is on the platform
  with the id the ledger recorded; a row not on the platform is `unknown`);
- thread parts are in order, each replying to the part before, none twice.

Kinds of kill (KINDS): fault points of publisher/faults.py reached through PUBLISHER_FAULT,
a kill while the platform holds a request (it answers slowly), kills at random times, and
kills at random times of a bigger project (200+ posts) on platforms that create slowly and
show a new post to lookups only tens of seconds later (tests/engine_fakes.py).

The child runs with the default settings (60 s ticks, lookups from 60 s after a send, each
platform's lookup window), on a clock SPEED times faster than the wall clock
(PUBLISHER_TIME_WARP): the servers' late indexing follows the same clock.

A row the engine had to leave `unknown` for a person is allowed (counted, and `publisher
status` must list it and exit 1): on Telegram after any unclear send, on X, Bluesky and
Facebook after a kill between the claim and the request (no lookup can prove a post absent
there: they show new posts late). Later parts of a thread wait behind such a row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.engine.faults import ENV as FAULT_ENV
from publisher.engine.faults import WARP_ENV, Warp
from publisher.engine.ledger.check import check
from publisher.platforms import registry
from tests.crash_project import plan_ledger, write_project
from tests.engine_fakes import late
from tests.platform_servers.bluesky import BlueskyServer
from tests.platform_servers.facebook import FacebookServer
from tests.platform_servers.fixtures import environ_for
from tests.platform_servers.mastodon import MastodonServer
from tests.platform_servers.telegram import TelegramServer
from tests.platform_servers.x import XServer
from tests.support import serve_folder

KINDS = {
    "before-claim": "before a claim",
    "after-claim": "after the claim, before the request",
    "in-flight": "while the request is in flight (slow answer)",
    "after-post": "after the platform accepted, before the ledger recorded",
    "mid-thread": "in the middle of a thread",
    "random": "at a random moment",
    "slow-late": "at random moments, 200+ posts, platforms slow to create and late to index",
}
SPEED = 30.0  # the child's clock runs this many times faster than the wall clock
EXTRA_ARTICLES = 36  # the slow-late project: 33 + 36 x 5 = 213 rows
POST_PATHS = {  # where each platform takes a post (a slow answer there: a request in flight)
    "x": r"^/2/tweets$",
    "mastodon": r"^/api/v1/statuses$",
    "bluesky": r"createRecord$",
    "facebook": r"/(feed|photos)$",
    "telegram": r"/send(Message|Photo)$",
}
WAIT = 120.0  # seconds any one wait may take before the harness calls it a hang
# Rows the engine still works on: not yet out (unless waiting behind an earlier part that a
# person must settle), or unknown with a lookup planned.
OPEN = (
    "(state IN ('pending', 'failed', 'claimed') AND NOT EXISTS (SELECT 1 FROM posts prev "
    "WHERE prev.key = posts.key AND prev.platform = posts.platform AND prev.part < posts.part "
    "AND prev.state = 'unknown' AND prev.next_attempt_at IS NULL)) "
    "OR (state = 'unknown' AND next_attempt_at IS NOT NULL)"
)


class HarnessError(Exception):
    pass


@dataclass
class Outcome:
    kind: str
    kills: int = 0
    missed: int = 0  # fault runs whose point was never reached (the work was done)
    posts: int = 0
    duplicates: int = 0
    lost: int = 0
    unknown: int = 0
    unknown_on: Counter[str] = field(default_factory=Counter)  # platform -> rows left unknown
    waiting: int = 0  # later thread parts waiting behind an unknown part (for a person)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def open_rows(ledger: Path) -> int:
    """Rows of a child's ledger still to settle, read-only; -1 while it is not there or
    not migrated yet."""
    try:
        conn = sqlite3.connect(f"{ledger.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.OperationalError:  # the first run has not written the file yet
        return -1
    try:
        return conn.execute(f"SELECT COUNT(*) FROM posts WHERE {OPEN}").fetchone()[0]
    except sqlite3.OperationalError:  # created but not migrated yet
        return -1
    finally:
        conn.close()


def poll_child(child: subprocess.Popen[bytes], done: Any, seconds: float = WAIT) -> bool | None:
    """Poll until `done()` (True) or the child exits (False); None, the child killed, when
    neither came within `seconds`: a hang."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        if done():
            return True
        time.sleep(0.05)
    child.kill()
    return None


def platform_posts(servers: dict[str, Any]) -> dict[str, list[tuple[str, str, str | None]]]:
    """(remote id, text as sent, remote id replied to) per platform, in the order accepted."""
    x, m, b, f, t = (servers[p] for p in ("x", "mastodon", "bluesky", "facebook", "telegram"))
    with x.lock, m.lock, b.lock, f.lock, t.lock:
        return {
            "x": [(p["id"], p["sent_text"], p["in_reply_to"]) for p in x.posts],
            "mastodon": [(p["id"], p["text"], p["in_reply_to_id"]) for p in m.posts],
            "bluesky": [
                (
                    p["uri"],
                    p["record"]["text"],
                    (p["record"].get("reply") or {}).get("parent", {}).get("uri"),
                )
                for p in b.posts
            ],
            "facebook": [(p["id"], p["message"], None) for p in f.posts],
            "telegram": [
                (str(p["message_id"]), p.get("text") or p.get("caption") or "", _str(p["reply_to"]))
                for p in t.posts
            ],
        }


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def ledger_rows(path: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM posts ORDER BY key, platform, part")]
    finally:
        conn.close()


def compare(
    rows: list[dict[str, Any]], posted: dict[str, list[tuple[str, str, str | None]]], final: bool
) -> tuple[Counter[str], list[str]]:
    """Ledger against platforms. Counts duplicates, lost and unknown; lists every problem.
    `final`: the run finished, so nothing may still be pending or claimed."""
    counts: Counter[str] = Counter()
    problems: list[str] = []
    matched: set[tuple[str, str]] = set()
    blocked = {  # (key, platform) -> the first part a person must settle
        (r["key"], r["platform"]): r["part"]
        for r in sorted(rows, key=lambda r: -r["part"])
        if r["state"] == "unknown" and r["next_attempt_at"] is None
    }
    by_group: dict[tuple[str, str], dict[int, tuple[int, str, str | None]]] = defaultdict(dict)
    for r in rows:
        where = f"{r['key']} {r['platform']} part {r['part']}"
        texts = {r["text"], f"{r['text']}\n\n{r['link']}"}  # a Facebook photo's caption
        found = [
            (index, post) for index, post in enumerate(posted[r["platform"]]) if post[1] in texts
        ]
        matched.update((r["platform"], post[0]) for _, post in found)
        if len(found) > 1:
            counts["duplicates"] += len(found) - 1
            problems.append(f"{where}: on the platform {len(found)} times")
        if found:
            index, post = found[0]
            by_group[(r["key"], r["platform"])][r["part"]] = (index, post[0], post[2])
        state = r["state"]
        if state == "unknown":  # may or may not be there: allowed, counted, reported
            counts["unknown"] += 1
        elif state == "sent":
            if not found:
                counts["lost"] += 1
                problems.append(f"{where}: sent in the ledger, not on the platform")
            elif str(r["remote_id"]) != found[0][1][0]:
                counts["lost"] += 1
                problems.append(
                    f"{where}: the ledger's id {r['remote_id']} is not {found[0][1][0]}"
                )
        elif state == "claimed" and not final:
            pass  # killed during its send: the next run settles it
        elif found and state == "failed" and r["platform"] == "mastodon" and not final:
            pass  # to be sent again with the same Idempotency-Key: Mastodon answers the same post
        elif found:
            counts["duplicates"] += 1  # there, while the ledger would send it again
            problems.append(f"{where}: on the platform while the ledger says {state}")
        elif state == "pending" and r["part"] > blocked.get((r["key"], r["platform"]), 10**6):
            counts["waiting"] += 1  # behind a part a person must settle: not lost
        elif final:
            counts["lost"] += 1
            problems.append(f"{where}: not posted and left {state} ({r['reason']})")
    for platform, posts in posted.items():
        for post in posts:
            if (platform, post[0]) not in matched:
                counts["duplicates"] += 1
                problems.append(f"{platform}: a post no ledger row explains: {post[1][:60]!r}")
    for (key, platform), parts in by_group.items():
        for number in sorted(parts)[1:]:
            index, _rid, reply_to = parts[number]
            before = parts.get(number - 1)
            if before is None or reply_to != before[1] or index < before[0]:
                problems.append(
                    f"{key} {platform} part {number}: out of order or not a reply to part {number - 1}"
                )
    return counts, problems


class Scenario:
    """One project, five servers, one child process at a time."""

    def __init__(self, kind: str, seed: int, workdir: Path, speed: float = SPEED) -> None:
        self.kind, self.rng, self.dir = kind, random.Random(seed), workdir
        self.warp = Warp(time.time(), speed)
        classes = {
            "x": XServer,
            "mastodon": MastodonServer,
            "bluesky": BlueskyServer,
            "facebook": FacebookServer,
            "telegram": TelegramServer,
        }
        if kind == "slow-late":
            rng = random.Random(seed + 1)
            self.servers = {
                name: late(
                    cls,
                    # creating takes a moment of real time; a new post shows to reads 20 s
                    # to 3 min later (on the child's clock): past the first lookup, inside
                    # the platforms' lookup windows
                    create_delay=lambda: rng.uniform(0.05, 0.6),
                    index_delay=lambda: rng.uniform(20, 180),
                    clock=self.warp.seconds,
                )
                for name, cls in classes.items()
            }
        else:
            self.servers = {name: cls() for name, cls in classes.items()}
        self.runs = 0

    # --- processes --------------------------------------------------------------------
    def start(self, fault: str = "") -> subprocess.Popen[bytes]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in registry.variable_names() and k != FAULT_ENV
        }
        env |= environ_for(self.servers)
        env[WARP_ENV] = self.warp.encode()
        if fault:
            env[FAULT_ENV] = fault
        self.runs += 1
        log = (self.dir / f"run-{self.runs:02d}.log").open("wb")
        command = [sys.executable, "-m", "publisher", "run", "--settings", str(self.conf)]
        try:
            return subprocess.Popen(command, cwd=self.dir, env=env, stdout=log, stderr=log)
        finally:
            log.close()

    def open_rows(self) -> int:
        """Rows still to settle; -1 while the child has not created the ledger yet."""
        return open_rows(self.ledger)

    def wait_for(self, child: subprocess.Popen[bytes], done: Any, what: str) -> bool:
        """Poll until `done()` or the child exits; True if `done()` came first."""
        found = poll_child(child, done)
        if found is None:
            raise HarnessError(f"{self.dir}: no {what} within {WAIT:.0f} s (run {self.runs})")
        return found

    def finish(self, child: subprocess.Popen[bytes]) -> None:
        """Let the child finish the open work, then stop it with SIGTERM (a clean exit)."""
        started = lambda: "running: a tick every" in self.log_text()  # noqa: E731
        if self.wait_for(child, lambda: started() and self.open_rows() == 0, "end of the work"):
            child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=WAIT)
        if code != 0:
            raise HarnessError(f"{self.dir}: run {self.runs} ended with {code}: {self.log_tail()}")

    def log_text(self) -> str:
        return (self.dir / f"run-{self.runs:02d}.log").read_text(errors="replace")

    def log_tail(self) -> str:
        return self.log_text()[-2000:]

    # --- one kill ---------------------------------------------------------------------
    def remaining(self, thread: bool) -> int:
        rows = ledger_rows(self.ledger)
        return sum(
            1
            for r in rows
            if r["state"] in ("pending", "failed") and (r["parts"] > 1 or not thread)
        )

    def kill_once(self) -> bool:
        """One run killed in this scenario's way; False when its moment never came."""
        kind = self.kind
        if kind in ("before-claim", "after-claim", "after-post"):
            fault = f"{kind}:{self.rng.randint(1, max(1, min(self.remaining(False), 8)))}"
        elif kind == "mid-thread":
            point = self.rng.choice(("after-record", "after-post", "after-claim"))
            fault = f"{point}:{self.rng.randint(1, max(1, min(self.remaining(True), 4)))}:thread"
        else:
            fault = ""
        child = self.start(fault)
        if kind in ("random", "slow-late"):
            time.sleep(self.rng.uniform(0.3, 4.0))
            child.kill()
        elif kind == "in-flight":
            open_on = {
                r["platform"]
                for r in ledger_rows(self.ledger)
                if r["state"] in ("pending", "failed")
            }
            platform = self.rng.choice(sorted(open_on) or list(POST_PATHS))
            server = self.servers[platform]
            before = len(server.requests_to(POST_PATHS[platform], "POST"))
            server.slow_next(3.0, path=POST_PATHS[platform], method="POST")
            arrived = lambda: len(server.requests_to(POST_PATHS[platform], "POST")) > before  # noqa: E731
            self.wait_for(child, lambda: arrived() or self.open_rows() == 0, "request")
            if arrived():
                child.kill()  # the platform holds the request: it may accept it after we die
            else:
                child.send_signal(signal.SIGTERM)  # its posts were all done before
            server.clear_scripts()
        elif self.wait_for(child, lambda: self.open_rows() == 0, f"kill at {fault}"):
            child.send_signal(signal.SIGTERM)  # all done before the fault's moment
        code = child.wait(timeout=WAIT)
        if code not in (-signal.SIGKILL, 0):
            raise HarnessError(f"{self.dir}: run {self.runs} ended with {code}: {self.log_tail()}")
        return code == -signal.SIGKILL

    # --- the whole scenario -----------------------------------------------------------
    def run(self, kills: int) -> Outcome:
        began = time.monotonic()
        outcome = Outcome(self.kind)
        for server in self.servers.values():
            server.start()
        try:
            (self.dir / "output").mkdir()
            with serve_folder(self.dir / "output") as site:
                self.prepare(site)
                outcome.posts = len(ledger_rows(self.ledger))
                while outcome.kills < kills:
                    if self.kill_once():
                        outcome.kills += 1
                    else:
                        outcome.missed += 1
                        if self.open_rows() == 0:
                            break  # nothing left to interrupt
                    _counts, problems = compare(
                        ledger_rows(self.ledger), platform_posts(self.servers), False
                    )
                    outcome.problems += [f"after kill {outcome.kills}: {p}" for p in problems]
                self.finish(self.start())
                counts, problems = compare(
                    ledger_rows(self.ledger), platform_posts(self.servers), True
                )
                outcome.duplicates, outcome.lost, outcome.unknown, outcome.waiting = (
                    counts[k] for k in ("duplicates", "lost", "unknown", "waiting")
                )
                outcome.unknown_on.update(
                    r["platform"] for r in ledger_rows(self.ledger) if r["state"] == "unknown"
                )
                outcome.problems += problems + self.status_problems(counts["unknown"])
                outcome.problems += [
                    f"ledger check: {p}" for p in check(self.ledger, self.warp()).problems
                ]
                outcome.problems += self.tracebacks()
        finally:
            for server in self.servers.values():
                server.stop()
        outcome.seconds = time.monotonic() - began
        return outcome

    def prepare(self, site: str) -> None:
        now = self.warp()
        due = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
        extra = EXTRA_ARTICLES if self.kind == "slow-late" else 0
        self.conf = write_project(self.dir, site, due, extra)
        settings = plan_ledger(self.conf, environ_for(self.servers), now)
        self.ledger = settings.ledger

    def status_problems(self, unknown: int) -> list[str]:
        """`publisher status --json` must list every unknown row, and exit 1 if any."""
        done = subprocess.run(
            [
                *(sys.executable, "-m", "publisher", "status", "--json", "--max-age", "0"),
                *("--now", self.warp().isoformat(), "--settings", str(self.conf)),
            ],
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
        listed = [r for r in json.loads(done.stdout)["attention"] if r["state"] == "unknown"]
        out = []
        if len(listed) != unknown:
            out.append(f"status lists {len(listed)} unknown row(s), the ledger has {unknown}")
        if unknown and done.returncode == 0:
            out.append("status exits 0 with unknown rows")
        return out

    def tracebacks(self) -> list[str]:
        return [
            f"{log.name}: a traceback"
            for log in sorted(self.dir.glob("run-*.log"))
            if "Traceback" in log.read_text(errors="replace")
        ]


def run_scenario(kind: str, kills: int, seed: int, keep: Path | None = None) -> Outcome:
    """One scenario in a temporary folder (or under `keep`)."""
    with tempfile.TemporaryDirectory(prefix=f"crash-{kind}-") as temp:
        workdir = Path(temp) if keep is None else keep / f"{kind}-{seed}"
        workdir.mkdir(parents=True, exist_ok=True)
        return Scenario(kind, seed, workdir).run(kills)


def run_matrix(
    kinds: list[str], scenarios: int, kills: int, jobs: int = 2, seed: int = 0
) -> dict[str, list[Outcome]]:
    """`scenarios` scenarios of `kills` kills for each kind, `jobs` at a time (each scenario
    has its own servers and folder). Outcomes by kind, in the order given."""
    from concurrent.futures import ThreadPoolExecutor

    plan = [(kind, seed + n) for kind in kinds for n in range(scenarios)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = list(pool.map(lambda ks: run_scenario(ks[0], kills, ks[1]), plan))
    out: dict[str, list[Outcome]] = {kind: [] for kind in kinds}
    for outcome in done:
        out[outcome.kind].append(outcome)
    return out
