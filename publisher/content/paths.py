"""Paths a writer types, and files the project holds: read only inside the project.

One rule per question, used by `publisher check`, by the build's reader and by the build
itself, so the two can never disagree:
- `path_problem`: why a value typed into a field (slug, id, image src, attachment, campaign
  link...) cannot name a place inside the site: `..`, an absolute or home path, a URL-encoded
  separator, a backslash, a control character.
- `meta_problems`: that rule over every path field of a page, article or release.
- `outside_links`: symlinks under content/, campaigns/, theme/ and data/ whose target is
  outside the project (refused, never followed: `/etc/passwd` must not become a page).
- `is_private`: dotfiles, `.env`, editor backups and VCS folders, never copied to output.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from publisher.content.fields import ContentMeta
from publisher.content.frontmatter import FrontMatter
from publisher.content.sanitize import is_remote
from publisher.core.errors import Problem, display_path

# What `{static}`, `{attach}` and `{filename}` point at: inside content/.
LINK_PREFIXES = ("{static}", "{attach}", "{filename}")
DEFAULT_SITE_DIRS = ("images", "files", "extra")
# URL-encoded '.', '/', '\', '%' (double encoding) and NUL: a path hidden from a plain check.
_ENCODED = re.compile(r"%(?:2e|2f|5c|25|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DRIVE = re.compile(r"^[a-zA-Z]:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Link targets in a Markdown body: inline links and images, reference definitions, HTML.
_TARGETS = (
    re.compile(r"\]\(\s*<?([^)\s>]+)"),
    re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*<?([^\s>]+)", re.M),
    re.compile(r"""\b(?:href|src|poster|data)\s*=\s*["']?([^"'\s>]+)""", re.I),
)

# Never published from any static folder (Pelican's IGNORE_FILES takes the same patterns,
# and the build sweeps its output with is_private as well). Matched against every part of a
# path; `.well-known` is the one dot-folder the web needs (security.txt).
PRIVATE_PATTERNS = (".*", "*~", "*.swp", "*.swo", "#*#", "*.orig", "*.bak", "*.rej", "CVS",
                    "__pycache__", "Thumbs.db", "desktop.ini")  # fmt: skip
PUBLIC_DOT_NAMES = (".well-known",)
# Files of the build's own that start with a dot: its markers (golive.FUTURE_MARKER...).
BUILD_MARKERS = (".future-build", ".publisher-build")
# The folders of a project whose files the build reads.
SOURCE_FOLDERS = ("content", "campaigns", "theme", "data")


def path_problem(value: str, *, segment: bool = False,
                 site_dirs: Sequence[str] = DEFAULT_SITE_DIRS) -> str | None:  # fmt: skip
    """Why `value` cannot name a place inside the site, or None when it can.

    `segment`: one part of a web address (a slug, an id, a link to a slug): no '/' at all.
    Otherwise a file inside content/, written `images/a.png`, `{static}/images/a.png` or
    `/images/a.png` (the site's own address of a file in one of `site_dirs`).
    """
    if _CONTROL.search(value):
        return "it holds a control character; retype it"
    if "\\" in value:
        return "it holds a backslash '\\'; write '/' between folders"
    if _ENCODED.search(value):
        return "it holds a URL-encoded '.', '/', '\\' or '%'; write the plain name"
    for prefix in LINK_PREFIXES:
        value = value.removeprefix(prefix)
    if value.startswith("~") or "/~" in value:
        return "it starts with '~' (a home folder); name a file inside content/"
    if segment:
        if "/" in value:
            return "it is one part of a web address and may not hold '/'"
        if value in (".", ".."):
            return f"'{value}' is not a name"
        return None
    if _DRIVE.match(value) or value.startswith("//") or _SCHEME.match(value):
        return "it is an absolute path; name a file inside content/, e.g. images/photo.jpg"
    parts = PurePosixPath(value).parts
    if ".." in parts:
        return "'..' would leave content/; name the file from content/, e.g. images/photo.jpg"
    if value.startswith("/") and (len(parts) < 2 or parts[1] not in site_dirs):
        folders = ", ".join(f"/{d}/" for d in site_dirs)
        return f"it is an absolute path; a path starting with '/' must be in {folders}"
    return None


