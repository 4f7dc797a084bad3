"""A gradient that is a comparison times -1 (``-min(ys[1], C)``: ``-(ys_1 <= C)``).

For an entry read from an array the comparison is a NumPy bool, whose unary minus NumPy
refuses (TypeError; fuzzer seed 690112 of the numba family).  The simplifier writes a negated
comparison ``-1.0 * (ys_1 <= C)`` instead.  Checked on each way a minus reaches one: a minus
in front, ``0 - ...``, a negative factor after it, a negative upstream; reverse and forward
mode and second order, against central differences.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad

C = -0.25


def minus_min(ys, s):
    return -min(ys[1], C) * s


def minus_min_alone(ys, s):  # the fuzzer's: the upstream of min is exactly -1
    return -min(ys[1], C) + s


def zero_minus_max(ys, s):
    return 0.0 - max(ys[0], C) + s * ys[2]


def times_negative(ys, s):
    return min(ys[1], C) * -s + ys[0] * s


def negative_upstream(ys, s):
    t = -max(ys[0], ys[2])
    return -t * s + t


CASES = [minus_min, minus_min_alone, zero_minus_max, times_negative, negative_upstream]
# ys[1] below C and ys[0] above it, so that each comparison is decided and differences are smooth
ARGS = (np.array([0.6, -0.9, 0.35]), 1.3)


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("index", [0, 1])
def test_gradient(fn, index):
    got = srcdiff.grad(fn, wrt=index)(*ARGS)
    assert got == pytest.approx(fd_grad(fn, ARGS, index), abs=1e-8)


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_jvp_and_hvp(fn):
    v = np.array([0.5, -1.0, 2.0])
    assert srcdiff.jvp(fn, wrt=0)(*ARGS, v) == pytest.approx(fd_directional(fn, ARGS, 0, v), abs=1e-8)
    expected = fd_directional(srcdiff.grad(fn, wrt=0), ARGS, 0, v)
    assert srcdiff.hvp(fn, wrt=0)(*ARGS, v) == pytest.approx(expected, abs=1e-6)
