"""The composer: pure functions from (planned post, platform limits) to the exact parts to send.

No I/O, no clock. Fitting uses the exact counters of `publisher check` (publisher.counters), so
what fits here fits on the platform. A long text becomes a thread split at paragraph and
sentence boundaries with "(k/n)" markers where the platform and the post allow threads;
otherwise it is shortened at a word boundary with an ellipsis, always keeping the link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from publisher.core.errors import PublisherError
from publisher.engine.planned import Planned
from publisher.platforms import registry
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import Draft, Media, Part
from publisher.platforms.text import hashtags_to_add, with_utm
from publisher.platforms.text import join as _join

MAX_THREAD_PARTS = 20
ELLIPSIS = "…"
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]")


class ComposeError(PublisherError, ValueError):
    """The post cannot be composed as written (no alt text, link too long, ...)."""


def wording_for(item: Planned, platform: str) -> str:
    return (item.wording.get(platform) or item.text or item.title).strip()


def compose(item: Planned, limits: PlatformLimits, utm: bool = False) -> Draft:
    """The draft for one platform. Raises ComposeError when the post cannot be made.

    `utm`: add utm_source/medium/campaign to the link (PUBLISHER["utm"], off by default).
    """
    platform = limits.name
    media: tuple[Media, ...] = ()
    if item.image is not None and limits.max_media > 0:
        if not item.image.alt.strip():
            raise ComposeError(
                f"{item.key} ({platform}): the image {item.image.path_or_url} has no alt text; "
                "add 'alt:' describing what it shows"
            )
        media = (item.image,)
    body = wording_for(item, platform)
    if not body:
        raise ComposeError(
            f"{item.key} ({platform}): there is no text to post (no wording, no title)"
        )
    link = with_utm(item.link, platform, item.campaign) if utm else item.link
    tags = hashtags_to_add(body, item.hashtags)
    inline = [link] if link and registry.spec(platform).link_policy == "inline" else []
    caption = bool(media)

    def fits(text: str) -> bool:
        return registry.fits(platform, text, caption=caption, limits=limits)

    whole = _join(body, tags + inline)
    try:
        if fits(whole):
            parts: tuple[Part, ...] = (Part(whole, media),)
        elif item.thread and limits.threads:
            parts = _thread(body, tags + inline, media, platform, limits)
        else:
            parts = (Part(_shorten(body, tags, inline, fits), media),)
    except ComposeError as exc:
        raise ComposeError(f"{item.key} ({platform}): {exc}") from None
    return Draft(parts, item.lang or "id", link, item.key, platform)


def _shorten(body: str, tags: list[str], inline: list[str], fits: Callable[[str], bool]) -> str:
    """The longest word-boundary prefix of `body` + '…' that fits with the tail.

    Hashtags are dropped (last first) before the link is ever given up; a link that cannot
    fit alone is an error, never a silent post without it.
    """
    tags = list(tags)
    while True:
        tail = tags + inline
        cut = _longest_prefix(body, functools.partial(_fits_with, fits, tail))
        if cut is not None:
            return _join(cut, tail)
        if not tags:
            raise ComposeError("even the link alone is longer than the platform allows")
        tags.pop()


def _fits_with(fits: Callable[[str], bool], tail: list[str], prefix: str) -> bool:
    return fits(_join(prefix, tail))


def _longest_prefix(body: str, ok: Callable[[str], bool]) -> str | None:
    """Binary search over word boundaries (the count grows with the prefix)."""
    ends = [m.start() for m in re.finditer(r"\s+", body)]
    candidates = [body[:end].rstrip() + ELLIPSIS for end in ends if body[:end].strip()]
    if not candidates:
        candidates = [ELLIPSIS]
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(candidates[mid]):
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    if best is None and ok(""):
        return ""
    return best


def _pieces(body: str) -> list[tuple[str, str]]:
    """(joiner, piece): paragraphs, then lines, then sentences, each with the whitespace that
    joined it to the one before, so a part reads as the text was written. A list number
    ("2.") stays with its item."""
    out: list[tuple[str, str]] = []
    for paragraph in _PARAGRAPHS.split(body.strip()):
        for line_no, line in enumerate(paragraph.strip().split("\n")):
            sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
            merged: list[str] = []
            for sentence in sentences:
                if merged and _LIST_NUMBER.fullmatch(merged[-1]):
                    merged[-1] = f"{merged[-1]} {sentence}"
                else:
                    merged.append(sentence)
            for index, sentence in enumerate(merged):
                joiner = " " if index else ("\n" if line_no else "\n\n")
                out.append((joiner if out else "", sentence))
    return out


def _thread(
    body: str, tail: list[str], media: tuple[Media, ...], platform: str, limits: PlatformLimits
) -> tuple[Part, ...]:
    """Greedy packing of sentences; the first part carries the tail (hashtags, link) and media.

    Packing reserves the widest marker "(k/99)", so the final "(k/n)" can only be shorter.
    """

    def render(chunk: str, number: int, total: int) -> str:
        text = _join(chunk, tail) if number == 1 else chunk
        return f"{text} ({number}/{total})"

    def fits(chunk: str, number: int) -> bool:
        caption = number == 1 and bool(media)
        text = render(chunk, number, 99)
        return registry.fits(platform, text, caption=caption, limits=limits)

    chunks: list[str] = []
    current = ""
    queue = _pieces(body)
    while queue:
        joiner, piece = queue.pop(0)
        candidate = f"{current}{joiner}{piece}" if current else piece
        if fits(candidate, len(chunks) + 1):
            current = candidate
            continue
        if current:
            chunks.append(current)
            current = ""
            queue.insert(0, ("", piece))
            continue
        # One sentence longer than a part: split it at words, never inside a word or URL.
        words = piece.split()
        taken = 1
        while taken < len(words) and fits(" ".join(words[: taken + 1]), len(chunks) + 1):
            taken += 1
        if not fits(" ".join(words[:taken]), len(chunks) + 1):
            raise ComposeError(
                f"'{words[0][:40]}' does not fit in one post"
                + (" with the link and hashtags" if not chunks else "")
            )
        chunks.append(" ".join(words[:taken]))
        if taken < len(words):
            queue.insert(0, ("", " ".join(words[taken:])))
        if len(chunks) > MAX_THREAD_PARTS:
            break
    if current:
        chunks.append(current)
    if len(chunks) > MAX_THREAD_PARTS:
        raise ComposeError(f"the text needs more than {MAX_THREAD_PARTS} posts; shorten it")
    total = len(chunks)
    return tuple(
        Part(render(chunk, number, total), media if number == 1 else ())
        for number, chunk in enumerate(chunks, 1)
    )
