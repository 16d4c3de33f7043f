"""Crash safety, short version: the real `publisher run` killed with SIGKILL 30+ times.

Six kinds of moment (tests/crash_support.py), one scenario of six kills each, two scenarios
at a time. After each scenario the local platform servers are compared with the ledger:
nothing twice, nothing lost, threads in order; only Telegram, whose Bot API cannot read the
channel back, may leave a row `unknown` (and `publisher status` must list it). The long
version with the figures is bench/crash_harness.py (docs/reliability.md).
"""

from __future__ import annotations

import pytest

from publisher.engine import faults
from tests.crash_support import KINDS, run_matrix

KILLS_PER_SCENARIO = 6


def test_thirty_six_kills_lose_nothing_and_duplicate_nothing() -> None:
    results = run_matrix(list(KINDS), scenarios=1, kills=KILLS_PER_SCENARIO, jobs=2, seed=7)
    outcomes = [o for group in results.values() for o in group]
    assert sum(o.kills for o in outcomes) >= 30
    for o in outcomes:
        assert o.problems == [], (o.kind, o.problems)
        assert (o.duplicates, o.lost) == (0, 0), o.kind
        assert set(o.unknown_on) <= {"telegram"}, (o.kind, o.unknown_on)
        assert o.posts == 33


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
