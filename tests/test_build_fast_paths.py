"""The shortcuts of issue 13 ("building fast and linear") give what the long way gives.

- the forward printer's cached patterns (``emit.patterns.assignment_source``) print what
  ``statement_source(assign_node(...))`` prints, for every kind of operand and operation;
- an adjoint's line printed from its tokens (``emit.text.quick_assignment``) is the line of
  the tree copied with its final names;
- ``simplify_expr`` never makes an expression larger (the sweep relies on it to fuse an
  adjoint in place), and ``substitute_once`` equals filling a copy in;
- a template's copier made once (``ir.filler``) fills in what ``copy_expr`` fills in;
- the frontend's ``walk`` visits ``ast.walk``'s nodes in ``ast.walk``'s order, context and operator leaves aside,
  and ``ir.walk``, ``assigns`` and ``has_flow`` answer as before on straight code;
- liveness and the integer analysis reach the same answers on long straight code and on
  code with flow.
No timings here: speed is measured by benchmarks/bench_codegen.py and bench_scalar.py.
"""
import ast
import math

from hypothesis import given, settings
from hypothesis import strategies as st

import srcdiff
from srcdiff.emit.backward import squares_multiplied
from srcdiff.emit.patterns import assignment_source
from srcdiff.emit.text import ASTOR_MAX_LINE, quick_assignment, statement_source
from srcdiff.frontend.source import walk
from srcdiff.ir import (BINARY_OPS, COMPARE_OPS, Assign, Const, Global, If, Var, assign_node, assigns, blocks_of,
                        copy_expr, expr_size, filler, has_flow, simplify_expr, substitute_once)
from srcdiff.ir import walk as flow_walk
from srcdiff.transforms.straight import _reads_and_size
from test_fast_paths import EXPRS, QUICK_EXPRS

# ---------------------------------------------------------------- forward statements from patterns

VARS = [Var("x", user_named=True), Var("s"), Var("grad_like_name", user_named=True)]
NAMES = {VARS[0]: "x", VARS[1]: "s3", VARS[2]: "a_rather_long_variable_name_for_wrapping"}
OPERANDS = st.one_of(
    st.sampled_from(VARS),
    st.sampled_from([Global("math.pi"), Global("K")]),
    st.sampled_from([0, 1, 2, 0.0, 0.5, 2.0, 1e300, -1, -2.5, True, None, "name", math.inf, -0.0]).map(Const),
)
OPS = st.sampled_from(sorted(BINARY_OPS) + sorted(COMPARE_OPS) + [
    "neg", "pos", "not", "copy", "math.sin", "math.hypot", "abs", "max", "np.sum", "np.tanh", "rt.sign",
    ".T", ".sum()", "[]", "tuple", "field.", "np.concatenate"])
ARITY = {"neg": 1, "pos": 1, "not": 1, "copy": 1, "math.sin": 1, "np.tanh": 1, "rt.sign": 1, ".T": 1, "abs": 1}


@st.composite
def forward_statements(draw):
    op = draw(OPS)
    count = ARITY.get(op, 2 if op in BINARY_OPS or op in COMPARE_OPS else draw(st.integers(1, 3)))
    args = tuple(draw(OPERANDS) for _ in range(count))
    kwargs = tuple((name, draw(OPERANDS)) for name in draw(st.sampled_from([(), ("axis",), ("axis", "keepdims")])))
    if op in BINARY_OPS or op in COMPARE_OPS or op in ARITY or op in ("[]", "tuple", "field."):
        kwargs = ()
    return Assign(draw(st.sampled_from(VARS)), op, args, kwargs)


def _long_way(stmt):
    try:
        return statement_source(assign_node(stmt, NAMES))
    except Exception as err:  # what the long way refuses, the pattern must refuse alike
        return type(err)


def _pattern_way(stmt):
    try:
        return assignment_source(stmt, NAMES)
    except Exception as err:
        return type(err)


@settings(max_examples=400, deadline=None)
@given(forward_statements())
def test_forward_statements_print_from_patterns_as_the_long_way(stmt):
    assert _pattern_way(stmt) == _long_way(stmt)
    assert _pattern_way(stmt) == _long_way(stmt)  # the second time from the cached pattern


# ---------------------------------------------------------------- adjoint lines from tokens

RENAMED = {"x": "grad_a_long_adjoint_name", "y": "v", "s0": "s0_1", "grad_s1": "g"}


def _with_final_names(expr):
    return copy_expr(expr, {token: ast.Name(id=name, ctx=ast.Load()) for token, name in RENAMED.items()})


@settings(max_examples=300, deadline=None)
@given(EXPRS, st.sampled_from([None, ast.Add, ast.Sub]))
def test_adjoint_lines_print_from_tokens_as_from_copies(expr, op):
    target = ast.Name(id="grad_x", ctx=ast.Store())
    value = _with_final_names(expr)
    stmt = ast.Assign(targets=[target], value=value, lineno=0) if op is None else \
        ast.AugAssign(target=target, op=op(), value=value)
    quick = quick_assignment("grad_x", None if op is None else op(), expr, RENAMED)
    if quick is not None:
        assert quick == statement_source(stmt)
        assert len(quick) <= ASTOR_MAX_LINE


