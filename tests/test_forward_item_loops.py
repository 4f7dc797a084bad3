"""Forward mode through loops over values that carry a tangent (``for w in ws``).

The tangent of a sequence has the sequence's structure, so its items are the tangents of
the loop variable's values: ``for w, dot_w in zip(ws, dot_ws)``; ``reversed`` reverses
both; ``enumerate`` reads ``dot_w = dot_ws[i]`` at the index it gives; ``zip`` iterates
the tangents of the sequences that have one beside them.  Before, every such loop was
refused ("forward mode does not go through a loop over values that carry a tangent").
Checked against central differences (lists, arrays, rows of square matrices, nested
loops, a list built in the function) and JAX where installed; a loop unpacking items
that carry a tangent is still refused at the user's line.
"""
import math

import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional

RNG = np.random.default_rng(23)


def over_list(xs, c):
    acc = 0.0
    for w in xs:
        acc = acc + math.sin(w) * c
    return acc


def over_rows(X):
    acc = 0.0
    for row in X:
        acc = acc + np.sum(np.tanh(row) * row)
    return acc


def over_enumerate(xs):
    acc = 0.0
    for i, w in enumerate(xs):
        acc = acc + (i + 1) * w * w
    return acc


def over_zip(xs, ys):
    acc = 0.0
    for a, b in zip(xs, ys):
        acc = acc + a * np.exp(b)
    return acc


def over_reversed(xs):
    acc = 0.0
    for w in reversed(xs):
        acc = acc * 0.5 + math.tanh(w)
    return acc


def nested(X, c):
    acc = 0.0
    for row in X:
        for v in row:
            acc = acc + math.sin(v * c)
    return acc


def built(a, b):
    acc = 0.0
    for w in [a * b, a + b, math.exp(a)]:
        acc = acc + w * w
    return acc


def carried_array(X):
    h = np.zeros(X.shape[1])
    for row in X:
        h = np.tanh(h * 0.5 + row)
    return np.sum(h * np.arange(1.0, X.shape[1] + 1))


def unpacked(pairs):
    acc = 0.0
    for p, q in pairs:
        acc = acc + p * q
    return acc


CASES = [
    (over_list, ([0.3, -1.2, 0.7], 1.3)), (over_list, (np.array([0.3, -1.2, 0.7, 2.0]), -0.4)),
    (over_rows, (RNG.normal(size=(4, 4)),)), (over_rows, (RNG.normal(size=(3, 5)),)),
    (over_enumerate, ([0.3, -1.2, 0.7],)), (over_zip, (np.array([0.3, -1.2, 0.7, 2.0]), np.array([1.0, 0.5, -0.25]))),
    (over_reversed, (np.array([0.3, -1.2, 0.7]),)), (nested, (RNG.normal(size=(3, 3)), 0.7)), (built, (0.4, -0.3)),
    (carried_array, (RNG.normal(size=(4, 4)),)),
]


def _direction(x):
    if isinstance(x, list):
        return list(RNG.normal(size=len(x)))
    return RNG.normal(size=np.shape(x)) if np.ndim(x) else 0.8


def _along(f, args, index, d):
    """The derivative along ``d`` by central differences (a list parameter moved as an array, given back a list)."""
    if isinstance(args[index], list):
        as_list = list(args)

        def moved(*a):
            as_list[index] = list(a[index])
            return f(*as_list[:index], as_list[index], *a[index + 1:])
        return fd_directional(moved, (*args[:index], np.array(args[index]), *args[index + 1:]), index, np.array(d))
    return fd_directional(f, args, index, d)


@pytest.mark.parametrize("case,args", CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)])
def test_jvp_matches_differences_for_every_parameter(case, args):
    for index in range(len(args)):
        d = _direction(args[index])
        got = srcdiff.jvp(case, wrt=index)(*args, d)
        assert got == pytest.approx(float(_along(case, args, index, d)), rel=1e-6, abs=1e-8)


def test_the_tangents_are_iterated_beside_the_values():
    assert "    for w, dot_w in zip(xs, dot_xs):\n" in srcdiff.jvp(over_list, wrt=0).source
    assert "    for w, dot_w in zip(reversed(xs), reversed(dot_xs)):\n" in srcdiff.jvp(over_reversed, wrt=0).source
    assert "    for i, w in enumerate(xs):\n        dot_w = dot_xs[i]\n" in srcdiff.jvp(over_enumerate, wrt=0).source
    text = srcdiff.jvp(over_zip, wrt=1).source
    assert "    for a, b, dot_b in zip(xs, ys, dot_ys):\n" in text
    assert "for w in xs:" in srcdiff.jvp(over_list, wrt=1).source  # xs carries no tangent there


def test_the_hessian_through_a_loop_over_rows_matches_differences_of_the_gradient():
    X = RNG.normal(size=(3, 3))
    hessian = srcdiff.hessian(carried_array)(X).reshape(9, 9)
    gradient = srcdiff.grad(carried_array)
    columns = [fd_directional(gradient, (X,), 0, e.reshape(3, 3)).ravel() for e in np.eye(9)]
    np.testing.assert_allclose(hessian, np.array(columns).T, rtol=1e-5, atol=1e-6)


def test_jvp_matches_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    def twin(X):
        h = jnp.zeros(X.shape[1])
        for row in X:
            h = jnp.tanh(h * 0.5 + row)
        return jnp.sum(h * jnp.arange(1.0, X.shape[1] + 1))

    X, V = RNG.normal(size=(4, 4)), RNG.normal(size=(4, 4))
    assert srcdiff.jvp(carried_array, wrt=0)(X, V) == pytest.approx(float(jax.jvp(twin, (X,), (V,))[1]), rel=1e-12)


def test_a_loop_unpacking_items_that_carry_a_tangent_goes_over_the_items():
    """Written over the items, each unpacked (``transforms.unpacked_items``): each pair's tangent
    is the direction's pair at its position."""
    pairs, direction = [(0.5, 1.5), (-1.0, 2.0)], [(0.3, -0.2), (1.1, 0.4)]
    expected = sum(dp * q + p * dq for (p, q), (dp, dq) in zip(pairs, direction))
    assert srcdiff.jvp(unpacked, wrt=0)(pairs, direction) == pytest.approx(expected, rel=1e-14)
