"""The printing shortcuts of issue 13 ("building fast and linear") give what the long way gives.

- a fused forward statement of the text that runs, printed from a cached operation pattern
  with its operands' precedences (``emit.patterns.operation_text``, ``emit.fusion.Fused``), is the
  line the tree of the same expression prints (``quick_assignment`` where short, astor else);
- the walk of an adjoint's identifiers (``emit.tape.ExpressionNames``) notes whether it holds an
  int literal as ``ast.walk`` finds one (``emit.runs.has_int_literal`` decides by it whether the
  trees are rewritten with floats);
- ``rules.gives_a_float``, walking back from the result, answers what a walk of every
  statement in order answers;
- the identifiers of each record's expression, walked once for every question
  (``emit.tape.ExpressionNames``), are what a walk of it gives; the reads worked out from
  them are those worked out without;
- ``emit.text._quick``'s table of operators holds astor's precedences and symbols.
No timings here: speed is measured by benchmarks/bench_codegen.py.
"""
import ast
import math
import types

from astor.op_util import get_op_precedence, get_op_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

import srcdiff
from srcdiff.emit.fusion import Fused
from srcdiff.emit.runs import adjoint_reads, has_int_literal
from srcdiff.emit.tape import ExpressionNames, reads_of
from srcdiff.emit.text import _OPERATORS, ASTOR_MAX_LINE, quick_assignment, statement_source
from srcdiff.frontend import load_function
from srcdiff.ir import BINARY_OPS, COMPARE_OPS, UNARY_OPS, Assign, Const, Global, Var, names_of
from srcdiff.lower import lower
from srcdiff.rules.scalar import FLOAT_ARITHMETIC, FLOAT_RESULTS, _float_arithmetic, gives_a_float
from srcdiff.transforms import reverse

# ---------------------------------------------------------------- fused statements from patterns

NAMES = {}
LEAVES = st.one_of(
    st.builds(lambda i: Var(f"v{i}"), st.integers(0, 3)),
    st.sampled_from([Global("math.pi"), Global("K"), Global("a_rather_long_global_name_for_wrapping")]),
    st.sampled_from([0, 1, 2, 3, 0.0, 0.5, 2.0, 1e300, -1, -2.5, True, math.inf]).map(Const),
)
OPS = sorted(BINARY_OPS) + sorted(COMPARE_OPS) + sorted(UNARY_OPS) + ["math.sin", "math.hypot", "abs"]
ARITY = {**{op: 1 for op in UNARY_OPS}, "math.sin": 1, "abs": 1}


def _named(var):
    return NAMES.setdefault(var, var.hint if len(NAMES) % 3 else var.hint + "_with_a_longer_name")


@st.composite
def fused_trees(draw, depth=3):
    """``(stmt, inner)``: a statement whose Var operands may stand for fused statements."""
    op = draw(st.sampled_from(OPS))
    args, inner = [], {}
    for _ in range(ARITY.get(op, 2)):
        if depth > 0 and draw(st.booleans()):
            stmt, below = draw(fused_trees(depth - 1))
            var = Var("t")
            NAMES[var] = "t"
            inner[var] = (stmt, below)
            args.append(var)
        else:
            args.append(draw(LEAVES))
    return Assign(Var("r"), op, tuple(args)), inner


def _fused(tree):
    stmt, inner = tree
    names = {a: _named(a) for a in stmt.args if isinstance(a, Var)}
    return Fused(stmt, {var: _fused(below) for var, below in inner.items()}, names)


def _long_way(fused):
    """The line the fusion printed before patterns: the whole tree, quick where short, astor else."""
    expr = fused.node()
    text = quick_assignment("r", None, expr, {})
    return text if text is not None else \
        statement_source(ast.Assign(targets=[ast.Name(id="r", ctx=ast.Store())], value=expr, lineno=0))


@settings(max_examples=500, deadline=None)
@given(fused_trees())
def test_fused_statements_print_from_patterns_as_their_trees(tree):
    fused = _fused(tree)
    if fused.printed is not None:
        line = f"r = {fused.printed[0]}"
        expected = _long_way(fused)
        assert line == expected if len(line) <= ASTOR_MAX_LINE else "\n" in expected or len(expected) > ASTOR_MAX_LINE


def test_patterns_decline_what_the_tree_prints_otherwise():
    """A power of 2 (``squares`` may write ``K * K``), a negative number, a bool: left to the tree."""
    k, x = Global("K"), Var("x")
    for args in ((k, Const(2)), (x, Const(-1)), (x, Const(True))):
        assert Fused(Assign(Var("r"), "**", args), {}, {x: "x"}).printed is None
    assert Fused(Assign(Var("r"), "**", (k, Const(3))), {}, {}).printed == ("K ** 3", 55)


# ---------------------------------------------------------------- int literals in printed adjoints

