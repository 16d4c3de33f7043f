"""Where `publisher deploy` publishes: a folder on this machine, or a folder on a host over SSH.

Both keep the same layout under their root, which the web server serves through `current`:

    releases/<UTC timestamp>/   one complete build each; never changed once live, except that
                                fingerprinted assets of other releases may be added to it
    releases/.incoming-<name>/  an upload in progress (never served, never listed)
    current -> releases/<name>  a relative symlink, replaced in one rename

The deploy logic (publisher/deploy.py) decides what to do; a site only does it. The local
site does it in Python; the remote one in short POSIX sh scripts sent over one `ssh` call
each, with rsync for the upload. The test suite runs the same scenarios against both.
"""

from __future__ import annotations

import fcntl
import filecmp
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from publisher.core.errors import PublisherError
from publisher.site.fingerprint import MANIFEST

UPLOAD_TIMEOUT = 15 * 60
SCRIPT_TIMEOUT = 2 * 60
# Remote roots and hosts are spliced into ssh and rsync command lines; plain names only, so
# no quoting rule of any rsync or shell version can change what they mean.
SAFE_REMOTE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")
SAFE_HOST = re.compile(r"^[A-Za-z0-9._@-]+$")


class DeployError(PublisherError):
    """A deploy or rollback that could not be done; the message says what to do."""


@dataclass(frozen=True)
class SiteState:
    current: str | None  # release name `current` points to, None before the first deploy
    releases: list[str]  # complete releases, oldest first (names sort by time)


class Site(Protocol):
    def describe(self) -> str: ...
    def release_path(self, name: str) -> Path: ...
    def locked(self) -> AbstractContextManager[None]: ...
    def state(self) -> SiteState: ...
    def upload(self, output: Path, name: str, previous: str | None) -> None: ...
    def carry(self, into: str, sources: Sequence[str]) -> None: ...
    def switch(self, name: str) -> None: ...
    def remove(self, names: Sequence[str]) -> None: ...


def manifest_entries(text: str) -> list[str]:
    """Fingerprinted files named by a release's manifest; anything outside theme/ is ignored."""
    entries = []
    for line in text.splitlines():
        parts = PurePosixPath(line).parts
        if len(parts) >= 2 and parts[0] == "theme" and ".." not in parts:
            entries.append(line)
    return entries


class LocalSite:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.releases = self.root / "releases"

    def describe(self) -> str:
        return str(self.root)

    def release_path(self, name: str) -> Path:
        return self.releases / name

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One deploy at a time (the scheduler's and an operator's may meet)."""
        self.releases.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".deploy.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def state(self) -> SiteState:
        link = self.root / "current"
        current = None
        if link.is_symlink():
            current = PurePosixPath(os.readlink(link)).name
        elif link.exists():
            raise DeployError(f"{link} is not a symlink; move it aside and deploy again")
        names = []
        if self.releases.is_dir():
            names = sorted(
                p.name for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith(".")
            )
        return SiteState(current, names)

    def upload(self, output: Path, name: str, previous: str | None) -> None:
        incoming = self.releases / f".incoming-{name}"
        shutil.rmtree(incoming, ignore_errors=True)
        before = self.releases / previous if previous else None
        try:
            shutil.copytree(output, incoming, copy_function=_linker(output, incoming, before))
            _make_readable(incoming)
            incoming.rename(self.releases / name)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise

    def carry(self, into: str, sources: Sequence[str]) -> None:
        dest = self.releases / into
        for source in sources:
            src = self.releases / source
            manifest = src / MANIFEST
            if not manifest.is_file():
                continue
            for entry in manifest_entries(manifest.read_text("utf-8")):
                for twin in (entry, f"{entry}.gz", f"{entry}.br"):
                    if (src / twin).is_file() and not (dest / twin).exists():
                        (dest / twin).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(src / twin, dest / twin)

    def switch(self, name: str) -> None:
        # Everything written so far reaches the disk before the switch does: after a power
        # cut `current` must not point to a release with empty files.
        os.sync()
        temporary = self.root / f".current-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        # Relative, so the root can be moved or mounted elsewhere (e.g. in a container).
        os.symlink(f"releases/{name}", temporary)
        os.replace(temporary, self.root / "current")  # rename(2): readers see old or new
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def remove(self, names: Sequence[str]) -> None:
        for name in names:
            shutil.rmtree(self.releases / name)


def _linker(output: Path, incoming: Path, previous: Path | None):
    """copytree's copy function: hard-link a file the previous release has byte for byte.

    Like rsync --link-dest: unchanged files cost no space and keep their mtime, so the web
    server's ETag and Last-Modified stay the same and browsers get 304s across deploys.
    """

    def copy(src: str, dst: str) -> str:
        if previous is not None:
            old = previous / Path(dst).relative_to(incoming)
            if old.is_file() and filecmp.cmp(src, old, shallow=False):
                os.link(old, dst)
                return dst
        return shutil.copy2(src, dst)

    return copy


def _make_readable(root: Path) -> None:
    # The web server runs as another user: whatever umask the build had, it can read.
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


class SshSite:
    def __init__(self, host: str, root: str, ssh: Sequence[str], rsync: Sequence[str]) -> None:
        if not SAFE_HOST.match(host):
            raise DeployError(f"'{host}' is not a plain host name (letters, digits, . _ @ -)")
        root = root.rstrip("/") or "/"
        if not SAFE_REMOTE_PATH.match(root) or ".." in PurePosixPath(root).parts:
            raise DeployError(
                f"'{root}' is not a plain absolute path (letters, digits, . _ / -) on {host}"
            )
        self.host = host
        self.root = root
        self.ssh = list(ssh)
        self.rsync = list(rsync)

    def describe(self) -> str:
        return f"{self.host}:{self.root}"

    def release_path(self, name: str) -> Path:
        return Path(self.root) / "releases" / name

    @contextmanager
    def locked(self) -> Iterator[None]:
        # No remote lock: run deploys to a remote host from one machine (docs/operations.md).
        yield

    def _script(self, body: str, create: bool = False) -> str:
        """Run `body` with sh on the host, in the site root; returns its standard output."""
        root = shlex.quote(self.root)
        script = f"set -eu\n{f'mkdir -p {root}' if create else ''}\ncd {root}\n{body}\n"
        return self._run([*self.ssh, self.host, "sh", "-s"], script, SCRIPT_TIMEOUT)

    def _run(self, argv: list[str], stdin: str | None, timeout: int) -> str:
        try:
            done = subprocess.run(
                argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeployError(f"{argv[0]} could not run: {exc}") from None
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise DeployError(f"{argv[0]} on {self.host} exited {done.returncode}: {tail}")
        return done.stdout

    def state(self) -> SiteState:
        out = self._run(
            [*self.ssh, self.host, "sh", "-s"],
            f"""set -eu
