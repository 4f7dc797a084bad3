"""The gradient of a gradient penalty through a function with loops.

``penalty`` calls ``grad_f = srcdiff.grad(f, wrt=A)`` of an ``f`` with loops, whose code keeps a
tape: the call stays a call and its backward calls ``vjp_grad_f`` (reverse over forward,
``pipeline.gradient_vjp``).  Each case is checked against central differences of the penalty
and against autograd (nested reverse mode) on the same function written with autograd.numpy.
"""
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from fuzzing.check import check_program
from fuzzing.generate import GROUPS, generate
from srcdiff.errors import SrcdiffError


# ---------------------------------------------------------------- the functions (srcdiff, autograd)

def loop_range(w, x, n):
    s = x
    for i in range(n):
        s = math.sin(s * w) + x * (i + 1)
    return s * s


def loop_range_ag(w, x, n):
    s = x
    for i in range(n):
        s = anp.sin(s * w) + x * (i + 1)
    return s * s


def two_params(a, b, x, n):
    s = x
    for _ in range(n):
        s = math.tanh(a * s + b) + 0.1 * x
    return s * s * a


def two_params_ag(a, b, x, n):
    s = x
    for _ in range(n):
        s = anp.tanh(a * s + b) + 0.1 * x
    return s * s * a


def over_values(w, ws):
    s = 1.0
    for v in ws:
        s = s * math.cos(w * v) + v * w
    return s * s


def over_values_ag(w, ws):
    s = 1.0
    for v in ws:
        s = s * anp.cos(w * v) + v * w
    return s * s


def while_loop(w, x):
    s = x
    k = 0
    while k < 4:
        s = s * w + math.exp(-s * s)
        k = k + 1
    return s * s


def while_loop_ag(w, x):
    s = x
    k = 0
    while k < 4:
        s = s * w + anp.exp(-s * s)
        k = k + 1
    return s * s


def network(W, xs):
    h = xs[0]
    for x in xs:
        h = np.tanh(W @ h + x)
    return np.sum(h * h)


def network_ag(W, xs):
    h = xs[0]
    for x in xs:
        h = anp.tanh(anp.dot(W, h) + x)
    return anp.sum(h * h)


def two_arrays(W, b, X, n):
    H = X
    for _ in range(n):
        H = np.tanh(W @ H + b)
    return np.sum(H ** 2) + np.sum(b * b)


def two_arrays_ag(W, b, X, n):
    H = X
    for _ in range(n):
        H = anp.tanh(anp.dot(W, H) + b)
    return anp.sum(H ** 2) + anp.sum(b * b)


grad_loop_range = srcdiff.grad(loop_range, wrt="w")
grad_two = srcdiff.grad(two_params, wrt=("a", "b"))
grad_b_only = srcdiff.grad(two_params, wrt=1)
grad_over_values = srcdiff.grad(over_values, wrt=0)
grad_while = srcdiff.grad(while_loop, wrt="w")
grad_network = srcdiff.grad(network, wrt="W")
grad_two_arrays = srcdiff.grad(two_arrays, wrt=("W", "b"))
WEIGHTS = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.5], [2.0, 0.75, -0.5]])


def penalty_range(w, x, n):
    g = grad_loop_range(w, x, n)
    return g * g


def penalty_two(a, b, x, n):
    ga, gb = grad_two(a, b, x, n)
    return ga * ga + 3.0 * gb * gb * x


def penalty_one_part(a, b, x, n):
    ga, _ = grad_two(a, b, x, n)
    return ga * ga


def penalty_b_only(a, b, x, n):
    return grad_b_only(a, b, x, n=n) ** 2 + a * b


def penalty_values(w, ws):
    g = grad_over_values(w, ws)
    return math.sin(g) + g * g


def penalty_while(w, x):
    g = grad_while(w, x)
    return g * g * g


def penalty_in_loop(w, x, n):
    total = 0.0
    for k in range(n):
        g = grad_loop_range(w, x * (k + 1), 2)
        total = total + g * g
    return total


def penalty_network(W, xs):
    g = grad_network(W, xs)
    return np.sum(g * g * WEIGHTS)


def penalty_two_arrays(W, b, X, n):
    gW, gb = grad_two_arrays(W, b, X, n)
    return np.sum(gW * gW * WEIGHTS) + np.sum(gb ** 2)


