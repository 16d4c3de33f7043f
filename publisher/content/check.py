"""`publisher check`: every content and campaign file checked without building the site.

One line per problem, `path:line: error|warning: message` naming the fix, then a summary.
Exit 0 when clean, 1 with errors; warnings alone exit 0 unless --strict. Whatever a file
holds, the checker never shows a traceback: a crash while checking a file becomes an error
line for that file. `check_tree()` is the library entry point that `publisher build` calls.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from publisher.content import frontmatter, hotlines, press, press_list
from publisher.content.campaign_reader import campaign_files, read_campaign
from publisher.content.campaigns import Campaign
from publisher.content.check_build_rules import BuildRules
from publisher.content.check_rules import ContentFile, Rules, Target
from publisher.content.check_safety import SafetyRules
from publisher.content.fields import allowed_fields, parse_content_meta
from publisher.content.frontmatter import FrontMatter
from publisher.content.slugs import slugify
from publisher.core.errors import ContentError, Problem, display_path
from publisher.core.project import Project
from publisher.core.timeutil import WIB
from publisher.core.words import did_you_mean
from publisher.platforms import catalog, registry
from publisher.platforms.counters import PlatformLimits

# Length stand-in for the site's address when no publishconf.py gives the real one.
DEFAULT_SITE_URL = "https://example-site-address-for-length.go.id"


class Checker(SafetyRules, Rules, BuildRules):
    """One run of `publisher check` over a project; `problems` holds what it found."""

    def __init__(
        self,
        root: Path | Project,
        limits: dict[str, PlatformLimits] | None = None,  # None: the settings' limits
        site_url: str | None = None,
        *,
        parsed: dict[tuple[str, str], FrontMatter] | None = None,  # a memo shared with a build
        production: bool = False,  # also what only a production build refuses (its address)
        now: dt.datetime | None = None,  # the clock, unless a test gives one
        press_list: bool = True,  # also data/press-list.yaml (`publisher check`, not the build)
    ) -> None:
        self.problems: list[Problem] = []
        self.press_list = press_list
        self.files = 0
        self.parsed = parsed
        self.production = production
        self.now = now
        project = root if isinstance(root, Project) else _project(root)
        self.root = project.root
        self.project = project
        conf = _conf(project)
        layout = project.layout
        self.content = layout.content
        self.campaigns_dir = layout.campaigns
        self.page_dirs = list(layout.page_dirs)
        self.article_dirs = list(layout.article_dirs)
        self.release_dirs = list(layout.release_dirs)
        self.site_url = (site_url or _publish_site_url(self.root) or DEFAULT_SITE_URL).rstrip("/")
        raw = conf.get("PUBLISHER")
        publisher: dict[str, Any] = raw if isinstance(raw, dict) else {}
        platforms = publisher.get("platforms") or registry.PLATFORMS
        self.enabled = [p for p in platforms if p in catalog.ITEM_PLATFORMS]
        self.utm = publisher.get("utm") is True
        if limits is None:  # the limits the publisher will use (registry.validate checks)
            try:
                limits = registry.with_overrides(publisher.get("limits") or {})
            except (ValueError, TypeError, AttributeError):
                limits = registry.default_limits()
        self.limits = limits
        self.published, self.held = self._numbers(layout.hotlines_file)
        self.hotlines_file, self.press_file = layout.hotlines_file, layout.press_file
        self.theme = layout.theme
        self.markdown = conf.get("MARKDOWN")  # None: the checker's default (extra)
        self.targets: dict[str, Target] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.broken: set[str] = set()  # slugs of campaign files that have errors

    # --- reporting ---

    def add(self, path: Path | str, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(display_path(path), max(line, 1), message, severity))

    def guarded(self, path: Path, func: Any, *args: Any) -> Any:
        """Run one file's check; a bug in the checker becomes a located error, not a traceback."""
        try:
            return func(*args)
        except ContentError as exc:
            self.problems.append(exc.problem)
        except Exception as exc:
            self.add(
                path,
                1,
                f"internal error while checking ({type(exc).__name__}: {exc}); please report it",
            )
        return None

    def _numbers(self, path: Path) -> tuple[set[str], set[str]]:
        try:
            return hotlines.published_numbers(path), hotlines.held_numbers(path)
        except ContentError as exc:
            self.problems.append(exc.problem)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            self.add(path, 1, f"the hotline data file cannot be read ({exc}); fix it first")
        return set(), set()

    # --- the run ---

    def run(self) -> list[Problem]:
        content = [
            self.guarded(p, self.read_content, p) for p in sorted(self.content.rglob("*.md"))
        ]
        self.files += len(content)
        loaded = [c for c in content if c is not None]
        for path in campaign_files(self.campaigns_dir):
            self.files += 1
            campaign = self.guarded(path, self.read_campaign, path)
            slug = campaign.slug if campaign is not None else path.stem
            if campaign is not None:
                self.campaigns[slug] = campaign
            else:  # its own errors are reported; links to it should not add more
                self.broken.add(slug)
            draft = campaign is not None and campaign.status == "draft"
            target = Target("campaign", f"kampanye/{slug}/", draft, display_path(path))
            self.target(slug, target, path, 1)
        for item in loaded:
            self.guarded(item.path, self.index_content, item)
        for item in loaded:
            self.guarded(item.path, self.check_content, item)
        for campaign in self.campaigns.values():
            self.guarded(campaign.path, self.check_campaign, campaign)
        self.guarded(self.root, self.check_build_rules, loaded)  # what the build refuses
        self.guarded(self.press_file or self.root, self.check_project_sources)
        if self.press_list:
            self.guarded(self.press_file or self.root, self.check_press_list)
        return sorted(self.problems, key=lambda p: (p.path, p.line, p.message))

    def check_press_list(self) -> None:
        """data/press-list.yaml: addresses, duplicates, topics and campaigns (docs/press.md).
        Not part of the build: a typo in an address must never stop the site."""
        found = press_list.load(self.project.layout.data / press_list.FILE_NAME)
        press_file = self.press_file
        topics = press.load(press_file).topics if press_file and press_file.is_file() else {}
        today = (self.now or dt.datetime.now(dt.UTC)).astimezone(WIB).date()
        slugs = set(self.campaigns) | self.broken
        self.problems.extend(press_list.problems(found, topics, slugs, today))

    def read_content(self, path: Path) -> ContentFile | None:
        fm = frontmatter.parse(path, memo=self.parsed)
        parts = path.relative_to(self.content).parts
        top = parts[0] if len(parts) > 1 else ""
        if top in self.page_dirs:
            kind = "page"
        elif top in self.release_dirs:
            kind = "release"
        elif top in self.article_dirs:
            kind = "article"
        else:
            folders = ", ".join(f"{d}/" for d in [*self.page_dirs, *self.article_dirs])
            self.add(
                path,
                1,
                f"this file is not in a folder the site reads ({folders}); move it there",
                "warning",
            )
            return None
        allowed = allowed_fields(kind)
        clean = dict(fm.meta)
        for key in [k for k in fm.meta if k not in allowed]:
            self.add(
                path,
                fm.line_of(key),
                f"unknown field '{key}'{did_you_mean(key, allowed)} (fields of {'an' if kind[0] in 'aeiou' else 'a'} {kind}: {', '.join(sorted(allowed))})",
            )
            del clean[key]
        checked = FrontMatter(fm.path, clean, fm.body, fm.body_line, fm.key_lines, fm.item_lines)
        return ContentFile(path, fm, parse_content_meta(checked, kind))

    def read_campaign(self, path: Path) -> Campaign | None:
        campaign, problems = read_campaign(path)
        self.problems.extend(problems)
        return campaign

    def target(self, slug: str, target: Target, path: Path, line: int) -> None:
        other = self.targets.get(slug)
        if other is not None and other.url == target.url:
            self.add(
                path,
                line,
                f"the slug '{slug}' is also used by {other.path}; give one of them another slug",
            )
        elif other is None or _PRIORITY[target.kind] < _PRIORITY[other.kind]:
            self.targets[slug] = target

    def index_content(self, item: ContentFile) -> None:
        meta = item.meta
        slug = meta.slug or slugify(meta.title)
        prefix = "en/" if meta.lang == "en" else ""
        if meta.kind == "page":
            url = f"{prefix}{slug}/"
        elif meta.kind == "release":  # by id, as publisher.reader writes releases
            url = f"{'en/press-releases' if prefix else 'siaran-pers'}/{meta.uid}/"
        else:
            year = (meta.date or dt.datetime.now(dt.UTC)).astimezone(WIB).year
            url = f"{prefix}{'news' if prefix else 'berita'}/{year}/{slug}/"
        item.url = url
        line = item.fm.line_of("slug") if meta.slug else item.fm.line_of("title")
        # A translation shares its original's slug and id (that is how Pelican pairs them):
        # it only has to be unique among the items of its own language.
        scope = "" if meta.lang == "id" else f"{meta.lang}:"
        self.target(
            scope + slug,
            Target(meta.kind, url, meta.status == "draft", display_path(item.path)),
            item.path,
            line,
        )
        if meta.uid:
            seen = self.targets.get(f"id:{scope}{meta.uid}")
            if seen is not None:
                self.add(
                    item.path,
                    item.fm.line_of("id"),
                    f"the id '{meta.uid}' is also used by {seen.path}; every item needs its own id",
                )
            else:
                self.targets[f"id:{scope}{meta.uid}"] = Target(
                    "id", url, False, display_path(item.path)
                )


