"""The house rules of srcdiff's code: stages as packages, no hidden imports, rooms a person
reads, and lowered SSA that keeps its invariants.

The layers themselves (a stage imports only the stages below it, no circles) are the
import-linter contracts in pyproject.toml, checked by ``lint-imports`` in ``.ci/run``.
"""
import ast
import pathlib

import pytest

from conftest import SAMPLES
from srcdiff.ir import verify
from srcdiff.lower import lower
from srcdiff.pipeline import static_scope

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "srcdiff"
MODULES = sorted(PACKAGE.rglob("*.py"))
STAGES = ["frontend", "ir", "analysis", "lower", "rules", "transforms", "emit", "pipeline", "explain", "runtime"]
# Imports inside functions that load something heavy lazily, on purpose (never to dodge a circle).
LAZY = {("rules/derive.py", "sympy"), ("emit/compile.py", "scipy.special"),
        ("lazy.py", "dask"),  # Dask is optional: imported once a Dask array was passed
        ("runtime/namespaces.py", "array_api_compat"),  # imported once another library's array was passed
        ("pipeline/jit.py", "numba")}  # numba is optional: imported for jit="numba"
MAX_LINES = 300


def test_every_stage_is_a_package_whose_docstring_states_its_contract():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.exists(), f"srcdiff/{stage} is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and "Contract" in doc and "Imports" in doc, stage


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_hides_inside_a_function(path):
    tree = ast.parse(path.read_text())
    relative = str(path.relative_to(PACKAGE))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    module = inner.module if isinstance(inner, ast.ImportFrom) else inner.names[0].name
                    assert (relative, module) in LAZY, f"{relative}:{inner.lineno} imports {module} inside a function"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_a_size_a_person_reads(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by what its parts do"


def test_the_runtime_names_each_definition_once():
    """``export`` copies the runtime helpers a gradient calls into one module, under their own
    names: two modules defining one name (``_is_number`` in two, one true of arrays) would
    leave the copy with whichever came last (``pipeline.runtime_copy`` refuses that too)."""
    defined = {}
    for path in sorted((PACKAGE / "runtime").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node]
            for target in targets:
                name = getattr(target, "name", getattr(target, "id", None))
                if name is None or name.startswith("__") or path.name == "__init__.py":
                    continue
                assert name not in defined, f"{name} is defined in runtime/{defined[name]} and runtime/{path.name}"
                defined[name] = path.name


def _sample_functions():
    for path in sorted(SAMPLES.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                yield path.stem, node.name


@pytest.mark.parametrize("sample,func", list(_sample_functions()))
def test_lowered_samples_keep_the_ssa_invariants(sample, func):
    scope = static_scope(str(SAMPLES / f"{sample}.py"))
    verify(lower(scope.source(func)))
