"""`publisher deploy`: releases, the atomic `current` switch, keep N, rollback; local and SSH.

The SSH target runs the real remote code path (sh scripts over `ssh`, rsync with `-e ssh`)
through a stand-in `ssh` that runs the command on this machine, as sshd would.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pelican.settings import read_settings

from publisher.cli.main import cli
from publisher.ops.deploy import (
    PLACEHOLDER_SITE_URL,
    DeployConfig,
    DeployError,
    deploy,
    list_releases,
    release_name,
    rollback,
)
from tests.support import ROOT

T0 = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)
FAKE_SSH = """#!/bin/sh
# Stands in for ssh: skips the options (rsync adds `-l user`) and the host name, then runs
# the command here with sh, as sshd runs it with the user's shell (words joined by spaces).
while [ $# -gt 0 ]; do
  case "$1" in
    -[bcDEeFIiJLlmOopQRSWw]) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift
exec sh -c "$*"
"""


def fake_build(folder: Path, label: str) -> Path:
    """A production-shaped build: a page naming its fingerprinted CSS, twins, a manifest."""
    css = f"body{{color:#000}}/* build {label} */".encode()
    name = f"site.{hashlib.sha256(css).hexdigest()[:10]}.css"
    (folder / "theme" / "css").mkdir(parents=True)
    (folder / "theme" / "css" / name).write_bytes(css)
    (folder / "theme" / "css" / f"{name}.gz").write_bytes(gzip.compress(css))
    (folder / "theme" / "fingerprinted.txt").write_text(f"theme/css/{name}\n")
    (folder / "index.html").write_text(
        f'<!doctype html><link rel="stylesheet" href="/theme/css/{name}"><p>build {label}</p>'
    )
    (folder / "images").mkdir()
    (folder / "images" / "photo.txt").write_text("the same in every build\n")
    folder.chmod(0o700)  # what the build's mkdtemp leaves; the deploy must open it up
    return folder


def css_of(release: Path) -> str:
    html = (release / "index.html").read_text()
    return html.split('href="/')[1].split('"')[0]


@pytest.fixture
def builds(tmp_path: Path) -> dict[str, Path]:
    return {label: fake_build(tmp_path / f"build-{label}", label) for label in "ABCD"}


@pytest.fixture(params=["local", "ssh"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> dict:
    """deploy()/rollback() keyword arguments for a local folder or an SSH host."""
    root = tmp_path / "site"
    if request.param == "local":
        return {"target": str(root), "root": root}
    ssh = tmp_path / "fake-ssh"
    ssh.write_text(FAKE_SSH)
    ssh.chmod(0o755)
    assert shutil.which("rsync"), "rsync is needed (Debian package rsync)"
    return {"target": f"deploy@testhost:{root}", "root": root, "ssh": [str(ssh)]}


def _deploy(target: dict, output: Path, keep: int = 5, now: dt.datetime = T0) -> Path:
    extra = {"ssh": target["ssh"]} if "ssh" in target else {}
    return deploy(output, target["target"], keep, now=now, **extra)


def _rollback(target: dict, to: str | None = None) -> Path:
    extra = {"ssh": target["ssh"]} if "ssh" in target else {}
    return rollback(target["target"], to=to, **extra)


def live(root: Path) -> str:
    return (root / "current" / "index.html").read_text().rsplit("build ", 1)[1][0]


def test_first_deploy_makes_a_release_and_points_current_at_it(target: dict, builds) -> None:
    release = _deploy(target, builds["A"])
    root = target["root"]
    assert release == root / "releases" / "20261128T050000Z"
    assert os.readlink(root / "current") == "releases/20261128T050000Z"  # relative
    assert live(root) == "A"
    assert (root / "current" / css_of(root / "current")).is_file()
    # The web server runs as another user: every folder and file is readable by others.
    for path in [release, *release.rglob("*")]:
        assert path.stat().st_mode & (stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))


def test_keeps_the_newest_n_releases(target: dict, builds) -> None:
    for i, label in enumerate("ABCD"):
        _deploy(target, builds[label], keep=2, now=T0 + dt.timedelta(minutes=i))
    root = target["root"]
    assert sorted(p.name for p in (root / "releases").iterdir()) == [
        "20261128T050200Z",
        "20261128T050300Z",
    ]
    assert live(root) == "D"
    state = list_releases(target["target"], **({"ssh": target["ssh"]} if "ssh" in target else {}))
    assert state.current == "20261128T050300Z"
    assert state.releases == ["20261128T050200Z", "20261128T050300Z"]


def test_rollback_goes_to_the_previous_release_and_forward_again(target: dict, builds) -> None:
    first = _deploy(target, builds["A"], now=T0)
    second = _deploy(target, builds["B"], now=T0 + dt.timedelta(minutes=1))
    root = target["root"]
    assert _rollback(target) == first
    assert live(root) == "A"
    with pytest.raises(DeployError, match="oldest release"):
        _rollback(target)
    assert _rollback(target, to=second.name) == second
    assert live(root) == "B"
    with pytest.raises(DeployError, match="no release 'nope'"):
        _rollback(target, to="nope")


def test_a_page_of_the_release_just_replaced_still_finds_its_css(target: dict, builds) -> None:
    """Page from A, then the switch to B, then A's CSS is asked for: it is still there."""
    _deploy(target, builds["A"], now=T0)
    root = target["root"]
    css_a = css_of(root / "current")
    _deploy(target, builds["B"], now=T0 + dt.timedelta(minutes=1))
    assert live(root) == "B"
    assert (root / "current" / css_a).read_bytes() == (builds["A"] / css_a).read_bytes()
    assert (root / "current" / f"{css_a}.gz").is_file()
    # And the other way round: after a rollback, B's CSS is in A's release.
    css_b = css_of(root / "current")
    _rollback(target)
    assert live(root) == "A"
    assert (root / "current" / css_b).is_file()


