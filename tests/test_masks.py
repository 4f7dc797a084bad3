"""Boolean masks and integer flags: ``& | ^ ~`` carry no gradient, and what they select does."""
import numpy as np
import pytest

import srcdiff
from gradcheck import check_grad


def band(x, w):
    inside = (x > -0.5) & (x < 0.5)
    outside = ~inside
    either = (x > 0.8) | (x < -0.8)
    odd = (x > 0.0) ^ (w > 0.0)
    return np.sum(w * np.where(inside, x ** 2, np.sin(x)) + outside * x + either * w + odd * x * w)


def flags(x, n):
    k = n & 3
    m = (n | 1) ^ 2
    return x * k + x * x * m + x * (~n)


W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.6], [-0.2, 0.9, 1.5]])
X = np.array([[0.1, -0.7, 0.3], [0.9, -0.2, -1.1], [0.45, 0.6, -0.35]])


def test_masks_select_but_carry_no_gradient():
    check_grad(band, X, W)
    text = srcdiff.grad(band, wrt=0).source
    assert "&" in text and "~" in text


def test_integer_flags_give_float_gradients():
    g = srcdiff.grad(flags, wrt=0)(1.5, 6)
    assert type(g) is float
    assert g == pytest.approx((6 & 3) + 2 * 1.5 * ((6 | 1) ^ 2) + ~6)


@pytest.mark.parametrize("transform", ["jvp", "hvp"])
def test_masks_in_forward_mode_and_second_order(transform):
    v = np.ones_like(X)
    if transform == "jvp":
        got = srcdiff.jvp(band, wrt=0)(X, W, v)
        eps = 1e-6
        expected = (band(X + eps * v, W) - band(X - eps * v, W)) / (2 * eps)
    else:
        got = srcdiff.hvp(band, wrt=0)(X, W, v)
        g = srcdiff.grad(band, wrt=0)
        eps = 1e-6
        expected = (g(X + eps * v, W) - g(X - eps * v, W)) / (2 * eps)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
