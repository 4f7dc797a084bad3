"""The samples of issue 12's NumPy families: gradients against differences, Hessian-vector products."""
import numpy as np
import pytest

import srcdiff
from conftest import load_sample
from trust_helpers import fd_grad

RNG = np.random.default_rng(4)


def _cases():
    X, w = RNG.standard_normal((6, 3)), RNG.standard_normal(3)
    yield "signal_smoothing", "smoothing_loss", (RNG.standard_normal(6), RNG.standard_normal(6), 0.3), (0, 1, 2)
    yield "robust_loss", "robust_loss", (w, X, X @ w + RNG.standard_normal(6)), (0, 1, 2)
    Y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    yield "logistic_scipy", "logistic_loss", (RNG.standard_normal((3, 3)), RNG.standard_normal(3), X, Y), (0, 1, 2)


@pytest.mark.parametrize("sample,name,args,wrt", list(_cases()), ids=lambda v: v if isinstance(v, str) else "")
def test_sample_gradients_and_hvp(sample, name, args, wrt):
    if sample == "logistic_scipy":
        pytest.importorskip("scipy.special")
    fn = getattr(load_sample(sample), name)
    got = srcdiff.grad(fn, wrt=wrt)(*args)
    for index, value in zip(wrt, got):
        np.testing.assert_allclose(value, fd_grad(fn, args, index), rtol=1e-5, atol=1e-6)
    v = RNG.standard_normal(np.shape(args[0]))
    gradient = srcdiff.grad(fn, wrt=0)
    along = (gradient(*((args[0] + 1e-6 * v,) + args[1:])) - gradient(*((args[0] - 1e-6 * v,) + args[1:]))) / 2e-6
    np.testing.assert_allclose(srcdiff.hvp(fn, wrt=0)(*args, v), along, rtol=1e-4, atol=1e-5)


def test_noisy_objective_draws_once_per_gradient_call():
    fn = load_sample("noisy_objective").noisy_objective
    x = RNG.standard_normal(5)
    noise = np.random.default_rng(0).standard_normal(5)
    got = srcdiff.grad(fn, wrt=(0, 1))(x, 0.2, np.random.default_rng(0))

    def fixed(x, sigma):
        return np.sum(np.cos(x + sigma * noise) * np.cumprod(np.abs(x) + 0.5)) + 0.5 * np.sum(x ** 2)
    np.testing.assert_allclose(got[0], fd_grad(fixed, (x, 0.2), 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], fd_grad(fixed, (x, 0.2), 1), rtol=1e-5, atol=1e-6)
