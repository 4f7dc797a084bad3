"""A parameter walked by a loop (``for x in xs``) and also read by position (``xs[i]``).

Its reads by position added a whole array per read (``rt.index_grad``: O(n) each, O(n^2) for a
loop) because the walk counted as another use; both add their items one at a time now, into one
gradient, so the specialized code is linear and ``jit="numba"`` compiles it (the largest numba
refusal left in the fuzzer's numba family)."""
import math
import os

import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad


def walk_then_read(w, xs):
    t = 0.0
    for x in xs:
        t = t + math.tanh(w * x)
    for i in range(len(xs)):
        t = t + xs[i] * xs[i] * w
    return t


def read_while_walking(w, xs):
    t = 0.0
    i = 0
    for x in xs:
        t = math.sin(t + w * x) + xs[i] * 0.5 + xs[len(xs) - 1 - i] * x
        i += 1
    return t


XS = np.array([0.5, -1.2, 0.8, 1.9])
CASES = [(f, kind) for f in (walk_then_read, read_while_walking) for kind in ("array", "float32", "list")]


def _arguments(kind):
    return 0.7, {"array": XS, "float32": XS.astype(np.float32), "list": list(XS)}[kind]


@pytest.mark.parametrize("f, kind", CASES, ids=lambda c: getattr(c, "__name__", c))
def test_gradient_against_differences(f, kind):
    w, xs = _arguments(kind)
    grad_w, grad_xs = srcdiff.grad(f)(w, xs)
    plain = lambda w, a: f(w, list(a) if kind == "list" else a)  # noqa: E731
    tolerance = 1e-3 if kind == "float32" else 1e-6
    np.testing.assert_allclose(grad_xs, fd_grad(plain, (w, XS), 1), rtol=tolerance, atol=tolerance)
    assert grad_w == pytest.approx(fd_grad(plain, (w, XS), 0), rel=tolerance)
    assert type(grad_xs) is type(xs) and (kind != "float32" or grad_xs.dtype == np.float32)


@pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="reads the specialized text")
@pytest.mark.parametrize("f", [walk_then_read, read_while_walking])
def test_the_specialized_code_adds_item_by_item(f):
    assert "rt.index_grad" not in srcdiff.grad(f, wrt=1).source_for(0.7, XS)


@pytest.mark.parametrize("f", [walk_then_read, read_while_walking])
def test_jvp_and_hvp(f):
    v = np.cos(np.arange(1.0, 5.0))
    assert srcdiff.jvp(f, wrt=1)(0.7, XS, v) == pytest.approx(fd_directional(f, (0.7, XS), 1, v), rel=1e-6)
    expected = fd_directional(srcdiff.grad(f, wrt=1), (0.7, XS), 1, v)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=1)(0.7, XS, v), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("f, kind", [c for c in CASES if c[1] != "list"], ids=lambda c: getattr(c, "__name__", c))
def test_numba_compiles_it(f, kind):
    pytest.importorskip("numba")
    w, xs = _arguments(kind)
    got = srcdiff.grad(f, jit="numba")(w, xs)
    expected = srcdiff.grad(f)(w, xs)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12 if kind == "array" else 1e-6)
    assert got[1].dtype == xs.dtype
