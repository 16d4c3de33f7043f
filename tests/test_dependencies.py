"""Dependencies you can audit: every package the code imports is declared, nothing unused is,
runtime and development are apart, and both locks pin every package with hashes."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"runtime": ROOT / "requirements" / "runtime.txt", "dev": ROOT / "requirements" / "dev.txt"}
# Imported through another name than the distribution's, or as a Pelican namespace plugin.
PLUGINS = {
    "pelican-sitemap": "sitemap",
    "pelican-precompress": "precompress",
    "pelican-granular-signals": "granular_signals",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: Mastodon.py is mastodon-py


def _name(requirement: str) -> str:
    return _canonical(re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0])


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    return runtime, dev


def imported(folders: list[str]) -> set[str]:
    """Top-level third-party modules imported (also lazily, by name) under `folders`."""
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module)
                    found.update(f"{node.module}.{a.name}" for a in node.names)
                elif (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "lazy"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.add(str(node.args[0].value))
    local = {"publisher", "tests", "bench", "make_factsheet"}
    return {m for m in found if m.split(".")[0] not in set(sys.stdlib_module_names) | local}


def distributions(modules: set[str]) -> set[str]:
    """The distributions that provide these modules (Pelican's namespace plugins by name)."""
    owners = packages_distributions()
    names = set()
    for module in modules:
        parts = module.split(".")
        if parts[:2] == ["pelican", "plugins"] and len(parts) > 2:
            plugin = {v: k for k, v in PLUGINS.items()}.get(parts[2])
            if plugin:
                names.add(plugin)
                continue
        names.update(_canonical(d) for d in owners.get(parts[0], []))
    return names


def test_every_imported_package_is_declared() -> None:
    runtime, dev = declared()
    code = distributions(imported(["publisher"]))
    assert code - runtime == set(), "imported by publisher/ but not a runtime dependency"
    tests = distributions(imported(["tests", "bench", "scripts"]))
    assert tests - runtime - dev == set(), "imported by the tests but not declared"


def test_nothing_declared_is_unused() -> None:
    runtime, dev = declared()
    code = distributions(imported(["publisher"]))
    # Loaded by Pelican from the settings' PLUGINS, by pip, or run as tools, not imported.
    tools = {"ruff", "mypy", "types-pyyaml", "import-linter", "pytest-timeout", "setuptools",
             "lxml", "brotli"}  # fmt: skip
    assert runtime - code - tools - {"pagefind", *PLUGINS} == set()
    tests = distributions(imported(["tests", "bench", "scripts"]))
    assert dev - tests - runtime - tools == set()


def test_both_locks_pin_every_package_with_hashes() -> None:
    for name, lock in LOCKS.items():
        text = lock.read_text()
        pins = re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.M)
        assert pins, name
        blocks = re.split(r"^(?=[A-Za-z0-9_.\-]+==)", text, flags=re.M)[1:]
        assert all("--hash=sha256:" in block for block in blocks), name
    runtime_pins = set(re.findall(r"^([A-Za-z0-9_.\-]+)==", LOCKS["runtime"].read_text(), re.M))
    dev_pins = set(re.findall(r"^([A-Za-z0-9_.\-]+)==", LOCKS["dev"].read_text(), re.M))
    assert "pytest" not in runtime_pins and "pytest" in dev_pins
    assert runtime_pins <= dev_pins  # the tests run what production runs