def test_the_assets_of_a_removed_release_are_not_kept_forever(target: dict, builds) -> None:
    for i, label in enumerate("ABCD"):
        _deploy(target, builds[label], keep=2, now=T0 + dt.timedelta(minutes=i))
    names = {p.name for p in (target["root"] / "current" / "theme" / "css").iterdir()}
    # D's own CSS and C's (kept); A's and B's went with their releases.
    assert {css_of(builds[x]).rsplit("/", 1)[1] for x in "CD"} <= names
    assert not {css_of(builds[x]).rsplit("/", 1)[1] for x in "AB"} & names


def test_unchanged_files_are_hard_links_to_the_previous_release(target: dict, builds) -> None:
    first = _deploy(target, builds["A"], now=T0)
    second = _deploy(target, builds["B"], now=T0 + dt.timedelta(minutes=1))
    same = [(first / "images" / "photo.txt"), (second / "images" / "photo.txt")]
    assert same[0].stat().st_ino == same[1].stat().st_ino
    assert (first / "index.html").stat().st_ino != (second / "index.html").stat().st_ino


def test_a_failed_upload_changes_nothing(tmp_path: Path, builds) -> None:
    ssh = tmp_path / "fake-ssh"
    ssh.write_text(FAKE_SSH)
    ssh.chmod(0o755)
    root = tmp_path / "site"
    spec = f"testhost:{root}"
    deploy(builds["A"], spec, 3, now=T0, ssh=[str(ssh)])
    with pytest.raises(DeployError, match="exited 1"):
        deploy(
            builds["B"], spec, 3, now=T0 + dt.timedelta(minutes=1), ssh=[str(ssh)], rsync=["false"]
        )
    assert live(root) == "A"
    assert [p.name for p in (root / "releases").iterdir()] == ["20261128T050000Z"]


