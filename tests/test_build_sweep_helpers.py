"""The sweep's shortcuts (issue 13) answer what the long way answers.

- ``may_be_integer`` answers as the rules of its docstring on random expressions;
- ``_reads_and_size`` counts what ``ast.walk`` and ``expr_size`` count;
- ``simplify_substituted`` gives what ``simplify_expr`` gives of the tree substituted, for
  simplified trees (a rule firing above the read, or none);
- ``number`` reads the literals ``literal`` makes, and nothing else.
No timings here: speed is measured by benchmarks/bench_codegen.py.
"""
import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcdiff.ir import Var, copy_expr, expr_size, literal, number, simplify_expr, simplify_substituted, substitute_once
from srcdiff.transforms.contributions import may_be_integer
from srcdiff.transforms.records import Tokens
from srcdiff.transforms.straight import _reads_and_size
from test_fast_paths import EXPRS


def _integer_by_rules(expr, integer_tokens):
    """``may_be_integer``'s docstring, spelled out with ``isinstance``."""
    if isinstance(expr, ast.Compare) or isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return True
    if isinstance(expr, ast.Constant):
        return type(expr.value) in (int, bool)
    if isinstance(expr, ast.Name):
        return expr.id in integer_tokens
    if isinstance(expr, ast.UnaryOp):
        return _integer_by_rules(expr.operand, integer_tokens)
    if isinstance(expr, ast.BinOp) and not isinstance(expr.op, ast.Div):
        return _integer_by_rules(expr.left, integer_tokens) and _integer_by_rules(expr.right, integer_tokens)
    return False


INTEGER_EXPRS = st.recursive(
    st.one_of(st.sampled_from(["x", "y", "g", "math"]).map(lambda n: ast.Name(id=n, ctx=ast.Load())),
              st.sampled_from([0, 1, 2.0, True, -3]).map(literal)),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow]), inner).map(
            lambda t: ast.BinOp(left=t[0], op=t[1](), right=t[2])),
        st.tuples(st.sampled_from([ast.USub, ast.UAdd, ast.Not]), inner).map(lambda t: ast.UnaryOp(op=t[0](), operand=t[1])),
        st.tuples(inner, inner).map(lambda t: ast.Compare(left=t[0], ops=[ast.Lt()], comparators=[t[1]])),
        inner.map(lambda e: ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[e], keywords=[]))),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(INTEGER_EXPRS, st.sets(st.sampled_from(["x", "y"])))
def test_may_be_integer_follows_its_rules(expr, integer_names):
    tokens = Tokens()
    variables = {name: Var(name) for name in ("x", "y")}
    token_of = {name: tokens.value(var) for name, var in variables.items()}
    token_of["g"] = tokens.adjoint(Var("s"))

    class _Renamer(ast.NodeTransformer):
        def visit_Name(self, node):
            return ast.Name(id=token_of.get(node.id, node.id), ctx=node.ctx)

    renamed = _Renamer().visit(expr)
    integer = {variables[name] for name in integer_names}
    expected = _integer_by_rules(renamed, {token_of[name] for name in integer_names})
    assert may_be_integer(renamed, tokens, integer) == expected


@settings(max_examples=300, deadline=None)
@given(EXPRS)
def test_reads_and_size_count_reads_and_nodes(expr):
    reads = sum(type(n) is ast.Name and n.id == "x" for n in ast.walk(expr))
    assert _reads_and_size(expr, "x") == (reads, expr_size(expr))


@pytest.mark.parametrize("value", [0, 1, -1, 2.5, -2.5, 0.0, -0.0, 10 ** 20, 1e300])
def test_number_reads_literals(value):
    assert number(literal(value)) == value
    assert number(ast.UnaryOp(op=ast.USub(), operand=literal(value))) == -value


@pytest.mark.parametrize("node", [ast.Constant(True), ast.Constant("1"), ast.Constant(None), ast.Name(id="x", ctx=ast.Load()),
                                  ast.UnaryOp(op=ast.UAdd(), operand=ast.Constant(1)),
                                  ast.UnaryOp(op=ast.USub(), operand=ast.Name(id="x", ctx=ast.Load()))])
def test_number_is_none_for_other_nodes(node):
    assert number(node) is None


@settings(max_examples=500, deadline=None)
@given(EXPRS, EXPRS, st.sampled_from([None, ast.Mult, ast.Div, ast.Add, ast.Sub]), st.sampled_from(["left", "right"]))
def test_simplify_substituted_equals_simplifying_the_whole_tree(expr, value, op, side):
    """Simplified trees, ``x`` read once (inside ``expr``, or beside it under ``op``), a simplified value put in."""
    if _reads_and_size(expr, "x")[0] != 1:
        expr = ast.Name(id="x", ctx=ast.Load())
    if op is not None:
        pair = (expr, ast.Name(id="y", ctx=ast.Load()))
        expr = ast.BinOp(left=pair[side == "right"], op=op(), right=pair[side == "left"])
    expr = simplify_expr(expr)
    value = simplify_expr(value)
    if _reads_and_size(expr, "x")[0] != 1 or _reads_and_size(value, "x")[0]:
        return  # simplified away (x * 0), or read again by the value
    expected = ast.dump(simplify_expr(substitute_once(copy_expr(expr), "x", copy_expr(value)), copy=False))
    assert ast.dump(simplify_substituted(copy_expr(expr), "x", copy_expr(value))) == expected


@pytest.mark.parametrize("expr,value", [("g * x", "a * b"), ("x * 2.0", "3.0 * g"), ("-x", "-g"), ("x * (1 / y)", "a / b"),
                                        ("math.cos(s) * x", "g * a"), ("rt.unbroadcast(x, s)", "-g"), ("x + 0.5", "a - b")])
def test_simplify_substituted_on_cases_that_rewrite_and_that_do_not(expr, value):
    expr, value = simplify_expr(ast.parse(expr, mode="eval").body), simplify_expr(ast.parse(value, mode="eval").body)
    expected = ast.dump(simplify_expr(substitute_once(copy_expr(expr), "x", copy_expr(value)), copy=False))
    assert ast.dump(simplify_substituted(expr, "x", value)) == expected
