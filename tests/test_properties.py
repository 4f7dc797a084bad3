"""Property tests: random straight-line programs, gradients against finite differences.

Hypothesis draws a program over the rule set (every operator, the builtins, the math
functions, a helper function with a default argument, a module-level constant,
reassignment, augmented assignment, tuple unpacking, names that look like generated
ones) and a point.  The program is written as source text to a module file, imported,
and differentiated; the gradient must match central differences.  The test interprets
the program itself first, statement by statement, to keep the point away from kinks
and jumps (``abs``, ``max``, ``%``, ``int``, comparisons...) and from huge values,
where finite differences say nothing.
"""
import ast
import math
import pathlib
import re
import tempfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from conftest import central_difference, import_text
from srcdiff.pipeline import gradient_source, static_scope
from srcdiff.lower import lower

INF = math.inf


def _frac_margin(t):
    """Distance of ``t`` to the nearest integer."""
    return abs(t - round(t))


# name, source template, arity, margin(args) -> distance to the nearest kink or jump
OPS = [
    ("add", "{0} + {1}", 2, None),
    ("sub", "{0} - {1}", 2, None),
    ("mul", "{0} * {1}", 2, None),
    ("div", "{0} / (1.0 + {1} * {1})", 2, None),
    ("div2", "{0} / {1}", 2, lambda a, b: abs(b) - 0.3),
    ("pow", "(1.5 + {0} * {0}) ** {1}", 2, None),
    ("square", "{0} ** 2", 1, None),
    ("powi", "pow({0}, 3)", 1, None),
    ("mpow", "math.pow(0.5 + {0} * {0}, 0.5)", 1, None),
    ("floordiv", "{0} // 0.7 * {1}", 2, lambda a, b: _frac_margin(a / 0.7)),
    ("mod", "{0} % 1.5", 1, lambda a: _frac_margin(a / 1.5)),
    ("modvar", "{0} % (2.0 + {1} * {1})", 2, lambda a, b: _frac_margin(a / (2.0 + b * b))),
    ("neg", "-{0}", 1, None),
    ("pos", "+{0}", 1, None),
    ("compare", "({0} > {1}) * {2}", 3, lambda a, b, c: abs(a - b)),
    ("compare2", "({0} <= 0.5) + {1}", 2, lambda a, b: abs(a - 0.5)),
    ("abs", "abs({0})", 1, lambda a: abs(a)),
    ("fabs", "math.fabs({0}) * {1}", 2, lambda a, b: abs(a)),
    ("max", "max({0}, {1})", 2, lambda a, b: abs(a - b)),
    ("min3", "min({0}, {1}, {2})", 3, lambda a, b, c: min(abs(a - b), abs(b - c), abs(a - c))),
    ("float", "float({0})", 1, None),
    ("int", "int({0}) * {1}", 2, lambda a, b: _frac_margin(a) if abs(a) > 0.5 else 1 - abs(a)),
    ("round", "round({0}) + {1}", 2, lambda a, b: _frac_margin(a + 0.5)),
    ("floor", "math.floor({0}) * {1}", 2, lambda a, b: _frac_margin(a)),
    ("ceil", "math.ceil({0}) + {1}", 2, lambda a, b: _frac_margin(a)),
    ("trunc", "math.trunc({0}) * {1}", 2, lambda a, b: _frac_margin(a) if abs(a) > 0.5 else 1 - abs(a)),
    ("sin", "math.sin({0})", 1, None),
    ("cos", "math.cos({0})", 1, None),
    ("tan", "math.tan(math.atan({0}) * 0.9)", 1, None),
    ("asin", "math.asin(math.tanh({0}) * 0.9)", 1, None),
    ("acos", "math.acos(math.sin({0}) * 0.9)", 1, None),
    ("atan", "math.atan({0})", 1, None),
    ("atan2", "math.atan2({0}, {1})", 2, lambda a, b: abs(a) + abs(b) - 0.2 if a > 0 or abs(a) > 0.2 else abs(b)),
    ("sinh", "math.sinh(math.tanh({0}))", 1, None),
    ("cosh", "math.cosh(math.sin({0}))", 1, None),
    ("tanh", "math.tanh({0})", 1, None),
    ("asinh", "math.asinh({0})", 1, None),
    ("acosh", "math.acosh(1.5 + {0} * {0})", 1, None),
    ("atanh", "math.atanh(math.tanh({0}) * 0.8)", 1, None),
    ("exp", "math.exp(math.sin({0}) * 2.0)", 1, None),
    ("expm1", "math.expm1({0} * 0.5)", 1, None),
    ("exp2", "math.exp2(math.cos({0}))", 1, None),
    ("log", "math.log(1.0 + {0} * {0})", 1, None),
    ("log2arg", "math.log(2.0 + {0} * {0}, 3.0 + {1} * {1})", 2, None),
    ("log1p", "math.log1p({0} * {0})", 1, None),
    ("log2", "math.log2(0.5 + {0} * {0})", 1, None),
    ("log10", "math.log10(0.5 + {0} * {0})", 1, None),
    ("sqrt", "math.sqrt(0.5 + {0} * {0})", 1, None),
    ("cbrt", "math.cbrt({0})", 1, lambda a: abs(a) - 0.1),
    ("hypot", "math.hypot({0}, {1})", 2, lambda a, b: math.hypot(a, b) - 0.1),
    ("erf", "math.erf({0})", 1, None),
    ("erfc", "math.erfc({0})", 1, None),
    ("copysign", "math.copysign({0}, {1})", 2, lambda a, b: min(abs(a), abs(b))),
    ("degrees", "math.degrees({0}) * 0.01", 1, None),
    ("radians", "math.radians({0})", 1, None),
    ("gamma", "math.gamma(1.5 + math.sin({0}))", 1, None),
    ("lgamma", "math.lgamma(0.5 + {0} * {0})", 1, None),
    ("helper", "shifted_square({0})", 1, None),
    ("helper_kw", "shifted_square({0}, shift={1})", 2, None),
    ("constant", "K * {0} + math.pi", 1, None),
]
OPS = [op for op in OPS if hasattr(math, "cbrt") or op[0] not in ("cbrt", "exp2")]

