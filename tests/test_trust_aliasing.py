"""Writes into arrays that share memory with another name, through NumPy calls lowering did not
know as views, and ``out=`` anywhere in an expression.

Lowering turns ``z[i] = v`` and ``y += v`` into copies, which is right only while no other name
sees the array written (``lower.writes``).  Found by probing ordinary NumPy code: a result of
``np.flip``, ``np.rot90``, ``np.matrix_transpose``, ``x.mT``, ``np.ascontiguousarray``,
``np.require``, ``np.trim_zeros``, ``np.array(y, copy=False)``, ``y.astype(..., copy=False)``,
``np.nan_to_num(y, copy=False)``, ``np.einsum('ii->i', y)`` (a view of ``y``, or ``y`` itself) was taken for a new array:
writing into it left ``y`` unchanged in the generated code, and a write into ``y`` left the rows of
``a, b, c = y``, the parts of ``np.split(y, 3)`` and ``y.diagonal()`` as they were.  Each
gradient and tangent was silently wrong; now each write is refused at its line.  ``out=`` given
inside an expression (``z = np.multiply(x, x, out=y)``) wrote nothing into ``y`` in forward mode
(a wrong tangent); it is refused wherever it appears.  The same code copying first is right.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(10)
X = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))
W = RNG.standard_normal((3, 3))
W1 = RNG.standard_normal(3)


# ---- a write into the view: the base changes too

def flipped(x):
    y = x * 2.0
    z = np.flip(y, 0)
    z[0] = x[1] ** 2
    return np.sum(W * y)


def upside_down(x):
    y = x * 2.0
    z = np.flipud(y)
    z[0] = 0.0
    return np.sum(W * y)


def left_right(x):
    y = x * 2.0
    z = np.fliplr(y)
    z[0] = 0.0
    return np.sum(W * y)


def rotated(x):
    y = x * 2.0
    z = np.rot90(y)
    z[0] = 0.0
    return np.sum(W * y)


def matrix_transposed(x):
    y = x * 2.0
    z = np.matrix_transpose(y)
    z[0] = 0.0
    return np.sum(W * y)


def method_transposed(x):
    y = x * 2.0
    z = y.mT
    z[0] = 0.0
    return np.sum(W * y)


def contiguous(x):
    y = x * 2.0
    z = np.ascontiguousarray(y)
    z[0, 0] = 0.0
    return np.sum(W * y)


def required(x):
    y = x * 2.0
    z = np.require(y)
    z[0, 0] = 0.0
    return np.sum(W * y)


def checked_finite(x):
    y = x * 2.0
    z = np.asarray_chkfinite(y)
    z[0, 0] = 0.0
    return np.sum(W * y)


def array_without_copy(x):
    y = x * 2.0
    z = np.array(y, copy=False)
    z[0, 0] = 0.0
    return np.sum(W * y)


def array_copy_if_needed(x):
    y = x * 2.0
    z = np.array(y, copy=None)
    z[0, 0] = 0.0
    return np.sum(W * y)


def astype_without_copy(x):
    y = x * 2.0
    z = y.astype(np.float64, copy=False)
    z[0, 0] = 0.0
    return np.sum(W * y)


def nan_to_num_without_copy(x):
    y = x * 2.0
    z = np.nan_to_num(y, copy=False)
    z[0, 0] = 0.0
    return np.sum(W * y)


def trimmed(x):
    y = x[0] * 2.0
    z = np.trim_zeros(y)
    z[0] = 0.0
    return np.sum(W1 * y)


def einsum_diagonal(x):
    y = x * 2.0
    d = np.einsum("ii->i", y)
    d[0] = x[1, 1] ** 2
    return np.sum(W * y)


# ---- a write into the base: the view read afterwards changes too

def einsum_transposed(x):
    y = x * 2.0
    t = np.einsum("ij->ji", y)
    y[0, 1] = 0.0
    return np.sum(W * t)


def split_parts(x):
    y = x * 2.0
    a, b, c = np.split(y, 3)
    y[0, 0] = 0.0
    return np.sum(W1 * a[0])


def unpacked_rows(x):
    y = x * 2.0
    a, b, c = y
    y[0, 0] = 0.0
    return np.sum(W1 * a)


def unpacked_rows_updated(x):
    y = x * 2.0
    a, b, c = y
    a *= x[1]
    return np.sum(W * y)


def diagonal_method(x):
    y = x * 2.0
    z = y.diagonal()
    y[0, 0] = 0.0
    return np.sum(W1 * z)


def diagonal_of_a_matrix(x):
    y = x * 2.0
    z = np.diag(y)
    y[0, 0] = 0.0
    return np.sum(W1 * z)


def astype_base_written(x):
    y = x * 2.0
    z = y.astype(np.float64, copy=False)
    y += x * x
    return np.sum(W * z)


# ---- out= inside an expression

def out_assigned(x):
    y = np.zeros((3, 3))
    z = np.multiply(x, x, out=y)
    return np.sum(W * y) + np.sum(W * z)


def out_nested(x):
    y = np.zeros((3, 3))
    return np.sum(W * np.multiply(x, x, out=y)) + np.sum(W * y)


def out_of_a_reduction(x):
    y = np.zeros(3)
    z = np.sum(x, axis=0, out=y)
    return np.sum(W1 * y) + np.sum(W1 * z)


def out_of_a_method(x):
    y = x * 1.0
    z = y.clip(-0.5, 0.5, out=y)
    return np.sum(W * y) + np.sum(z)


REFUSED = {
    flipped: "z[0] =", upside_down: "z[0] =", left_right: "z[0] =", rotated: "z[0] =", matrix_transposed: "z[0] =",
    method_transposed: "z[0] =", contiguous: "z[0, 0] =", required: "z[0, 0] =", checked_finite: "z[0, 0] =",
    array_without_copy: "z[0, 0] =", array_copy_if_needed: "z[0, 0] =", astype_without_copy: "z[0, 0] =",
    nan_to_num_without_copy: "z[0, 0] =", trimmed: "z[0] =", split_parts: "y[0, 0] =", unpacked_rows: "y[0, 0] =",
    unpacked_rows_updated: "a *=", diagonal_method: "y[0, 0] =", diagonal_of_a_matrix: "y[0, 0] =",
    astype_base_written: "y +=", einsum_diagonal: "d[0] =", einsum_transposed: "y[0, 1] =", out_assigned: "out=y", out_nested: "out=y", out_of_a_reduction: "out=y",
    out_of_a_method: "out=y",
}


@pytest.mark.parametrize("f", list(REFUSED), ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", ["grad", "jvp", "hvp"])
def test_refused_at_the_line_that_writes(f, path):
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        if path == "grad":
            srcdiff.grad(f)(X.copy())
        elif path == "jvp":
            srcdiff.jvp(f)(X.copy(), V)
        else:
            srcdiff.hvp(f)(X.copy(), V)
    assert_user_error(caught.value, f, REFUSED[f])


# ---- the same code given a copy, or a call that makes a new array: right

def flipped_copy(x):
    y = x * 2.0
    z = np.flip(y, 0).copy()
    z[0] = x[1] ** 2
    return np.sum(W * y) + np.sum(W * z)


def astype_copied(x):
    y = x * 2.0
    z = y.astype(np.float64, copy=True)
    z[0, 0] = x[1, 1] ** 3
    return np.sum(W * y) + np.sum(W * z)


def array_copied(x):
    y = x * 2.0
    z = np.array(y)
    z[0, 0] = x[1, 1] ** 3
    return np.sum(W * y) + np.sum(W * z)


def diagonal_matrix_of_a_vector(x):
    d = np.diag(x[0] * 2.0)  # a new matrix: may be written into
    d[0, 1] = x[1, 2] ** 2
    return np.sum(W * d)


def einsum_of_two_operands(x):
    y = x * 2.0
    t = np.einsum("ij,jk->ik", y, W)  # a new array
    t[0, 1] = x[2, 0] ** 2
    return np.sum(W * t) + np.sum(y)


def parts_read_before_the_write(x):
    y = x * 2.0
    a, b, c = y
    s = np.sum(W1 * a * b)
    y[0, 0] = x[2, 2] ** 2
    return s + np.sum(W * y)


ACCEPTED = [flipped_copy, astype_copied, array_copied, diagonal_matrix_of_a_vector, einsum_of_two_operands,
            parts_read_before_the_write]


@pytest.mark.parametrize("f", ACCEPTED, ids=lambda f: f.__name__)
def test_copies_keep_their_gradients(f):
    expected = fd_grad(f, (X.copy(),), 0)
    np.testing.assert_allclose(srcdiff.grad(f)(X.copy()), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(srcdiff.jvp(f)(X.copy(), V), fd_directional(f, (X.copy(),), 0, V), rtol=1e-6, atol=1e-8)
    grad = srcdiff.grad(f)
    hvp = fd_directional(lambda x: np.asarray(grad(x)), (X.copy(),), 0, V)
    np.testing.assert_allclose(srcdiff.hvp(f)(X.copy(), V), hvp, rtol=1e-5, atol=1e-6)


def test_every_view_making_call_srcdiff_reads_is_known_as_one():
    # the calls NumPy answers with a view (or its argument) that lowering knows, checked against NumPy itself
    from srcdiff.lower.arrays import VIEW_OPS
    y = np.arange(1.0, 10.0).reshape(3, 3)
    calls = {"np.flip": lambda a: np.flip(a, 0), "np.fliplr": np.fliplr, "np.flipud": np.flipud, "np.rot90": np.rot90,
             "np.matrix_transpose": np.matrix_transpose, "np.ascontiguousarray": np.ascontiguousarray,
             "np.require": np.require, "np.asarray_chkfinite": np.asarray_chkfinite, "np.trim_zeros": np.trim_zeros,
             "np.split": lambda a: np.split(a, 3)[0], "np.array_split": lambda a: np.array_split(a, 3)[0],
             "np.moveaxis": lambda a: np.moveaxis(a, 0, 1), "np.swapaxes": lambda a: np.swapaxes(a, 0, 1),
             "np.diagonal": np.diagonal, ".diagonal()": lambda a: a.diagonal(), "rt.mT": lambda a: a.mT,
             "np.real_if_close": np.real_if_close, "np.permute_dims": np.permute_dims}
    for op, call in calls.items():
        assert np.shares_memory(call(y), y), op
        assert op in VIEW_OPS, op
