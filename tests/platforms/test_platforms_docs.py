"""docs/platforms.md shows the capabilities the platform specs declare, not a copy that
drifts: its table is the registry's, and each platform has its reconciliation section."""

from __future__ import annotations

import re

from publisher.platforms.catalog import SPECS
from publisher.platforms.registry import docs_markdown
from tests.support import TESTS

DOCS = TESTS.parent / "docs" / "platforms.md"
START, END = "<!-- platforms-table:start -->", "<!-- platforms-table:end -->"


def test_the_capability_table_is_generated_from_the_specs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, re.S)
    assert found, f"{DOCS} has no {START} ... {END} block"
    assert found.group(1) == docs_markdown(), (
        "docs/platforms.md's table is out of date; replace the block with:\n" + docs_markdown()
    )


def test_each_platform_says_what_its_lookup_reads_and_what_happens_when_it_finds_nothing() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for spec in SPECS.values():
        section = re.search(
            rf"\n### {spec.label}: finding a post again\n(.*?)(?=\n##|\Z)", text, re.S
        )
        assert section, f"no reconciliation section for {spec.label}"
        body = section.group(1)
        assert "Reads:" in body and "Shows there:" in body and "Finds nothing:" in body
