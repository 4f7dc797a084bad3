"""Lowering's per-node shortcuts (issue 13) answer what the long way answers.

- ``expr`` dispatches on the node's class (``_EXPRESSIONS``); a subclass of a listed class
  is lowered as that class, anything else refused as before;
- ``emit`` checks its operands only when one is not a Var, Const or Global
  (``check_operands``): a function value is refused before a tuple, keywords included;
- ``operation`` folds the negation of an int or float literal, and nothing else;
- ``_spreads`` finds a ``*xs`` or ``**kw`` argument as ``any``/``all`` would.
No timings here: speed is measured by benchmarks/bench_codegen.py.
"""
import ast
import importlib.util
import math
import re

import pytest

from srcdiff.errors import UnsupportedSyntaxError
from srcdiff.frontend import PrimitiveRef, load_function
from srcdiff.ir import Const, Global, Var
from srcdiff.lower import lower
from srcdiff.lower.callables import Callee, _spreads
from srcdiff.lower.function import _EXPRESSIONS, _Lowerer, _Shared


def _scaled(x, k):
    return math.sin(x) * k + 1.0


def _negated(x):
    a = -3.0
    b = -2
    c = -True
    d = -x
    return a * x + b * d + c


def _lowerer():
    return _Lowerer(load_function(_scaled), _Shared())


class _MyName(ast.Name):
    """A subclass of a class ``_EXPRESSIONS`` lists (no parser makes one; a rewriter might)."""


def test_every_listed_class_is_lowered_and_a_subclass_as_its_class():
    lw = _lowerer()
    x = lw.env["x"] = Var("x")
    assert lw.expr(ast.Name(id="x", ctx=ast.Load())) is x
    assert lw.expr(_MyName(id="x", ctx=ast.Load())) is x
    assert lw.expr(ast.Constant(2.5)) == Const(2.5)
    assert all(isinstance(kind, type) and issubclass(kind, ast.expr) for kind in _EXPRESSIONS)


@pytest.mark.parametrize("text, message", [
    ("{1: 2}", "a dict display whose keys are not all constant strings is not supported"),
    ("{x}", "the expression '{x}' is not supported yet"),
    ("b'text'", "the constant b'text' is not a number"),  # a str is a setting or a message (lower.texts)
])
def test_unlisted_expressions_are_refused_as_before(text, message):
    lw = _lowerer()
    lw.env["x"] = Var("x")
    node = ast.parse(text, mode="eval").body
    ast.copy_location(node, lw.source.node)
    with pytest.raises(UnsupportedSyntaxError, match=re.escape(message)):
        lw.expr(node)


def test_plain_operands_are_emitted_unchecked():
    lw = _lowerer()
    node = lw.source.node
    for args in [(Var("a"), Const(1.0)), (Global("C"),), ()]:
        target = lw.emit("+", args, node)
        assert lw.shared.body[-1].target is target and lw.shared.body[-1].args == args


@pytest.mark.parametrize("args, kwargs, message", [
    ((Var("a"), Callee(PrimitiveRef("math.sin"))), (), "a function cannot be used as a value"),
    ((Var("a"), (Var("b"), Var("c"))), (), "a tuple or list is not supported here"),
    ((Var("a"), (Var("b"),), Callee(PrimitiveRef("math.sin"))), (), "a function cannot be used as a value"),
    ((Var("a"),), (("k", Callee(PrimitiveRef("math.sin"))),), "a function cannot be used as a value"),
    (((Var("b"),),), (("k", Callee(PrimitiveRef("math.sin"))),), "a function cannot be used as a value"),
])
def test_other_operands_are_refused_a_function_before_a_tuple(args, kwargs, message):
    lw = _lowerer()
    with pytest.raises(UnsupportedSyntaxError, match=message):
        lw.emit("+", args, lw.source.node, kwargs=kwargs)
    assert not lw.shared.body


def test_only_negated_number_literals_are_folded():
    body = lower(load_function(_negated)).body
    assert [stmt.op for stmt in body].count("neg") == 2  # -True and -x
    assert any(Const(-3.0) in s.args for s in body)
    assert any(Const(-2) in s.args for s in body)


@pytest.mark.parametrize("call", ["f()", "f(a)", "f(*a)", "f(a, *b)", "f(k=1)", "f(**k)", "f(a, k=1, **m)",
                                  "f(*a, **k)", "f(a, b, k=1)"])
def test_spreads_is_any_star_or_double_star(call):
    node = ast.parse(call, mode="eval").body
    expected = any(isinstance(a, ast.Starred) for a in node.args) or not all(k.arg for k in node.keywords)
    assert _spreads(node) == expected


def _postorder_ops(node):
    """The ops recursion would emit for an expression of operators on names, left operand first."""
    if isinstance(node, ast.BinOp):
        return _postorder_ops(node.left) + _postorder_ops(node.right) + [type(node.op).__name__]
    if isinstance(node, ast.UnaryOp):
        return _postorder_ops(node.operand) + [type(node.op).__name__]
    return []


_OP_NAMES = {"+": "Add", "-": "Sub", "*": "Mult", "/": "Div", "**": "Pow", "neg": "USub", "pos": "UAdd"}


@pytest.mark.parametrize("text", ["-(a * b) + c ** -d ** e - a / (b + +c)", "a - (b - (c - (d - e)))",
                                  "((a * b) * (c * d)) * ((e + a) + (b + c))", "- - - a * b",
                                  " + ".join("abcde" * 40), " ** ".join("abcde" * 20)])
def test_operators_are_lowered_in_the_order_of_recursion(tmp_path, text):
    path = tmp_path / "deep_ops.py"
    path.write_text(f"def f(a, b, c, d, e):\n    return {text}\n")
    spec = importlib.util.spec_from_file_location(f"deep_ops_{abs(hash(text))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ops = [_OP_NAMES[stmt.op] for stmt in lower(load_function(module.f)).body]
    assert ops == _postorder_ops(ast.parse(text, mode="eval").body)


def test_a_sum_of_a_thousand_terms_lowers(tmp_path):
    path = tmp_path / "long_sum.py"
    path.write_text("def f(a, b, c, d, e):\n    return " + " + ".join("abcde" * 200) + "\n")
    spec = importlib.util.spec_from_file_location("long_sum", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [stmt.op for stmt in lower(load_function(module.f)).body] == ["+"] * 999
