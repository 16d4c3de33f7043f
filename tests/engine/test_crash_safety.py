"""Crash safety, short version: the real `publisher run` killed with SIGKILL 40+ times.

Seven kinds of moment (tests/crash_support.py), one scenario of six kills each, two
scenarios at a time, with the default settings on a clock 30 times faster than the wall
clock; one of them has 213 posts on platforms that create slowly and index late. After each
scenario the local platform servers are compared with the ledger: nothing twice, nothing
lost, threads in order. A row may be left `unknown` for a person (and `publisher status`
must list it) where no lookup can settle it: Telegram, whose Bot API cannot read the channel
back, and X, Bluesky and Facebook after a kill before the request left (they show new posts
late, so not finding one proves nothing); never Mastodon, whose Idempotency-Key makes a
resend safe. The long version with the figures is bench/crash_harness.py
(docs/reliability.md).
"""

from __future__ import annotations

import pytest

from publisher.engine import faults
from tests.crash_support import KINDS, run_matrix

KILLS_PER_SCENARIO = 6


def test_forty_two_kills_lose_nothing_and_duplicate_nothing() -> None:
    results = run_matrix(list(KINDS), scenarios=1, kills=KILLS_PER_SCENARIO, jobs=2, seed=7)
    outcomes = [o for group in results.values() for o in group]
    assert sum(o.kills for o in outcomes) >= 36
    for o in outcomes:
        assert o.problems == [], (o.kind, o.problems)
        assert (o.duplicates, o.lost) == (0, 0), o.kind
        assert "mastodon" not in o.unknown_on, (o.kind, o.unknown_on)
        assert o.posts == (213 if o.kind == "slow-late" else 33)


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("after-claim:3", [faults.Fault("after-claim", 3)]),
        (
            " after-post:1:thread , before-claim:2",
            [
                faults.Fault("after-post", 1, True),
                faults.Fault("before-claim", 2),
            ],
        ),
        ("", []),
    ],
)
def test_fault_specs(spec: str, parsed: list[faults.Fault]) -> None:
    assert faults.parse(spec) == parsed


@pytest.mark.parametrize("spec", ["after-claim", "after-clam:1", "after-post:0", "after-post:1:x"])
def test_a_mistyped_fault_is_refused_rather_than_testing_nothing(spec: str) -> None:
    with pytest.raises(ValueError, match="PUBLISHER_FAULT"):
        faults.parse(spec)