def meta_problems(
    fm: FrontMatter, meta: ContentMeta, site_dirs: Sequence[str] = DEFAULT_SITE_DIRS
) -> list[Problem]:
    """Every path field of a page, article or release that `path_problem` refuses."""
    found: list[Problem] = []

    def check(value: object, key: str, index: int | None, segment: bool, label: str) -> None:
        if value in (None, ""):
            return
        if label.startswith("image") and is_remote(str(value).removeprefix("{static}")):
            return  # another site's image: the remote-image rule says so with its own fix
        why = path_problem(str(value), segment=segment, site_dirs=site_dirs)
        if why:
            line = fm.line_of(key, index)
            found.append(Problem(display_path(fm.path), line, f"{label} '{value}': {why}"))

    check(meta.slug, "slug", None, True, "slug")
    check(meta.uid, "id", None, True, "id")
    if meta.image is not None:
        check(meta.image.src, "image", None, False, "image src")
        check(meta.image.hires, "image", None, False, "image hires")
    for index, image in enumerate(meta.images):
        check(image.src, "images", index, False, f"images[{index + 1}] src")
        check(image.hires, "images", index, False, f"images[{index + 1}] hires")
    for index, item in enumerate(meta.attachments):
        check(item.get("file"), "attachments", index, False, f"attachments[{index + 1}] file")
    template = meta.extra.get("template")
    if template not in (None, ""):
        check(template, "template", None, True, "template")
    return found


def body_targets(body: str) -> tuple[tuple[int, str], ...]:
    """Every link and image target written in a Markdown body: (index, target)."""
    return _targets(body)


@functools.lru_cache(maxsize=64)  # the reader and the checker both ask, for one body
def _targets(body: str) -> tuple[tuple[int, str], ...]:
    found = []
    # Each pattern only where its syntax can occur: most bodies have no HTML or references.
    for pattern, marker in zip(_TARGETS, ("](", "]:", "="), strict=True):
        if marker in body:
            found += [(m.start(1), m.group(1)) for m in pattern.finditer(body)]
    return tuple(sorted(found))


def site_file(target: str, source_dir: str = "") -> str | None:
    """The file under content/ a link target names, or None (another site, a page anchor,
    a mail or phone link, or a path that leaves content/).

    `{static}/x` and `/x` name content/x; `{static}x` is relative to the linking file's
    folder `source_dir` (relative to content/), as Pelican reads it."""
    target = unquote(target.split("#")[0].split("?")[0]).strip()
    if not target or target.startswith("//") or _SCHEME.match(target):
        return None
    relative = False
    for prefix in LINK_PREFIXES:
        if target.startswith(prefix):
            target = target.removeprefix(prefix)
            relative = not target.startswith("/")
            break
    if relative:
        target = posixpath.join(source_dir, target)
    elif not target.startswith("/"):
        return None  # relative to the page's own address: not a file of content/
    name = posixpath.normpath(target.lstrip("/"))
    if name in (".", "") or name.startswith(".."):
        return None
    return name


def is_internal(target: str) -> bool:
    """A link to a file or page of this site ({static}..., /path), not another site's."""
    return target.startswith(LINK_PREFIXES) or (
        target.startswith("/") and not target.startswith("//")
    )


def body_problems(fm: FrontMatter, source_dir: str = "") -> list[Problem]:
    """Links in a body that would reach outside content/ or hide a path in encoding."""
    found = []
    for index, target in body_targets(fm.body):
        if not is_internal(target):
            continue
        line = fm.body_line + fm.body[:index].count("\n")
        why = None
        if _CONTROL.search(target) or "\\" in target or _ENCODED.search(target):
            why = path_problem(target)
        elif site_file(target, source_dir) is None and posixpath.normpath(
            _joined(target, source_dir)
        ).startswith(".."):
            why = "'..' would leave content/; link a file inside content/"
        if why:
            found.append(Problem(display_path(fm.path), line, f"the link '{target}': {why}"))
    return found


def _joined(target: str, source_dir: str) -> str:
    target = target.split("#")[0].split("?")[0]
    for prefix in LINK_PREFIXES:
        if target.startswith(prefix):
            rest = target.removeprefix(prefix)
            return rest.lstrip("/") if rest.startswith("/") else posixpath.join(source_dir, rest)
    return target.lstrip("/")


