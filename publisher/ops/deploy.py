"""`publisher deploy`: publish output/ as a new release and switch the live site to it at once.

A deploy uploads the build into `releases/<UTC timestamp>/` beside the live one, gives it
the fingerprinted CSS and JS of the releases it keeps, replaces the `current` symlink in one
rename and removes releases beyond the newest `keep`. A reader gets a page of the old
release or of the new one, never a mix: a page served just before the switch still finds
its own CSS and JS just after it. `--rollback` switches back to the previous release.

Settings: `DEPLOY = {...}` in the Pelican settings file (publishconf.py), over DEFAULTS:
    target   a folder on this machine, `[user@]host:/path`, or a name from `targets`
    targets  {name: folder or [user@]host:/path}
    keep     releases to keep (the live one is always kept)
    ssh      the ssh command (argv list) for remote targets
    rsync    the rsync command (argv list) for remote targets

The scheduler calls `deploy()` (through PUBLISHER["deploy_command"]) after a go-live rebuild.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from publisher.content.check_build_rules import is_placeholder_url
from publisher.content.golive import future_build
from publisher.content.paths import system_folder_problem
from publisher.core.timeutil import utc_now
from publisher.ops.deploy_sites import (
    DeployError,
    LocalSite,
    Site,
    SiteState,
    SshSite,
    parse_target,
)
from publisher.site.fingerprint import MANIFEST

LOG = logging.getLogger("publisher.deploy")

DEFAULT_SSH = ("ssh", "-o", "BatchMode=yes")
DEFAULT_RSYNC = ("rsync",)
DEFAULTS: dict = {
    "target": "/srv/tppo/site",
    "targets": {},
    "keep": 5,
    "ssh": list(DEFAULT_SSH),
    "rsync": list(DEFAULT_RSYNC),
}
# publishconf.py's default SITE_URL: a build made with it must never go live.
PLACEHOLDER_SITE_URL = "https://tppo.example.org"
_SUFFIX = re.compile(r"^(?P<stamp>.+?)(?:-(?P<n>\d{3}))?$")
_CANONICAL = re.compile(r'<link rel="?canonical"? href="?([^" >]+)')


def check_target(target: str, project_root: Path | None = None, output: Path | None = None) -> None:
    """Refuse a deploy target that is not a site's own folder, with a one-line reason: the
    file system's root and system folders, the project and anything inside it (output/ too),
    and anything that is not a folder."""
    host, path = parse_target(target)
    why = system_folder_problem(path, project_root, local=host is None)
    if why is None and host is None:
        real = Path(os.path.realpath(path))
        if project_root is not None:
            root = Path(os.path.realpath(project_root))
            if real == root or root in real.parents:
                why = f"{real} is inside the project ({root}); deploy outside it"
        if output is not None and why is None:
            built = Path(os.path.realpath(output))
            if real == built or built in real.parents or real in built.parents:
                why = f"{real} is, holds or is inside the build folder {built}"
    if why:
        raise DeployError(f"refusing the target {target}: {why}")


__all__ = [
    "PLACEHOLDER_SITE_URL",
    "DeployConfig",
    "DeployError",
    "check_target",
    "deploy",
    "list_releases",
    "rollback",
]


@dataclass(frozen=True)
class DeployConfig:
    target: str = DEFAULTS["target"]
    targets: dict[str, str] = field(default_factory=dict)
    keep: int = DEFAULTS["keep"]
    ssh: tuple[str, ...] = DEFAULT_SSH
    rsync: tuple[str, ...] = DEFAULT_RSYNC

    @classmethod
    def from_settings(cls, settings: Mapping) -> DeployConfig:
        raw = settings.get("DEPLOY") or {}
        if not isinstance(raw, Mapping):
            raise DeployError("DEPLOY must be a dict")
        unknown = sorted(set(raw) - set(DEFAULTS))
        if unknown:
            raise DeployError(f"DEPLOY has unknown key(s) {unknown}; known: {sorted(DEFAULTS)}")
        merged = {**DEFAULTS, **raw}
        keep = merged["keep"]
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
            raise DeployError(f"DEPLOY['keep'] must be a whole number of at least 1, not {keep!r}")
        for key in ("ssh", "rsync"):
            if not merged[key] or not all(isinstance(a, str) for a in merged[key]):
                raise DeployError(f"DEPLOY['{key}'] must be a list of strings (a command line)")
        return cls(
            target=str(merged["target"]),
            targets={str(k): str(v) for k, v in dict(merged["targets"]).items()},
            keep=keep,
            ssh=tuple(merged["ssh"]),
            rsync=tuple(merged["rsync"]),
        )

    def resolve(self, target: str | None) -> str:
        name = target or self.target
        return self.targets.get(name, name)


def open_site(
    target: str, ssh: Sequence[str] = DEFAULT_SSH, rsync: Sequence[str] = DEFAULT_RSYNC
) -> Site:
    host, path = parse_target(target)
    if host is None:
        return LocalSite(Path(path))
    return SshSite(host, path, ssh, rsync)


def release_name(now: dt.datetime, existing: Sequence[str]) -> str:
    """`20261128T050000Z`; always after every existing name, so names sort by deploy order."""
    name = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    latest = max(existing, default="")
    if name > latest:
        return name
    # Same second (or a clock that went back): the latest name with a counter, -001, -002...
    match = _SUFFIX.match(latest)
    number = int(match.group("n") or 0) + 1
    return f"{match.group('stamp')}-{number:03d}"


def check_output(output: Path) -> None:
    refused = future_build(output)
    if refused is not None:  # a preview of the future must never go live
        raise DeployError(refused)
    if not (output / "index.html").is_file():
        raise DeployError(f"{output} has no index.html: build the site first")
    if not (output / MANIFEST).is_file():
        # Only publishconf.py writes it; a development build has 127.0.0.1 canonical URLs.
        raise DeployError(
            f"{output} is not a production build (no {MANIFEST}): "
            "run `publisher build --production` first"
        )
    page = (output / "index.html").read_text("utf-8", errors="replace")
    canonical = _CANONICAL.search(page)
    if PLACEHOLDER_SITE_URL in page or (canonical and is_placeholder_url(canonical.group(1))):
        raise DeployError(
            f"{output} was built for the placeholder address {PLACEHOLDER_SITE_URL}: "
            "set SITE_URL to the site's real address and build again"
        )


def deploy(
    output: Path,
    target: str,
    keep: int,
    *,
    ssh: Sequence[str] = DEFAULT_SSH,
    rsync: Sequence[str] = DEFAULT_RSYNC,
    now: dt.datetime | None = None,
    project_root: Path | None = None,
) -> Path:
    """Publish `output` to `target` as a new live release; returns its folder (on the target)."""
    if keep < 1:
        raise DeployError("keep must be at least 1")
    output = Path(output).resolve()
    check_target(target, project_root, output)
    check_output(output)
    site = open_site(target, ssh, rsync)
    with site.locked():
        state = site.state()
        name = release_name(now or utc_now(), state.releases)
        site.upload(output, name, state.current)
        releases = [*state.releases, name]
        kept = releases[-keep:]
        doomed = [r for r in releases[:-keep] if r != name]
        # The release that was live a moment ago may still have readers between a page and
        # its CSS; its assets come along even when it is about to be removed.
        sources = [r for r in dict.fromkeys([*kept, state.current]) if r and r != name]
        site.carry(name, sources)
        site.switch(name)
        site.remove(doomed)
    LOG.info(
        "deploy target=%s release=%s previous=%s removed=%s",
        site.describe(),
        name,
        state.current,
        ",".join(doomed) or "-",
    )
    return site.release_path(name)


def rollback(
    target: str,
    *,
    to: str | None = None,
    ssh: Sequence[str] = DEFAULT_SSH,
    rsync: Sequence[str] = DEFAULT_RSYNC,
) -> Path:
    """Switch `target` back to the release before the live one (or to release `to`)."""
    check_target(target)
    site = open_site(target, ssh, rsync)
    with site.locked():
        state = site.state()
        if state.current is None:
            raise DeployError(f"nothing is deployed at {site.describe()}")
        if to is None:
            earlier = [r for r in state.releases if r < state.current]
            if not earlier:
                raise DeployError(
                    f"{state.current} is the oldest release kept; nothing to roll back to"
                )
            to = earlier[-1]
        elif to not in state.releases:
            raise DeployError(f"no release {to!r} at {site.describe()}; kept: {state.releases}")
        site.carry(to, [r for r in state.releases if r != to])
        site.switch(to)
    LOG.info("rollback target=%s release=%s previous=%s", site.describe(), to, state.current)
    return site.release_path(to)


def list_releases(
    target: str, ssh: Sequence[str] = DEFAULT_SSH, rsync: Sequence[str] = DEFAULT_RSYNC
) -> SiteState:
    return open_site(target, ssh, rsync).state()
