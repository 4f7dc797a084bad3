"""Second derivatives through ``np.prod``: the rules of its gradient helper ``rt.prod_grad``.

``rt.prod_grad(g, x)`` is linear in ``g``; its derivative in ``x`` is ``rt.prod_hvp`` (the
tangent of the product of the other entries, exact at zeros), which is also its adjoint (the
Hessian of a product is symmetric).  Before these rules, ``hvp``, ``hessian`` and a gradient
of a gradient through ``np.prod`` were refused ("no gradient rule for 'rt.prod_grad'").
Checked against central differences of srcdiff's first-order gradient (itself checked
against differences elsewhere), against JAX where it is installed, at points with a zero
entry, with non-uniform weights and square shapes; a third derivative is refused.
"""
import numpy as np
import pytest

import srcdiff
from srcdiff.runtime import prod_grad, prod_hvp
from trust_helpers import fd_directional

WEIGHTS = np.array([[0.5, -1.0, 2.0, 0.3], [1.5, 0.25, -0.75, 1.1], [0.2, 0.9, -0.4, 0.6]])
LANE_WEIGHTS = np.array([1.0, -2.0, 0.5])
V = np.array([[0.3, -0.2, 0.5, 1.0], [0.7, 0.1, -0.9, 0.4], [-0.6, 0.8, 0.2, -0.3]])


def whole(x):
    return np.prod(x) * 2.0 + np.sum(x * x)


def by_rows(x):
    return np.sum(np.prod(x, axis=1) * LANE_WEIGHTS)


def by_columns_kept(x):
    return np.sum(np.prod(x * WEIGHTS, axis=0, keepdims=True) * WEIGHTS)


def as_method(x):
    return np.sum(np.tanh(x.prod(axis=-1)) * LANE_WEIGHTS)


def of_sines(x):
    return np.prod(np.sin(x))


CASES = [whole, by_rows, by_columns_kept, as_method, of_sines]
SQUARE = {whole, of_sines}  # shape-free: also tried on a square matrix


def _points(case):
    rng = np.random.default_rng(len(case.__name__))
    shapes = [(3, 4)] + ([(4, 4)] if case in SQUARE else [])
    points = []
    for shape in shapes:
        x = rng.normal(size=shape)
        x[1, 2] = 0.0  # exact at a zero: no division by an entry
        points.append((x, rng.normal(size=shape)))
    return points


def _hvp_by_differences(case, x, v):
    return fd_directional(srcdiff.grad(case), (x,), 0, v)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_hessian_vector_products_match_differences_of_the_gradient(case, mode):
    for x, v in _points(case):
        np.testing.assert_allclose(srcdiff.hvp(case, mode=mode)(x, v), _hvp_by_differences(case, x, v),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_hessians_are_symmetric_and_match_the_products(case):
    x, v = _points(case)[0]
    hessian = srcdiff.hessian(case)(x)
    flat = hessian.reshape(x.size, x.size)
    np.testing.assert_allclose(flat, flat.T, atol=1e-12)
    np.testing.assert_allclose(flat @ v.ravel(), srcdiff.hvp(case)(x, v).ravel(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_they_match_jax(case):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    twins = {
        whole: lambda x: jnp.prod(x) * 2.0 + jnp.sum(x * x),
        by_rows: lambda x: jnp.sum(jnp.prod(x, axis=1) * LANE_WEIGHTS),
        by_columns_kept: lambda x: jnp.sum(jnp.prod(x * WEIGHTS, axis=0, keepdims=True) * WEIGHTS),
        as_method: lambda x: jnp.sum(jnp.tanh(x.prod(axis=-1)) * LANE_WEIGHTS),
        of_sines: lambda x: jnp.prod(jnp.sin(x)),
    }
    for x, v in _points(case):
        want = jax.jvp(jax.grad(twins[case]), (x,), (v,))[1]
        np.testing.assert_allclose(srcdiff.hvp(case)(x, v), want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(srcdiff.hessian(case)(x), jax.hessian(twins[case])(x), rtol=1e-9, atol=1e-12)


gradient_of_whole, gradient_by_rows, gradient_as_method = (srcdiff.grad(f) for f in (whole, by_rows, as_method))


def penalty_whole(x):
    return np.sum(gradient_of_whole(x) * V)


def penalty_by_rows(x):
    return np.sum(gradient_by_rows(x) * V)


def penalty_as_method(x):
    return np.sum(gradient_as_method(x) * V)


@pytest.mark.parametrize("penalty", [penalty_whole, penalty_by_rows, penalty_as_method], ids=lambda f: f.__name__)
def test_a_gradient_of_a_gradient_matches_differences(penalty):
    x = _points(whole)[0][0]
    got = srcdiff.grad(penalty)(x)
    want = np.array([fd_directional(penalty, (x,), 0, np.eye(x.size)[i].reshape(x.shape)) for i in range(x.size)])
    np.testing.assert_allclose(got, want.reshape(x.shape), rtol=1e-6, atol=1e-6)
    assert "rt.prod_hvp(" in srcdiff.grad(penalty).source


def test_a_third_derivative_is_refused_naming_the_helper():
    x, v = _points(whole)[0]
    with pytest.raises(srcdiff.SrcdiffError, match=r"rt\.prod_hvp"):
        srcdiff.hvp(penalty_whole)(x, v)


def test_float32_stays_float32():
    x, v = (a.astype(np.float32) for a in _points(as_method)[0])
    got = srcdiff.hvp(as_method)(x, v)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, srcdiff.hvp(as_method)(x.astype(np.float64), v.astype(np.float64)),
                               rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (None, True), (0, False), (1, True), ((0, 2), False)])
def test_the_helper_is_the_derivative_of_prod_grad_and_its_own_adjoint(axis, keepdims):
    rng = np.random.default_rng(7)
    x, t, cotangent = (rng.normal(size=(2, 3, 4)) for _ in range(3))
    x[0, 1, 2] = x[1, 2, 0] = 0.0  # two zeros in some lanes
    g = rng.normal(size=np.shape(np.prod(x, axis=axis, keepdims=keepdims)))
    along = fd_directional(lambda x: prod_grad(g, x, axis, keepdims), (x,), 0, t)
    np.testing.assert_allclose(prod_hvp(g, x, t, axis, keepdims), along, rtol=1e-7, atol=1e-8)
    assert np.sum(cotangent * prod_hvp(g, x, t, axis, keepdims)) == pytest.approx(
        np.sum(t * prod_hvp(g, x, cotangent, axis, keepdims)), rel=1e-12)


def test_the_helper_by_hand_and_on_an_empty_lane():
    np.testing.assert_array_equal(prod_hvp(2.0, np.array([1.0, 2.0, 3.0]), np.ones(3)), [10.0, 8.0, 6.0])
    assert prod_hvp(1.0, np.zeros((2, 0)), np.zeros((2, 0)), 1).shape == (2, 0)