# Which target a slug means when several share it: the publisher's order (sources.resolve_link).
_PRIORITY = {"article": 0, "release": 0, "campaign": 1, "page": 2, "id": 3}


def _project(root: Path) -> Project:
    """The project at `root`; a folder without settings still checks, with the defaults."""
    settings = root / "pelicanconf.py"
    return Project.from_settings_file(settings) if settings.is_file() else Project(root, settings)


def _conf(project: Project) -> dict[str, Any]:
    """The settings (paths and PUBLISHER only are used); the defaults if they cannot be read."""
    try:
        return project.conf() if project.settings_file.is_file() else {}
    except Exception:
        return {}


def _publish_site_url(root: Path) -> str | None:
    conf = root / "publishconf.py"
    if conf.is_file():
        match = re.search(
            r"^SITEURL\s*=\s*['\"]([^'\"]+)['\"]", conf.read_text(encoding="utf-8"), re.M
        )
        return match.group(1) if match else None
    return None


def check_tree(
    root: Path,
    *,
    only: Iterable[Path] = (),
    limits: dict[str, PlatformLimits] | None = None,
    site_url: str | None = None,
    parsed: dict[tuple[str, str], FrontMatter] | None = None,
) -> list[Problem]:
    """Check content/ and campaigns/ under `root`; problems sorted by file and line.

    With `only`, report problems of those files or folders (links still resolve against all).
    """
    checker = Checker(
        root, dict(limits) if limits else None, site_url, parsed=parsed, press_list=False
    )
    return [p for p in checker.run() if wanted(p, only)]


def wanted(problem: Problem, only: Iterable[Path]) -> bool:
    """Is `problem` in one of the files or folders `only` (all of them when it is empty)?"""
    names = [display_path(p) for p in only]
    return not names or any(
        problem.path == w or problem.path.startswith(w.rstrip("/") + "/") for w in names
    )
