"""A sequence walked item by item and also used whole (``transforms.items.whole_sequences``).

``for w in ws`` beside ``np.sum(ws)`` (or ``np.dot(ws, v)``, ``ws * 2.0``) was refused ("'ws'
is looped over item by item here and also used in another way that needs its gradient"):
the items gathered into a list while the whole's gradient was an array, and a list ``+=``
an array would have extended the list.  Both now go into one float array of the
sequence's shape (``rt.whole_zeros``, or ``rt.owned_whole`` around the first gradient to
arrive: a new array, never a view the items could write into), given back in the
sequence's type.  Checked against central differences for lists, tuples, arrays, square
matrices and float32, the whole used before and after the loop, in ``grad``,
``value_and_grad``, ``jvp``, ``hessian`` and ``grad(grad)``, through the specialized and
(``pytest --generic``) the generic code.
"""
import math

import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

V = np.array([0.5, -1.0, 2.0])


def sum_after(ws, c):
    acc = 0.0
    for w in ws:
        acc = acc + math.sin(w) * c
    return acc + np.sum(ws) * 0.5


def dot_before(ws, c):
    s = np.dot(ws, V) * c
    for w in ws:
        s = s * 0.5 + w * w
    return s


def twice_looped(ws):
    acc = 0.0
    for w in ws:
        acc = acc + w
    for i, w in enumerate(ws):
        acc = acc * w + i
    return acc + np.sum(np.tanh(ws))


def rows_and_whole(X):
    acc = 0.0
    for row in X:
        acc = acc + np.sum(np.tanh(row) * row)
    return acc * np.sum(X * X)


def scaled_whole(ws):
    acc = 0.0
    for w in reversed(ws):
        acc = acc * 0.5 + w
    return acc + np.sum(ws * 2.0 * V)


CASES = [
    (sum_after, ([0.3, -1.2, 0.7], 1.5)), (sum_after, ((0.3, -1.2, 0.7), -0.5)),
    (sum_after, (np.array([0.3, -1.2, 0.7]), 0.8)), (dot_before, ([0.3, -1.2, 0.7], 1.5)),
    (twice_looped, (np.array([0.3, -1.2, 0.7]),)), (rows_and_whole, (np.random.default_rng(3).normal(size=(3, 3)),)),
    (rows_and_whole, (np.random.default_rng(4).normal(size=(2, 4)),)), (scaled_whole, (np.array([0.3, -1.2, 0.7]),)),
]


def _as_array_args(args):
    return tuple(np.array(a) if isinstance(a, (list, tuple)) else a for a in args)


def _in_types(args, like):
    return tuple(type(t)(a.tolist()) if isinstance(t, (list, tuple)) else a for a, t in zip(args, like))


def _differences(case, args, i):
    """Central differences with a list or tuple parameter moved as an array."""
    return fd_grad(lambda *a: case(*_in_types(a, args)), _as_array_args(args), i)


@pytest.mark.parametrize("case,args", CASES, ids=[f"{c.__name__}-{type(a[0]).__name__}" for c, a in CASES])
def test_gradients_match_differences_in_the_sequences_type(case, args):
    gradients = srcdiff.grad(case, wrt=tuple(range(len(args))))(*args)  # a tuple wrt: a tuple of gradients
    for i, (got, given) in enumerate(zip(gradients, args)):
        assert type(got) is (type(given) if isinstance(given, (list, tuple)) else type(got))
        np.testing.assert_allclose(np.asarray(got, dtype=float), _differences(case, args, i), rtol=1e-6, atol=1e-8)
    value, _ = srcdiff.value_and_grad(case, wrt=0)(*args)
    assert value == pytest.approx(case(*args), rel=1e-12)


@pytest.mark.parametrize("case,args", [c for c in CASES if isinstance(c[1][0], np.ndarray)],
                         ids=lambda c: getattr(c, "__name__", ""))
def test_jvp_and_hessian_match_differences(case, args):
    x = args[0]
    d = np.linspace(1.0, -0.5, x.size).reshape(x.shape)
    assert srcdiff.jvp(case, wrt=0)(*args, d) == pytest.approx(float(fd_directional(case, args, 0, d)), rel=1e-6)
    hessian = np.reshape(srcdiff.hessian(case, wrt=0)(*args), (x.size, x.size))
    gradient = srcdiff.grad(case, wrt=0)
    columns = [fd_directional(gradient, args, 0, e.reshape(x.shape)).ravel() for e in np.eye(x.size)]
    np.testing.assert_allclose(hessian, np.array(columns).T, rtol=1e-5, atol=1e-6)


def test_a_scalar_parameters_second_derivative():
    args = (np.array([0.3, -1.2, 0.7]), 0.8)
    gradient = srcdiff.grad(dot_before, wrt=1)
    assert srcdiff.grad(gradient, wrt=1)(*args) == pytest.approx(fd_grad(gradient, args, 1), rel=1e-6, abs=1e-9)


def test_float32_stays_float32_and_the_whole_is_a_new_array():
    x = np.array([0.3, -1.2, 0.7], dtype=np.float32)
    got = srcdiff.grad(scaled_whole)(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, srcdiff.grad(scaled_whole)(x.astype(np.float64)), rtol=1e-5)
    text = srcdiff.grad(sum_after, wrt=0).source
    assert "rt.owned_whole(" in text and "grad_ws[k] += grad_w" in text
    assert "rt.whole_zeros(ws)" in srcdiff.grad(dot_before, wrt=0).source
