"""``np.empty_like``: an array filled by writes, whose entries depend on the argument only
through its shape and dtype (no gradient, like ``np.zeros_like``); checked on every path."""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

RNG = np.random.default_rng(11)
WEIGHTS = RNG.standard_normal((3, 3))


def filled(x, A):
    r = np.empty_like(x)
    r[:] = x * 3.0
    B = np.empty_like(A)
    for i in range(3):
        B[i] = A[i] * x[i]
    return np.sum(r ** 2 * x) + np.sum(B * WEIGHTS * B)


def filled_in_place_of_output(x):
    r = np.empty_like(x)
    np.multiply(x, x, out=r)
    return np.sum(WEIGHTS * np.outer(r, x))


ARGS = (RNG.standard_normal(3), RNG.standard_normal((3, 3)))
V = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("index", [0, 1])
def test_gradient_matches_differences(index):
    assert srcdiff.grad(filled, wrt=index)(*ARGS) == pytest.approx(fd_grad(filled, ARGS, index), rel=1e-6, abs=1e-8)


def test_jvp_matches_differences():
    assert srcdiff.jvp(filled, wrt=0)(*ARGS, V) == pytest.approx(fd_directional(filled, ARGS, 0, V), rel=1e-6)


def test_hvp_and_hessian_match_differences_of_the_gradient():
    grad_x = srcdiff.grad(filled, wrt=0)
    expected = fd_directional(grad_x, ARGS, 0, V)
    assert srcdiff.hvp(filled, wrt=0)(*ARGS, V) == pytest.approx(expected, rel=1e-5)
    assert srcdiff.hessian(filled, wrt=0)(*ARGS) @ V == pytest.approx(expected, rel=1e-5)


def test_out_argument_is_refused_or_right():
    x = ARGS[0]
    try:
        got = srcdiff.grad(filled_in_place_of_output)(x)
    except srcdiff.SrcdiffError as err:  # refused by name, with the way to write it
        assert "test_empty_like.py:24" in str(err) and "out=" in str(err) and "bind the result" in str(err)
        return
    assert got == pytest.approx(fd_grad(filled_in_place_of_output, (x,), 0), rel=1e-6)