def _ag_penalty(loss, wrt, combine):
    """The penalty written with autograd: ``combine(x, *gradients)``."""
    grads = [autograd.grad(loss, i) for i in wrt]

    def penalty(*args):
        return combine(args, *[g(*args) for g in grads])
    return penalty


AG_PENALTIES = {
    "range": _ag_penalty(loop_range_ag, (0,), lambda args, g: g * g),
    "two": _ag_penalty(two_params_ag, (0, 1), lambda args, ga, gb: ga * ga + 3.0 * gb * gb * args[2]),
    "one_part": _ag_penalty(two_params_ag, (0,), lambda args, ga: ga * ga),
    "b_only": _ag_penalty(two_params_ag, (1,), lambda args, gb: gb ** 2 + args[0] * args[1]),
    "values": _ag_penalty(over_values_ag, (0,), lambda args, g: anp.sin(g) + g * g),
    "while": _ag_penalty(while_loop_ag, (0,), lambda args, g: g * g * g),
    "network": _ag_penalty(network_ag, (0,), lambda args, g: anp.sum(g * g * WEIGHTS)),
    "two_arrays": _ag_penalty(two_arrays_ag, (0, 1),
                              lambda args, gW, gb: anp.sum(gW * gW * WEIGHTS) + anp.sum(gb ** 2)),
}

RNG = np.random.default_rng(8)
XS = [RNG.normal(size=3) for _ in range(3)]
W0 = RNG.normal(size=(3, 3)) * 0.6
B0 = RNG.normal(size=(3, 1))
X0 = RNG.normal(size=(3, 3))

# name, penalty, arguments, the positions differentiated (floats and arrays)
CASES = [
    ("range", penalty_range, (0.7, 0.3, 4), (0, 1)),
    ("two", penalty_two, (0.7, -0.2, 0.4, 3), (0, 1, 2)),
    ("one_part", penalty_one_part, (0.6, 0.1, -0.5, 3), (0, 1, 2)),
    ("b_only", penalty_b_only, (0.9, -0.4, 0.3, 2), (0, 1, 2)),
    ("values", penalty_values, (0.8, [0.5, -1.25, 2.0]), (0,)),
    ("while", penalty_while, (0.6, 0.45), (0, 1)),
    ("network", penalty_network, (W0, XS), (0,)),
    ("two_arrays", penalty_two_arrays, (W0, B0, X0, 3), (0, 1, 2)),
]


def _central(fn, args, position, h=1e-6):
    """Central differences of ``fn`` along every entry of argument ``position``."""
    value = np.asarray(args[position], dtype=float)
    out = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        up, down = value.copy(), value.copy()
        up[index] += h
        down[index] -= h
        plus = list(args)
        minus = list(args)
        plus[position] = up if value.shape else float(up)
        minus[position] = down if value.shape else float(down)
        out[index] = (fn(*plus) - fn(*minus)) / (2 * h)
    return out


@pytest.mark.parametrize("name, penalty, args, positions", CASES, ids=[c[0] for c in CASES])
def test_penalty_gradient_matches_finite_differences_and_autograd(name, penalty, args, positions):
    gradient = srcdiff.grad(penalty, wrt=positions)(*args)
    reference = AG_PENALTIES[name]
    for got, position in zip(gradient, positions):
        np.testing.assert_allclose(got, _central(penalty, args, position), rtol=1e-5, atol=1e-6)
        expected = autograd.grad(reference, position)(*args)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_penalty_in_a_loop():
    args = (0.7, 0.3, 3)
    got = srcdiff.grad(penalty_in_loop, wrt=(0, 1))(*args)
    for value, position in zip(got, (0, 1)):
        np.testing.assert_allclose(value, _central(penalty_in_loop, args, position), rtol=1e-5, atol=1e-6)


def test_the_call_is_kept_and_its_product_called():
    text = srcdiff.grad(penalty_two).source
    assert "s0 = grad_two(a, b, x, n)" in text
    assert "grad_a, grad_b, grad_x_1, grad_n = vjp_grad_two_params(a, b, x, n, grad_s0)" in text
    assert "tape" not in text
    product = grad_two.__srcdiff_vjp__()
    assert product.__name__ == "vjp_grad_two_params"
    assert "reverse over forward" in product.source
    assert grad_two.__srcdiff_vjp__() is product  # built once


