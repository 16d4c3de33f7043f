"""Markdown to safe HTML with a bound on time and memory: one file can never stall the site.

Python-Markdown has no time or memory limit of its own, and some inputs make it slow or
hungry far beyond their size (docs/security-markup.md has the measurements): 10,000 unclosed
'[' take 18 s, 5,000 repeated abbreviation definitions 14 s, a few hundred growing '>'
quotes 226 MB. Every conversion of the site (articles, pages, releases, campaign pages) goes
through `Renderer.render`, in three layers:

1. Input limits, checked before converting (`limits`, linear in the text): size, lines,
   nesting of lists and quotes, table cells, abbreviation definitions, the scanning work of
   unclosed brackets, parentheses and angle brackets, and the formatting marks per paragraph. `publisher check` runs the same
   function, so it reports these files with the line and the fix, without converting them.
2. A deadline (DEADLINE_SECONDS of CPU time) and a memory cap (MEMORY_HEADROOM over what the
   process already uses, as RLIMIT_AS) around the conversion itself, for patterns the limits
   do not foresee. On the main thread the deadline is a SIGPROF timer (no cost); on another
   thread (the scheduler's go-live rebuild inside `serve --publish`) signals cannot be used,
   so a profile hook reads the thread's CPU clock (conversions there run about twice as slow).
   CPU time, not wall time: a machine busy with other work must not fail a normal page.
3. The allowlist sanitiser (publisher/content/sanitize.py) on the result.

Why not a forked child per conversion, which would isolate both time and memory fully: a
fork of the build process costs about 5 ms against 0.65 ms for converting a typical article
(measured, bench/markdown_bombs.py), which would make a 5,000-article build several times
slower.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markdown import Markdown

from publisher.content import sanitize

DEADLINE_SECONDS = 2.0  # of CPU; the largest page the limits allow takes about 0.6 s
MEMORY_HEADROOM = 256 * 1024 * 1024  # bytes of address space a conversion may add
# The limits. The longest real page has 3 KB and 60 lines; these leave room for a long
# report while keeping the worst case allowed by them under a second (bench/markdown_bombs.py).
MAX_BODY_CHARS = 512 * 1024
MAX_LINES = 2_500
MAX_NESTING = 16  # levels of lists and quotes
MAX_TABLE_CELLS = 10_000
MAX_ABBREVIATIONS = 100  # `*[ABC]: ...` definitions (each one makes every later one slower)
MAX_SCAN_WORK = 2_000_000  # characters scanned for unclosed '[', '(' and '<' (see _scan_work)
# Inline formatting is quadratic per paragraph in the number of its marks (each match is
# stashed and the rest scanned again): 20,000 '*a*' in one paragraph take 4.6 s. The sum of
# (marks in a paragraph)^2 is bounded: one paragraph of 5,000 marks, or many small ones.
MAX_INLINE_WORK = 25_000_000


@dataclass(frozen=True)
class Refusal:
    """Why a body is not converted: the line (1-based, in the body) and the message."""

    line: int
    message: str


class MarkdownRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class _TooSlow(BaseException):
    """Raised inside the conversion at the deadline; a BaseException so that no
    `except Exception` inside Python-Markdown can swallow it."""


_QUOTE_OR_ITEM = re.compile(r" {0,3}(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_TABLE_LINE = re.compile(r"\|")
_ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]\n]*\]:", re.MULTILINE)
_OPENERS = re.compile(r"[\[\]()<>]")
_MARKS = re.compile(r"[*_`\[<&!\\]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def limits(body: str) -> Refusal | None:
    """The first input limit `body` breaks, or None. Linear time; no conversion."""
    if len(body) > MAX_BODY_CHARS:
        return Refusal(1, f"the text has {len(body):,} characters; a page may have at most "
                          f"{MAX_BODY_CHARS:,}: split it into several pages")  # fmt: skip
    lines = body.split("\n")
    if len(lines) > MAX_LINES:
        return Refusal(MAX_LINES + 1, f"the text has {len(lines):,} lines; a page may have at "
                                      f"most {MAX_LINES:,}: split it into several pages")  # fmt: skip
    abbreviations = list(_ABBREVIATION.finditer(body))
    if len(abbreviations) > MAX_ABBREVIATIONS:
        at = abbreviations[MAX_ABBREVIATIONS].start()
        return Refusal(body.count("\n", 0, at) + 1,
                       f"more than {MAX_ABBREVIATIONS} abbreviation definitions (*[...]:); "
                       "keep only the ones the text needs")  # fmt: skip
    return _nesting_and_tables(lines) or _scan_work(lines)


def _nesting_and_tables(lines: list[str]) -> Refusal | None:
    cells, table_start, fence = 0, 0, ""
    for number, line in enumerate(lines, start=1):
        marker = _FENCE.match(line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            fence = "" if fence else marker.group(1)[:3]
            continue
        if fence:
            continue
        depth = _depth(line)
        if depth > MAX_NESTING:
            return Refusal(number, f"lists or quotes are nested {depth} levels deep here; "
                                   f"at most {MAX_NESTING} are allowed")  # fmt: skip
        if "|" in line:
            if not cells:
                table_start = number
            cells += len(_TABLE_LINE.findall(line)) + 1
            if cells > MAX_TABLE_CELLS:
                return Refusal(table_start, f"this table has more than {MAX_TABLE_CELLS:,} "
                                            "cells; split it or attach it as a file")  # fmt: skip
        elif not line.strip():
            cells = 0
    return None


def _depth(line: str) -> int:
    """Levels of quotes and list items that open on this line, plus its indentation."""
    expanded = line.expandtabs(4)
    stripped = expanded.lstrip(" ")
    depth = (len(expanded) - len(stripped)) // 4
    position = 0
    while True:
        match = _QUOTE_OR_ITEM.match(stripped, position)
        if not match or match.end() == position:
            return depth
        depth += 1
        position = match.end()


def _scan_work(lines: list[str]) -> Refusal | None:
    """Python-Markdown reads a link from each '[' to its matching ']', then from '(' to its
    ')', and tries raw HTML from each '<' to the next '>'; unclosed ones are read to the end
    of their paragraph. The sum of those distances is the work, quadratic in the worst case
    ('[' x 10,000 is 10^8 characters read): it is counted here per paragraph."""
    work, marks, start = 0, 0, 0
    paragraph: list[str] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line)
            continue
        if paragraph:
            text = "\n".join(paragraph)
            work += _paragraph_work(text)
            marks += len(_MARKS.findall(text)) ** 2
            paragraph = []
            if work > MAX_SCAN_WORK:
                return Refusal(start, "this paragraph has too many unclosed brackets '[', "
                                      "parentheses '(' or '<' to be read in reasonable time; "
                                      "close them or write them as \\[ \\( \\<")  # fmt: skip
            if marks > MAX_INLINE_WORK:
                return Refusal(start, "this paragraph has too much formatting (*, _, `, [, <, "
                                      "&) to be read in reasonable time; split it into "
                                      "shorter paragraphs")  # fmt: skip
    return None


def _paragraph_work(text: str) -> int:
    end = len(text)
    open_brackets: list[int] = []
    open_parens: list[int] = []
    open_angles: list[int] = []
    work = 0
    for match in _OPENERS.finditer(text):
        char, at = match.group(), match.start()
        if char == "[":
            open_brackets.append(at)
        elif char == "]":
            if open_brackets:
                work += at - open_brackets.pop()
        elif char == "(":
            open_parens.append(at)
        elif char == ")":
            if open_parens:
                work += at - open_parens.pop()
        elif char == "<":
            open_angles.append(at)
        else:  # ">" closes every '<' before it: the HTML pattern stops at the first '>'
            work += sum(at - opened for opened in open_angles)
            open_angles.clear()
    for opened in (*open_brackets, *open_parens, *open_angles):
        work += end - opened
    return work


# --- the conversion under a deadline and a memory cap ---------------------------------------


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if threading.current_thread() is threading.main_thread():
        with _cpu_alarm(seconds):
            yield
    else:
        with _profile_clock(seconds):
            yield


@contextlib.contextmanager
def _cpu_alarm(seconds: float) -> Iterator[None]:
    """SIGPROF after `seconds` of CPU time: a busy machine (other builds, tests) slows the
    clock on the wall, not the work a conversion may do. pytest-timeout and the like use
    SIGALRM, and any profiling timer already running gets its turn back afterwards."""
    previous_handler = signal.getsignal(signal.SIGPROF)
    previous = signal.setitimer(signal.ITIMER_PROF, 0)

    def on_timer(signum: int, frame: Any) -> None:
        raise _TooSlow()

    signal.signal(signal.SIGPROF, on_timer)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous_handler)
        if previous[0] > 0:
            signal.setitimer(signal.ITIMER_PROF, *previous)


@contextlib.contextmanager
def _profile_clock(seconds: float) -> Iterator[None]:
    """Off the main thread no signal can be used: a profile hook reads this thread's CPU
    clock every 1,024 calls and stops the conversion past `seconds`."""
    ends = time.thread_time() + seconds
    previous = sys.getprofile()
    calls = 0

    def hook(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += 1
        if not calls & 1023 and time.thread_time() > ends:
            raise _TooSlow()  # the interpreter also removes the hook

    sys.setprofile(hook)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def _memory_cap(headroom: int) -> Iterator[None]:
    """The process may grow by `headroom` bytes of address space while this runs."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = _address_space() + headroom
    except (OSError, ValueError):  # no /proc (not Linux): the deadline still holds
        yield
        return
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield  # already held tighter by whoever runs us
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def markdown_config(settings: dict[str, Any]) -> dict[str, Any]:
    """Python-Markdown's arguments from Pelican's MARKDOWN setting, whose extensions are the
    keys of `extension_configs` (Pelican's own reader adds them to `extensions`; the check,
    which runs without Pelican, does it here)."""
    config = dict(settings)
    extensions = list(config.get("extensions") or [])
    extensions += [name for name in config.get("extension_configs") or {} if name not in extensions]
    config["extensions"] = extensions
    return config


