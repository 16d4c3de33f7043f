"""The reader behind publisher.campaigns: YAML front matter to a Campaign, every problem located.

Each field reader raises _Invalid at the line at fault; the reader records it and goes on, so
one run reports every problem of a file. Import the public API from publisher.campaigns.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from publisher.content import frontmatter
from publisher.content.campaigns import (
    CAMPAIGN_FIELDS,
    CTA_FIELDS,
    DEFAULT_CTA,
    EVENT_FIELDS,
    POST_FIELDS,
    SLUG_RE,
    CalendarPost,
    CallToAction,
    Campaign,
    CampaignEvent,
)
from publisher.content.fields import ImageRef, parse_image
from publisher.content.frontmatter import FrontMatter, yaml_lines
from publisher.content.frontmatter import YamlPath as Path_
from publisher.content.paths import path_problem
from publisher.content.print_section import PrintSection, read_print_section
from publisher.core.errors import ContentError, Problem, display_path
from publisher.core.timeutil import WIB, TimeFormatError, parse_time
from publisher.core.words import did_you_mean
from publisher.platforms.catalog import ITEM_PLATFORMS as PLATFORMS

_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


class _Invalid(Exception):
    """One located problem in a campaign file; the reader records it and goes on."""

    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


class CampaignReader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.fm: FrontMatter = frontmatter.parse(path, text)
        self.keys, self.values = yaml_lines(text)
        self.problems: list[Problem] = []

    def line(self, *path: Any) -> int:
        while path and path not in self.keys:
            path = path[:-1]
        return self.keys.get(path, 1)  # a missing top-level field: line 1, as metadata.py does

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(display_path(self.path), max(line, 1), message))

    def attempt(self, func: Any, *args: Any, default: Any = None) -> Any:
        try:
            return func(*args)
        except _Invalid as exc:
            self.problem(exc.line, exc.message)
        except ContentError as exc:
            self.problems.append(exc.problem)
        return default

    # --- field readers: raise _Invalid at the line at fault ---

    def unknown(
        self, mapping: dict[Any, Any], allowed: tuple[str, ...], where: Path_, what: str
    ) -> None:
        for key in (str(k) for k in mapping if str(k) not in allowed):
            hint = did_you_mean(key, allowed)
            msg = f"unknown field '{key}' in {what}{hint} (fields: {', '.join(allowed)})"
            self.problem(self.line(*where, key), msg)

    def text(self, mapping: dict[Any, Any], key: str, where: Path_, required: bool = False) -> str:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                name = ".".join(str(p) for p in (*where, key))
                raise _Invalid(self.line(*where), f"'{name}' is required; add '{key}: ...'")
            return ""
        if isinstance(value, (dict, list)):
            raise _Invalid(self.line(*where, key), f"'{key}' must be text, not a list or fields")
        return str(value).strip()

    def choice(
        self, mapping: dict[Any, Any], key: str, where: Path_, choices: tuple[str, ...]
    ) -> str:
        value = self.text(mapping, key, where) or choices[0]
        if value not in choices:
            msg = f"{key} must be {' or '.join(repr(c) for c in choices)}, not '{value}'"
            raise _Invalid(self.line(*where, key), msg)
        return value

    def time(
        self, mapping: dict[Any, Any], key: str, where: Path_, end_of_day: bool = False
    ) -> dt.datetime:
        raw = mapping.get(key)
        if raw in (None, ""):
            msg = f"'{key}' is required; write e.g. '{key}: 2027-07-30 09:00' (WIB)"
            raise _Invalid(self.line(*where), msg)
        try:
            moment = parse_time(str(raw))
            if end_of_day and _DATE_ONLY.match(str(raw)):
                moment += dt.timedelta(days=1, seconds=-1)  # `end: 2027-08-05` includes that day
        except TimeFormatError as exc:
            raise _Invalid(self.line(*where, key), f"{key}: {exc}") from None
        except OverflowError:  # year 1 or 9999 moved across a time zone
            raise _Invalid(
                self.line(*where, key), f"{key}: '{raw}' is out of range; check the year"
            ) from None
        return moment

    def platforms(self, mapping: dict[Any, Any], where: Path_) -> list[str]:
        value = mapping.get("platforms")
        if isinstance(value, str):
            value = [p.strip() for p in value.split(",") if p.strip()]
        if not isinstance(value, list) or not value:
            msg = "'platforms' must be a list, e.g. [x, mastodon, bluesky]"
            raise _Invalid(self.line(*where, "platforms"), msg)
        names: list[str] = []
        for index, name in enumerate(str(v).strip().lower() for v in value):
            if name not in PLATFORMS:
                hint = did_you_mean(name, PLATFORMS)
                msg = f"'{name}' is not a platform{hint} (use: {', '.join(PLATFORMS)})"
                raise _Invalid(self.line(*where, "platforms", index), msg)
            names += [] if name in names else [name]
        return names

    def image(self, value: Any, where: Path_) -> ImageRef:
        name = ".".join(str(p) for p in where)
        # parse_image locates by key; give it a front matter that knows this nested key's line.
        shim = FrontMatter(self.path, {}, "", 1, {name: self.line(*where)})
        image = parse_image(shim, name, value)
        for key in ("src", "hires"):
            self.safe_path(getattr(image, key), (*where, key), f"{name}.{key}", segment=False)
        return image

    def safe_path(self, value: str | None, where: Path_, label: str, segment: bool) -> None:
        """The paths rule of content/paths.py: nothing that leaves the site's folders."""
        why = path_problem(value, segment=segment) if value else None
        if why:
            line = self.line(*where) if where in self.keys else self.line(*where[:-1])
            raise _Invalid(line, f"{label} '{value}': {why}")

    # --- the campaign ---

    def read(self) -> Campaign | None:
        meta = self.fm.meta
        self.unknown(meta, CAMPAIGN_FIELDS, (), "a campaign")
        start = self.attempt(self.time, meta, "start", ())
        end = self.attempt(self.time, meta, "end", (), True)
        if start and end and end <= start:
            self.problem(self.line("end"), "'end' is not after 'start'; check both dates")
        if meta.get("image") in (None, ""):
            msg = "a campaign needs 'image:' with 'src:' and 'alt:' (shown when it is shared)"
            self.problem(self.line(), msg)
        campaign = Campaign(
            slug=self.attempt(self.slug, default=self.path.stem),
            title=self.attempt(self.text, meta, "title", (), True, default=""),
            start=start or dt.datetime.min.replace(tzinfo=dt.UTC),
            end=end or dt.datetime.max.replace(tzinfo=dt.UTC),
            summary=self.attempt(self.text, meta, "summary", (), True, default=""),
            hashtags=self.attempt(self.hashtags, default=[]),
            platforms=self.attempt(self.platforms, meta, (), default=[]),
            image=self.attempt(self.image, meta.get("image"), ("image",)) if meta.get("image") else None,
            cta=self.attempt(self.cta, default=CallToAction(*DEFAULT_CTA)),
            body=self.fm.body,
            path=self.path,
            status=self.attempt(self.choice, meta, "status", (), ("published", "draft"), default=""),
            lang=self.attempt(self.choice, meta, "lang", (), ("id", "en"), default="id"),
            key_lines=dict(self.fm.key_lines),
            body_line=self.fm.body_line,
        )  # fmt: skip
        campaign.events = self.items("events", self.event)
        campaign.posts = self.items("posts", lambda item, i: self.post(item, i, campaign))
        ids: dict[str, int] = {}
        for post in campaign.posts:
            line = post.lines.get("id", post.line)
            if post.id in ids:
                msg = f"post id '{post.id}' is also used on line {ids[post.id]}; give each post its own id"
                self.problem(line, msg)
            ids.setdefault(post.id, line)
        campaign.print_section = self.print_section(campaign)
        if start and end:
            self.check_window(campaign)
        return None if self.problems else campaign

    def slug(self) -> str:
        slug = self.text(self.fm.meta, "slug", ()) or self.path.stem
        if not SLUG_RE.match(slug):
            msg = f"slug '{slug}' may hold only a-z, 0-9 and '-', e.g. hari-anti-tppo-2027"
            raise _Invalid(self.line("slug"), msg)
        if slug != self.path.stem:
            msg = f"slug '{slug}' is not the file name '{self.path.name}'; rename the file to {slug}.md or fix the slug"
            raise _Invalid(self.line("slug"), msg)
        return slug

    def hashtags(self) -> list[str]:
        value = self.fm.meta.get("hashtags")
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            msg = "'hashtags' must be a list, e.g. [CegahTPPO, StopPerdaganganOrang]"
            raise _Invalid(self.line("hashtags"), msg)
        for index, tag in enumerate(value):
            if tag is None or isinstance(tag, (dict, list)):
                msg = "this hashtag is empty: in YAML '#' starts a comment, so write it without '#'"
                raise _Invalid(self.line("hashtags", index), msg)
        return [str(tag).strip().lstrip("#\uff03") for tag in value]

    def cta(self) -> CallToAction:
        value = self.fm.meta.get("cta")
        if value in (None, ""):
            return CallToAction(*DEFAULT_CTA)
        if not isinstance(value, dict):
            msg = "'cta' needs 'text:' and 'link:' (the slug of a page, e.g. bantuan)"
            raise _Invalid(self.line("cta"), msg)
        self.unknown(value, CTA_FIELDS, ("cta",), "cta")
        text = self.text(value, "text", ("cta",), True)
        link = self.text(value, "link", ("cta",), True).strip("/")
        self.safe_path(link, ("cta", "link"), "cta.link", segment=True)
        return CallToAction(text, link, self.line("cta", "link"))

    def items(self, key: str, read: Any) -> list[Any]:
        value = self.fm.meta.get(key)
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            self.problem(self.line(key), f"'{key}' must be a list; start each item with '- '")
            return []
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                msg = f"item {index + 1} of '{key}' must be fields (at: ..., ...)"
                self.problem(self.line(key, index), msg)
            elif (result := self.attempt(read, item, index)) is not None:
                out.append(result)
        return out

    def event(self, item: dict[Any, Any], index: int) -> CampaignEvent:
        where = ("events", index)
        self.unknown(item, EVENT_FIELDS, where, f"event {index + 1}")
        return CampaignEvent(
            at=self.time(item, "at", where),
            title=self.text(item, "title", where, True),
            place=self.text(item, "place", where),
            summary=self.text(item, "summary", where),
            line=self.line(*where),
        )

    def post(self, item: dict[Any, Any], index: int, campaign: Campaign) -> CalendarPost:
        where = ("posts", index)
        self.unknown(item, POST_FIELDS, where, f"post {index + 1}")
        post_id = self.text(item, "id", where, True)
        if not SLUG_RE.match(post_id):
            msg = f"post id '{post_id}' may hold only a-z, 0-9 and '-'"
            raise _Invalid(self.line(*where, "id"), msg)
        platforms = self.platforms(item, where) if "platforms" in item else list(campaign.platforms)
        for name in platforms:
            if campaign.platforms and name not in campaign.platforms:
                msg = f"post '{post_id}' goes to {name}, which is not in the campaign's platforms; add it there or remove it here"
                raise _Invalid(self.line(*where, "platforms"), msg)
        wording = self.wording(item, where, platforms)
        text = self.text(item, "text", where)
        missing = [p for p in platforms if not (wording.get(p) or text)]
        if missing:
            msg = f"post '{post_id}' has no text for {', '.join(missing)}; add 'text: |'"
            raise _Invalid(self.line(*where), msg)
        thread = item.get("thread", False)
        if not isinstance(thread, bool):
            raise _Invalid(self.line(*where, "thread"), "'thread' must be true or false")
        link = self.text(item, "link", where).strip("/")
        self.safe_path(link, (*where, "link"), "link", segment=True)
        names = ["id", "at", "platforms", "text", "image", "link", "thread", "status"]
        texts = ["text", *[f"wording.{p}" for p in wording]]
        paths = {n: (*where, *n.split(".")) for n in names + texts}
        return CalendarPost(
            campaign=campaign.slug,
            id=post_id,
            at=self.time(item, "at", where),
            platforms=platforms,
            text=text,
            wording=wording,
            image=self.image(item["image"], (*where, "image")) if item.get("image") else None,
            link=self.text(item, "link", where).strip("/") or None,
            thread=thread,
            status=self.choice(item, "status", where, ("published", "draft")),
            line=self.line(*where),
            lines={n: self.line(*p) for n, p in paths.items()},
            text_starts={n: self.values[paths[n]] for n in texts if paths[n] in self.values},
        )

    def wording(self, item: dict[Any, Any], where: Path_, platforms: list[str]) -> dict[str, str]:
        value = item.get("wording")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            msg = "'wording' needs one text per platform, e.g. 'x: ...'"
            raise _Invalid(self.line(*where, "wording"), msg)
        out: dict[str, str] = {}
        for name, text in ((str(k), v) for k, v in value.items()):
            line = self.line(*where, "wording", name)
            if name not in PLATFORMS:
                hint = did_you_mean(name, PLATFORMS)
                raise _Invalid(line, f"wording: '{name}' is not a platform{hint}")
            if name not in platforms:
                msg = f"wording for {name}, but this post does not go to {name}; add it to 'platforms' or remove the wording"
                raise _Invalid(line, msg)
            if text is None or isinstance(text, (dict, list)):
                raise _Invalid(line, f"wording.{name} must be text")
            out[name] = str(text).strip()
        return out

    def print_section(self, campaign: Campaign) -> PrintSection | None:
        images = {i.src for i in [campaign.image, *(p.image for p in campaign.posts)] if i}
        found, problems = read_print_section(
            self.fm.meta.get("print"), self.line, self.image, images
        )
        for line, message in problems:
            self.problem(line, message)
        return found

    def check_window(self, campaign: Campaign) -> None:
        window = f"{_wib(campaign.start)} to {_wib(campaign.end)}"
        for post in campaign.posts:
            if not campaign.start <= post.at <= campaign.end:
                msg = f"post '{post.id}' is at {_wib(post.at)}, outside the campaign ({window}); move it or change the campaign's start/end"
                self.problem(post.lines.get("at", post.line), msg)
        for event in campaign.events:
            if not campaign.start <= event.at <= campaign.end:
                msg = f"this event is at {_wib(event.at)}, outside the campaign ({window}); move it or change start/end"
                self.problem(event.line, msg)


def _wib(moment: dt.datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def read_campaign(path: Path) -> tuple[Campaign | None, list[Problem]]:
    """Read one campaign file: the campaign (None if it has errors) and every problem found."""
    try:
        text = frontmatter.read_text(path)
        reader = CampaignReader(path, text)
    except ContentError as exc:
        return None, [exc.problem]
    campaign = reader.read()
    return campaign, reader.problems


def load_campaign(path: Path) -> Campaign:
    """Read one campaign file; raise ContentError at its first problem."""
    campaign, problems = read_campaign(path)
    if problems or campaign is None:
        first = problems[0] if problems else Problem(display_path(path), 1, "unreadable campaign")
        raise ContentError(path, first.line, first.message)
    return campaign


def campaign_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if p.is_file()) if directory.is_dir() else []


def load_campaigns(directory: Path) -> tuple[list[Campaign], list[Problem]]:
    """Every campaign in `directory` that has no errors, and the problems of the others."""
    campaigns: list[Campaign] = []
    problems: list[Problem] = []
    for path in campaign_files(directory):
        campaign, found = read_campaign(path)
        problems.extend(found)
        if campaign is not None:
            campaigns.append(campaign)
    return campaigns, problems