def test_current_is_never_missing_or_half_written_during_deploys(tmp_path: Path, builds) -> None:
    """A reader looking at `current` while deploys switch it always sees a whole release."""
    root = tmp_path / "site"
    deploy(builds["A"], str(root), 3, now=T0)
    seen: list[str] = []
    problems: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                html = (root / "current" / "index.html").read_text()
                css = html.split('href="/')[1].split('"')[0]
                if not (root / "current" / css).is_file():
                    problems.append(f"page without its CSS: {css}")
                seen.append(html.rsplit("build ", 1)[1][0])
            except (OSError, IndexError) as exc:
                problems.append(repr(exc))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(1, 25):
            deploy(builds["AB"[i % 2]], str(root), 3, now=T0 + dt.timedelta(minutes=i))
            if i % 5 == 0:
                rollback(str(root))
    finally:
        done.set()
        watcher.join()
    assert not problems
    assert {"A", "B"} <= set(seen)


def test_refuses_what_must_not_go_live(tmp_path: Path, builds) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DeployError, match=r"no index\.html"):
        deploy(empty, str(tmp_path / "site"), 3)
    (builds["A"] / "theme" / "fingerprinted.txt").unlink()
    with pytest.raises(DeployError, match="not a production build"):
        deploy(builds["A"], str(tmp_path / "site"), 3)
    page = builds["B"] / "index.html"
    page.write_text(page.read_text() + f'<link rel="canonical" href="{PLACEHOLDER_SITE_URL}/">')
    with pytest.raises(DeployError, match="SITE_URL"):
        deploy(builds["B"], str(tmp_path / "site"), 3)
    assert not (tmp_path / "site" / "current").exists()


def test_release_names_sort_in_deploy_order() -> None:
    assert release_name(T0, []) == "20261128T050000Z"
    assert release_name(T0, ["20261128T050000Z"]) == "20261128T050000Z-001"
    assert release_name(T0, ["20261128T050000Z", "20261128T050000Z-001"]) == "20261128T050000Z-002"
    # A clock that went back still names the new release after the others.
    assert release_name(T0 - dt.timedelta(days=1), ["20261128T050000Z"]) == "20261128T050000Z-001"
    assert release_name(T0 + dt.timedelta(seconds=1), []) > "20261128T050000Z-999"


def test_deploy_settings_are_checked() -> None:
    assert DeployConfig.from_settings({}) == DeployConfig()
    config = DeployConfig.from_settings(
        {"DEPLOY": {"targets": {"live": "web@host:/srv/tppo/site"}, "keep": 3}}
    )
    assert config.resolve("live") == "web@host:/srv/tppo/site"
    assert config.resolve(None) == "/srv/tppo/site"
    with pytest.raises(DeployError, match="unknown key"):
        DeployConfig.from_settings({"DEPLOY": {"kepe": 3}})
    with pytest.raises(DeployError, match="at least 1"):
        DeployConfig.from_settings({"DEPLOY": {"keep": 0}})
    with pytest.raises(DeployError, match="plain absolute path"):
        list_releases("host:/srv/tppo site", ssh=["false"])


def test_publishconf_takes_the_address_and_target_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("DEPLOY_TARGET", raising=False)
    settings = read_settings(str(ROOT / "publishconf.py"))
    assert settings["SITEURL"] == PLACEHOLDER_SITE_URL
    monkeypatch.setenv("SITE_URL", "https://tppo.test/")
    monkeypatch.setenv("DEPLOY_TARGET", "web@host:/srv/x")
    settings = read_settings(str(ROOT / "publishconf.py"))
    assert settings["SITEURL"] == settings["FEED_DOMAIN"] == settings["SITE_ORIGIN"]
    assert settings["SITEURL"] == "https://tppo.test"
    assert settings["RELATIVE_URLS"] is False
    assert "404" in settings["DIRECT_TEMPLATES"]
    assert DeployConfig.from_settings(settings).resolve(None) == "web@host:/srv/x"
    # The scheduler deploys with the same interpreter and the same settings after a go-live.
    command = settings["PUBLISHER"]["deploy_command"]
    assert "-m publisher deploy --settings" in command
    assert command.endswith("publishconf.py")