class Renderer:
    """Converts Markdown bodies with one Python-Markdown instance (building one costs about
    as much as converting an article), under the limits, the deadline and the cap."""

    def __init__(self, config: dict[str, Any], deadline: float = DEADLINE_SECONDS,
                 headroom: int = MEMORY_HEADROOM) -> None:  # fmt: skip
        self.config = markdown_config(config)
        self.deadline = deadline
        self.headroom = headroom
        self._md: Markdown | None = None

    def render(self, body: str) -> str:
        """Sanitised HTML of `body`; raises MarkdownRefused with the line and the reason."""
        refusal = limits(body)
        if refusal is not None:
            raise MarkdownRefused(refusal)
        return sanitize.clean(self.convert(body))

    def convert(self, body: str) -> str:
        """Python-Markdown's HTML of `body`, not yet sanitised (check inspects it)."""
        if self._md is None:
            self._md = Markdown(**self.config)
        md = self._md
        try:
            with _memory_cap(self.headroom), _deadline(self.deadline):
                return str(md.reset().convert(body))
        except _TooSlow:
            problem = (f"converting this text took more than {self.deadline:g} s; something "
                       "in it makes Markdown very slow (long runs of brackets, markers or "
                       "nesting): simplify it")  # fmt: skip
        except MemoryError:
            problem = (f"converting this text needed more than {self.headroom >> 20} MB; "
                       "something in it makes Markdown very large: simplify it")  # fmt: skip
        except RecursionError:
            problem = "lists, quotes or definitions are nested too deeply here; flatten them"
        self._md = None  # stopped half way: start the next conversion with a fresh instance
        raise MarkdownRefused(Refusal(1, problem))
