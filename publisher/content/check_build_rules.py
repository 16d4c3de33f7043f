"""Every reason `publisher build` refuses or drops something, as a `publisher check` error.

Staff run `check` before they commit, so what would stop the build (or silently leave a
file out of it) is reported here first, with file:line and the fix. The build runs the same
checks (site/build.py), so the two agree: tests/content/test_check_build_agree.py runs every bad
fixture of tests/broken/ through both.

Mixed into check.Checker beside check_rules.Rules; `check_build_rules` is its entry point.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from publisher.content import frontmatter, paths, press, scaffold
from publisher.content.campaigns import Campaign
from publisher.content.check_rules import ContentFile, Target
from publisher.content.golive import GoLiveRule, translation_problem
from publisher.content.slugs import slugify
from publisher.core.errors import ContentError, Problem, display_path
from publisher.core.project import Project
from publisher.core.timeutil import format_wib, utc_now

# Extensions Pelican would read as content (or used to): only `.md` is read by our reader;
# any other is refused, not silently skipped or read without our checks.
OTHER_CONTENT = {".md", ".markdown", ".mkd", ".mdown", ".mkdn", ".html", ".htm", ".rst"}
READERS_OFF = ("markdown", "mkd", "mdown", "mkdn", "html", "htm", "rst")
# C0 and C1 control characters but tab and line ends: invisible, and they break feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Addresses reserved for documentation (RFC 2606 / 6761): never a real site.
_PLACEHOLDER_HOST = re.compile(r"(^|\.)(example\.(org|com|net)|[^.]+\.example|[^.]+\.invalid)$")
# The theme's own links to pages: `{{ SITEURL }}/{{ prefix }}bantuan/`, ("tentang", _(...)).
_THEME_LINK = re.compile(r"\{\{\s*SITEURL\s*\}\}/(?:\{\{\s*prefix\s*\}\})?([a-z0-9-]+)/")
_THEME_SLUG = re.compile(r"\(\s*\"([a-z0-9-]+)\"\s*,\s*_\(")


# A missing-file message (check_rules and press), not repeated for a path refused as unsafe.
_MISSING = re.compile(
    r"^the (image|attachment|file) '.*' does not exist|^the link .* points at a file that does not"
)


def _suspect(text: str) -> bool:
    """Could `text` hold a control character or a template's words? (a quick first look)"""
    return bool(_CONTROL.search(text)) or any(words in text for words in scaffold.PLACEHOLDERS)


def is_placeholder_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return not host or bool(_PLACEHOLDER_HOST.search(host))


def site_url_problem(settings_file: Path, settings: dict[str, Any]) -> Problem | None:
    """A production build (absolute SITEURL) for a placeholder address must never go live."""
    url = str(settings.get("SITEURL") or "")
    if not url or settings.get("RELATIVE_URLS") or not is_placeholder_url(url):
        return None
    text = settings_file.read_text("utf-8") if settings_file.is_file() else ""
    host = urlsplit(url).hostname or url
    line = next((n for n, t in enumerate(text.splitlines(), 1) if host in t), 1)
    return Problem(
        display_path(settings_file),
        line,
        f"the site address is the placeholder {url}: set SITE_URL to the site's real "
        "address (docs/operations.md) before a production build or a deploy",
    )


