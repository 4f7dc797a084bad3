"""``np.average`` with weights, ``np.delete``, ``np.diagflat`` and ``np.maximum.accumulate`` /
``np.minimum.accumulate``: against central differences and JAX on every path (grad, jvp, hvp,
hessian, explain; ``pytest --generic`` runs the generic code), with NumPy's errors kept."""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_every_path_matches

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

W = np.arange(1.0, 17.0).reshape(4, 4) / 7
W4 = np.array([0.3, 1.7, -0.4, 2.2])
X = np.array([[0.5, -1.2, 2.0, 0.3], [1.1, 0.7, -0.4, 1.9], [-0.8, 0.2, 1.5, -1.3], [0.9, -0.6, 0.1, 1.4]])
V4 = np.array([0.5, -1.2, 2.0, 0.3])
V6 = np.array([0.5, -1.2, 2.0, 0.3, 2.4, -1.5])
W6 = np.array([0.3, 1.7, -0.4, 2.2, 0.8, -1.1])


def weighted_means(x):
    return np.average(x, weights=W) * 3.0 + np.average(x ** 2, axis=0, weights=W4) @ W4 + np.average(x, 1, W4) @ W4


def weighted_by_parameter(w):
    return np.average(X, axis=1, weights=w * w + 0.1) @ W4 + np.sum(np.average(X, axis=0, weights=w, keepdims=True))


def deleted(x):
    return np.sum(np.delete(x, 1, axis=0) * W[:3]) + np.sum(np.delete(x, [0, 5, 15]) * np.arange(13.0))


def diagflat_forms(x):
    return np.sum(np.diagflat(x) * W) + np.sum(np.diagflat(x[:3], 1) * W)


def running_extremes(x):
    return np.sum(np.maximum.accumulate(x) * np.arange(1.0, 7.0)) - np.sum(np.minimum.accumulate(x) * W6)


def running_max_rows(x):
    return np.sum(W * np.maximum.accumulate(x, axis=1)) + np.sum(W * np.maximum.accumulate(x))


CASES = {
    "weighted_means": (weighted_means, X, lambda x: jnp.average(x, weights=W) * 3.0
                       + jnp.average(x ** 2, axis=0, weights=W4) @ W4 + jnp.average(x, 1, W4) @ W4),
    "weighted_by_parameter": (weighted_by_parameter, W4, lambda w: jnp.average(X, axis=1, weights=w * w + 0.1) @ W4
                              + jnp.sum(jnp.average(X, axis=0, weights=w, keepdims=True))),
    "deleted": (deleted, X, lambda x: jnp.sum(jnp.delete(x, 1, axis=0) * W[:3])
                + jnp.sum(jnp.delete(x, jnp.array([0, 5, 15])) * jnp.arange(13.0))),
    "diagflat_forms": (diagflat_forms, V4, lambda x: jnp.sum(jnp.diagflat(x) * W) + jnp.sum(jnp.diagflat(x[:3], 1) * W)),
    "running_extremes": (running_extremes, V6, lambda x: jnp.sum(jax.lax.cummax(x) * jnp.arange(1.0, 7.0))
                         - jnp.sum(jax.lax.cummin(x) * W6)),
    "running_max_rows": (running_max_rows, X, lambda x: jnp.sum(W * jax.lax.cummax(x, axis=1)) + jnp.sum(W * jax.lax.cummax(x, axis=0))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_matches_differences_and_jax(name):
    f, x, reference = CASES[name]
    gradient = srcdiff.grad(f, wrt=0)(x)
    assert gradient.shape == x.shape and gradient.dtype == x.dtype
    assert_every_path_matches(f, x, gradient, jax, reference, hessian_atol=1e-10)


def test_running_maximum_tie_goes_to_the_first():
    """``x = [1, 3, 3, 2]``: the running maximum is ``[x0, x1, x1, x1]`` (the later 3 never takes over)."""
    g = srcdiff.grad(lambda x: np.sum(np.maximum.accumulate(x) * np.array([1.0, 10.0, 100.0, 1000.0])))
    np.testing.assert_allclose(g(np.array([1.0, 3.0, 3.0, 2.0])), [1.0, 1110.0, 0.0, 0.0])


def average_of(x, w):
    return np.average(x, axis=0, weights=w)


def test_average_keeps_numpys_errors():
    with pytest.raises(ZeroDivisionError):
        srcdiff.grad(lambda x: np.sum(average_of(x, np.array([1.0, -1.0, 0.0, 0.0]))))(X)
    with pytest.raises(ValueError, match="Length of weights"):
        srcdiff.grad(lambda x: np.sum(average_of(x, np.ones(3))))(X)
    with pytest.raises(TypeError, match="Axis must be specified"):
        srcdiff.grad(lambda x: np.average(x, weights=W4))(X)