def test_value_and_grad_of_the_penalty():
    args = (0.7, 0.3, 4)
    value, gradient = srcdiff.value_and_grad(penalty_range, wrt=0)(*args)
    assert value == pytest.approx(penalty_range(*args))
    assert gradient == pytest.approx(float(_central(penalty_range, args, 0)), rel=1e-6)


def test_float32_arrays_keep_their_dtype():
    W = W0.astype(np.float32)
    xs = [x.astype(np.float32) for x in XS]
    got = srcdiff.grad(penalty_network, wrt=0)(W, xs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, srcdiff.grad(penalty_network, wrt=0)(W0, XS), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("derive", [
    lambda: srcdiff.hvp(penalty_range, wrt=0)(0.7, 0.3, 4, 1.0),
    lambda: srcdiff.hessian(penalty_range, wrt=0)(0.7, 0.3, 4),
    lambda: srcdiff.grad(srcdiff.grad(penalty_range, wrt=0), wrt=0)(0.7, 0.3, 4),
    lambda: srcdiff.jvp(penalty_range, wrt=0)(0.7, 0.3, 4, 1.0),
])
def test_forward_mode_and_third_derivatives_are_refused_at_the_users_line(derive):
    with pytest.raises(SrcdiffError) as caught:
        derive()
    error = caught.value
    assert "through a loop" in error.message and "not supported" in error.message
    assert error.filename == __file__
    assert "g = grad_loop_range(w, x, n)" in error.line_text


@pytest.mark.parametrize("seed", [700000, 700001, 700012, 700125])
def test_fuzzed_penalties_once_refused_now_pass(seed, tmp_path):
    """benchmarks/fuzz.py --checks penalty: 700000 and 700001 were refused as a second derivative
    through a loop; 700012 and 700125 inline a gradient calling rt.whole_zeros and rt.owned_whole,
    refused for want of their rules."""
    result = check_program(generate(seed, GROUPS["all"]), folder=tmp_path, timeout=120, checks="penalty")
    assert result.checks == {"penalty": "pass"}, [f.message for f in result.failures]


def test_numba_refuses_the_call_by_its_name():
    with pytest.raises(SrcdiffError, match="cannot compile the call of grad_loop_range") as caught:
        srcdiff.grad(penalty_range, jit="numba")(0.7, 0.3, 4)
    assert caught.value.filename == __file__


def test_explain_walks_through_the_product():
    text = str(srcdiff.explain(penalty_range, 0.7, 0.3, 4))
    assert "g = grad_loop_range(w, x, n)" in text and "vjp_grad_loop_range(w, x, n, g)[0]" in text


def damped(w, x, n, damp=0.5):
    s = x
    for _ in range(n):
        s = math.sin(s * w) * damp + x
    return s * s


def tapeless(w, x, n):
    s = 0.0
    for i in range(n):
        s = s + w * w * x + i * w
    return s * s


grad_damped = srcdiff.grad(damped, wrt="w")
grad_tapeless = srcdiff.grad(tapeless, wrt="w")


def penalty_default(w, x, n):
    return grad_damped(w, x, n) ** 2


def penalty_tapeless(w, x, n):
    g = grad_tapeless(w, x, n)
    return g * g


def test_a_left_out_parameter_takes_its_default():
    built = srcdiff.grad(penalty_default, wrt=(0, 1))
    assert "grad_damped(w, x, n, 0.5)" in built.source
    args = (0.7, 0.3, 3)
    for got, position in zip(built(*args), (0, 1)):
        np.testing.assert_allclose(got, _central(penalty_default, args, position), rtol=1e-5, atol=1e-6)


def test_a_gradient_of_a_loop_without_a_tape_is_still_inlined():
    assert getattr(grad_tapeless, "__srcdiff_vjp__", None) is None
    built = srcdiff.grad(penalty_tapeless, wrt=(0, 1))
    assert "vjp_" not in built.source and "grad_tapeless(" not in built.source
    args = (0.7, 0.3, 3)
    for got, position in zip(built(*args), (0, 1)):
        np.testing.assert_allclose(got, _central(penalty_tapeless, args, position), rtol=1e-5, atol=1e-6)
