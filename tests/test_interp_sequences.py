"""``np.interp`` with its sample points given as lists or tuples (a display, a parameter, a
module-level tuple), read at an array ``x``: NumPy reads them as arrays, and so does the
generated code (before, Python's indexing of a tuple by the array of segments raised a raw
TypeError in the gradient's call)."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, fd_grad

SOURCE = '''
import numpy as np

XP = (0.0, 1.0, 5.0)


def displays(x):
    return np.sum(np.interp(x, [0.0, 1.0, 5.0], [1.0, 3.0, 2.0]) * np.arange(1.0, 4.0))


def displays_at_a_number(t):
    return np.interp(t, [0.0, 1.0, 5.0], [1.0, 3.0, 2.0]) ** 2


def parameters(x, xp, fp):
    return np.sum(np.interp(x, xp, fp) * np.arange(1.0, 4.0))


def module_tuple(x, fp):
    return np.sum(np.interp(x, XP, fp, left=-1.0) ** 2)
'''

X = np.array([3.0, 0.5, 2.0])  # one point in each segment, none on a knot


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("interp"), SOURCE)


def test_list_displays_at_an_array(module):
    f = module.displays
    gradient = srcdiff.grad(f)(X)
    np.testing.assert_allclose(gradient, fd_grad(f, (X,), 0), rtol=1e-7)
    assert_jvp_and_hvp_match_differences(f, (X,), np.array([0.3, -1.1, 0.7]))
    np.testing.assert_allclose(srcdiff.hessian(f)(X), np.zeros((3, 3)), atol=1e-12)  # piecewise linear
    assert_explain_matches_grad(f, (X,))


def test_list_displays_at_a_number(module):
    f = module.displays_at_a_number
    assert srcdiff.grad(f)(0.7) == pytest.approx(fd_grad(f, (0.7,), 0), rel=1e-7)
    assert srcdiff.grad(srcdiff.grad(f))(0.7) == pytest.approx(2 * 2.0 ** 2, rel=1e-12)  # slope 2 on [0, 1]


@pytest.mark.parametrize("kind", [list, tuple, np.array], ids=["list", "tuple", "array"])
def test_sample_points_as_parameters_of_any_sequence_kind(module, kind):
    f = module.parameters
    xp, fp = kind([0.0, 1.0, 5.0]), kind([1.0, 3.0, 2.0])
    gradients = srcdiff.grad(f)(X, xp, fp)
    for index, gradient in enumerate(gradients):
        np.testing.assert_allclose(np.asarray(gradient), fd_grad(f, (X, np.asarray(xp), np.asarray(fp)), index),
                                   rtol=1e-6, atol=1e-9)
    assert type(gradients[2]) is type(fp)  # each gradient in its parameter's type


def test_a_module_tuple_with_left(module):
    f, x = module.module_tuple, np.array([-1.0, 0.5, 2.0])
    fp = np.array([1.0, 3.0, 2.0])
    for index, gradient in enumerate(srcdiff.grad(f)(x, fp)):
        np.testing.assert_allclose(gradient, fd_grad(f, (x, fp), index), rtol=1e-6, atol=1e-9)


def test_against_jax(module):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    weights = jnp.arange(1.0, 4.0)
    reference = jax.grad(lambda x, xp, fp: jnp.sum(jnp.interp(x, xp, fp) * weights), argnums=(0, 1, 2))
    xp, fp = np.array([0.0, 1.0, 5.0]), np.array([1.0, 3.0, 2.0])
    for got, want in zip(srcdiff.grad(module.parameters)(X, list(xp), list(fp)), reference(X, xp, fp)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)
