"""A build lets go of what it made as soon as nothing reads it (issue 13, "building fast and linear").

The cyclic collector is paused during a build (``pipeline.build.collector_paused``): whatever a
reference cycle holds stays alive until the build ends, through the ``compile()`` of the text,
where a 30,000-operation gradient's printer held 19 MB.  So the gradient of straight-line code
makes no reference cycle: its printer, names and records are freed by their counts of
references when emit returns.  A printed forward line given again to the text that runs
(``Printer.remembered``) is the line printed the first time.
"""
import gc

import pytest

from srcdiff.emit.printer import MARK, Printer
from srcdiff.frontend import load_function
from srcdiff.lower import lower
from srcdiff.pipeline.gradient import gradient_source

SOURCE = '''
import math
import numpy as np


def chain(x, a, b):
    s = x
    s = math.sin(s) * a + b
    s = math.sin(s) * a + b
    return s


def arrays(w, x):
    return np.sum(np.tanh(w @ x))
'''


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("memory") / "memory_functions.py"
    path.write_text(SOURCE)
    namespace = {"__name__": "memory_functions", "__file__": str(path)}
    exec(compile(SOURCE, str(path), "exec"), namespace)
    return namespace


def cyclic_garbage_of(build):
    """How many objects ``build()`` left in reference cycles (the collector paused meanwhile)."""
    was_enabled = gc.isenabled()
    while gc.collect():  # what earlier tests left, and what their finalizers leave in turn
        pass
    gc.disable()
    try:
        build()
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("name", ["chain", "arrays"])
@pytest.mark.parametrize("runs", [False, True])
def test_a_straight_line_gradient_leaves_no_reference_cycle(module, name, runs):
    source = load_function(module[name])
    function = lower(source)
    texts = []
    assert cyclic_garbage_of(lambda: texts.append(gradient_source(function, source, runs=runs))) == 0
    text = texts[0][1]
    assert "def grad_" in text
    if runs and name == "chain":
        assert text.runs != text  # a second text was printed, its forward lines remembered


def test_remembered_lines_are_printed_once_and_given_again(module):
    source = load_function(module["chain"])
    function = lower(source)
    printer = Printer({v: v.hint for v in function.params}, {}, set(), {"math": "math", "np": "np", "rt": "rt"})
    printer.names = _NamesOf()
    stmt = next(s for s in function.body if getattr(s, "op", None) == "math.sin")
    printed = printer.assign_line(stmt, 1)
    printer.remembered = {}
    first = printer.assign_line(stmt, 1)
    assert first.partition(MARK)[0] == printed.partition(MARK)[0] == "    s = math.sin(x)"
    marks = len(printer.origins)
    assert printer.assign_line(stmt, 2) is first  # given again as it was printed, not marked again
    assert len(printer.origins) == marks
    assert printer.remembered == {id(stmt): first}


class _NamesOf(dict):
    """Every Var's name: its hint."""

    def __missing__(self, var):
        return var.hint