cd {shlex.quote(self.root)} 2>/dev/null || exit 0
if [ -L current ]; then printf 'current %s\\n' "$(readlink current)"
elif [ -e current ]; then printf 'notlink\\n'; fi
for d in releases/*/; do
  [ -d "$d" ] || continue
  d=${{d%/}}; printf 'release %s\\n' "${{d#releases/}}"
done
""",
            SCRIPT_TIMEOUT,
        )
        current, names = None, []
        for line in out.splitlines():
            kind, _, value = line.partition(" ")
            if kind == "notlink":
                raise DeployError(f"{self.root}/current on {self.host} is not a symlink")
            if kind == "current":
                current = PurePosixPath(value).name
            elif kind == "release":
                names.append(value)
        return SiteState(current, sorted(names))

    def upload(self, output: Path, name: str, previous: str | None) -> None:
        incoming = f"releases/.incoming-{name}"
        self._script(f"mkdir -p releases\nrm -rf {incoming}", create=True)
        argv = [*self.rsync, "-a", "--checksum", "--delete", "--chmod=D755,F644"]
        argv += ["-e", shlex.join(self.ssh)]
        if previous:
            # Unchanged files become hard links to the live release: no transfer, same mtime.
            argv.append(f"--link-dest={self.root}/releases/{previous}")
        argv += [f"{output}/", f"{self.host}:{self.root}/{incoming}/"]
        try:
            self._run(argv, None, UPLOAD_TIMEOUT)
        except DeployError:
            self._script(f"rm -rf {incoming}")
            raise
        self._script(f"mv {incoming} releases/{name}")

    def carry(self, into: str, sources: Sequence[str]) -> None:
        if not sources:
            return
        # The same rules as LocalSite.carry and manifest_entries, in sh.
        self._script(
            f"""cd releases
for src in {" ".join(shlex.quote(s) for s in sources)}; do
  [ -f "$src/{MANIFEST}" ] || continue
  while IFS= read -r f; do
    case "$f" in theme/?*) ;; *) continue ;; esac
    case "$f" in *..*) continue ;; esac
    for g in "$f" "$f.gz" "$f.br"; do
      if [ -f "$src/$g" ] && [ ! -e {shlex.quote(into)}/"$g" ]; then
        mkdir -p "$(dirname {shlex.quote(into)}/"$g")"
        cp -p "$src/$g" {shlex.quote(into)}/"$g"
      fi
    done
  done < "$src/{MANIFEST}"
done"""
        )

    def switch(self, name: str) -> None:
        # `mv -T` renames the new symlink over `current` in one rename(2) (GNU coreutils).
        self._script(
            f"sync\nln -sfn releases/{shlex.quote(name)} .current-tmp\nmv -T .current-tmp current"
        )

    def remove(self, names: Sequence[str]) -> None:
        if names:
            self._script("rm -rf " + " ".join(shlex.quote(f"releases/{n}") for n in names))


def parse_target(spec: str) -> tuple[str | None, str]:
    """`[user@]host:/path` → (host, path); anything else is a local folder → (None, spec)."""
    match = re.match(r"^([^/:]+):(/.*)$", spec)
    if match:
        return match.group(1), match.group(2)
    return None, spec
