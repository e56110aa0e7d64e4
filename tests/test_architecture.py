"""The package boundaries in docs/architecture.md, checked on every test run."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"torch", "diffusers", "transformers", "sentence_transformers", "accelerate"}


def _module_level_imports(path: Path) -> set[str]:
    """Top-level names imported at module level (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_studio_ui_imports_qt() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [lint_imports, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_inner_packages_type_check_clean() -> None:
    """mypy over the packages every layer stands on (the list is pyproject's [tool.mypy])."""
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run(
        [mypy, "--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_heavy_ml_libraries_load_lazily_outside_generators() -> None:
    offenders = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        heavy = _module_level_imports(path) & HEAVY
        if heavy:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(heavy))}")
    assert not offenders, "import these inside functions instead:\n" + "\n".join(offenders)


def test_cli_starts_without_heavy_libraries() -> None:
    code = (
        f"import sys, studio.cli; print(sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert output == "[]", f"the CLI imported {output} at start-up"


def test_every_package_is_listed_for_the_wheel() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        path.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for top in ("studio", "generators")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert listed == found | {"studio.resources"}


def test_no_module_imports_itself_round_a_circle() -> None:
    """No import circle between the project's modules, function-level imports included
    (a circle hidden inside a function is still a circle)."""
    import grimp

    graph = grimp.build_graph("studio", "generators")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported != module and graph.find_shortest_chain(importer=imported, imported=module)
    )
    assert circles == []


def test_change_notices_name_their_topic_not_a_string() -> None:
    """Screens refresh on the topics they watch: a misspelt free string would refresh none."""
    import re

    from studio.ui.topics import Topic

    loose = []
    for path in sorted((ROOT / "studio" / "ui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        loose += [f"{path.name}: {m}" for m in re.findall(r'data_changed\.emit\(\s*"[^"]*"', text)]
        loose += [f"{path.name}: {m}" for m in re.findall(r'watches = \([^)]*"', text)]
    assert not loose, loose
    import importlib
    import pkgutil

    import studio.ui.screens
    from studio.ui.screens.base import Screen

    for module in pkgutil.iter_modules(studio.ui.screens.__path__):
        importlib.import_module(f"studio.ui.screens.{module.name}")
    screens = Screen.__subclasses__()
    assert len(screens) >= 11
    for screen in screens:
        assert all(isinstance(topic, Topic) for topic in screen.watches), screen


#: SQL that writes a table, and sqlite-utils calls that do
_WRITES = (
    re.compile(r"\b(?:INSERT(?:\s+OR\s+[A-Z]+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b"),
    re.compile(r"(?:table\(\"([a-z_]+)\"\)|\[\"([a-z_]+)\"\])\.(?:insert|upsert|update|delete)"),
)


def test_modules_outside_storage_name_the_tables_they_write() -> None:
    """studio/storage owns the tables; a module elsewhere that writes one says which in its
    docstring ("Writes the tables `segments`, …"), so ownership is read, not guessed."""
    undeclared = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        if path.is_relative_to(ROOT / "studio" / "storage"):
            continue
        text = path.read_text(encoding="utf-8")
        written = {
            name
            for pattern in _WRITES
            for match in pattern.findall(text)
            for name in (match if isinstance(match, tuple) else (match,))
            if name
        }
        written -= {"temp"}  # the import's own staging tables, on its own connection
        if not written:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        said = re.search(r"Writes the tables? (.+?)\.(?:\s|$)", doc, re.DOTALL)
        declared = set(re.findall(r"`([a-z_]+)`", said.group(1))) if said else set()
        if written - declared:
            undeclared.append(f"{path.relative_to(ROOT)}: {sorted(written - declared)}")
    assert not undeclared, undeclared
