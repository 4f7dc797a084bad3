"""Forward mode of reductions given ``initial=``, ``where=`` or a float ``dtype=``.

Found by probing ordinary NumPy code: the tangent of ``np.sum(x, initial=1.0)`` was
``np.sum(dot_x, initial=1.0)``, one too many by the start value (a sum with a start value is
affine, not linear); ``np.max(x, initial=...)``, ``np.prod(x, where=...)`` and
``np.prod(x, dtype=np.float64)`` crashed with a raw ``TypeError`` (the keywords were handed to
the runtime's gradient helpers).  A start value or a mask of a max, min or product is refused at
its line (as the reverse sweep refuses it); a float dtype is the tangent's own.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_jvp_and_hvp_match_differences, assert_user_error

RNG = np.random.default_rng(61)
X = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))
WEIGHTS = np.arange(1.0, 10.0).reshape(3, 3)
MASK = WEIGHTS > 3


def sum_with_a_start(x):
    return np.sum(x * WEIGHTS, initial=1.0)


def method_sum_with_a_start(x):
    return (x * WEIGHTS).sum(initial=3.0)


def max_with_a_start(x):
    return np.sum(np.max(x, axis=0, initial=0.0) * WEIGHTS[0])


def min_with_a_start(x):
    return x.min(initial=-100.0) * 2.0


def product_with_a_start(x):
    return np.prod(x + 2.0, initial=2.0)


def product_of_a_mask(x):
    return np.prod(x + 2.0, where=MASK)


def max_of_a_mask(x):
    return np.max(x * WEIGHTS, where=MASK, initial=-10.0)


REFUSED = [sum_with_a_start, method_sum_with_a_start, max_with_a_start, min_with_a_start, product_with_a_start,
           product_of_a_mask, max_of_a_mask]


@pytest.mark.parametrize("f", REFUSED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", ["jvp", "grad"])
def test_refused_at_its_line(f, path):
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        if path == "jvp":
            srcdiff.jvp(f)(X, V)
        else:
            srcdiff.grad(f)(X)
    assert_user_error(caught.value, f)


def product_in_float64(x):
    return np.sum(np.prod(x + 2.0, axis=0, dtype=np.float64) * WEIGHTS[1])


def kept_product_in_float64(x):
    return np.sum(np.sin(np.prod(x * 0.5 + 1.5, axis=1, keepdims=True, dtype=np.float64)) * x)


@pytest.mark.parametrize("f", [product_in_float64, kept_product_in_float64], ids=lambda f: f.__name__)
def test_a_float_dtype_of_a_product(f):
    grad, hvp = assert_jvp_and_hvp_match_differences(f, (X,), V)
    np.testing.assert_allclose(srcdiff.jvp(f)(X, V), np.sum(grad(X) * V), rtol=1e-10)
    np.testing.assert_allclose(np.tensordot(srcdiff.hessian(f)(X), V, axes=2), hvp, rtol=1e-10, atol=1e-12)
