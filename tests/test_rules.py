"""Every gradient rule, checked on its own input domain.

Each row of ``CASES`` is one primitive written as Python source over parameters
``a, b, c``, points inside its domain (away from kinks and jumps), and the same function
for sympy.  For every row the gradient srcdiff generates is compared with central finite
differences and with sympy's derivative, twice: for the primitive alone (upstream 1.0,
which simplification folds away) and for its square (a non-constant upstream gradient).
A test makes sure every rule of the table has a row, and another that the checker fails
on a deliberately wrong rule.
"""
import math

import pytest
import sympy as sp

import srcdiff
from conftest import central_difference, import_text
from srcdiff import rules

A, B, C = sp.symbols("a b c", real=True)
# the statistics module's functions of the items a * b, a, b * c: their mean and summed squared deviations
_MEAN = (A * B + A + B * C) / 3
_SQUARES = (A * B - _MEAN) ** 2 + (A - _MEAN) ** 2 + (B * C - _MEAN) ** 2


def _python_mod(x, y):
    return x - y * sp.floor(x / y)


def _copysign(x, y):
    return sp.Abs(x) * sp.sign(y)


# (name, source expression, points, sympy expression or None when sympy cannot say)
CASES = [
    # ---- operators
    ("+", "a + b", [(0.3, -1.2), (2.0, 5.0)], A + B),
    ("-", "a - b", [(0.3, -1.2), (2.0, 5.0)], A - B),
    ("*", "a * b", [(0.3, -1.2), (2.0, 5.0)], A * B),
    ("/", "a / b", [(0.3, -1.2), (2.0, 5.0)], A / B),
    ("**", "a ** b", [(0.3, -1.2), (2.0, 3.5)], A ** B),
    ("** int", "a ** 3", [(-0.7,), (2.0,)], A ** 3),
    ("//", "a // b", [(5.3, 2.0), (-3.7, 1.5)], sp.floor(A / B)),
    ("%", "a % b", [(5.3, 2.0), (-3.7, 1.5), (3.7, -1.5)], _python_mod(A, B)),
    ("neg", "-a", [(0.3,), (-2.0,)], -A),
    ("pos", "+a", [(0.3,), (-2.0,)], A),
    ("<", "(a < b) + a * 0.0", [(0.3, 1.2), (2.0, -5.0)], None),
    ("<=", "(a <= b) * 1.0", [(0.3, 1.2), (2.0, -5.0)], None),
    (">", "(a > b) * 1.0", [(0.3, 1.2), (2.0, -5.0)], None),
    (">=", "(a >= b) * 1.0", [(0.3, 1.2), (2.0, -5.0)], None),
    ("==", "(a == b) * 1.0", [(0.3, 1.2)], None),
    ("in", "(a in np.array([b, 2.0])) * 1.0 + a", [(0.3, 1.2)], None),  # (true only where a equals an item)
    ("not in", "(a not in np.array([b, 2.0])) * 1.0 + a", [(0.3, 1.2)], None),
    ("!=", "(a != b) * 1.0", [(0.3, 1.2)], None),
    ("not", "(not a) * 1.0 + a", [(0.3,)], None),
    ("&", "((a > 0.0) & (b > 0.0)) * 1.0 + a * b", [(0.3, 1.2), (-2.0, 5.0)], None),
    ("|", "((a > 0.0) | (b > 0.0)) * 1.0 + a * b", [(0.3, -1.2), (-2.0, -5.0)], None),
    ("^", "((a > 0.0) ^ (b > 0.0)) * 1.0 + a * b", [(0.3, -1.2), (2.0, 5.0)], None),
    ("invert", "(~int(a)) * 1.0 + a", [(2.3,), (-1.7,)], None),
    # ---- builtins
    ("abs", "abs(a)", [(0.3,), (-2.0,)], sp.Abs(A)),
    ("max", "max(a, b)", [(0.3, -1.2), (-2.0, 5.0)], sp.Max(A, B)),
    ("min", "min(a, b)", [(0.3, -1.2), (-2.0, 5.0)], sp.Min(A, B)),
    ("max/3", "max(a, b, c)", [(0.3, -1.2, 0.1), (-2.0, 5.0, 7.0), (1.0, 0.5, 0.2)], sp.Max(A, B, C)),
    ("min/3", "min(a, b, c)", [(0.3, -1.2, 0.1), (-2.0, 5.0, 7.0), (1.0, 0.5, 0.2)], sp.Min(A, B, C)),
    ("float", "float(a)", [(0.3,)], A),
    ("pow", "pow(a, b)", [(0.3, -1.2), (2.0, 3.5)], A ** B),
    ("int", "int(a) * 1.0", [(2.5,), (-1.5,)], None),
    ("round", "round(a) * 1.0", [(2.3,), (-1.7,)], None),
    ("bool", "bool(a) * 1.0", [(2.3,)], None),
    # ---- math
    ("math.sin", "math.sin(a)", [(0.3,), (-2.0,)], sp.sin(A)),
    ("math.cos", "math.cos(a)", [(0.3,), (-2.0,)], sp.cos(A)),
    ("math.tan", "math.tan(a)", [(0.3,), (-1.2,)], sp.tan(A)),
    ("math.asin", "math.asin(a)", [(0.3,), (-0.8,)], sp.asin(A)),
    ("math.acos", "math.acos(a)", [(0.3,), (-0.8,)], sp.acos(A)),
    ("math.atan", "math.atan(a)", [(0.3,), (-2.0,)], sp.atan(A)),
    ("math.atan2", "math.atan2(a, b)", [(0.3, -1.2), (-2.0, 0.5)], sp.atan2(A, B)),
    ("math.sinh", "math.sinh(a)", [(0.3,), (-2.0,)], sp.sinh(A)),
    ("math.cosh", "math.cosh(a)", [(0.3,), (-2.0,)], sp.cosh(A)),
    ("math.tanh", "math.tanh(a)", [(0.3,), (-2.0,)], sp.tanh(A)),
    ("math.asinh", "math.asinh(a)", [(0.3,), (-2.0,)], sp.asinh(A)),
    ("math.acosh", "math.acosh(a)", [(1.3,), (4.0,)], sp.acosh(A)),
    ("math.atanh", "math.atanh(a)", [(0.3,), (-0.8,)], sp.atanh(A)),
    ("math.exp", "math.exp(a)", [(0.3,), (-2.0,)], sp.exp(A)),
    ("math.expm1", "math.expm1(a)", [(0.3,), (-2.0,)], sp.exp(A) - 1),
    ("math.exp2", "math.exp2(a)", [(0.3,), (-2.0,)], 2 ** A),
    ("math.log", "math.log(a)", [(0.3,), (4.0,)], sp.log(A)),
    ("math.log/2", "math.log(a, b)", [(0.3, 2.0), (4.0, 0.5)], sp.log(A) / sp.log(B)),
    ("math.log1p", "math.log1p(a)", [(0.3,), (-0.5,)], sp.log(1 + A)),
    ("math.log2", "math.log2(a)", [(0.3,), (4.0,)], sp.log(A, 2)),
    ("math.log10", "math.log10(a)", [(0.3,), (4.0,)], sp.log(A, 10)),
    ("math.sqrt", "math.sqrt(a)", [(0.3,), (4.0,)], sp.sqrt(A)),
    ("math.cbrt", "math.cbrt(a)", [(0.3,), (-4.0,)], sp.sign(A) * sp.Abs(A) ** sp.Rational(1, 3)),
    ("math.pow", "math.pow(a, b)", [(0.3, -1.2), (2.0, 3.5)], A ** B),
    ("math.hypot", "math.hypot(a, b)", [(0.3, -1.2), (-2.0, 0.5)], sp.sqrt(A ** 2 + B ** 2)),
    ("math.erf", "math.erf(a)", [(0.3,), (-1.5,)], sp.erf(A)),
    ("math.erfc", "math.erfc(a)", [(0.3,), (-1.5,)], sp.erfc(A)),
    ("math.fabs", "math.fabs(a)", [(0.3,), (-2.0,)], sp.Abs(A)),
    ("math.copysign", "math.copysign(a, b)", [(0.3, -1.2), (-2.0, 0.5), (-2.0, -0.5)], _copysign(A, B)),
    ("math.fmod", "math.fmod(a, b)", [(5.3, 2.0), (-3.7, 1.5), (3.7, -1.5)], None),
    ("math.degrees", "math.degrees(a)", [(0.3,)], A * 180 / sp.pi),
    ("math.radians", "math.radians(a)", [(30.0,)], A * sp.pi / 180),
    ("math.gamma", "math.gamma(a)", [(0.3,), (4.5,), (-1.5,)], sp.gamma(A)),
    ("math.lgamma", "math.lgamma(a)", [(0.3,), (4.5,), (12.0,)], sp.loggamma(A)),
    ("math.floor", "math.floor(a) * 1.0", [(2.5,)], None),
    ("math.ceil", "math.ceil(a) * 1.0", [(2.5,)], None),
    ("math.trunc", "math.trunc(a) * 1.0", [(-2.5,)], None),
    ("math.fsum", "math.fsum([a * b, a, b * c])", [(0.3, -1.2, 0.1), (2.0, 5.0, -3.0)], A * B + A + B * C),
    ("math.prod", "math.prod([a, b, c], start=2.0)", [(0.3, -1.2, 0.1)], 2 * A * B * C),
    ("math.dist", "math.dist(np.array([a, b * c]), np.array([b, a * a]))", [(0.3, -1.2, 0.1), (2.0, 5.0, -3.0)],
     sp.sqrt((A - B) ** 2 + (B * C - A * A) ** 2)),  # points known at run time: the call's own rule
    ("statistics.median", "statistics.median([a * b, a, b * c, c])", [(0.3, -1.2, 0.1), (2.0, 5.0, -3.0)], None),
    *[(f"statistics.{name}", f"statistics.{name}([a * b, a, b * c])", [(0.3, -1.2, 0.1), (2.0, 5.0, -3.0)], exact)
      for name, exact in (("fmean", _MEAN), ("mean", _MEAN), ("pvariance", _SQUARES / 3), ("variance", _SQUARES / 2),
                          ("pstdev", sp.sqrt(_SQUARES / 3)), ("stdev", sp.sqrt(_SQUARES / 2)))],
    ("sum", "sum((a, b * c), a)", [(0.3, -1.2, 0.1)], 2 * A + B * C),
]

