"""A value that needs a gradient, passed to a call by keyword (and ``divmod``, found by the same probes).

Found by probing ordinary NumPy code: ``np.bincount(idx, weights=x)``, ``np.histogram(...,
weights=x)``, ``np.average(a, weights=w)`` with respect to ``w``, ``np.linspace(start=t, ...)``
and ``np.cumsum(a=x)`` returned a gradient of zeros, since the reverse sweep's activity read only
positional arguments; ``np.sum(a=x)`` crashed.  No rule differentiates a keyword argument, so
such a call is refused at its line on every path (forward mode already refused it; ``np.average``
with weights is now written out as the weighted sum over the weights' sum, ``lower.numpy_gathers``,
and differentiated in both), and the
keywords NumPy gives the array a function works on (``a=``, ``linspace``'s ``start=``/``stop=``)
are read as the positions they stand for: differentiated like the positional call.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_explain_matches_grad, assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(11)
V3 = RNG.standard_normal(3)
A3 = RNG.standard_normal((3, 3))
IDX = np.array([0, 0, 1])


def bincount_weights(x):
    return np.sum(np.bincount(IDX, weights=x * x, minlength=3) * V3)


def histogram_weights(w):
    counts, _ = np.histogram(np.array([0.1, 0.5, 0.9]), bins=2, weights=w)
    return np.sum(counts * np.array([1.0, 3.0]))


def average_weights(w):
    return np.average(V3, weights=w)


def bincount_in_a_loop(x):
    total = 0.0
    for k in range(2):
        total = total + np.sum(np.bincount(IDX, weights=x + k, minlength=3) * V3)
    return total


def bincount_in_a_branch(x):
    if x[0] > 0:
        y = np.bincount(IDX, weights=x, minlength=3)
    else:
        y = x * 2.0
    return np.sum(y * V3)


REFUSED = [bincount_weights, histogram_weights, bincount_in_a_loop, bincount_in_a_branch]
X = np.array([0.7, -0.4, 1.3])


@pytest.mark.parametrize("f", REFUSED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", ["grad", "value_and_grad", "jvp", "hvp", "hessian"])
def test_a_keyword_argument_needing_a_gradient_is_refused_at_its_line(f, path):
    x = X if f is not bincount_in_a_branch else np.abs(X)
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        if path == "grad":
            srcdiff.grad(f)(x)
        elif path == "value_and_grad":
            srcdiff.value_and_grad(f)(x)
        elif path == "jvp":
            srcdiff.jvp(f)(x, np.ones(3))
        elif path == "hvp":
            srcdiff.hvp(f)(x, np.ones(3))
        else:
            srcdiff.hessian(f)(x)
    assert_user_error(caught.value, f)


def test_average_weights_are_differentiated():
    """``np.average(a, weights=w)`` with respect to ``w``: no longer refused, and right on every path."""
    np.testing.assert_allclose(srcdiff.grad(average_weights)(X), fd_grad(average_weights, (X,), 0), rtol=1e-6)
    v = np.array([0.3, -1.1, 0.5])
    np.testing.assert_allclose(srcdiff.jvp(average_weights)(X, v), fd_directional(average_weights, (X,), 0, v), rtol=1e-6)
    grad = srcdiff.grad(average_weights)
    expected = fd_directional(lambda w: grad(w), (X,), 0, v)
    np.testing.assert_allclose(srcdiff.hvp(average_weights)(X, v), expected, rtol=1e-5, atol=1e-7)


def test_the_refusal_names_the_keyword():
    with pytest.raises(srcdiff.SrcdiffError, match="keyword argument 'weights' of 'np.bincount'"):
        srcdiff.grad(bincount_weights)(X)


def weights_without_a_gradient(x):
    """A keyword argument that does not depend on ``x``: nothing to refuse."""
    return np.sum(np.bincount(IDX, weights=V3, minlength=3) * x * x)


def test_a_keyword_argument_without_a_gradient_is_fine():
    got = srcdiff.grad(weights_without_a_gradient)(X)
    np.testing.assert_allclose(got, fd_grad(weights_without_a_gradient, (X,), 0), rtol=1e-6)


# ---- the array given by keyword: read at its position

def array_by_keyword(x):
    return (np.sum(a=x * V3) + np.mean(a=x * x) + np.sum(np.cumsum(a=x) * V3) + np.max(a=x * A3[0])
            + np.sum(np.cumprod(a=x + 2.0) * V3) + np.prod(a=x + 1.5))


def linspace_by_keyword(t):
    return np.sum(np.linspace(stop=2.0 * t, start=t * t, num=3) * V3)


CASES = {"array_by_keyword": (array_by_keyword, X), "linspace_by_keyword": (linspace_by_keyword, 0.7)}


@pytest.mark.parametrize("name", CASES)
def test_the_keyword_call_is_differentiated_like_the_positional_one(name):
    f, x = CASES[name]
    value, gradient = srcdiff.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(gradient, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)
    v = np.cos(1.0 + np.arange(np.size(x))).reshape(np.shape(x)) if np.ndim(x) else 0.3
    assert srcdiff.jvp(f)(x, v) == pytest.approx(fd_directional(f, (x,), 0, v), rel=1e-6)
    expected = fd_directional(srcdiff.grad(f), (x,), 0, v)
    np.testing.assert_allclose(srcdiff.hvp(f)(x, v), expected, rtol=1e-4, atol=1e-6)
    assert_explain_matches_grad(f, (x,))


def test_second_derivative_of_linspace_by_keyword():
    first = srcdiff.grad(linspace_by_keyword)
    assert srcdiff.grad(first)(0.7) == pytest.approx(fd_grad(first, (0.7,), 0), rel=1e-6)


# ---- divmod, found refused by the same probes: the pair (a // b, a % b)

def divmod_of_numbers(x, y):
    q, r = divmod(x, y)
    return q * x + r * y + divmod(x * x, 0.7)[1]


def divmod_of_an_array(x):
    q, r = divmod(x, 0.6)
    return np.sum(q * x + r * r * V3)


@pytest.mark.parametrize("f, args", [(divmod_of_numbers, (2.7, 0.8)), (divmod_of_numbers, (-1.3, 0.45)),
                                     (divmod_of_an_array, (np.array([0.5, 1.3, -0.9]),))])
def test_divmod_is_floor_division_and_modulo(f, args):
    value, gradient = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args))
    np.testing.assert_allclose(gradient, fd_grad(f, args, 0), rtol=1e-6)
    v = 0.3 if np.ndim(args[0]) == 0 else np.array([0.3, -0.2, 0.5])
    assert srcdiff.jvp(f, wrt=0)(*args, v) == pytest.approx(fd_directional(f, args, 0, v), rel=1e-6)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(*args, v), fd_directional(srcdiff.grad(f, wrt=0), args, 0, v),
                               rtol=1e-4, atol=1e-6)
