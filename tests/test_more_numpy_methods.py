"""Array methods that are a NumPy function of the array (``x.repeat``, ``x.swapaxes``, ``x.argsort``,
``x.round``, ``x.nonzero``, ``x.any``, ``x.all``, ``x.conj``), ``np.cov`` and ``np.corrcoef``: against
central differences and JAX on grad, jvp, hvp, hessian and explain (``pytest --generic`` runs the
generic code); the values are NumPy's, bit for bit."""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_every_path_matches

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

W = np.arange(1.0, 17.0).reshape(4, 4) / 7
W4 = np.array([0.3, 1.7, -0.4, 2.2])
X = np.array([[0.5, -1.2, 2.0, 0.3], [1.1, 0.7, -0.4, 1.9], [-0.8, 0.2, 1.3, -1.3], [0.9, -0.6, 0.1, 1.4]])
V4 = np.array([0.6, -1.2, 2.0, 0.3])


def repeated_and_swapped(x):
    return np.sum(x.repeat(2, axis=0)[:4] * W) + np.sum(x.swapaxes(0, 1) * W) + np.sum(x.conj() * W)


def sorted_by_argsort(x):
    return x[x.argsort()] @ W4 + np.sum(x * x.round()) + np.sum(x[x.nonzero()]) + float((x > 0).any()) * x[0]


def covariances(x):
    return np.sum(np.cov(x) * W[:3, :3]) + np.sum(np.cov(x, rowvar=False, ddof=2) * W) + np.sum(np.cov(x, bias=True))


def correlations(x):
    return np.sum(np.corrcoef(x, rowvar=False) * W) + np.sum(np.corrcoef(x) * W[:3, :3])


def of_a_vector(x):
    return np.cov(x) * 2.0 + np.cov(x, rowvar=False, ddof=0) + np.sum(np.corrcoef(np.stack([x, x ** 2])) * W[:2, :2])


CASES = {
    "repeated_and_swapped": (repeated_and_swapped, X, lambda x: jnp.sum(x.repeat(2, axis=0)[:4] * W)
                             + jnp.sum(x.swapaxes(0, 1) * W) + jnp.sum(x * W)),
    "sorted_by_argsort": (sorted_by_argsort, V4, lambda x: x[x.argsort()] @ W4 + jnp.sum(x * jnp.round(x)) + jnp.sum(x)
                          + x[0]),
    "covariances": (covariances, X[:3], lambda x: jnp.sum(jnp.cov(x) * W[:3, :3])
                    + jnp.sum(jnp.cov(x, rowvar=False, ddof=2) * W) + jnp.sum(jnp.cov(x, bias=True))),
    "correlations": (correlations, X[:3], lambda x: jnp.sum(jnp.corrcoef(x, rowvar=False) * W)
                     + jnp.sum(jnp.corrcoef(x) * W[:3, :3])),
    "of_a_vector": (of_a_vector, V4, lambda x: jnp.cov(x) * 2.0 + jnp.cov(x, rowvar=False, ddof=0)
                    + jnp.sum(jnp.corrcoef(jnp.stack([x, x ** 2])) * W[:2, :2])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_matches_differences_and_jax(name):
    f, x, reference = CASES[name]
    value, gradient = srcdiff.value_and_grad(f, wrt=0)(x)
    assert value == f(x)  # NumPy's own arithmetic, in NumPy's order
    assert_every_path_matches(f, x, gradient, jax, reference, hessian_atol=1e-9)


def test_cov_of_three_dimensions_raises_as_numpy():
    with pytest.raises(ValueError, match="more than 2 dimensions"):
        srcdiff.grad(lambda x: np.sum(np.cov(x)))(np.ones((2, 2, 2)))