@settings(max_examples=200, deadline=None)
@given(QUICK_EXPRS)
def test_quick_adjoint_lines_decline_only_long_lines(expr):
    """What the backward printer prints the slow way: final names, ``v ** 2`` as ``v * v``."""
    quick = quick_assignment("grad_x", None, expr, RENAMED)
    value = squares_multiplied(_with_final_names(expr))
    text = statement_source(ast.Assign(targets=[ast.Name(id="grad_x", ctx=ast.Store())], value=value, lineno=0))
    assert quick == text if "\n" not in text and len(text) <= ASTOR_MAX_LINE else quick is None


# ---------------------------------------------------------------- simplifying and filling in

@settings(max_examples=300, deadline=None)
@given(EXPRS)
def test_simplify_expr_never_makes_an_expression_larger(expr):
    assert expr_size(simplify_expr(expr)) <= expr_size(expr)


@settings(max_examples=300, deadline=None)
@given(EXPRS, EXPRS)
def test_substitute_once_equals_filling_in_a_copy(expr, value):
    reads = _reads_and_size(expr, "x")[0]
    if reads != 1:
        expr = ast.BinOp(left=expr, op=ast.Mult(), right=ast.Name(id="x", ctx=ast.Load())) if reads == 0 \
            else ast.Name(id="x", ctx=ast.Load())
    expected = ast.dump(copy_expr(expr, {"x": value}))
    assert ast.dump(substitute_once(copy_expr(expr), "x", copy_expr(value))) == expected


@settings(max_examples=300, deadline=None)
@given(EXPRS, st.dictionaries(st.sampled_from(["x", "y", "g", "math"]), EXPRS, max_size=3))
def test_a_templates_filler_equals_filling_in_a_copy(expr, bindings):
    """``filler(expr)(bindings)`` is ``copy_expr(expr, bindings)``, sharing no node with either."""
    filled = filler(expr)(bindings)
    assert ast.dump(filled) == ast.dump(copy_expr(expr, bindings))
    given_nodes = {id(n) for tree in (expr, *bindings.values()) for n in ast.walk(tree) if isinstance(n, ast.expr)}
    assert not any(id(n) in given_nodes for n in ast.walk(filled) if isinstance(n, ast.expr))


# ---------------------------------------------------------------- walking a function once

def test_straight_and_structured_bodies_walk_as_before():
    """``ir.walk``, ``assigns`` and ``has_flow`` take a shortcut for straight code: the same answers."""
    x, y = Var("x", user_named=True), Var("y", user_named=True)
    first, second = Assign(y, "+", (x, Const(1.0))), Assign(x, "*", (y, y))
    branch = If(x, (second,), (), ())
    for body, flow in (((first, second), False), ((first, branch, first), True), ((), False)):
        expected = []
        for stmt in body:
            expected.append(stmt)
            expected += [s for block in blocks_of(stmt) for s in block] if type(stmt) is not Assign else []
        assert list(flow_walk(body)) == expected
        assert assigns(body) == [s for s in expected if isinstance(s, Assign)]
        assert has_flow(body) is flow


def test_the_frontend_walk_is_ast_walk_without_context_and_operator_leaves():
    tree = ast.parse(open(srcdiff.__file__.replace("__init__.py", "lower/calls.py")).read())
    leaves = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)
    assert any(isinstance(n, leaf) for n in ast.walk(tree) for leaf in leaves[1:])  # some to leave out
    expected = [n for n in ast.walk(tree) if not isinstance(n, leaves)]
    found = walk(tree)
    assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected))


# ---------------------------------------------------------------- analyses on long code

def _module(tmp_path, name, lines):
    path = tmp_path / f"{name}.py"
    path.write_text("\n".join(["import math", "", "", "def f(x, a):", *lines, ""]))
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace["f"]


def test_a_long_chain_of_additions_keeps_every_value_it_needs(tmp_path):
    """Liveness propagates from the last statement back: each value the result needs stays."""
    steps = 400
    f = _module(tmp_path, "additions", ["    s = x"] + ["    s = s + a * x"] * steps + ["    return s"])
    got = srcdiff.grad(f)(0.5, 2.0)
    assert got == (1.0 + steps * 2.0, steps * 0.5)


def test_a_chain_after_a_branch_gets_its_gradient(tmp_path):
    steps = 25
    f = _module(tmp_path, "branch_chain", ["    if x > 0:", "        s = x * 2.0", "    else:", "        s = x"]
                + ["    s = math.sin(s) * a + 0.5"] * steps + ["    return s"])
    x, a, h = 0.3, 1.2, 1e-6
    got = srcdiff.grad(f)(x, a)
    assert math.isclose(got[0], (f(x + h, a) - f(x - h, a)) / (2 * h), rel_tol=1e-5, abs_tol=1e-8)
    assert math.isclose(got[1], (f(x, a + h) - f(x, a - h)) / (2 * h), rel_tol=1e-5, abs_tol=1e-8)
    assert abs(got[1]) > 1e-3  # a gradient that says something


def test_integer_values_of_straight_code_are_found_in_one_pass(tmp_path):
    """``n`` is an int through a chain of integer operations: its contribution is a float."""
    f = _module(tmp_path, "integers", ["    n = int(a)", "    m = n * 2 + 1", "    k = m * m - n", "    return k * x"])
    got = srcdiff.grad(f, wrt=0)(1.5, 3.0)
    assert got == 46.0 and type(got) is float
