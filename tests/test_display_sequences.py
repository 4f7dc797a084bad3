"""A list or tuple display where a loop walks a sequence or an index is known at run time.

``zip(xs, [1.0, 2.0, 3.0])``, ``enumerate([a, b, a * b])``, ``reversed([a, b])`` and
``ys[i]`` of ``ys = [a, b, c]`` in a loop were refused ("a tuple here is not supported",
"a tuple can be indexed only by a constant in range here"): a display is known while
lowering, so it stayed a tuple of operands.  It now becomes a list value where a loop
walks it or a run-time index reads it.  Checked against central differences in ``grad``,
``jvp``, ``hessian`` and ``grad(grad)``; the Hessian of a display indexed inside a loop is
refused clearly (its jvp's text builds the list in the loop).
"""
import math

import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad


def zipped(xs, c):
    acc = 0.0
    for w, k in zip(xs, [1.0, 2.0, 3.0]):
        acc = acc + math.sin(w) * c * k
    return acc


def zipped_values(xs, a, b):
    acc = 0.0
    for w, k in zip(xs, (a, b * b, a * b)):
        acc = acc + w * k
    return acc


def enumerated(a, b):
    acc = 0.0
    for i, w in enumerate([a, b, a * b]):
        acc = acc + (i + 1) * w * w
    return acc


def backwards(a, b):
    acc = 0.0
    for w in reversed([a, b, a * b]):
        acc = acc * 0.5 + math.tanh(w)
    return acc


def indexed(a, b, n):
    ys = [a, b * b, a * b]
    acc = 0.0
    for i in range(n):
        acc = acc + ys[i % 3] * ys[(i + 1) % 3]
    return acc


CASES = [(zipped, (np.array([0.3, -1.2, 0.7, 2.0]), 0.5)), (zipped_values, (np.array([0.3, -1.2, 0.7]), 0.4, -0.9)),
         (enumerated, (0.4, -0.9)), (backwards, (0.4, -0.9)), (indexed, (0.4, -0.9, 5))]


@pytest.mark.parametrize("case,args", CASES, ids=[c.__name__ for c, _ in CASES])
def test_first_derivatives_match_differences(case, args):
    for i, x in enumerate(args):
        if isinstance(x, int):
            continue
        np.testing.assert_allclose(srcdiff.grad(case, wrt=i)(*args), fd_grad(case, args, i), rtol=1e-6, atol=1e-8)
        d = np.linspace(0.5, -0.5, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.7
        assert srcdiff.jvp(case, wrt=i)(*args, d) == pytest.approx(float(fd_directional(case, args, i, d)), rel=1e-6)


@pytest.mark.parametrize("case", [enumerated, backwards], ids=lambda c: c.__name__)
def test_second_derivatives_match_differences(case):
    args = (0.4, -0.9)
    for i in range(2):
        gradient = srcdiff.grad(case, wrt=i)
        want = fd_grad(gradient, args, i)
        assert srcdiff.hessian(case, wrt=i)(*args) == pytest.approx(want, rel=1e-5)
        assert srcdiff.grad(gradient, wrt=i)(*args) == pytest.approx(want, rel=1e-5)


def test_the_display_a_zip_walks_is_a_list_value():
    assert "    s0 = [1.0, 2.0, 3.0]\n" in srcdiff.grad(zipped, wrt=0).source


def test_the_hessian_of_a_display_indexed_in_a_loop():
    """Refused before ("becomes a tuple in the loop": the gradient's own loop binds a display in
    each round, which needs no carry since lower.loop_locals)."""
    args = (0.4, -0.9, 5)
    for i in range(2):
        want = fd_grad(srcdiff.grad(indexed, wrt=i), args, i)
        assert srcdiff.hessian(indexed, wrt=i)(*args) == pytest.approx(want, rel=1e-5)
        assert srcdiff.grad(srcdiff.grad(indexed, wrt=i), wrt=i)(*args) == pytest.approx(want, rel=1e-5)