def test_cli_deploys_lists_and_rolls_back(tmp_path: Path, builds) -> None:
    settings = tmp_path / "conf.py"
    web = tmp_path.with_name(tmp_path.name + "-web")  # a target outside the project
    settings.write_text(
        f"OUTPUT_PATH = 'build-A'\nDEPLOY = {{'target': {str(web / 'site')!r}, 'keep': 2}}\n"
    )
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["deploy", "--settings", str(settings), *args])
        return result.exit_code, result.output

    code, out = run()
    assert code == 0, out
    assert "live release 2" in out
    code, out = run("--output", str(builds["B"]))
    assert code == 0, out
    code, out = run("--list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("* ")
    assert live(web / "site") == "B"
    code, out = run("--rollback")
    assert code == 0, out
    assert live(web / "site") == "A"
    code, out = run("--rollback")
    assert code == 1
    assert out.startswith("deploy: error: ") and "oldest release" in out
    code, out = run("--output", str(tmp_path / "nowhere"))
    assert code == 1
    assert "no index.html" in out


@pytest.mark.parametrize("unit", ["publisher.service", "publisher-tick.service"])
def test_systemd_units_are_valid(tmp_path: Path, unit: str) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian package systemd)"
    for name in ("publisher.service", "publisher-tick.service", "publisher-tick.timer"):
        text = (ROOT / "deploy" / name).read_text()
        # The real ExecStart lives on the server; everything else is checked as shipped.
        (tmp_path / name).write_text(text.replace("/srv/tppo/app/.venv/bin/publisher", "/bin/true"))
    done = _run([analyze, "verify", "--man=no", str(tmp_path / unit)])
    assert done.returncode == 0, done.stderr
    text = (ROOT / "deploy" / unit).read_text()
    assert "User=tppo" in text and "NoNewPrivileges=yes" in text
    assert "EnvironmentFile=/etc/tppo/publisher.env" in text
    if unit == "publisher.service":
        assert "Restart=on-failure" in text


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "SYSTEMD_LOG_LEVEL": "notice"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def test_environment_example_holds_no_values() -> None:
    lines = (ROOT / "deploy" / "publisher.env.example").read_text().splitlines()
    assignments = [line for line in lines if "=" in line and not line.startswith("#")]
    assert assignments == []
    assert any("0600" in line for line in lines)


# --- what deploy refuses (issue 15: paths and future builds) ----------------------------------


def test_deploy_refuses_a_preview_of_the_future(tmp_path: Path, builds) -> None:
    from publisher.content.golive import write_future_marker

    write_future_marker(builds["A"], T0 + dt.timedelta(days=30))
    with pytest.raises(DeployError, match=r"at 2026-12-28 12:00 WIB .*a preview of the future"):
        deploy(builds["A"], str(tmp_path / "site"), 3)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("/", "system or home folder"),
        ("/proc", "inside the system folder /proc"),
        ("/proc/self", "inside the system folder /proc"),
        ("/etc/nginx", "inside the system folder /etc"),
        ("/home", "system or home folder"),
        ("/srv", "system or home folder"),
        ("~", "system or home folder"),
        ("web@host:/", "system or home folder"),
        ("web@host:/etc/x", "inside the system folder /etc"),
    ],
)
def test_deploy_target_refuses_system_folders(target: str, words: str) -> None:
    from publisher.ops.deploy import check_target

    with pytest.raises(DeployError, match=words):
        check_target(target)


def test_cli_deploy_target_refusals_are_one_line_without_traceback(tmp_path: Path, builds) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    settings = project / "conf.py"
    settings.write_text(f"OUTPUT_PATH = {str(builds['A'])!r}\n")
    (tmp_path / "a-file").write_text("not a folder")
    cases = {
        "/": "system or home folder",
        "/proc": "/proc",
        str(project): "holds the project itself",
        str(project / "site"): "inside the project",
        str(builds["A"]): "build folder",
        str(builds["A"] / "sub"): "build folder",
        str(tmp_path / "a-file"): "not a folder",
        str(tmp_path): "holds the project itself",
    }
    for target, words in cases.items():
        result = CliRunner().invoke(
            cli, ["deploy", "--settings", str(settings), "--target", target]
        )
        assert result.exit_code == 1, (target, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("deploy: error: refusing the target"), lines
        assert words in lines[0], (target, lines)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (tmp_path / "a-file").read_text() == "not a folder"
    assert sorted(p.name for p in project.iterdir()) == ["conf.py"]
