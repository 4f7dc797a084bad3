"""Property tests with control flow: random programs with ``if``/``else``, ``for`` over
``range`` and ``while`` loops (nested up to two deep), ``break``, ``continue``, early
``return``, a helper that branches and loops, comparisons, ``int`` and ``round`` feeding
arithmetic; gradients against finite differences.

The point's coordinates are kept apart (a comparison of two of them is never a tie), and
a point where central differences at two step sizes disagree is skipped: a branch
switches or a kink lies within the step, where finite differences say nothing.  Names
include those the generated code uses for its own bookkeeping (``tape``,
``iterations``, ``stop``, ``s0``).
"""
import math  # noqa: F401  (the generated programs import it themselves)
import pathlib
import tempfile

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from conftest import import_text
from srcdiff.pipeline import gradient_source, static_scope
from srcdiff.lower import lower

EXPRESSIONS = ["({0} > {1}) * {0}", "int({0}) * {1}", "round({0}) + {1}", "{0} + {1}", "{0} * {1}", "{0} - {1}", "math.sin({0})", "{0} / (1.0 + {1} * {1})",
               "math.tanh({0}) * {1}", "max({0}, {1})", "abs({0})", "{0} * 0.5", "math.exp(math.sin({0}))",
               "-{0}", "{0} ** 2 * 0.1"]
NAMES = ["u", "v", "w", "s0", "tape", "iterations", "stop"]
PARAMS = ["a", "b", "c"]
FOLDER = pathlib.Path(tempfile.mkdtemp(prefix="srcdiff_flow_"))


@st.composite
def block(draw, defined, depth, indent, in_loop=False):
    """Lines of a block; ``defined`` is updated with the names bound on every path."""
    lines, pad = [f"{'    ' * indent}pass"], "    " * indent
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["assign"] * 4 + ["return", "exit", "helper"]
                                    + (["if", "for", "while"] if depth < 2 else [])))
        if kind == "return":
            lines.append(f"{pad}if {draw(st.sampled_from(defined))} > 1.5:")
            lines.append(f"{pad}    return {draw(st.sampled_from(defined))} * 2.0")
        elif kind == "exit" and in_loop:
            lines.append(f"{pad}if {draw(st.sampled_from(defined))} < -1.0:")
            lines.append(f"{pad}    {draw(st.sampled_from(['break', 'continue']))}")
        elif kind == "helper":
            target = draw(st.sampled_from(NAMES))
            lines.append(f"{pad}{target} = helper({draw(st.sampled_from(defined))}, {draw(st.sampled_from(defined))})")
            defined.append(target)
        elif kind == "assign":
            target = draw(st.sampled_from(NAMES + PARAMS))
            expr = draw(st.sampled_from(EXPRESSIONS)).format(*(draw(st.sampled_from(defined)) for _ in range(2)))
            augmented = target in defined and draw(st.booleans())
            lines.append(f"{pad}{target} {'+=' if augmented else '='} {expr}")
            defined.append(target)
        elif kind == "if":
            left, right = draw(st.sampled_from(defined)), draw(st.sampled_from(defined))
            then, orelse = list(defined), list(defined)
            lines.append(f"{pad}if {left} > {right}:")
            lines += draw(block(then, depth + 1, indent + 1, in_loop))
            lines.append(f"{pad}else:")
            lines += draw(block(orelse, depth + 1, indent + 1, in_loop))
            defined[:] = [n for n in dict.fromkeys(then) if n in orelse]
        elif kind == "for":
            lines.append(f"{pad}for i in range({draw(st.integers(0, 3))}):")
            lines += draw(block(list(defined), depth + 1, indent + 1, True))
        elif kind == "while":  # a counter of its own per depth, counted first (continue skips the rest)
            watched = draw(st.sampled_from(defined))
            lines.append(f"{pad}k{depth} = 0")
            lines.append(f"{pad}while k{depth} < 2 and abs({watched}) < 50.0:")
            lines.append(f"{pad}    k{depth} = k{depth} + 1")
            lines += draw(block(list(defined), depth + 1, indent + 1, True))
    return lines


@st.composite
def programs(draw):
    defined = list(PARAMS)
    body = draw(block(defined, 0, 1))
    result = draw(st.sampled_from(defined))
    return HELPER + "\n\ndef f(a, b, c):\n" + "\n".join(body) + f"\n    return {result} + 0.0 * a\n"


HELPER = """import math


def helper(p, q):
    if p > q:
        return p * q
    r = p
    for j in range(2):
        r = r * 0.5 + q
    return r
"""


def one_sided(f, point, i, step):
    """``(f(x + h) - f(x)) / h`` (``step`` > 0) or ``(f(x) - f(x - h)) / h`` (``step`` < 0)."""
    moved = list(point)
    moved[i] += step
    return (f(*moved) - f(*point)) / step


def central(f, point, i, step):
    low, high = list(point), list(point)
    low[i] -= step
    high[i] += step
    return (f(*high) - f(*low)) / (2 * step)


# coordinates on a 0.01 grid, shifted apart so that no two are ever equal
POINTS = st.tuples(*[st.floats(-2, 2).map(lambda v, k=k: round(v, 2) + 0.00137 * k) for k in (1, 2, 3)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs(), POINTS)
def test_random_program_with_control_flow_matches_finite_differences(text, point):
    f = import_text(FOLDER, text).f
    try:
        value = f(*point)
        fine = [central(f, point, i, 1e-6) for i in range(3)]
        coarse = [central(f, point, i, 1e-5) for i in range(3)]
        # a kink exactly at the point (max of two computed values that tie) fools both central
        # differences alike; the one-sided ones disagree there
        sides = [(one_sided(f, point, i, 1e-6), one_sided(f, point, i, -1e-6)) for i in range(3)]
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    assume(abs(value) < 1e6)
    assume(all(abs(p - q) <= 1e-4 * (1e-3 + abs(q)) for p, q in zip(fine, coarse)))
    assume(all(abs(right - left) <= 1e-3 * (1 + abs(right)) for right, left in sides))
    gradient = srcdiff.grad(f)
    got = gradient(*point)
    assert all(abs(p - q) <= 1e-4 * (1 + abs(q)) for p, q in zip(got, fine)), f"{text}\n{gradient.source}\n{got} {fine}"
    assert all(type(g) is float for g in got), gradient.source
    assert srcdiff.value_and_grad(f)(*point) == (value, got)
    static = static_scope(f.__code__.co_filename).source("f")
    assert gradient_source(lower(static), static)[1] == gradient.source