INT_EXPRS = st.recursive(
    st.one_of(st.sampled_from(["x", "grad_s2", "s_10", "y1", "math.pi"]).map(lambda n: ast.parse(n, mode="eval").body),
              st.sampled_from([0, 2, 10, 0.5, 2.0, 1e-05, -3, -2.5]).map(
                  lambda v: ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-v)) if v < 0 else ast.Constant(v))),
    lambda inner: st.one_of(
        st.builds(ast.BinOp, inner, st.sampled_from([ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow()]), inner),
        st.builds(lambda a: ast.Call(func=ast.parse("math.cos", mode="eval").body, args=[a], keywords=[]), inner),
        st.builds(lambda a, b: ast.Compare(left=a, ops=[ast.Lt()], comparators=[b]), inner, inner)),
    max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(INT_EXPRS)
def test_the_int_literals_of_an_adjoint_are_noted_by_the_walk_of_its_names(expr):
    names = ExpressionNames()
    assert names[expr] == names_of(expr)
    held = any(type(n) is ast.Constant and type(n.value) is int for n in ast.walk(expr))
    assert names.holds_int_literal(expr) == held
    assert has_int_literal([types.SimpleNamespace(expr=expr)], ExpressionNames()) == held  # asked first: walked


def test_floats_bools_and_names_with_digits_are_not_int_literals():
    for text in ("grad_s_10 * math.cos(s3) * 2.0 + y1 / 0.5", "-s3", "x * True", "1e-05 * s2"):
        assert not ExpressionNames().holds_int_literal(ast.parse(text, mode="eval").body)
    for text in ("2 * s8", "s8 ** -1", "f(s1, 3)", "(1 - s2)", "x[0]", "f(x, axis=1)"):
        assert ExpressionNames().holds_int_literal(ast.parse(text, mode="eval").body)


# ---------------------------------------------------------------- a float whatever the arguments

def _float_by_every_statement(function):
    """``gives_a_float`` as it was: every statement in order."""
    floats = set()
    for stmt in function.body:
        if isinstance(stmt, Assign) and (stmt.op in FLOAT_RESULTS or stmt.op in FLOAT_ARITHMETIC
                                         and _float_arithmetic(stmt, floats)):
            floats.add(stmt.target)
    return function.result in floats


TERMS = ["x", "y", "2", "3.0", "math.sin(x)", "math.exp(y)", "abs(x)", "max(x, 1.0)", "min(2, 3)", "float(x)"]


@st.composite
def straight_functions(draw):
    lines = ["import math", "", "def f(x, y):"]
    for name in ("a", "b", "c"):
        left, right = draw(st.sampled_from(TERMS)), draw(st.sampled_from(TERMS + ["a", "b"][: "abc".index(name)]))
        lines.append(f"    {name} = {left} {draw(st.sampled_from(['+', '*', '**', '/', '-']))} {right}")
    lines.append(f"    return {draw(st.sampled_from(['a', 'b', 'c', 'math.cos(c)', 'c * 2', '-c', 'x']))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(straight_functions())
def test_a_float_result_is_found_walking_back_from_it(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("floats") / "straight.py"
    path.write_text(text)
    module = types.ModuleType("straight")
    module.__file__ = str(path)
    exec(compile(text, str(path), "exec"), module.__dict__)
    function = lower(load_function(module.f))
    assert gives_a_float(function) == _float_by_every_statement(function)


def test_a_long_chain_of_floats_gives_a_float():
    def chain(x):
        s = math.sin(x)
        for_a_while = s * 2.0 + 1.0
        return math.exp(for_a_while) * for_a_while - 3.0
    assert gives_a_float(lower(load_function(chain)))
    assert srcdiff.grad(chain)(0.3) == srcdiff.grad(chain)(0.3)


# ---------------------------------------------------------------- shared walks, operator table

def test_expression_names_walk_each_expression_once_and_the_reads_are_the_same():
    def f(x, a):
        s = math.sin(x) * a + x / a
        s = math.sin(s) * a + s / a
        return s * s - a
    function = lower(load_function(f))
    backward = reverse(function, tuple(function.params))
    statements, tokens = backward.statements, backward.tokens
    names = ExpressionNames()
    assert reads_of(statements, tokens, names=names)[0] == reads_of(statements, tokens)[0]
    assert adjoint_reads(statements, tokens, {}, names) == adjoint_reads(statements, tokens, {})
    assert all(names[r.expr] == names_of(r.expr) for r in statements)
    walked = dict(names)
    adjoint_reads(statements, tokens, {}, names)
    assert all(names[expr] is found for expr, found in walked.items())  # asked again: not walked again


def test_the_operator_table_is_astors():
    for base in (ast.operator, ast.unaryop, ast.cmpop):
        for op in base.__subclasses__():
            assert _OPERATORS[op] == (get_op_precedence(op()), get_op_symbol(op()))

