"""A function returning several values (``return r, theta``): ``jvp`` returns the tuple of
their tangents and ``jacobian`` a tuple of Jacobians, one per item (refused before; found by
the Tangent-style corpus: Tangent's own tests return ``2 * a, a`` and ``r, theta``).
``grad``, ``value_and_grad``, ``hvp`` and ``hessian`` still refuse a tuple result."""
import numpy as np
import pytest

import srcdiff
from srcdiff.errors import ResultError
from tangent_corpus_checks import along, assert_close
from tangent_corpus_functions import doubled_and_same, polar
from trust_helpers import assert_user_error

RNG = np.random.default_rng(31)


def ordered(a, b):
    if a > b:
        return a * b, b
    return b, a - b


def with_a_constant(a):
    return a * a, 1


def state_and_energy(x, W):
    h = np.tanh(W @ x)
    return h, np.sum(h * x)


def grown(a, n):
    for i in range(n):
        a = a * 1.1 + 0.2
    return a, a * a


def nested_pair(a):
    return (a, a * 2.0), a


CASES = [
    (polar, (0.6, -1.3)), (doubled_and_same, (0.7,)), (ordered, (0.6, -1.3)), (ordered, (-0.6, 1.3)),
    (with_a_constant, (0.7,)), (state_and_energy, (RNG.standard_normal(3), RNG.standard_normal((3, 3)))),
    (grown, (0.7, 3)),
]


def _floats(args):
    return [p for p, x in enumerate(args) if not isinstance(x, int)]


@pytest.mark.parametrize("k", range(len(CASES)))
def test_jvp_of_several_results_is_the_tuple_of_their_tangents(k):
    f, args = CASES[k]
    for p in _floats(args):
        d = RNG.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray) else 0.3
        got = srcdiff.jvp(f, wrt=p)(*args, d)
        assert type(got) is tuple
        assert_close(got, tuple(np.asarray(e) if isinstance(r, np.ndarray) else float(e)
                                for e, r in zip(along(f, args, p, d), f(*args))), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("k", range(len(CASES)))
def test_jacobian_of_several_results_is_a_tuple_of_jacobians(k):
    f, args = CASES[k]
    for p in _floats(args):
        got = srcdiff.jacobian(f, wrt=p)(*args)
        x = np.asarray(args[p], dtype=np.float64)
        for item, (J, value) in enumerate(zip(got, f(*args))):
            def part(*xs, item=item):
                return np.asarray(f(*xs)[item], dtype=np.float64)
            if x.ndim == 0:
                expected = along(part, args, p, 1.0)
            else:
                columns = [along(part, args, p, e.reshape(x.shape)) for e in np.eye(x.size)]
                expected = np.moveaxis(np.array(columns), 0, -1).reshape(np.shape(value) + x.shape)
            np.testing.assert_allclose(J, expected, rtol=1e-5, atol=1e-7)
            assert np.shape(J) == np.shape(value) + x.shape


def test_the_tangents_of_a_tuple_read_well():
    assert srcdiff.jvp(doubled_and_same).source.rstrip().endswith("return tuple(dot_s0)")


@pytest.mark.parametrize("make", [lambda f: srcdiff.grad(f), lambda f: srcdiff.value_and_grad(f),
                                  lambda f: srcdiff.hvp(f), lambda f: srcdiff.hessian(f)])
def test_transforms_of_a_scalar_result_still_refuse_a_tuple(make):
    with pytest.raises(ResultError, match="the result is a tuple") as info:
        make(polar)(0.6, -1.3)
    assert_user_error(info.value, polar, "return r, theta")


def test_a_tuple_inside_the_results_is_refused_at_the_users_return():
    with pytest.raises(srcdiff.SrcdiffError, match="a sequence of tuples") as info:
        srcdiff.jvp(nested_pair)(0.5, 1.0)
    assert_user_error(info.value, nested_pair, "return (a, a * 2.0), a")
