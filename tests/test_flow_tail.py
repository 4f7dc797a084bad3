"""The assignments after a function's last branch or loop, swept as straight-line code.

Before, one ``if`` anywhere sent the whole function through the structured sweep, whose
output for its straight part was longer than the same code without the ``if`` (``grad_b = g *
b`` then ``grad_b += g * b``, adjoint copies of 1.0) and slower to build.  The tail now goes
through ``straight.Sweep`` (``transforms/flow_tail.py``); values defined before it keep a line
for each contribution.  Each function is checked against central differences on every path the
sweep feeds (grad, value_and_grad, vjp, hessian, grad of grad, explain), and its text for the
straight-line forms.
"""
import math

import numpy as np
import pytest

import srcdiff
from conftest import import_text

SOURCE = '''
import math

import numpy as np


def squared_after_if(x, y):
    s = x
    if x > 0.0:
        s = s * 2.0
    a = s * y
    b = math.sin(a) + y
    c = b * b / (a + 1.0)
    return c * x


def tail_reads_a_loop_result_twice(x, n):
    h = x
    for i in range(n):
        h = math.tanh(h * x + 0.1 * i)
    u = h * h
    v = u * h + x * h
    return v / (1.0 + u)


def integer_in_the_tail(x, k):
    t = x
    if k > 1:
        t = t * x
    m = int(k) * 2
    return t * m + m * x * x


def result_is_a_parameter(x, y):
    if y > 0.0:
        return x
    return x


def array_tail(W, x):
    h = np.tanh(W @ x)
    if np.sum(h) > 0.0:
        h = h * 2.0
    z = h * h
    return np.sum(z * z) + np.sum(W * W)
'''

H = 1e-6


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("flow_tail"), SOURCE)


def central(f, args, position):
    """The central difference of ``f`` along its float argument ``position``."""
    up, down = list(args), list(args)
    up[position] += H
    down[position] -= H
    return (f(*up) - f(*down)) / (2 * H)


SCALAR_CASES = [("squared_after_if", (0.7, -0.4)), ("squared_after_if", (-0.7, 0.4)),
                ("tail_reads_a_loop_result_twice", (0.6, 3)), ("tail_reads_a_loop_result_twice", (0.6, 0)),
                ("integer_in_the_tail", (0.8, 3)), ("integer_in_the_tail", (0.8, 1)),
                ("result_is_a_parameter", (0.8, 1.0))]


@pytest.mark.parametrize("name, args", SCALAR_CASES)
def test_every_path_agrees_with_central_differences(module, name, args):
    f = getattr(module, name)
    expected = central(f, args, 0)
    assert srcdiff.grad(f, wrt=0)(*args) == pytest.approx(expected, rel=1e-6, abs=1e-9)
    value, gradient = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == f(*args) and gradient == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert srcdiff.api.vjp(f, wrt=0)(*args, 2.5) == pytest.approx(2.5 * expected, rel=1e-6, abs=1e-9)
    g = srcdiff.grad(f, wrt=0)
    second = central(g, args, 0)
    assert srcdiff.hessian(f, wrt=0)(*args) == pytest.approx(second, rel=1e-5, abs=1e-7)
    assert srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(*args) == pytest.approx(second, rel=1e-5, abs=1e-7)
    assert srcdiff.explain(f, *args).value == pytest.approx(f(*args))


def test_the_tail_prints_as_straight_line_code(module):
    text = srcdiff.grad(module.squared_after_if).source
    backward = text.split("# backward", 1)[1]
    assert "grad_b = 2.0 * grad_c / s3 * b" in backward  # b * b: one line, not = and +=
    assert "grad_b +=" not in backward and "= 1.0\n" not in backward  # no copy of the seed
    assert "if s0:" in backward  # the branch is still replayed


def test_an_int_contribution_in_the_tail_stays_a_float(module):
    gradient = srcdiff.grad(module.integer_in_the_tail, wrt=(0, 1))(0.8, 3)
    assert all(type(g) is float for g in gradient)
    assert gradient[0] == pytest.approx(central(module.integer_in_the_tail, (0.8, 3), 0), rel=1e-6)


def test_array_code_with_a_non_uniform_weight(module):
    rng = np.random.default_rng(3)
    W, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    f = module.array_tail
    got = srcdiff.grad(f, wrt=(0, 1))(W, x)
    for position, value in enumerate((W, x)):
        expected = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            step = np.zeros_like(value)
            step[index] = H
            args_up = [W, x]
            args_down = [W, x]
            args_up[position] = value + step
            args_down[position] = value - step
            expected[index] = (f(*args_up) - f(*args_down)) / (2 * H)
        np.testing.assert_allclose(got[position], expected, rtol=1e-5, atol=1e-7)
    weight = rng.standard_normal(3)  # a tangent that is not all ones: a transposed gradient shows
    along = srcdiff.jvp(f, wrt=1)(W, x, weight)
    assert along == pytest.approx(float(np.dot(got[1], weight)), rel=1e-9)
    assert math.isfinite(along)
