"""Every test asserts something that can fail: a static check of the test suite (ast, no imports).

Rules, for each ``test_*`` function of ``tests/**/test_*.py``:

- **It asserts.** An ``assert`` statement, ``pytest.raises``/``pytest.warns``/``pytest.fail``,
  the ``django_assert_num_queries``/``django_assert_max_num_queries`` fixtures, a call of a
  function whose name starts with ``assert``, ``check`` or ``expect`` (unittest's
  ``self.assertEqual``, Playwright's ``expect``), or a call of a test-suite helper that itself
  asserts by these rules (looked up through ``from tests... import`` too).
- **No assertion that cannot fail**: a truthy constant (``assert True``, ``assert (a, b)``),
  ``... or <truthy constant>``, the same expression on both sides of a comparison, constants on
  both sides, ``len(x) >= 0``.
- **No either-of membership** (``"a" in text or "b" in text``): a worked example knows which
  text it produces, so the test names it.
- **No bare ``pytest.raises(Exception)``** (or ``BaseException``) without ``match=``: any bug
  passes it.
- **Hypothesis profiles** are registered and loaded only in ``tests/conftest.py``.

The checker is tested on small examples below, so it can fail too.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis

from tests.conftest import HYPOTHESIS_PROFILES

TESTS = Path(__file__).resolve().parent
ASSERTING_FIXTURES = {"django_assert_num_queries", "django_assert_max_num_queries"}
ASSERTING_PREFIXES = ("assert", "check", "expect")
PYTEST_ASSERTIONS = {"raises", "warns", "fail", "deprecated_call"}
BROAD_EXCEPTIONS = {"Exception", "BaseException"}
PROFILE_CALLS = {"register_profile", "load_profile"}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_pytest_call(call: ast.Call, names: set[str]) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in names
        and isinstance(func.value, ast.Name)
        and func.value.id == "pytest"
    )


def _truthy_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts)  # a non-empty display is always true
    if isinstance(node, ast.Dict):
        return bool(node.keys)
    return False


def _constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, (ast.Tuple, ast.List)) and all(_constant(e) for e in node.elts)
    )


def _tautology(test: ast.expr) -> str | None:
    """Why the asserted expression cannot be false (or is over-permissive), or None."""
    if _truthy_constant(test):
        return "asserts a constant that is always true"
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        if any(_truthy_constant(value) for value in test.values):
            return "`or` with an always-true operand"
        containers = set()
        for value in test.values:
            if not (
                isinstance(value, ast.Compare)
                and len(value.ops) == 1
                and isinstance(value.ops[0], ast.In)
            ):
                break
            containers.add(ast.dump(value.comparators[0]))
        else:
            if len(containers) == 1:
                return "either-of membership (`a in t or b in t`): name the expected text"
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = test.left, test.comparators[0]
        if _constant(left) and _constant(right):
            return "compares two constants"
        if ast.dump(left) == ast.dump(right):
            return "compares an expression with itself"
        if (
            isinstance(test.ops[0], ast.GtE)
            and isinstance(left, ast.Call)
            and _call_name(left) == "len"
            and isinstance(right, ast.Constant)
            and right.value == 0
        ):
            return "`len(...) >= 0` is always true"
    return None


@dataclass
class Module:
    path: Path
    name: str  # dotted, e.g. tests.exports.test_pdf
    tree: ast.Module
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> "module.function"


def _directly_asserts(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    params = {a.arg for a in function.args.args + function.args.kwonlyargs}
    if params & ASSERTING_FIXTURES:
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            if _is_pytest_call(node, PYTEST_ASSERTIONS):
                return True
            if _call_name(node).lstrip("_").startswith(ASSERTING_PREFIXES):
                return True
    return False


def _called_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def load(source: str, path: Path, name: str) -> Module:
    module = Module(path=path, name=name, tree=ast.parse(source, filename=str(path)))
    for node in module.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            module.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    module.functions[f"{node.name}.{item.name}"] = item
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
            for alias in node.names:
                module.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return module


def asserting_functions(modules: list[Module]) -> set[str]:
    """Qualified names of the functions that assert, directly or through helpers (fixpoint)."""
    asserting = {
        f"{m.name}.{name}"
        for m in modules
        for name, function in m.functions.items()
        if _directly_asserts(function)
    }
    changed = True
    while changed:
        changed = False
        for m in modules:
            for name, function in m.functions.items():
                qualified = f"{m.name}.{name}"
                if qualified in asserting:
                    continue
                for called in _called_names(function):
                    target = m.imports.get(called, f"{m.name}.{called}")
                    if target in asserting:
                        asserting.add(qualified)
                        changed = True
                        break
    return asserting


def problems(modules: list[Module]) -> list[str]:
    found = []
    asserting = asserting_functions(modules)
    for m in modules:
        where = m.path.relative_to(m.path.parents[len(m.name.split(".")) - 1])
        if m.path.name.startswith("test_"):
            for name, function in m.functions.items():
                if name.rsplit(".", 1)[-1].startswith("test") and (
                    f"{m.name}.{name}" not in asserting
                ):
                    found.append(f"{where}:{function.lineno} {name}: asserts nothing")
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Assert):
                reason = _tautology(node.test)
                if reason:
                    found.append(f"{where}:{node.lineno}: {reason}")
            elif isinstance(node, ast.Call):
                if (
                    _is_pytest_call(node, {"raises"})
                    and node.args
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id in BROAD_EXCEPTIONS
                    and not any(k.arg == "match" for k in node.keywords)
                ):
                    found.append(
                        f"{where}:{node.lineno}: pytest.raises({node.args[0].id}) "
                        "without match= passes on any bug"
                    )
                if _call_name(node) in PROFILE_CALLS and m.name != "tests.conftest":
                    found.append(
                        f"{where}:{node.lineno}: hypothesis profiles belong in tests/conftest.py"
                    )
    return found


def suite() -> list[Module]:
    root = TESTS.parent
    return [
        load(
            path.read_text(encoding="utf-8"),
            path,
            ".".join(path.relative_to(root).with_suffix("").parts),
        )
        for path in sorted(TESTS.rglob("*.py"))
    ]


def test_every_test_asserts_something_that_can_fail():
    assert problems(suite()) == []


def test_the_hypothesis_profile_is_the_one_conftest_chose(pytestconfig):
    wanted = pytestconfig.getoption("hypothesis_profile") or os.environ.get(
        "HYPOTHESIS_PROFILE", "dev"
    )
    assert hypothesis.settings.get_current_profile_name() == wanted
    assert hypothesis.settings().max_examples == HYPOTHESIS_PROFILES[wanted]["max_examples"]
    assert hypothesis.settings().deadline is None


# --- The checker itself ---------------------------------------------------------------------


def _check(source: str, name: str = "tests.area.test_example") -> list[str]:
    path = Path("/x", *name.split(".")).with_suffix(".py")
    return problems([load(source, path, name)])


def test_checker_reports_a_test_without_assertion():
    assert _check("def test_runs():\n    run(1)\n") == [
        "tests/area/test_example.py:1 test_runs: asserts nothing"
    ]


def test_checker_accepts_the_ways_a_test_can_assert():
    source = """
