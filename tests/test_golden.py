"""Golden files of the generated code of every sample (``pytest --update-golden`` rewrites them)."""
import ast

import pytest

from conftest import SAMPLES, check_golden
from srcdiff.pipeline import gradient_source, static_scope
from srcdiff.lower import lower


def sample_functions():
    for path in sorted(SAMPLES.glob("*.py")):
        tree = ast.parse(path.read_text())
        defs = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        # the sample's main function is its last definition; earlier ones are helpers
        if defs:  # a sample of a class (class_model) has its golden files in test_classes.py
            yield path.stem, defs[-1]


@pytest.mark.parametrize("sample,func", list(sample_functions()))
def test_generated_code_is_golden(sample, func, update_golden):
    scope = static_scope(str(SAMPLES / f"{sample}.py"))
    source = scope.source(func)
    _, text = gradient_source(lower(source), source)
    check_golden(f"{sample}.{func}", text, update_golden)
