"""Products whose operand is a list or tuple of numbers on both sides of the gradient helpers.

Found by probing ordinary NumPy code: ``np.dot(xs, xs)``, ``np.matmul(xs, xs)`` and
``np.inner(xs, xs)`` of a list (or tuple) parameter crashed the gradient with a raw
``TypeError`` ("can't multiply sequence by non-int"): the runtime's product gradients multiplied
the list itself.  They read it as the array NumPy read it as.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad

WEIGHTS = np.arange(1.0, 4.0)
XS = [0.3, -0.5, 1.2]
V = np.array([0.2, 0.7, -1.1])


def dot_with_itself(xs):
    return np.dot(xs, WEIGHTS) * np.dot(xs, xs)


def matmul_with_itself(xs):
    return np.matmul(xs, xs) + np.matmul(WEIGHTS, xs) * 2.0


def inner_with_itself(xs):
    return np.inner(xs, xs) * np.inner(xs, WEIGHTS)


def dot_with_a_list_display(xs):
    return np.dot(xs, [1.0, 2.0, 3.0]) * np.dot(xs, xs)


def by_hand(f, xs):
    """The gradient of each product, written out (u . u has gradient 2u)."""
    x = np.asarray(xs)
    u, w = x @ x, x @ WEIGHTS
    return {dot_with_itself: WEIGHTS * u + 2 * x * w, matmul_with_itself: 2 * x + 2 * WEIGHTS,
            inner_with_itself: 2 * x * w + u * WEIGHTS, dot_with_a_list_display: WEIGHTS * u + 2 * x * w}[f]


def differences(g, xs, v, eps=1e-6):
    plus = [a + eps * b for a, b in zip(xs, v)]
    minus = [a - eps * b for a, b in zip(xs, v)]
    return (np.asarray(g(plus)) - np.asarray(g(minus))) / (2 * eps)


@pytest.mark.parametrize("xs", [XS, tuple(XS)], ids=["list", "tuple"])
@pytest.mark.parametrize("f", [dot_with_itself, matmul_with_itself, inner_with_itself, dot_with_a_list_display],
                         ids=lambda f: f.__name__)
def test_every_path(f, xs):
    expected = by_hand(f, xs)
    for _ in range(2):  # the first call builds, the second runs the code specialized to a list
        np.testing.assert_allclose(srcdiff.grad(f)(xs), expected, rtol=1e-12)
    value, gradient = srcdiff.value_and_grad(f)(xs)
    assert value == pytest.approx(f(xs))
    np.testing.assert_allclose(gradient, expected, rtol=1e-12)
    assert srcdiff.jvp(f)(xs, V) == pytest.approx(expected @ V)
    hvp = srcdiff.hvp(f)(xs, V)
    np.testing.assert_allclose(hvp, differences(srcdiff.grad(f), xs, V), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(srcdiff.hessian(f)(xs) @ V, hvp, rtol=1e-10, atol=1e-12)
    if isinstance(xs, list):
        assert_explain_matches_grad(f, (xs,))