def site_paths(conf: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(top-level names, names under en/) that the site writes itself: no page may take them."""
    top = {"en", "feeds", "theme", "kampanye", "pagefind", "drafts", "index.html", "404.html",
           "sitemap.xml", "robots.txt", "favicon.ico"}  # fmt: skip
    top |= {str(conf.get("ARCHIVES_URL") or "berita/").strip("/").split("/")[0]}
    top |= set(conf.get("STATIC_PATHS") or ("images", "files", "extra"))
    top |= set(conf.get("RELEASE_PATHS") or ("siaran-pers",))
    top |= {str(conf.get("THEME_STATIC_DIR") or "theme")}
    english = {"feeds", "press-releases", "index.html"}
    english |= {str(conf.get("NEWS_EN_URL") or "news/").strip("/")}
    for url in (conf.get("SEARCH_URLS") or {"id": "cari/", "en": "en/search/"}).values():
        parts = str(url).strip("/").split("/")
        if parts[0] == "en" and len(parts) > 1:
            english.add(parts[1])
        else:
            top.add(parts[0])
    return {p for p in top if p}, {p for p in english if p}


def theme_pages(theme: Path) -> set[str]:
    """Slugs of the pages the theme links to by name (the help page, the quick-exit guide)."""
    found: set[str] = set()
    for template in sorted((theme / "templates").rglob("*.html")) if theme.is_dir() else []:
        text = template.read_text("utf-8", errors="replace")
        found |= set(_THEME_LINK.findall(text)) | set(_THEME_SLUG.findall(text))
    return found


class BuildRules:
    """The checks of what the build refuses; state set up by check.Checker."""

    root: Path
    project: Project
    content: Path
    campaigns_dir: Path
    page_dirs: list[str]
    article_dirs: list[str]
    release_dirs: list[str]
    targets: dict[str, Target]
    campaigns: dict[str, Campaign]
    add: Callable[..., None]
    guarded: Callable[..., Any]
    problems: list[Problem]
    production: bool = False
    now: dt.datetime | None = None

    def check_build_rules(self, loaded: list[ContentFile]) -> None:
        conf = self._settings()
        layout = self.project.layout
        self.refused_paths: set[tuple[str, int]] = set()
        sources = [layout.content, layout.campaigns, layout.theme, layout.data]
        self.problems.extend(paths.outside_links(self.root, sources))
        self.check_extensions()
        data = self._press(layout.press_file)
        rule = GoLiveRule((item.path, item.meta) for item in loaded)
        top, english = site_paths(conf)
        pages = theme_pages(layout.theme)
        static = tuple(conf.get("STATIC_PATHS") or paths.DEFAULT_SITE_DIRS)
        self.site_urls: set[str] | None = None  # made when a body links /a/page/
        self.sections = (top, english)
        for item in loaded:
            self.guarded(item.path, self.check_item_builds, item, data, rule, static)
            self.guarded(item.path, self.check_reserved, item, top, english, pages)
            # Most files hold neither: look at the file's lines only when one may be there.
            if _suspect(item.fm.body) or _suspect(repr(item.fm.meta)):
                self.guarded(item.path, self.check_text, item.path, item.meta.status)
        for campaign in self.campaigns.values():
            self.guarded(campaign.path, self.check_campaign_builds, campaign, pages)
        self._drop_shadowed()
        if self.production:
            prod = self.project.production_settings_file
            problem = site_url_problem(prod, _conf(Project.from_settings_file(prod)))
            if problem is not None:
                self.problems.append(problem)

    def _drop_shadowed(self) -> None:
        """A path refused by the paths rule is not also reported as a missing file."""
        refused = self.refused_paths
        self.problems[:] = [
            p
            for p in self.problems
            if not ((p.path, p.line) in refused and _MISSING.search(p.message))
        ]

    def _settings(self) -> dict[str, Any]:
        return _conf(self.project)

    # --- files on disk ---

    def check_extensions(self) -> None:
        """Content in another spelling than `.md` is never read: say so, do not skip it."""
        folders = [self.content / d for d in [*self.page_dirs, *self.article_dirs]]
        folders.append(self.campaigns_dir)
        for folder in dict.fromkeys(folders):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                suffix = path.suffix.lower()
                if path.is_file() and suffix in OTHER_CONTENT and path.suffix != ".md":
                    if paths.is_private(path.relative_to(folder)):
                        continue
                    self.add(
                        path,
                        1,
                        f"the site reads only files ending in '.md', so this one is left out; "
                        f"rename it to {path.stem}.md",
                    )

    def check_text(self, path: Path, status: str = "published") -> None:
        """Control characters: invisible in an editor, and they break feeds and pages."""
        try:
            text = frontmatter.read_text(path)
        except ContentError:
            return  # reported by the reader
        for number, line in enumerate(text.split("\n"), 1):
            match = _CONTROL.search(line)
            if match:
                code = f"U+{ord(match.group()):04X}"
                self.add(
                    path,
                    number,
                    f"this line holds an invisible control character ({code}); delete it "
                    "(retype the text around it)",
                )
        if status == "published":
            self.check_placeholders(path, text)

    def check_placeholders(self, path: Path, text: str) -> None:
        """The template's words left in a published file (`publisher new`)."""
        lines = text.split("\n")
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        for number, line in enumerate(lines, 1):
            if number <= end + 1 and line.lstrip().startswith("#"):
                continue  # a note of the template, not a value
            for words in scaffold.PLACEHOLDERS:
                if words in line:
                    self.add(
                        path,
                        number,
                        f"'{words}' is the template's text from `publisher new`; replace it "
                        "before publishing (or set status: draft)",
                    )

    # --- pages, articles, releases ---

    def check_item_builds(
        self, item: ContentFile, data: press.PressData | None, rule: GoLiveRule,
        static: tuple[str, ...],
    ) -> None:  # fmt: skip
        fm, meta = item.fm, item.meta
        where = item.path.parent.relative_to(self.content).as_posix()
        folder = "" if where == "." else where
        unsafe = paths.meta_problems(fm, meta, static) + paths.body_problems(fm, folder)
        self.problems.extend(unsafe)
        self.refused_paths |= {(p.path, p.line) for p in unsafe}
        if meta.kind == "release" and data is not None:
            for kind, error in press.release_problems(fm, meta, self.content, data):
                if kind != "image" or _is_hires(error.problem.message, meta):
                    self.problems.append(error.problem)
        problem = translation_problem(fm, meta, rule)
        if problem is not None:
            self.problems.append(problem)
        original = rule.original_of(meta)
        if original is not None and original.status != "published" and meta.status == "published":
            self.add(
                item.path,
                fm.line_of("translation"),
                f"its original ({rule.where(original)}) is a draft, so this translation is "
                "not published either; publish both together",
                "warning",
            )
        self.check_site_links(item, static)

    def check_site_links(self, item: ContentFile, static: tuple[str, ...]) -> None:
        """Links written as the site's own addresses (/files/x.pdf, /bantuan/) must lead
        somewhere: a file in content/ or a page the site writes."""
        fm = item.fm
        top, english = self.sections
        for index, target in paths.body_targets(fm.body):
            if not target.startswith("/") or target.startswith("//"):
                continue
            if self.site_urls is None:
                self.site_urls = {t.url.strip("/") for t in self.targets.values()}
            urls = self.site_urls
            name = paths.site_file(target)
            line = fm.body_line + fm.body[:index].count("\n")
            if name is None:
                continue  # reported by body_problems, or the home page
            parts = PurePosixPath(name).parts
            if parts and parts[0] in static:
                if not (self.content / name).is_file():
                    self.add(
                        item.path,
                        line,
                        f"the link '{target}' points at a file that does not exist; "
                        f"put it in content/{name} or fix the link",
                    )
                continue
            page = name.removesuffix("index.html").strip("/")
            first = parts[0] if parts else ""
            sections = english if first == "en" else top
            section = parts[1] if first == "en" and len(parts) > 1 else first
            if page in urls or page in ("", "en") or (section in sections and section != "en"):
                continue
            self.add(
                item.path,
                line,
                f"the link '{target}' leads to no page of this site; link a page that exists "
                "(e.g. [Butuh Bantuan?]({filename}/pages/bantuan.md))",
            )

    def check_reserved(
        self, item: ContentFile, top: set[str], english: set[str], pages: set[str]
    ) -> None:
        """A slug may not take an address the site writes itself, nor (for articles) the
        slug of a page the theme links to: a campaign's `link:` would find the article."""
        meta = item.meta
        slug = item.url.strip("/").split("/")[-1] if item.url else ""
        line = item.fm.line_of("slug") if meta.slug else item.fm.line_of("title")
        if meta.kind == "page":
            taken = english if meta.lang == "en" else top
            if slug in taken:
                where = f"en/{slug}/" if meta.lang == "en" else f"{slug}/"
                self.add(
                    item.path,
                    line,
                    f"the slug '{slug}' would put this page at {where}, which the site "
                    "writes itself; choose another slug",
                )
        elif (own := meta.slug or slugify(meta.title)) in pages and not meta.translation:
            self.add(
                item.path,
                line,
                f"the slug '{own}' belongs to the page the theme links to "
                f"(/{own}/); give this {meta.kind} another slug",
            )

    # --- campaigns ---

    def check_campaign_builds(self, campaign: Campaign, pages: set[str]) -> None:
        self.check_text(campaign.path, campaign.status)
        if campaign.slug in pages:
            self.add(
                campaign.path,
                campaign.line_of("slug"),
                f"the slug '{campaign.slug}' belongs to the page the theme links to "
                f"(/{campaign.slug}/); `link: {campaign.slug}` would find the campaign; "
                "rename the campaign",
            )
        now = self.now or utc_now()
        if campaign.status != "published" or campaign.state(now) != "current":
            return
        window = dt.timedelta(hours=_catch_up_hours(self._settings()))
        for post in campaign.posts:
            if post.status == "published" and post.at < now - window:
                self.add(
                    campaign.path,
                    post.lines.get("at", post.line),
                    f"post '{post.id}' is at {format_wib(post.at)}, in the past: if it was not "
                    f"sent yet it never will be (the publisher catches up {window.total_seconds() / 3600:g} "
                    "hours at most); move it to a later time",
                    "warning",
                )

    # --- data ---

    def _press(self, path: Path) -> press.PressData | None:
        """data/press.yaml, with a YAML error at its line in the file."""
        if not path.is_file():
            return press.PressData({}, {})
        try:
            return press.load(path)
        except ContentError as exc:
            self.problems.append(exc.problem)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            self.add(path, 1, f"the press data cannot be read ({exc}); fix it first")
        return None


def _is_hires(message: str, meta: Any) -> bool:
    """A missing hi-res file (check_rules reports a missing `src` already)."""
    images = ([meta.image] if meta.image else []) + list(meta.images)
    return any(i.hires and f"'{i.hires}'" in message and i.hires != i.src for i in images)


def _catch_up_hours(conf: dict[str, Any]) -> float:
    raw = conf.get("PUBLISHER")
    publisher: dict[str, Any] = raw if isinstance(raw, dict) else {}
    try:
        return float(publisher.get("catch_up_hours", 6))
    except (TypeError, ValueError):
        return 6.0


def _conf(project: Project) -> dict[str, Any]:
    try:
        return project.conf() if project.settings_file.is_file() else {}
    except Exception:
        return {}
