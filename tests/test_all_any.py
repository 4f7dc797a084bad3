"""``all(...)`` and ``any(...)``: flags (no gradient) of a display, a comprehension (``min`` /
``max`` of the items' ``bool``) or a sequence value (``np.all`` / ``np.any``); the branch they pick
is differentiated.
Found refused ("'all' is a function srcdiff has no gradient rule for") by probes of ordinary code."""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_directional, fd_grad


def of_a_tuple(x):
    return x * x if all((x > 0, x < 5)) else -3.0 * x


def of_a_list(x):
    return x * x if any([x > 3, x < 1]) else -3.0 * x


def of_a_generator(xs):
    return xs[0] * 2.0 if any(t > 1.0 for t in xs) else xs[0] * xs[1]


def of_an_array(x):
    if all(x > 0.0):
        return np.sum(x * x)
    return np.sum(np.sin(x))


def in_a_loop(x):
    total = 0.0
    for k in range(3):
        if any([x * k > 1.0, x < -1.0]):
            total = total + x * k
        else:
            total = total + x * x
    return total


def test_scalar_code_stays_scalar_code():
    text = srcdiff.grad(of_a_tuple).source
    assert "min(" in text and "np." not in text and "rt.like" not in text


def empty(x):
    return x * x if all(()) and not any([]) else -x


CASES = [(of_a_tuple, (0.7,)), (of_a_tuple, (-0.7,)), (of_a_tuple, (6.0,)), (of_a_list, (0.7,)), (of_a_list, (2.0,)),
         (of_a_generator, ([0.5, 0.3],)), (of_a_generator, ([0.5, 1.3],)),
         (of_an_array, (np.array([0.5, 1.0, 2.0]),)), (of_an_array, (np.array([0.5, -1.0, 2.0]),)),
         (in_a_loop, (0.7,)), (in_a_loop, (-1.5,)), (empty, (0.7,))]


def _differences(f, args):
    if isinstance(args[0], list):
        return fd_grad(lambda a: f(list(a)), (np.array(args[0]),), 0)
    return fd_grad(f, args, 0)


@pytest.mark.parametrize("f, args", CASES, ids=lambda c: getattr(c, "__name__", repr(c)))
def test_the_branch_picked_is_differentiated(f, args):
    value, gradient = srcdiff.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args))
    np.testing.assert_allclose(np.asarray(gradient, float), _differences(f, args), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f, args", [c for c in CASES if not isinstance(c[1][0], list)],
                         ids=lambda c: getattr(c, "__name__", repr(c)))
def test_jvp_and_hvp(f, args):
    x = args[0]
    v = np.cos(1.0 + np.arange(np.size(x))).reshape(np.shape(x)) if np.ndim(x) else 0.3
    assert srcdiff.jvp(f)(x, v) == pytest.approx(fd_directional(f, args, 0, v), rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(srcdiff.hvp(f)(x, v), fd_directional(srcdiff.grad(f), args, 0, v), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("f, x", [(of_a_tuple, 0.7), (of_a_tuple, 6.0), (of_a_list, 2.0), (in_a_loop, 0.7),
                                  (in_a_loop, -1.5)])
def test_numba_compiles_the_flags(f, x):
    pytest.importorskip("numba")
    assert srcdiff.grad(f, jit="numba")(x) == pytest.approx(srcdiff.grad(f)(x), rel=1e-12)
