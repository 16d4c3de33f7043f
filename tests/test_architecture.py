"""The shape of the package, enforced: layers, no cycles, small modules, no hidden state.

docs/architecture.md explains the layers; pyproject.toml states them for import-linter.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "publisher"
MAX_LINES = 400
SUBSYSTEMS = {"core", "content", "platforms", "site", "engine", "ops", "cli"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    """Layers point down; content, engine and core need no Pelican; only cli prints."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    """The rule set chosen in pyproject.toml ([tool.ruff.lint]), and the formatting."""
    ruff = Path(sys.executable).with_name("ruff")
    folders = ["publisher", "tests", "bench", "scripts"]
    for args in (["check", *folders], ["format", "--check", *folders]):
        result = subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:]


def test_core_content_and_engine_type_check_strictly() -> None:
    """mypy --strict on the layers where the rules live (configuration in pyproject.toml)."""
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_contract_can_fail(tmp_path: Path) -> None:
    """A copy of the package with one upward import breaks the layers contract."""
    shutil.copytree(PACKAGE, tmp_path / "publisher", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    words = tmp_path / "publisher" / "core" / "words.py"
    words.write_text(words.read_text() + "\nimport publisher.engine.ledger  # noqa\n")
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [str(lint)], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode != 0
    assert "publisher.core.words -> publisher.engine.ledger" in result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    names = sorted(m for m in graph.modules if m.startswith("publisher"))
    edges = {
        m: sorted(
            n for n in graph.find_modules_directly_imported_by(m) if n.startswith("publisher")
        )
        for m in names
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in names:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("publisher")
    # A package's __init__ re-exporting its own modules is not a cycle between modules.
    cycles = [c for c in _cycles(graph) if not any(m.count(".") < 2 for m in c)]
    assert cycles == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.build_graph("publisher")
    graph.add_import(importer="publisher.core.words", imported="publisher.core.project")
    graph.add_import(importer="publisher.core.project", imported="publisher.core.words")
    assert ["publisher.core.project", "publisher.core.words"] in _cycles(graph)


def test_one_package_per_subsystem_and_small_modules() -> None:
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert top == SUBSYSTEMS | {"__init__.py", "__main__.py"} | {"studio"} & top
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and "tables" not in p.name  # data copied from twitter-text, not code
    }
    assert long == {}


def _module_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


MUTATORS = {"append", "add", "update", "clear", "pop", "setdefault", "extend", "remove", "discard"}


def hidden_state(path: Path) -> list[str]:
    """Module-level names that a function changes (`global`, item assignment, a mutator)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _module_names(tree)
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        local = {a.arg for a in func.args.args + func.args.kwonlyargs}
        for node in ast.walk(func):
            if isinstance(node, ast.Global):
                found += [f"{path.name}:{node.lineno} global {n}" for n in node.names]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in names - local
            ):
                found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}")
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in names - local
                    ):
                        found.append(f"{path.name}:{node.lineno} {target.value.id}[...] =")
    return found


def test_no_module_level_mutable_state() -> None:
    """State of a build or a tick is an object passed in, never a module global."""
    assert [f for p in modules() for f in hidden_state(p)] == []


def test_the_state_finder_finds_state(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("SEEN = set()\n\ndef see(x):\n    SEEN.add(x)\n")
    assert hidden_state(sample) == ["sample.py:4 SEEN.add"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_finds_the_project_from_its_own_location(path: Path) -> None:
    """Installed as a wheel, the package lives in site-packages: the project is found by
    publisher.core.project (from --project, PUBLISHER_PROJECT or the working folder)."""
    text = path.read_text(encoding="utf-8")
    assert "Path(__file__)" not in text and "parents[2]" not in text


# Test files that look at the whole project rather than one package stay at the top.
WHOLE_PROJECT_TESTS = {"test_architecture", "test_dependencies", "test_hostile_corpus",
                       "test_quality", "test_wheel"}  # fmt: skip


def test_the_tests_mirror_the_packages() -> None:
    """tests/<package>/ for every package's tests; the top holds only whole-project ones."""
    tests = ROOT / "tests"
    levels = {p.name for p in tests.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= levels, packages - levels
    assert {p.stem for p in tests.glob("test_*.py")} == WHOLE_PROJECT_TESTS


def private_imports(path: Path, own: str | None) -> list[str]:
    """`_names` a test file imports from a publisher package other than `own`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("publisher"):
            continue
        package = (node.module or "").split(".")[1] if "." in (node.module or "") else ""
        private = [a.name for a in node.names if a.name.startswith("_")]
        if private and package != own:
            found.append(f"{path.name}:{node.lineno} {node.module}.{','.join(private)}")
    return found


def test_no_test_imports_a_private_name_of_another_package() -> None:
    """A test may reach into its own package's private names, never another's: the other
    package is tested through its public names, which its own tests hold."""
    tests = ROOT / "tests"
    found = []
    for path in tests.rglob("test_*.py"):
        level = path.relative_to(tests).parts
        found += private_imports(path, level[0] if len(level) > 1 else None)
    assert found == []


def test_the_private_import_finder_finds_one(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from publisher.site.fast.page_reuse import _sync\n")
    assert private_imports(sample, "site") == []
    assert private_imports(sample, "engine") == [
        "test_sample.py:1 publisher.site.fast.page_reuse._sync"
    ]