# Rules that are not about a user's scalar code: predicates, and (by prefix) the helpers
# generated code calls (rt.*, tested with higher order) and NumPy's (tested with arrays).
# ``copy`` is made by lowering for loop-carried values (tests/test_control_flow.py)
NOT_USER_FACING = {"len", "math.isfinite", "math.isinf", "math.isnan", "math.isclose", "copy",
                   "field[]", "field.",  # parts of containers of parameters: tests/test_trees.py
                   "effect", "isinstance",  # no gradient: tests/test_effects.py
                   "gradient[]"}  # a part of a tuple of gradients: tests/test_penalty_loops.py


def _available(expr):
    return all(hasattr(math, name) for name in ("cbrt", "exp2") if f"math.{name}(" in expr)


def _module(tmp_path, expr, nargs, squared):
    params = ", ".join("abc"[:nargs])
    body = f"    y = {expr}\n    return y * y\n" if squared else f"    return {expr}\n"
    return import_text(tmp_path, f"import math\nimport statistics\n\nimport numpy as np\n\n\ndef f({params}):\n{body}")


def _sympy_gradient(expr, point, squared):
    symbols = (A, B, C)[:len(point)]
    target = expr ** 2 if squared else expr
    values = dict(zip(symbols, point))
    result = []
    for s in symbols:
        d = sp.diff(target, s)
        # the derivative of floor is zero wherever it exists: sympy leaves it unevaluated
        d = d.replace(lambda t: isinstance(t, (sp.Subs, sp.Derivative)), lambda t: sp.S.Zero)
        result.append(float(d.subs(values).evalf()))
    return tuple(result)


