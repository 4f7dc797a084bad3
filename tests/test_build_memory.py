"""A build lets go of what it made as soon as nothing reads it (issue 13, "building fast and linear").

The cyclic collector is paused during a build (``pipeline.build.collector_paused``): whatever a
reference cycle holds stays alive until the build ends, through the ``compile()`` of the text,
where a 30,000-operation gradient's printer held 19 MB.  So the gradient of straight-line code
makes no reference cycle: its printer, names and records are freed by their counts of
references when emit returns.  A printed forward line given again to the text that runs
(``Printer.remembered``) is the line printed the first time.  ``build_gradient`` reads what it
needs off the lowered function and its ``Source`` before it compiles the text, and lets go of them:
they are freed before ``compile()``, the build's largest step.  The classes a build makes one of
per operation (``Var``, ``Assign``, ``Accumulate``) keep their fields in slots, without an instance dict.
"""
import ast
import dataclasses
import gc
import weakref

import pytest

import srcdiff
import srcdiff.pipeline.build as pipeline_build
from srcdiff.emit.printer import MARK, Printer
from srcdiff.ir import Assign, Loc, Var
from srcdiff.transforms.records import Accumulate
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


@pytest.mark.parametrize("name", ["chain", "arrays"])
@pytest.mark.parametrize("kind", ["grad", "value_and_grad"])
def test_the_lowered_function_and_its_source_are_freed_before_the_text_is_compiled(module, monkeypatch, name, kind):
    made, alive_at_compile = [], []
    real_load, real_lower, real_compile = pipeline_build.load_function, pipeline_build.lower, pipeline_build.compile_source

    def load(*args, **kwargs):
        source = real_load(*args, **kwargs)
        made.append(weakref.ref(source))
        return source

    def lowered(source):
        function = real_lower(source)
        made.append(weakref.ref(function))
        return function

    def compiled(*args, **kwargs):
        alive_at_compile.extend(ref() for ref in made if ref() is not None)
        return real_compile(*args, **kwargs)

    monkeypatch.setattr(pipeline_build, "load_function", load)
    monkeypatch.setattr(pipeline_build, "lower", lowered)
    monkeypatch.setattr(pipeline_build, "compile_source", compiled)
    # a fresh function object: not a gradient the API built before
    fn = module[name]
    fn = type(fn)(fn.__code__, fn.__globals__, fn.__name__)
    derived = getattr(srcdiff, kind)(fn, wrt=1)
    assert len(made) == 2 and alive_at_compile == []
    assert derived.__srcdiff_wrt__ == ((1,), True)
    assert derived.__srcdiff_base__ == name and derived.__srcdiff_order__ == 1
    assert derived.__srcdiff_numbers_alone__ == (name == "chain")


def test_the_records_made_per_operation_have_no_instance_dict_and_stay_frozen():
    x, y = Var("x", True), Var("s")
    loc = Loc("f.py", 3, 4, "    s = x * x")
    made = [x, y, Assign(y, "*", (x, x), (), loc), Assign(y, "math.sin", (x,)),
            Accumulate(x, ast.Name("_g0_", ast.Load()), True, loc), Accumulate(x, ast.Constant(1.0), False)]
    for record in made:
        assert not hasattr(record, "__dict__") and weakref.ref(record)() is record
        field = dataclasses.fields(record)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, None)
    assert (x.hint, x.user_named, y.user_named) == ("x", True, False)
    assert made[2] == Assign(y, "*", (x, x), (), loc) and hash(made[2]) == hash(Assign(y, "*", (x, x), (), loc))
    assert (made[3].kwargs, made[3].loc) == ((), None)
    assert dataclasses.replace(made[2], op="+") == Assign(y, "+", (x, x), (), loc)
    assert (made[4].var, made[4].first, made[4].loc, made[5].loc) == (x, True, loc, None)
    assert dataclasses.replace(made[4], first=False).first is False


class _NamesOf(dict):
    """Every Var's name: its hint."""

    def __missing__(self, var):
        return var.hint
