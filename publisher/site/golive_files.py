"""The site side of go-live and of the static-file guard: what one build may publish.

The rule itself is publisher.content.golive; this module applies it to a Pelican build:
- `is_live` / `go_live_at`: the reader asks, for every item, with the build's `now`;
- `_publish_only_live_files` (Pelican's static_generator_finalized): a static file that only
  items not live yet use (images, attachments, files linked from their bodies) is never
  copied, so neither it nor a .gz/.br twin of it ever exists in the output; nor is a private
  file (dotfile, editor backup, VCS folder) or a file whose source or destination lies
  outside the project's content or the build's folder;
- `sweep`: after Pelican, the same guard over every file the build wrote, inside the build's
  own staging folder only (a held image's responsive variants included, site/images.py).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from pelican import signals

from publisher.content import golive
from publisher.content.fields import ContentMeta
from publisher.content.golive import GoLiveRule
from publisher.content.paths import body_targets, is_private, site_file
from publisher.content.press import static_path
from publisher.site import images, run

TWINS = (".gz", ".br")


def rule(settings: dict[str, Any]) -> GoLiveRule:
    """This build's go-live rule over every article and release (made once, on first use:
    only a translation needs to know the other items)."""
    build = run.of(settings)
    if build.golive is None:
        build.golive = golive.rule_for(
            Path(settings["PATH"]),
            settings.get("PAGE_PATHS", ["pages"]),
            settings.get("RELEASE_PATHS", ["siaran-pers"]),
            build.memory.parsed,
        )
    return build.golive


def _rule_for(settings: dict[str, Any], meta: ContentMeta) -> GoLiveRule:
    return rule(settings) if meta.translation and meta.kind != "page" else GoLiveRule()


def is_live(settings: dict[str, Any], meta: ContentMeta) -> bool:
    return _rule_for(settings, meta).is_live(meta, run.build_now(settings))


def go_live_at(settings: dict[str, Any], meta: ContentMeta) -> dt.datetime | None:
    return _rule_for(settings, meta).at(meta)


def always_live(context: dict[str, Any], settings: dict[str, Any]) -> set[str]:
    """Files the site shows whatever items are live: the press kit, the default social
    card, and what every published campaign shows."""
    files = {d.path for d in settings.get("PRESS_KIT") or []}
    default = settings.get("OG_DEFAULT_IMAGE") or {}
    if default.get("src"):
        files.add(static_path(default["src"]))
    for view in context.get("campaigns") or []:
        campaign = view.campaign
        images = [campaign.image, *(p.image for p in campaign.posts)]
        files.update(static_path(i.src) for i in images if i is not None)
        for _index, target in body_targets(campaign.body):
            name = site_file(target)
            if name is not None:
                files.add(name)
    return files


def _inside(path: str, folder: str) -> bool:
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _publish_only_live_files(generator: Any) -> None:
    settings = generator.settings
    build = run.of(settings)
    live = build.live_files | always_live(generator.context, settings)
    held = build.held_files - live
    content = os.path.realpath(settings["PATH"])
    output = os.path.realpath(generator.output_path)
    kept = []
    for static in generator.staticfiles:
        name = static.get_relative_source_path()
        source = os.path.join(settings["PATH"], name)
        target = os.path.join(generator.output_path, static.save_as)
        if (
            name in held
            or is_private(name)
            or is_private(static.save_as)
            or not _inside(source, content)
            or not _inside(target, output)
        ):
            continue
        kept.append(static)
    generator.staticfiles[:] = kept
    generator.context["staticfiles"] = generator.staticfiles


def sweep(folder: Path, held: set[str]) -> list[str]:
    """Remove from a build's own staging `folder` any private file, and any held file with
    its twins and its image variants, that reached it anyway; returns what was removed. Nothing outside `folder`
    is touched: each name is checked to resolve inside it, and links are not followed."""
    base = os.path.realpath(folder)
    doomed = set()
    for name in held:
        for suffix in ("", *TWINS):
            doomed.add(os.path.normpath(name + suffix))
    removed = []
    for current, dirs, files in os.walk(base):
        relative_dir = os.path.relpath(current, base)
        for name in list(dirs):
            relative = os.path.normpath(os.path.join(relative_dir, name))
            if is_private(relative):
                dirs.remove(name)
                _remove(Path(current) / name, base)
                removed.append(relative)
        for name in files:
            relative = os.path.normpath(os.path.join(relative_dir, name))
            bare = relative.removesuffix(".gz").removesuffix(".br")
            variant_of_held = any(o in doomed for o in images.original_of(bare))
            if relative in doomed or variant_of_held or is_private(bare):
                _remove(Path(current) / name, base)
                removed.append(relative)
    return sorted(removed)


def _remove(path: Path, base: str) -> None:
    if not _inside(str(path.parent), base):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def register() -> None:
    signals.static_generator_finalized.connect(_publish_only_live_files)