def check_rule(tmp_path, expr, points, sympy_expr, squared):
    """Assert srcdiff's gradient of ``expr`` matches finite differences (and sympy)."""
    nargs = len(points[0])
    f = _module(tmp_path, expr, nargs, squared).f
    gradient = srcdiff.grad(f, wrt=tuple(range(nargs)))
    for point in points:
        got = gradient(*point)
        assert all(type(g) is float for g in got), gradient.source
        numeric = tuple(central_difference(f, point, i, eps=1e-6) for i in range(nargs))
        assert got == pytest.approx(numeric, rel=1e-5, abs=1e-6), f"{expr} at {point}:\n{gradient.source}"
        if sympy_expr is not None:
            exact = _sympy_gradient(sympy_expr, point, squared)
            assert got == pytest.approx(exact, rel=1e-9, abs=1e-12), f"{expr} at {point}:\n{gradient.source}"


@pytest.mark.parametrize("squared", [False, True], ids=["alone", "squared"])
@pytest.mark.parametrize("name,expr,points,sympy_expr", CASES, ids=[c[0] for c in CASES])
def test_rule(tmp_path, name, expr, points, sympy_expr, squared):
    if not _available(expr):
        pytest.skip(f"{expr} needs a newer Python")
    check_rule(tmp_path, expr, points, sympy_expr, squared)


