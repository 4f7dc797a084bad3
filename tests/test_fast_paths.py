"""The shortcuts that keep building a gradient fast give the same results as the long way.

- ``emit.quick_source`` prints what astor prints (on random expressions, wrapped or not);
- ``simplify.copy_expr`` copies without sharing, ``simplify_expr`` leaves its input alone
  and reaches a fixed point;
- ``transforms.contributions.contribution`` (rule templates simplified once per pattern of numeric
  operands) equals simplifying each filled-in template, and reports the names it
  reads, for every rule of the table;
- ``naming.Namer`` resumes its ``name_N`` search without skipping or repeating a name;
- the frontend's parse cache notices an edited file;
- a long chain of reassignments gets the right gradient (against forward-mode by hand).
No timings here: speed is measured by benchmarks/bench_scalar.py.
"""
import ast
import importlib.util
import linecache
import math
import random

import astor
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcdiff
from srcdiff.emit import Namer, quick_source, statement_source
from srcdiff.emit.text import ASTOR_MAX_LINE
from srcdiff.ir import copy_expr, simplify_expr
from srcdiff.rules import RULES, ZERO, template_ast
from srcdiff.transforms.contributions import contribution as _contribution

# ---------------------------------------------------------------- random expressions

NAMES = st.sampled_from(["x", "y", "grad_s1", "s0", "a_long_variable_name"])
NUMBERS = st.sampled_from([0, 1, 2, 0.0, 1.0, 0.5, 2.0, 1e-05, 1e300, 123456789012345678901234567890])
ODD_CONSTANTS = st.sampled_from([-1.0, -2, True, None, "text", float("inf"), float("nan")])
BINOPS = st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod, ast.MatMult])
UNARY = st.sampled_from([ast.USub, ast.UAdd, ast.Not])
COMPARE = st.sampled_from([ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq])
FUNCS = st.sampled_from(["math.cos", "abs", "np.linalg.norm", "rt.sign"])


def _dotted(path):
    node = ast.Name(id=path.split(".")[0], ctx=ast.Load())
    for attr in path.split(".")[1:]:
        node = ast.Attribute(value=node, attr=attr, ctx=ast.Load())
    return node


QUICK_LEAVES = st.one_of(
    NAMES.map(lambda n: ast.Name(id=n, ctx=ast.Load())),
    NUMBERS.map(ast.Constant),
    st.just(_dotted("math.pi")),
)


def _quick_extend(children):
    """Expressions ``quick_source`` prints itself."""
    return st.one_of(
        st.builds(lambda l, op, r: ast.BinOp(left=l, op=op(), right=r), children, BINOPS, children),
        st.builds(lambda op, v: ast.UnaryOp(op=op(), operand=v), st.sampled_from([ast.USub, ast.UAdd]), children),
        st.builds(lambda l, op, r: ast.Compare(left=l, ops=[op()], comparators=[r]), children, COMPARE, children),
        st.builds(lambda f, args: ast.Call(func=_dotted(f), args=args, keywords=[]),
                  FUNCS, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda f, a, k: ast.Call(func=_dotted(f), args=[a], keywords=[ast.keyword(arg="axis", value=k)]),
                  FUNCS, children, children),
    )


def _extend(children):
    """Any expression, including what ``quick_source`` leaves to astor."""
    return st.one_of(
        _quick_extend(children),
        st.builds(lambda op, v: ast.UnaryOp(op=op(), operand=v), UNARY, children),
        st.builds(lambda v: ast.Subscript(value=v, slice=ast.Constant(0), ctx=ast.Load()), children),
        st.builds(lambda a, b: ast.Tuple(elts=[a, b], ctx=ast.Load()), children, children),
    )


QUICK_EXPRS = st.recursive(QUICK_LEAVES, _quick_extend, max_leaves=12)
EXPRS = st.recursive(st.one_of(QUICK_LEAVES, ODD_CONSTANTS.map(ast.Constant)), _extend, max_leaves=12)


def _statement(target, value, aug_op):
    name = ast.Name(id=target, ctx=ast.Store())
    if aug_op is None:
        return ast.Assign(targets=[name], value=value, lineno=0)
    return ast.AugAssign(target=name, op=aug_op(), value=value)


