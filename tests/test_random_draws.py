"""Random draws in a differentiated function: noise made in the forward sweep, no gradient.

The gradient call draws the noise once (its backward part reads the value its forward
part drew), so with the generator in the same state it sees exactly the noise the
function sees; the rows of a Hessian or a Jacobian each replay it.  A draw whose
distribution depends on a value that needs a gradient is refused."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_user_error

SOURCE = '''
import numpy as np
from numpy.random import default_rng


def noisy(x, W, rng):
    e = rng.normal(0.0, 1.0, size=x.shape)
    return np.sum(W * x ** 2 * e) + np.sum(np.random.normal(size=(3, 3)) * x ** 3)


def made_inside(x, W):
    rng = default_rng(3)
    return np.sum(W * np.sin(x) * rng.standard_normal(x.shape))


def vector(x, W, rng):
    return W @ x ** 2 * rng.uniform(size=3)


def legacy(x, state):
    return np.sum(x ** 2 * state.randn(3, 3))


def shifted(x, rng):
    return np.sum(rng.normal(x, 1.0))


def chosen(x, rng):
    return np.sum(rng.choice(x, 2))
'''

RNG = np.random.default_rng(1)
X = RNG.standard_normal((3, 3))
W = RNG.standard_normal((3, 3))


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("random"), SOURCE, "random_draws_cases")


def _noise():
    np.random.seed(7)
    e = np.random.default_rng(11).normal(0.0, 1.0, size=(3, 3))
    return e, np.random.normal(size=(3, 3))


def test_the_gradient_sees_the_noise_the_function_sees(module):
    e, e2 = _noise()
    expected = 2 * W * X * e + 3 * e2 * X ** 2
    np.random.seed(7)
    value, got = srcdiff.value_and_grad(module.noisy, wrt=0)(X, W, np.random.default_rng(11))
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.isclose(value, np.sum(W * X ** 2 * e) + np.sum(e2 * X ** 3))
    np.random.seed(7)
    dot = srcdiff.jvp(module.noisy, wrt=0)(X, W, np.random.default_rng(11), W)
    assert np.isclose(dot, np.sum(expected * W))
    np.testing.assert_allclose(srcdiff.grad(module.made_inside, wrt=0)(X, W),
                               W * np.cos(X) * np.random.default_rng(3).standard_normal((3, 3)), rtol=1e-12)
    state = np.random.RandomState(5)
    np.testing.assert_allclose(srcdiff.grad(module.legacy, wrt=0)(X, state),
                               2 * X * np.random.RandomState(5).randn(3, 3), rtol=1e-12)


def test_hessian_and_jacobian_rows_replay_the_noise(module):
    e, e2 = _noise()
    H = np.zeros((3, 3, 3, 3))
    for i in range(3):
        for j in range(3):
            H[i, j, i, j] = 2 * W[i, j] * e[i, j] + 6 * e2[i, j] * X[i, j]
    for mode in ("forward", "reverse"):
        np.random.seed(7)
        got = srcdiff.hvp(module.noisy, wrt=0, mode=mode)(X, W, np.random.default_rng(11), W)
        np.testing.assert_allclose(got, np.tensordot(H, W, 2), rtol=1e-12)
    np.random.seed(7)
    np.testing.assert_allclose(srcdiff.hessian(module.noisy, wrt=0)(X, W, np.random.default_rng(11)), H, rtol=1e-12)
    u = np.random.default_rng(2).uniform(size=3)
    J = srcdiff.jacobian(module.vector, wrt=0)(X[0], W, np.random.default_rng(2))
    np.testing.assert_allclose(J, W * 2 * X[0] * u[:, None], rtol=1e-12)


@pytest.mark.parametrize("name,words", [("shifted", "with respect to its loc"), ("chosen", "with respect to its a")])
def test_a_draw_that_would_need_a_gradient_is_refused(module, name, words):
    fn = getattr(module, name)
    for transform in ("grad", "jvp"):
        with pytest.raises(srcdiff.SrcdiffError, match=words) as info:
            extra = (X,) if transform == "jvp" else ()
            getattr(srcdiff, transform)(fn, wrt=0)(X, np.random.default_rng(0), *extra)
        assert_user_error(info.value, fn)