import pytest

def _helper(x):
    assert x

def _indirect(x):
    _helper(x)

def test_plain():
    assert f() == 1

def test_raises():
    with pytest.raises(ValueError, match="bad"):
        f()

def test_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        f()

def test_helper():
    _indirect(f())

def test_expect(page):
    expect(page).to_have_title("x")

class TestGroup:
    def test_method(self):
        self.assertEqual(f(), 1)
"""
    assert _check(source) == []


def test_checker_follows_helpers_imported_from_other_test_modules():
    helper = load("def _purge(x):\n    assert x\n", Path("/x/tests/a/test_h.py"), "tests.a.test_h")
    user = load(
        "from tests.a.test_h import _purge\n\ndef test_uses():\n    _purge(1)\n",
        Path("/x/tests/b/test_u.py"),
        "tests.b.test_u",
    )
    assert problems([helper, user]) == []
    assert problems([user]) == ["tests/b/test_u.py:3 test_uses: asserts nothing"]


def test_checker_reports_assertions_that_cannot_fail():
    source = """
import pytest

def test_bad(text, x):
    assert True
    assert (x, "message")
    assert x or True
    assert "earliest" in text or "date" in text
    assert x == x
    assert 1 == 1
    assert len(x) >= 0
    with pytest.raises(Exception):
        f()
"""
    assert [line.split(": ", 1)[1] for line in _check(source)] == [
        "asserts a constant that is always true",
        "asserts a constant that is always true",
        "`or` with an always-true operand",
        "either-of membership (`a in t or b in t`): name the expected text",
        "compares an expression with itself",
        "compares two constants",
        "`len(...) >= 0` is always true",
        "pytest.raises(Exception) without match= passes on any bug",
    ]


def test_checker_accepts_or_over_different_texts_and_narrow_raises():
    source = """
import pytest

def test_ok(a, b, x):
    assert "needle" in a or "needle" in b
    assert x is None or x > 3
    with pytest.raises(Exception, match="boom"):
        f()
"""
    assert _check(source) == []


def test_checker_keeps_hypothesis_profiles_in_conftest():
    source = "from hypothesis import settings\nsettings.load_profile('dev')\n"
    assert _check(source) == [
        "tests/area/test_example.py:2: hypothesis profiles belong in tests/conftest.py"
    ]
    assert _check(source, name="tests.conftest") == []