def outside_links(root: Path, folders: Iterable[Path]) -> list[Problem]:
    """Symlinks in `folders` (and the folders themselves) that lead outside `root`.

    Walked without following links: what a link points at is never read.
    """
    base = Path(os.path.realpath(root))
    found: list[Problem] = []
    allowed = [base]

    def refuse(link: Path) -> None:
        try:
            target = os.readlink(link)
        except OSError:
            target = "?"
        found.append(
            Problem(
                display_path(link),
                1,
                f"this is a link to '{target}', outside the project; the site reads only "
                "files inside the project: copy the file here instead of linking it",
            )
        )

    def outside(link: Path) -> bool:
        real = Path(os.path.realpath(link))
        return not any(real == b or b in real.parents for b in allowed)

    for folder in folders:
        if folder.is_symlink() and outside(folder):
            refuse(folder)
            continue
        if not folder.is_dir():
            continue
        # A folder configured outside the project (THEME = "/srv/themes/x") may link inside itself.
        allowed[1:] = [] if not outside(folder) else [Path(os.path.realpath(folder))]
        for current, dirs, files in os.walk(folder):  # followlinks=False: links not entered
            here = Path(current)
            for name in [*dirs, *files]:
                entry = here / name
                if entry.is_symlink() and outside(entry):
                    refuse(entry)
    return sorted(found, key=lambda p: p.path)


def is_private(relative: str | Path) -> bool:
    """Is this path (relative to a static folder or the output) one that is never published?"""
    parts = PurePosixPath(str(relative).replace(os.sep, "/")).parts
    for part in parts:
        if part in PUBLIC_DOT_NAMES or part in BUILD_MARKERS:
            continue
        if any(fnmatch.fnmatchcase(part, pattern) for pattern in PRIVATE_PATTERNS):
            return True
    return False


def ignore_patterns(existing: Iterable[str]) -> list[str]:
    """Pelican's IGNORE_FILES with ours added, minus `.*` (it would drop `.well-known`; the
    build's sweep removes the other dot-files)."""
    ours = [p for p in PRIVATE_PATTERNS if p != ".*"]
    ours += [".env", ".env.*", ".git", ".hg", ".svn", ".bzr", ".DS_Store", ".#*", ".htpasswd",
             ".htaccess", ".ssh", ".gnupg", ".npmrc", ".pypirc", ".netrc"]  # fmt: skip
    return list(dict.fromkeys([*existing, *ours]))


# --- folders a build or a deploy may replace ----------------------------------------------

# System trees: nothing inside them is ever a site's folder.
SYSTEM_TREES = ("/proc", "/sys", "/dev", "/etc", "/boot", "/run", "/bin", "/sbin", "/lib",
                "/lib32", "/lib64", "/libx32", "/usr/bin", "/usr/sbin", "/usr/lib",
                "/usr/libexec", "/usr/include", "/var/lib", "/var/log", "/var/cache",
                "/var/spool", "/var/run", "/var/lock", "/var/backups", "/var/mail",
                "/snap", "/lost+found")  # fmt: skip
# Folders that hold others' things: a site may live inside them, never be them.
SYSTEM_ROOTS = ("/", "/usr", "/usr/local", "/usr/share", "/var", "/var/www", "/home", "/root",
                "/srv", "/opt", "/tmp", "/var/tmp", "/mnt", "/media", "/dev/shm")  # fmt: skip
# Inside a system tree, but a place for anyone's files (a RAM disk).
SHARED_TREES = ("/dev/shm",)


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _in_system_tree(real: Path) -> str | None:
    if any(_within(real, Path(shared)) for shared in SHARED_TREES):
        return None
    tree = next((t for t in SYSTEM_TREES if _within(real, Path(t))), None)
    return f"{real} is inside the system folder {tree}" if tree else None


def system_folder_problem(
    folder: Path | str, project_root: Path | None = None, *, local: bool = True
) -> str | None:
    """Why `folder` must never be replaced or filled by a build or a deploy, or None.

    Refused: the file system's root and system folders (/proc, /etc...), folders that hold
    other people's things (/home, /srv, a home folder itself), the project's folder and the
    folders above it, and anything that exists and is not a folder. A folder on another
    machine (`local=False`) is judged by its name alone."""
    if not local:
        real = Path(posixpath.normpath("/" + str(folder).lstrip("/")))
        if str(real) in SYSTEM_ROOTS:
            return f"{real} is a system or home folder, not a site's own folder"
        return _in_system_tree(real)
    real = _real(folder)
    if str(real) in SYSTEM_ROOTS or real == _real("~"):
        return f"{real} is a system or home folder, not a site's own folder"
    why = _in_system_tree(real)
    if why:
        return why
    if project_root is not None and _within(_real(project_root), real):
        return f"{real} holds the project itself ({_real(project_root)})"
    if real.exists() and not real.is_dir():
        return f"{real} exists and is not a folder"
    return None
