"""Arrays of an ndarray subclass with operators of their own.

Found by probing: ``np.matrix`` (where ``*`` multiplies matrices) ran the generated code of
plain arrays, whose ``g * y`` then multiplied matrices too: ``grad(lambda x, y: np.sum(x * y))``
gave ``[[1.5, 1.0], [1.5, 1.0]]`` for a 2 x 2 matrix, neither the elementwise gradient nor the
matrix one; a masked array's masked entries got the gradient of their hidden data.  Every
derivative of array code now refuses an ndarray subclass other than ``np.memmap`` (an array on
disk, with an array's operators), at the function's ``def``, on every path.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_grad

MATRIX = np.array([[1.0, 2.0], [0.5, -1.0]]).view(np.matrix)  # np.matrix() itself warns it is not recommended
MASKED = np.ma.array([1.0, 2.0, -0.5], mask=[0, 1, 0])
PLAIN = np.array([[1.0, 2.0], [3.0, 4.0]])


def product(x, y):
    return np.sum(x * y)


def smooth(x):
    return np.sum(np.tanh(x) * x)


def smooth_in_a_loop(x):
    total = 0.0
    for k in range(2):
        total = total + np.sum(np.tanh(x + k) * x)
    return total


PATHS = {
    "grad": lambda f, x: srcdiff.grad(f, wrt=0)(x),
    "value_and_grad": lambda f, x: srcdiff.value_and_grad(f, wrt=0)(x),
    "jvp": lambda f, x: srcdiff.jvp(f, wrt=0)(x, np.ones(np.shape(x))),
    "hvp": lambda f, x: srcdiff.hvp(f, wrt=0)(x, np.ones(np.shape(x))),
    "hessian": lambda f, x: srcdiff.hessian(f, wrt=0)(x),
    "jacobian": lambda f, x: srcdiff.jacobian(f, wrt=0)(x),
}


@pytest.mark.parametrize("value", [MATRIX, MASKED], ids=["matrix", "masked"])
@pytest.mark.parametrize("f", [smooth, smooth_in_a_loop], ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", PATHS)
def test_a_subclass_argument_is_refused_at_the_def(value, f, path):
    with pytest.raises(srcdiff.SrcdiffError, match="subclass of NumPy's array") as caught:
        PATHS[path](f, value)
    assert_user_error(caught.value, f)


def test_a_subclass_argument_outside_wrt_is_refused_too():
    """``y`` is a plain array and the one differentiated; ``x``'s ``*`` still decides what runs."""
    with pytest.raises(srcdiff.SrcdiffError, match="numpy.matrix"):
        srcdiff.grad(product, wrt=1)(MATRIX, PLAIN)


def test_the_refusal_does_not_stick_to_the_gradient():
    gradient = srcdiff.grad(smooth)
    with pytest.raises(srcdiff.SrcdiffError):
        gradient(MATRIX)
    np.testing.assert_allclose(gradient(PLAIN), fd_grad(smooth, (PLAIN,), 0), rtol=1e-6)
    with pytest.raises(srcdiff.SrcdiffError):
        gradient(MATRIX)  # a signature seen before is looked at again


def test_a_memmap_is_an_array(tmp_path):
    mapped = np.memmap(tmp_path / "x.dat", dtype=np.float64, mode="w+", shape=(2, 2))
    mapped[:] = PLAIN
    np.testing.assert_allclose(srcdiff.grad(smooth)(mapped), fd_grad(smooth, (PLAIN,), 0), rtol=1e-6)