def _statements(exprs):
    return st.builds(_statement, st.sampled_from(["grad_x", "s12"]), exprs,
                     st.sampled_from([None, ast.Add, ast.Sub, ast.Mult]))


STATEMENTS = _statements(EXPRS)
QUICK_STATEMENTS = _statements(QUICK_EXPRS)


def _astor_text(stmt):
    return astor.to_source(_copy_statement(stmt)).rstrip("\n")


def _copy_statement(stmt):
    """A fresh copy, so that astor's notes on the nodes it prints (``_pp``) cannot leak."""
    if isinstance(stmt, ast.Assign):
        return ast.Assign(targets=[copy_expr(stmt.targets[0])], value=copy_expr(stmt.value), lineno=0)
    return ast.AugAssign(target=copy_expr(stmt.target), op=stmt.op, value=copy_expr(stmt.value))


# ---------------------------------------------------------------- printing

@settings(max_examples=200, deadline=None)
@given(STATEMENTS)
def test_statement_source_prints_what_astor_prints(stmt):
    assert statement_source(_copy_statement(stmt)) == _astor_text(stmt)


@settings(max_examples=200, deadline=None)
@given(QUICK_STATEMENTS)
def test_quick_source_prints_what_astor_prints(stmt):
    quick = quick_source(_copy_statement(stmt))
    assert quick is not None
    if len(quick) <= ASTOR_MAX_LINE:  # longer ones go to astor to be wrapped
        assert quick == _astor_text(stmt)


def test_quick_source_declines_what_it_does_not_know():
    for source in ["x = 'a' + y", "x = y[0]", "x = (a, b)", "x = f(*a)", "x = f(**a)", "x = not y",
                   "x = True * y", "x = a < b < c", "x, y = a, b", "x.a = y", "x = y = 1", "return x"]:
        assert quick_source(_parse_statement(source)) is None, source
    negative_literal = ast.Assign(targets=[ast.Name(id="x", ctx=ast.Store())], value=ast.Constant(-1.0), lineno=0)
    assert quick_source(negative_literal) is None
    assert quick_source(_parse_statement("x = -1.0 * math.cos(y, axis=0) ** -z")) == "x = -1.0 * math.cos(y, axis=0) ** -z"


def _parse_statement(source):
    tree = ast.parse("def f():\n    " + source)
    return tree.body[0].body[0]


def test_long_statements_are_wrapped_by_astor():
    terms = " + ".join(f"grad_variable_{i} * math.cos(value_{i})" for i in range(6))
    stmt = _parse_statement(f"grad_x = {terms}")
    text = statement_source(stmt)
    assert "\n" in text
    assert text == astor.to_source(_parse_statement(f"grad_x = {terms}")).rstrip("\n")
    assert ast.dump(ast.parse(text).body[0].value) == ast.dump(stmt.value)


# ---------------------------------------------------------------- copying and simplifying

def _mutable_nodes(tree):
    shared_leaves = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    return {id(n) for n in ast.walk(tree) if not isinstance(n, shared_leaves)}


@settings(max_examples=100, deadline=None)
@given(EXPRS)
def test_copy_expr_is_a_deep_copy(expr):
    copied = copy_expr(expr)
    assert ast.dump(copied) == ast.dump(expr)
    assert not _mutable_nodes(copied) & _mutable_nodes(expr)


def test_copy_expr_fills_in_bindings_with_copies():
    template = template_ast("g * x1 * x0 ** (x1 - 1)")
    binding = ast.Name(id="b", ctx=ast.Load())
    filled = copy_expr(template, {"g": ast.Name(id="up", ctx=ast.Load()), "x0": ast.Name(id="a", ctx=ast.Load()),
                                  "x1": binding})
    assert ast.unparse(filled) == "up * b * a ** (b - 1)"
    assert ast.unparse(template) == "g * x1 * x0 ** (x1 - 1)"
    assert id(binding) not in _mutable_nodes(filled)


@settings(max_examples=200, deadline=None)
@given(EXPRS)
def test_simplify_expr_leaves_its_input_alone_and_reaches_a_fixed_point(expr):
    before = ast.dump(expr)
    simplified = simplify_expr(expr)
    assert ast.dump(expr) == before
    assert ast.dump(simplify_expr(simplified)) == ast.dump(simplified)