def test_every_rule_has_a_case():
    covered = {name.split(" ")[0] for name, *_ in CASES} | {name.split("/")[0] for name, *_ in CASES}
    missing = [op for op in rules.RULES
               if not op.startswith(("np.", "rt.", "scipy.")) and op not in NOT_USER_FACING and op not in covered]
    assert not missing, f"rules without a test case: {missing}"


def test_issue_list_of_math_functions_is_supported():
    listed = ("sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp expm1 exp2 log log1p "
              "log2 log10 sqrt cbrt pow hypot erf erfc fabs copysign degrees radians gamma lgamma").split()
    for name in listed:
        assert f"math.{name}" in rules.RULES, name
    for name in ("floor", "ceil", "trunc"):
        assert rules.RULES[f"math.{name}"] is rules.ZERO


@pytest.mark.parametrize("op,wrong", [
    ("math.sin", ("g * (-math.cos(x))",)),
    ("*", ("g * x1", "g * x1")),
    ("/", ("g / x1", "g * y / x1")),
    ("math.atan2", ("g * (x1 / (x0 ** 2 + x1 ** 2))", "g * (x0 / (x0 ** 2 + x1 ** 2))")),
])
def test_the_checker_catches_a_wrong_rule(tmp_path, monkeypatch, op, wrong):
    case = next(c for c in CASES if c[0] == op)
    monkeypatch.setitem(rules.RULES, op, wrong)
    with pytest.raises(AssertionError):
        check_rule(tmp_path, case[1], case[2], None, squared=False)
    with pytest.raises(AssertionError):  # sympy alone catches it too (finite differences skipped)
        f = _module(tmp_path, case[1], len(case[2][0]), False).f
        got = srcdiff.grad(f, wrt=tuple(range(len(case[2][0]))))(*case[2][0])
        assert got == pytest.approx(_sympy_gradient(case[3], case[2][0], False), rel=1e-9)


# ---------------------------------------------------------------- kinks and ties (documented choices)

@pytest.mark.parametrize("expr,point,expected", [
    ("abs(a)", (0.0,), (0.0,)),
    ("math.fabs(a)", (0.0,), (0.0,)),
    ("max(a, b)", (1.5, 1.5), (1.0, 0.0)),
    ("min(a, b)", (1.5, 1.5), (1.0, 0.0)),
    ("max(a, b, c)", (1.0, 2.0, 2.0), (0.0, 1.0, 0.0)),
    ("min(a, b, c)", (1.0, 1.0, 1.0), (1.0, 0.0, 0.0)),
])
def test_kinks_and_ties(tmp_path, expr, point, expected):
    f = _module(tmp_path, expr, len(point), False).f
    assert srcdiff.grad(f, wrt=tuple(range(len(point))))(*point) == expected


# ---------------------------------------------------------------- the exponent's gradient off its domain

@pytest.mark.parametrize("expr", ["a ** b", "math.pow(a, b)", "pow(a, b)"])
def test_power_at_zero_and_negative_bases(tmp_path, expr):
    f = _module(tmp_path, expr, 2, False).f
    gradient = srcdiff.grad(f)
    # at base 0 the power is 0 for every positive exponent: the exponent's gradient is 0
    assert gradient(0.0, 2.0) == (0.0, 0.0)
    assert gradient(0.0, 3.5) == (0.0, 0.0)
    # a negative base has no real power nearby: nan for the exponent, never a math domain error
    gx, gy = gradient(-2.0, 3.0)
    assert gx == 12.0 and math.isnan(gy)
    # and an int exponent passed by the caller
    gx, gy = gradient(-2.0, 2)
    assert gx == -4.0 and math.isnan(gy)


def test_power_exponent_gradient_differentiates_again(tmp_path):
    f = _module(tmp_path, "a ** b", 2, False).f
    second = srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=(0, 1))
    a, b = 1.5, 2.5
    assert second(a, b) == pytest.approx((a ** (b - 1) * (1 + b * math.log(a)), a ** b * math.log(a) ** 2))