HEADER = '''import math

K = 0.75


def shifted_square(t, shift=0.5):
    u = t + shift
    return u * u * 0.5
'''

# the program's names: some look like names srcdiff generates
NAMES = ["v", "w", "s0", "s1", "grad_a", "rt", "np", "y", "g", "x0", "tmp"]
PARAMS = ["a", "b", "c"]
NAMESPACE = {"math": math, "K": 0.75, "shifted_square": lambda t, shift=0.5: (t + shift) * (t + shift) * 0.5}


@st.composite
def programs(draw):
    """Statements ``(text, kind, target, expr, margin, args)`` and the returned expression.

    ``kind`` is how the interpreter runs it: ``assign`` (``target = expr``, also written
    as an augmented assignment or a tuple assignment) or ``swap`` (``p, q = q, p``).
    """
    defined = list(PARAMS)
    statements = []
    for _ in range(draw(st.integers(1, 7))):
        name, template, arity, margin = draw(st.sampled_from(OPS))
        args = [draw(st.sampled_from(defined)) for _ in range(arity)]
        expr = template.format(*args)
        form = draw(st.sampled_from(["assign", "assign", "augmented", "tuple", "swap"]))
        target = draw(st.sampled_from(NAMES + PARAMS))
        other = draw(st.sampled_from(defined))
        if form == "swap" and target in defined and target != other:
            statements.append((f"{target}, {other} = {other}, {target}", "swap", (target, other), None, None, ()))
            continue
        if form == "augmented" and target in defined:
            text, expr = f"{target} += {expr}", f"{target} + ({expr})"
        elif form == "tuple" and target != other:
            text = f"{target}, {other} = {expr}, {other}"
        else:
            text = f"{target} = {expr}"
        statements.append((text, "assign", target, expr, margin, args))
        if target not in defined:
            defined.append(target)
    result = draw(st.sampled_from(defined[len(PARAMS):] or defined))
    extra = draw(st.sampled_from([""] + [f" + 0.5 * {n}" for n in defined]))
    return statements, f"{result}{extra}"


def render(statements, result):
    lines = [HEADER, "", "def f(a, b, c):"]
    lines += [f"    {statement[0]}" for statement in statements]
    lines.append(f"    return {result}")
    return "\n".join(lines) + "\n"


def interpret(statements, result, point):
    """Run the program; None when a value is huge or a kink or jump is near."""
    env = dict(zip(PARAMS, point))
    for _, kind, target, expr, margin, args in statements:
        if kind == "swap":
            p, q = target
            env[p], env[q] = env[q], env[p]
            continue
        if margin is not None and margin(*(env[a] for a in args)) < 0.05:
            return None
        try:
            env[target] = eval(expr, dict(NAMESPACE), env)
        except (ValueError, OverflowError, ZeroDivisionError):
            return None
        if not abs(env[target]) < 1e3:
            return None
    return eval(result, dict(NAMESPACE), env)


FOLDER = pathlib.Path(tempfile.mkdtemp(prefix="srcdiff_properties_"))
COORDINATE = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3) + 0.0001)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs(), st.tuples(COORDINATE, COORDINATE, COORDINATE), st.sampled_from([None, 0, (2, 0), ("b",)]))
def test_random_program_matches_finite_differences(program, point, wrt):
    statements, result = program
    assume(interpret(statements, result, point) is not None)
    text = render(statements, result)
    f = import_text(FOLDER, text).f
    assert f(*point) == pytest.approx(interpret(statements, result, point))
    value, gradient = srcdiff.value_and_grad(f, wrt=wrt)(*point)
    assert value == f(*point)
    indices = {None: (0, 1, 2), 0: (0,), (2, 0): (2, 0), ("b",): (1,)}[wrt]
    gradient = gradient if isinstance(gradient, tuple) else (gradient,)
    expected = tuple(central_difference(f, point, i, eps=1e-6) for i in indices)
    source = srcdiff.grad(f, wrt=wrt).source
    assert all(type(g) is float for g in gradient), text + source
    assert gradient == pytest.approx(expected, rel=1e-4, abs=1e-5), text + source
    # no identities left over in the adjoint code
    backward = source.split("# backward", 1)[-1]
    assert not re.search(r"\* 1\.0\b|\b1\.0 \*|\+ 0\.0\b|\b0\.0 \+|- 0\.0\b", backward), source
    # no dead forward statements: every value computed is read later
    tree = ast.parse(source).body[0]
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and stmt.lineno < source[:source.find("# backward")].count("\n") + 1:
            assert stmt.targets[0].id in read, source
    # the command line reads the same file without running it: the same code
    static = static_scope(f.__code__.co_filename).source("f")
    assert gradient_source(lower(static), static, "grad", wrt)[1] == source
