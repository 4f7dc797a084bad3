"""Forward mode: jvp as generated source, against reverse-mode gradients and differences."""
import math
import re

import pytest

import srcdiff


def f(x, y):
    return x * x * y + math.sin(x) * y ** 3


def chain(x, a, b):
    s = math.sin(x) * a + b
    s = math.tanh(s) * a - b / (1.0 + s * s)
    return math.exp(-s) + abs(s) ** 0.5


POINTS = [(0.7, 1.3), (-1.1, 0.4)]


def test_jvp_is_the_directional_derivative():
    j = srcdiff.jvp(f)
    for x, y in POINTS:
        gx, gy = srcdiff.grad(f)(x, y)
        for dx, dy in [(1.0, 0.0), (0.0, 1.0), (0.3, -2.0)]:
            assert j(x, y, dx, dy) == pytest.approx(gx * dx + gy * dy, rel=1e-12)


def test_jvp_with_respect_to_some_parameters():
    j = srcdiff.jvp(chain, wrt=("b", 0))
    assert j.source.startswith("def jvp_chain(x, a, b, dot_b, dot_x):")
    gx, ga, gb = srcdiff.grad(chain)(0.4, 1.5, -0.2)
    assert j(0.4, 1.5, -0.2, 2.0, -1.0) == pytest.approx(2.0 * gb - gx, rel=1e-12)
    eps = 1e-6
    plus, minus = chain(0.4 + eps, 1.5, -0.2), chain(0.4 - eps, 1.5, -0.2)
    assert srcdiff.jvp(chain, wrt=0)(0.4, 1.5, -0.2, 1.0) == pytest.approx((plus - minus) / (2 * eps), rel=1e-7)


def test_jvp_source_names_tangents_dot():
    text = srcdiff.jvp(f, wrt="x").source
    assert text.startswith("def jvp_f(x, y, dot_x):")
    assert re.search(r"\n    dot_s\d+ = dot_x \* x \+ dot_x \* x\n", text)
    assert "dot_y" not in text  # y carries no tangent: no statement for it


def test_jvp_of_a_function_not_depending_on_wrt_is_zero():
    def g(x, y):
        return y * 2.0

    assert srcdiff.jvp(g, wrt=0)(1.0, 3.0, 1.0) == 0.0


def test_jvp_tangent_name_never_collides():
    def g(x, dot_x):
        return x * dot_x

    j = srcdiff.jvp(g, wrt=0)
    assert j.source.startswith("def jvp_g(x, dot_x, dot_x_1):")
    assert j(2.0, 3.0, 1.0) == 3.0


def nested(x, y):
    a = x * y
    if a > 1.0:
        if x > y:
            a = a * x
        b = math.exp(a) * 0.01
    elif y > 0:
        b = y * y
    else:
        b = 2.0
    c = x if x > 0.5 else y * 3.0
    return a * b + c


def early(x, y):
    if x > 2.0:
        return x * y
    return math.cos(x) * y * x


def looped(x, n):
    s = x
    for _ in range(n):
        s = math.sin(s) * x
    return s


BRANCH_POINTS = [(0.7, 1.3), (-0.7, 1.3), (1.8, 0.9), (2.5, -0.4), (0.3, -0.2)]


@pytest.mark.parametrize("fn", [nested, early])
def test_jvp_through_branches(fn):
    j = srcdiff.jvp(fn)
    for x, y in BRANCH_POINTS:
        gx, gy = srcdiff.grad(fn)(x, y)
        assert j(x, y, 1.0, -0.5) == pytest.approx(gx - 0.5 * gy, rel=1e-12, abs=1e-12)


def test_branch_tangents_read_well():
    text = srcdiff.jvp(nested).source
    assert "    if s0:\n" in text and "        else:\n" in text
    assert "            dot_b_2 = 0.0\n" in text  # b = 2.0 on that path: a zero tangent, written as one
    assert "dot_a_1 = dot_a_2\n" in text and "a_1 = a_2\n" in text  # merges at the end of a branch


@pytest.mark.parametrize("fn", [nested, early])
def test_default_hvp_goes_forward_through_branches(fn):
    h = srcdiff.hvp(fn)
    assert "(forward over reverse)" in h.source and "if " in h.source
    reverse = srcdiff.hvp(fn, mode="reverse")
    for point in BRANCH_POINTS:
        assert h(*point, 0.7) == pytest.approx(reverse(*point, 0.7), rel=1e-12, abs=1e-12)


def whiled(x, y):
    s = x
    k = 0
    while s < 10.0 and k < 50:
        s = s * 1.3 + y * math.cos(s)
        k += 1
        if s > 8.0:
            break
    return s * y


def nested_loops(x, y):
    t = 0.0
    for i in range(3):
        a = x * i
        for _ in range(2):
            if a > 0.5:
                a = a * y
            else:
                t = t + math.exp(-a)
        t = t + a * x
    return t


LOOP_CASES = [(looped, (0.7, 3)), (looped, (-1.2, 0)), (whiled, (0.9, 0.4)), (whiled, (9.5, 0.2)),
              (nested_loops, (0.8, 1.1)), (nested_loops, (0.2, 0.9))]


@pytest.mark.parametrize("case", range(len(LOOP_CASES)))
def test_jvp_and_hvp_through_loops(case):
    fn, point = LOOP_CASES[case]
    assert srcdiff.jvp(fn, wrt=0)(*point, 1.0) == pytest.approx(srcdiff.grad(fn, wrt=0)(*point), rel=1e-12, abs=1e-12)
    h = srcdiff.hvp(fn, wrt=0)
    assert "(reverse over forward)" in h.source
    g = srcdiff.grad(fn, wrt=0)
    eps = 1e-6
    plus, minus = (point[0] + eps,) + point[1:], (point[0] - eps,) + point[1:]
    assert h(*point, 0.5) == pytest.approx(0.5 * (g(*plus) - g(*minus)) / (2 * eps), rel=1e-6, abs=1e-8)


def test_loop_tangents_read_well():
    text = srcdiff.jvp(looped, wrt=0).source
    assert "    dot_s = dot_x\n    for _ in range(n):\n" in text
    assert "        s = s_1\n        dot_s = dot_s_1\n" in text


def test_a_loop_over_values_with_a_tangent_iterates_the_tangents_beside_them():
    def over(xs, c):
        t = 0.0
        for v in xs:
            t = t + v * c
        return t

    jvp = srcdiff.jvp(over, wrt=0)
    assert "    for v, dot_v in zip(xs, dot_xs):\n" in jvp.source
    assert jvp([1.0, 2.0], 3.0, [0.5, -1.0]) == pytest.approx(3.0 * (0.5 - 1.0))
    assert srcdiff.jvp(over, wrt=1)([1.0, 2.0], 3.0, 1.0) == 3.0
