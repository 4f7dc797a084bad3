"""Property tests: random programs with branches, loops, early exits and a helper that
branches, loops and returns early, gradients against finite differences.

Hypothesis draws a program of ``if``/``elif``/``else``, conditional expressions, ``and``,
``for`` over ``range(n)`` (nested), bounded ``while`` loops with data-dependent tests,
``break``, ``continue`` and ``return`` inside branches and loops, over three variables.
The program is written twice: as the user's function, and as a *probe* in which every
comparison also records how far its two sides are apart.  Running the probe at the
point keeps the point away from branch boundaries, where finite differences jump.
"""
import math
import tempfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from conftest import central_difference, import_text

VARS = ("a", "b", "c")
LEAVES = VARS + ("x", "y", "0.5", "1.5")


class Node:
    """A piece of program text that renders as the function (``probe=False``) or the probe."""

    def __init__(self, render):
        self.render = render


def _text(node, probe):
    return node.render(probe) if isinstance(node, Node) else node


@st.composite
def conditions(draw, depth):
    left, right = draw(expressions(depth)), draw(expressions(depth))
    op = draw(st.sampled_from([">", "<"]))
    single = Node(lambda p: (f"_cmp({_text(left, p)}, '{op}', {_text(right, p)})" if p
                             else f"{_text(left, p)} {op} {_text(right, p)}"))
    if depth > 0 and draw(st.integers(0, 3)) == 0:
        other = draw(conditions(0))
        joiner = draw(st.sampled_from(["and", "or"]))
        negate = draw(st.booleans())
        return Node(lambda p: f"({'not ' if negate else ''}{_text(single, p)} {joiner} {_text(other, p)})")
    return single


@st.composite
def expressions(draw, depth):
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(LEAVES))
    kind = draw(st.sampled_from(["add", "sub", "mul", "sin", "ifexp", "helper"]))
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    if kind == "sin":
        return Node(lambda p: f"math.sin({_text(left, p)})")
    if kind == "helper":  # a helper that branches, loops and returns early, inlined here
        return Node(lambda p: f"helper({_text(left, p)}, k={_text(right, p)})")
    if kind == "ifexp":
        cond = draw(conditions(0))
        return Node(lambda p: f"({_text(left, p)} if {_text(cond, p)} else {_text(right, p)})")
    symbol = {"add": "+", "sub": "-", "mul": "*"}[kind]
    scale = " * 0.5" if kind == "mul" else ""
    return Node(lambda p: f"({_text(left, p)} {symbol} {_text(right, p)}{scale})")


@st.composite
def blocks(draw, depth, loops, size=None):
    """A list of statements: each a function (probe, indent) -> lines."""
    count = size or draw(st.integers(1, 3))
    return [draw(statements(depth, loops)) for _ in range(count)]


def _render_block(block, probe, indent):
    return [line for stmt in block for line in stmt(probe, indent)]


@st.composite
def statements(draw, depth, loops):
    kinds = ["assign", "assign", "augassign"]
    if depth > 0:
        kinds += ["if", "if", "return"]
        if loops < 2:
            kinds += ["for", "while"]
        if loops > 0:
            kinds += ["break", "continue"]
    kind = draw(st.sampled_from(kinds))
    pad = "    "
    if kind in ("assign", "augassign"):
        var, value = draw(st.sampled_from(VARS)), draw(expressions(2))
        op = "=" if kind == "assign" else "+="
        return lambda p, i: [f"{pad * i}{var} {op} {_text(value, p)}"]
    if kind == "if":
        cond = draw(conditions(1))
        body = draw(blocks(depth - 1, loops))
        orelse = draw(st.one_of(st.just([]), blocks(depth - 1, loops)))
        return lambda p, i: ([f"{pad * i}if {_text(cond, p)}:"] + _render_block(body, p, i + 1)
                             + ([f"{pad * i}else:"] + _render_block(orelse, p, i + 1) if orelse else []))
    if kind in ("return", "break", "continue"):
        cond = draw(conditions(0))
        exit_text = draw(expressions(1)) if kind == "return" else None
        what = (lambda p: f"return {_text(exit_text, p)}") if kind == "return" else (lambda p: kind)
        return lambda p, i: [f"{pad * i}if {_text(cond, p)}:", f"{pad * (i + 1)}{what(p)}"]
    body = draw(blocks(depth - 1, loops + 1))
    counter = f"k{depth}{loops}"
    if kind == "for":
        bound = draw(st.sampled_from(["n", "2", "n + 1"]))
        return lambda p, i: [f"{pad * i}for {counter} in range({bound}):"] + _render_block(body, p, i + 1)
    cond = draw(conditions(0))
    # bounded: the counter goes up first thing, so continue cannot skip it
    return lambda p, i: ([f"{pad * i}{counter} = 0", f"{pad * i}while {counter} < 3 and {_text(cond, p)}:",
                          f"{pad * (i + 1)}{counter} = {counter} + 1"] + _render_block(body, p, i + 1))


@st.composite
def programs(draw):
    body = draw(blocks(3, 0, size=draw(st.integers(1, 4))))
    result = draw(expressions(2))

    def render(probe):
        lines = ["import math", "", "GAPS = []", "", "",
                 "def _cmp(left, op, right):",
                 "    GAPS.append(abs(left - right))",
                 "    return left > right if op == '>' else left < right", "", "",
                 "def helper(t, k=0.5):",
                 f"    if {'_cmp(t, chr(62), 0.3)' if probe else 't > 0.3'}:",
                 "        return t * k",
                 "    for i in range(2):",
                 f"        if {'_cmp(t, chr(60), -1.0)' if probe else 't < -1.0'}:",
                 "            return t + k",
                 "        t = t * 0.5 + k",
                 "    return t", "", "",
                 "def f(x, y, n):", "    a = x", "    b = y", "    c = x * y"]
        lines += _render_block(body, probe, 1)
        lines.append(f"    return {_text(result, probe)}")
        return "\n".join(lines) + "\n"

    return render(False), render(True)


FOLDER = tempfile.mkdtemp(prefix="srcdiff_flow_programs_")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs(), st.floats(-2, 2), st.floats(-2, 2), st.integers(0, 3))
def test_random_programs_with_control_flow(program, x, y, n):
    text, probe_text = program
    probe = import_text(FOLDER, probe_text)
    value = probe.f(x, y, n)
    assume(math.isfinite(value) and abs(value) < 1e6)
    assume(min(probe.GAPS, default=1.0) > 1e-3)  # away from every branch boundary
    f = import_text(FOLDER, text).f
    value_and_grad = srcdiff.value_and_grad(f, wrt=(0, 1))
    got_value, got = value_and_grad(x, y, n)
    assert got_value == pytest.approx(value, rel=1e-12, abs=1e-12)
    want = tuple(central_difference(f, (x, y, n), i) for i in range(2))
    assert got == pytest.approx(want, rel=1e-4, abs=1e-5), text
