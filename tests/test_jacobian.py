"""srcdiff.jacobian: full Jacobians built from generated vector-Jacobian products."""
import math

import numpy as np
import pytest

import srcdiff
from gradcheck import numeric_grad


def relu(x):
    return np.maximum(0.0, x)


def affine(W, x, b):
    return W @ x + b


def softmax(s):
    e = np.exp(s - np.max(s))
    return e / np.sum(e)


def columns(A):
    return np.sum(A * A, axis=0)


def scalar(x, y):
    return math.sin(x) * y


def to_vector(t):
    return np.array([1.0, 2.0, 3.0]) * t


def _numeric_jacobian(fn, args, index):
    result = np.asarray(fn(*args))
    rows = []
    for position in np.ndindex(result.shape):
        rows.append(numeric_grad(lambda *a: np.asarray(fn(*a))[position], args, index))
    return np.array(rows).reshape(result.shape + np.shape(args[index]))


def test_relu_jacobian_is_the_slides_diagonal():
    x = np.array([4.0, -1.0, 5.0, -9.0])
    np.testing.assert_array_equal(srcdiff.jacobian(relu)(x), np.diag([1.0, 0.0, 1.0, 0.0]))
    # the slides' point: the vector-Jacobian product never forms it
    assert "vjp_relu" in srcdiff.jacobian(relu).source


@pytest.mark.parametrize("fn,args,wrt", [
    (affine, (np.arange(6.0).reshape(2, 3) / 5, np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2])), 0),
    (affine, (np.arange(6.0).reshape(2, 3) / 5, np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2])), 1),
    (affine, (np.arange(6.0).reshape(2, 3) / 5, np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2])), "b"),
    (softmax, (np.array([0.3, -1.2, 2.0, 0.7]),), 0),
    (columns, (np.arange(12.0).reshape(4, 3) / 7,), 0),
    (to_vector, (0.7,), 0),
])
def test_jacobian_matches_finite_differences(fn, args, wrt):
    index = wrt if isinstance(wrt, int) else 2
    got = srcdiff.jacobian(fn, wrt=wrt)(*args)
    np.testing.assert_allclose(got, _numeric_jacobian(fn, args, index), rtol=1e-6, atol=1e-8)


def test_scalar_function_jacobian_is_its_derivative():
    assert srcdiff.jacobian(scalar, wrt=0)(0.5, 2.0) == pytest.approx(2.0 * math.cos(0.5))
    assert isinstance(srcdiff.jacobian(scalar, wrt=1)(0.5, 2.0), float)


def test_tuple_wrt_gives_one_jacobian_each():
    W, x, b = np.ones((2, 3)), np.array([1.0, 2.0, 3.0]), np.zeros(2)
    jw, jx = srcdiff.jacobian(affine, wrt=(0, 1))(W, x, b)
    assert jw.shape == (2, 2, 3) and jx.shape == (2, 3)
    np.testing.assert_array_equal(jx, W)


def test_float32_jacobian():
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    assert srcdiff.jacobian(softmax)(x).dtype == np.float32
