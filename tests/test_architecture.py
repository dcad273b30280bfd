"""The shape of the code: one-way dependencies between apps, no import cycles, no hidden imports.

Every first-party module is parsed with ``ast`` (no import side effects); imports are read at
module level and inside function bodies. The allowed direction is written in
docs/architecture.md:

    common  <-  regulators (pure engine)  <-  incidents  <-  reminders, exports
                                                  ^
                                                  +--  audit, accounts (beside them)

``config`` wires everything; ``tools`` (developer tooling) may use everything and nothing in the
product may use it. Migrations are left out: they name callables by import path on purpose.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = (
    "common",
    "regulators",
    "incidents",
    "actions",
    "outreach",
    "records",
    "audit",
    "accounts",
    "reminders",
    "exports",
    "search",
)
FIRST_PARTY = (*PRODUCT, "tools", "config")
EVERYTHING = frozenset(FIRST_PARTY)

# Which first-party top-level packages each one may import (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "common": frozenset(),
    "regulators": frozenset({"common"}),
    "incidents": frozenset({"common", "regulators"}),
    "actions": frozenset({"common", "regulators", "incidents"}),
    "outreach": frozenset({"common", "regulators", "incidents"}),
    "records": frozenset({"common", "regulators", "incidents", "actions"}),
    "reminders": frozenset({"common", "regulators", "incidents", "actions"}),
    "audit": frozenset({"common", "regulators", "incidents", "actions", "outreach", "records"}),
    "accounts": frozenset({"common", "regulators", "incidents", "audit"}),
    "exports": frozenset(
        {
            "common",
            "regulators",
            "incidents",
            "actions",
            "outreach",
            "records",
            "reminders",
            "audit",
        }
    ),
    "search": frozenset({"common", "regulators", "incidents", "actions", "outreach", "records"}),
    "tools": EVERYTHING,
    "config": EVERYTHING - {"tools"},
}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported first-party module (resolved to a module, not a name)
    path: Path
    line: int
    in_function: bool
    type_checking: bool
    justified: bool  # a comment on the line or the line above says why


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _python_files() -> list[Path]:
    files: list[Path] = []
    for top in FIRST_PARTY:
        files += [p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


MODULES = {_module_name(p): p for p in _python_files()}


def _resolve(name: str) -> str | None:
    """The first-party module ``name`` refers to (a module, or the module owning a name)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(path: Path) -> list[Import]:
    source = _module_name(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []

    def justified(lineno: int) -> bool:
        here = lines[lineno - 1]
        above = lines[lineno - 2].strip() if lineno >= 2 else ""
        return "#" in here or above.startswith("#")

    def add(node: ast.stmt, names: list[str], in_function: bool, type_checking: bool) -> None:
        for name in names:
            if name.split(".")[0] not in FIRST_PARTY:
                continue
            target = _resolve(name)
            if target is None or target == source:
                continue
            found.append(
                Import(
                    source,
                    target,
                    path,
                    node.lineno,
                    in_function,
                    type_checking,
                    justified(node.lineno),
                )
            )

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                add(child, [a.name for a in child.names], in_function, type_checking)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                # "from pkg import sub" names a submodule when one exists, else a name in pkg.
                add(
                    child,
                    [f"{module}.{a.name}" for a in child.names],
                    in_function,
                    type_checking,
                )
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, True, type_checking)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, True)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, type_checking)
            else:
                visit(child, in_function, type_checking)

    visit(ast.parse(text, filename=str(path)), False, False)
    return found


IMPORTS = [imp for path in MODULES.values() for imp in _imports_of(path)]


def _where(imp: Import) -> str:
    return f"{imp.path.relative_to(ROOT)}:{imp.line} {imp.source} -> {imp.target}"


def test_the_walker_sees_every_app_and_their_imports() -> None:
    # Guards the test itself: an empty or broken walk would pass every check below.
    assert {name.split(".")[0] for name in MODULES} == set(FIRST_PARTY)
    assert any(i.source == "incidents.services" and i.target == "incidents.models" for i in IMPORTS)
    assert any(i.in_function for i in IMPORTS)  # apps.py ready() imports are function-level


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_first_party_modules() -> None:
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if not imp.type_checking:
            edges.setdefault(imp.source, set()).add(imp.target)
    assert _cycles(edges) == []


def test_apps_import_only_in_the_allowed_direction() -> None:
    wrong = [
        _where(imp)
        for imp in IMPORTS
        if (top := imp.target.split(".")[0]) != imp.source.split(".")[0]
        and top not in ALLOWED[imp.source.split(".")[0]]
    ]
    assert wrong == []


def test_the_engine_imports_only_itself() -> None:
    # The engine is pure: facts in, due times out (no ORM, no app code).
    wrong = [
        _where(imp)
        for imp in IMPORTS
        if imp.source.startswith("regulators.engine")
        and not imp.target.startswith("regulators.engine")
    ]
    assert wrong == []


def test_first_party_imports_inside_functions_say_why() -> None:
    unexplained = [_where(imp) for imp in IMPORTS if imp.in_function and not imp.justified]
    assert unexplained == []


@pytest.mark.parametrize("needle", ["pg_terminate_backend", "pg_cancel_backend"])
def test_only_tools_can_terminate_database_connections(needle: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for name, path in MODULES.items()
        if name.split(".")[0] != "tools" and needle in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert any(needle in p.read_text(encoding="utf-8") for p in (ROOT / "tools").rglob("*.py")) or (
        needle == "pg_cancel_backend"
    )


def test_production_settings_do_not_install_the_tools() -> None:
    settings_dir = ROOT / "config" / "settings"
    text = {p.stem: p.read_text(encoding="utf-8") for p in settings_dir.glob("*.py")}
    assert '"tools"' not in text["base"]
    assert '"tools"' not in text["production"]
    assert all('"tools"' in text[name] for name in ("dev", "test", "harness"))


def _definitions(name: str) -> list[str]:
    found = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            defined = (
                [node.name]
                if isinstance(node, ast.ClassDef | ast.FunctionDef)
                else [t.id for t in node.targets if isinstance(t, ast.Name)]
                if isinstance(node, ast.Assign)
                else [node.target.id]
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                else []
            )
            if name in defined:
                found.append(module)
    return found


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("Precision", ["regulators.engine.vocabulary"]),
        ("Unit", ["regulators.engine.vocabulary"]),
        ("Confidence", ["regulators.engine.vocabulary"]),
        ("PeriodUnit", []),
        ("CONFIDENCE_LEVELS", []),
        ("users_with_roles", ["common.roles"]),
        ("roles_of", ["common.roles"]),
    ],
)
def test_each_word_has_one_definition(name: str, home: list[str]) -> None:
    assert _definitions(name) == home