def test_simplify_expr_in_place_reuses_the_callers_tree():
    tree = ast.parse("g * (a * b) * 1.0 + 0.0", mode="eval").body
    assert ast.unparse(simplify_expr(tree, copy=False)) == "g * a * b"


# ---------------------------------------------------------------- filling rule templates

OPERANDS = [ast.Name(id="_v7_", ctx=ast.Load()), ast.Name(id="_g3_", ctx=ast.Load()), ast.Constant(0),
            ast.Constant(1), ast.Constant(1.0), ast.Constant(2.0), ast.Constant(0.0),
            ast.UnaryOp(op=ast.USub(), operand=ast.Constant(1.0)),
            ast.UnaryOp(op=ast.USub(), operand=ast.Constant(0.0)), ast.Constant(True), ast.Constant("s")]
TEMPLATES = sorted({t for rule in RULES.values() if rule is not ZERO for t in rule if t is not None})


def test_contribution_equals_simplifying_the_filled_template():
    """Every template of the table, each with 25 seeded random choices of operands."""
    rng = random.Random(0)
    for template in TEMPLATES:
        names = {n.id for n in ast.walk(template_ast(template)) if isinstance(n, ast.Name)}
        for _ in range(25):
            bindings = {p: rng.choice(OPERANDS) for p in ("g", "y", "x", "x0", "x1", "x2") if p in names}
            expected = simplify_expr(copy_expr(template_ast(template), bindings), copy=False)
            read = {n.id for n in ast.walk(expected) if isinstance(n, ast.Name)}
            for _ in range(2):  # the second call answers from the cache
                expr, names = _contribution(template, bindings)
                assert (ast.dump(expr), names) == (ast.dump(expected), read), (template, bindings)
        assert ast.unparse(template_ast(template)) == ast.unparse(ast.parse(template, mode="eval").body)


# ---------------------------------------------------------------- naming

def test_namer_suffixes_skip_reserved_and_taken_names_without_repeats():
    namer = Namer(reserved={"s_3"})
    got = [namer.claim("s") for _ in range(4)]
    namer.claim("s_6")
    got += [namer.claim("s") for _ in range(3)]
    got += [namer.fresh("grad_s"), namer.fresh("grad_s")]
    assert got == ["s", "s_1", "s_2", "s_4", "s_5", "s_7", "s_8", "grad_s", "grad_s_1"]


# ---------------------------------------------------------------- a long chain

def _import_file(path, module_name):
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chain_module(tmp_path, steps):
    lines = ["import math", "", "", "def chain(x, a, b):", "    s = x"]
    lines += ["    s = math.sin(s) * a + b"] * steps + ["    return s", ""]
    path = tmp_path / f"chain{steps}.py"
    path.write_text("\n".join(lines))
    return _import_file(path, f"chain{steps}")


def _chain_gradient_forward_mode(x, a, b, steps):
    s, ds_dx, ds_da, ds_db = x, 1.0, 0.0, 0.0
    for _ in range(steps):
        local = math.cos(s) * a
        s, ds_dx, ds_da, ds_db = math.sin(s) * a + b, local * ds_dx, local * ds_da + math.sin(s), local * ds_db + 1.0
    return ds_dx, ds_da, ds_db


def test_long_chain_of_reassignments_gets_the_forward_mode_gradient(tmp_path):
    steps = 300
    chain = _chain_module(tmp_path, steps).chain
    grad = srcdiff.grad(chain)
    backward = grad.source.split("# backward")[1]
    assert "s_298 = " in grad.source and "s_299" not in backward  # the last s is the result, only checked
    got = grad(0.5, 0.9, 0.1)
    assert got == pytest.approx(_chain_gradient_forward_mode(0.5, 0.9, 0.1, steps), rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------- parsing once per file version

def test_an_edited_file_is_parsed_again(tmp_path):
    path = tmp_path / "edited.py"
    path.write_text("def helper(x):\n    return x * x\n\n\ndef f(x):\n    return helper(x) + x\n")
    first = _import_file(path, "edited_v1")
    assert srcdiff.grad(first.f)(3.0) == 7.0
    path.write_text("def helper(x):\n    return x * x * x\n\n\ndef f(x):\n    return helper(x) + 2.0 * x\n")
    linecache.checkcache(str(path))
    second = _import_file(path, "edited_v2")
    assert srcdiff.grad(second.f)(3.0) == 29.0
