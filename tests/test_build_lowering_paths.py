"""The lowering's shortcuts of issue 13 ("building fast and linear") give what the long way gives.

- a call of a ``math`` function by position (``lower.calls.CallLowering.math_call``) and a short
  binary operation lowered by recursion (``lower.operators``, up to ``DEEPEST`` under way) make the
  same statements (ops, operands, names, locations) as the general path, record the same reads,
  and refuse the same code with the same message at the same place.
No timings here: speed is measured by benchmarks/bench_codegen.py.
"""
import importlib.util
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srcdiff.errors import SrcdiffError
from srcdiff.frontend import load_function
from srcdiff.ir import Const, Global, Var
from srcdiff.lower import calls, function, operators

LEAVES = st.sampled_from(["x", "y", "2", "1.5", "math.pi", "K", "T", "(x, y)", "undefined_name"])
CALLS = st.sampled_from(["math.sin", "math.exp", "math.hypot", "math.fsum", "math.prod", "np.sin", "abs",
                         "math.no_such_function", "m.sin", "helper", "K.real", "x.real"])
BINARY = st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "@", "<<", "&"])


def _expressions():
    def extend(inner):
        return st.one_of(
            st.tuples(inner, BINARY, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, BINARY, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(CALLS, st.lists(inner, min_size=0, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(CALLS, inner).map(lambda t: f"{t[0]}(*{t[1]})"),
            st.tuples(CALLS, inner).map(lambda t: f"{t[0]}({t[1]}, key={t[1]})"),
            inner.map(lambda e: f"-{e}"),
        )
    return st.recursive(LEAVES, extend, max_leaves=12)


MODULE = '''import math
import math as m
import numpy as np

K = 3.0
T = (1.0, 2.0)


def helper(a):
    return a * 2.0


def f(x, y):
    s = {expr}
    s = math.cos(s) * {expr} + s
    return s
'''

_COUNTER = itertools.count()


def _load(tmp_path, expr):
    path = tmp_path / f"lowering_paths_{next(_COUNTER)}.py"
    path.write_text(MODULE.format(expr=expr))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def _described(fn):
    """The lowered function as plain data (each Var by where it is defined), its reads, or the refusal."""
    try:
        source = load_function(fn)
        lowered = function.lower(source)
    except SrcdiffError as error:
        return ("refused", type(error).__name__, str(error).replace(fn.__code__.co_filename, "FILE"))
    where = {p: ("param", p.hint) for p in lowered.params}

    def operand(v):
        if isinstance(v, Var):
            return where.get(v, ("unknown", v.hint))
        if isinstance(v, (Const, Global)):
            return (type(v).__name__, repr(v))
        return ("other", repr(v))

    body = []
    for i, stmt in enumerate(lowered.body):
        body.append((stmt.target.hint, stmt.target.user_named, stmt.op, tuple(map(operand, stmt.args)),
                     tuple((k, operand(v)) for k, v in stmt.kwargs), (stmt.loc.lineno, stmt.loc.col)))
        where[stmt.target] = ("stmt", i)
    reads = [(type(owner).__name__, read.__name__, key) for owner, read, key, _ in source.scope.reads._entries]
    return ("lowered", tuple(body), operand(lowered.result), sorted(map(repr, lowered.globals)), reads)


def _long_way(monkeypatch):
    """The shortcuts turned off: every call asks every kind of call, every operator goes on the stack."""
    monkeypatch.setattr(calls.CallLowering, "math_call", lambda self, node: None)
    monkeypatch.setattr(operators, "DEEPEST", 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=_expressions())
def test_shortcuts_lower_what_the_long_way_lowers(tmp_path, expr):
    fn = _load(tmp_path, expr)
    short = _described(fn)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _long_way(monkeypatch)
        long = _described(_load(tmp_path, expr))
    assert short == long


@pytest.mark.parametrize("expr", [
    "math.sin(x) * y + 2", "math.hypot(x, y) - math.exp(-x)", "(x + y) * (x - y) / (x * y + 1.5)",
    " + ".join(["math.sin(x)"] * 40), " * ".join(["(x + y)"] * 30), "math.fsum((x, y))", "math.sin(*T)",
    "x ** y ** 2", "(x << 2) + math.sin(x)", "math.sin(x) + (x << 2)", "math.no_such_function(x) + y",
])
def test_shortcuts_on_chosen_expressions(tmp_path, monkeypatch, expr):
    short = _described(_load(tmp_path, expr))
    _long_way(monkeypatch)
    assert short == _described(_load(tmp_path, expr))


def test_the_shortcuts_are_taken(tmp_path, monkeypatch):
    """The common shapes go the short way (else this file would compare the long way with itself)."""
    taken = []
    original = calls.CallLowering.math_call
    monkeypatch.setattr(calls.CallLowering, "math_call", lambda self, node: taken.append(original(self, node)) or taken[-1])
    _described(_load(tmp_path, "math.sin(x) * y + 2"))
    assert "math.sin" in taken and "math.cos" in taken
