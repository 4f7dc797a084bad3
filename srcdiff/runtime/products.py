"""The gradients of products: ``@`` (``np.matmul``), ``np.dot`` and ``np.inner``.

Each ``*_grad_left(g, a, b)`` / ``*_grad_right(g, a, b)`` returns the gradient of ``a``
(``b``) given the upstream gradient ``g`` of the product, shaped like that operand.
Operand ranks, as NumPy defines the products:

| product | a number (0-d) operand | vectors (1-d) | matrices and more |
| --- | --- | --- | --- |
| ``a @ b`` | not allowed by NumPy | a vector is a row (left) or a column (right) | stacks of matrices, broadcast |
| ``np.dot(a, b)`` | the element-wise product ``a * b`` | as ``@`` | matrices only (refused above 2-d) |
| ``np.inner(a, b)`` | the element-wise product ``a * b`` | as ``np.dot`` | a sum over the last axes of both |
"""
import numpy as np

from .arrays import ArrayGradientError, unbroadcast
from .namespaces import namespace_of as namespace


def _arrays(a, b):
    """The operands, a list or tuple of numbers (``np.dot(xs, xs)`` of a list parameter) as the
    array NumPy read it as: the helpers multiply and transpose them."""
    return tuple(np.asarray(x) if isinstance(x, (list, tuple)) else x for x in (a, b))


def matmul_grad_left(g, a, b):
    """The gradient of ``a`` in ``a @ b``: ``g @ b.T``, for vectors, matrices and stacks of them."""
    a, b = _arrays(a, b)
    xp = namespace(g, a, b)
    a_dims, b_dims = xp.ndim(a), xp.ndim(b)
    if b_dims == 1:
        return unbroadcast(g * b, a) if a_dims == 1 else unbroadcast(xp.expand_dims(g, -1) * b, a)
    if a_dims == 1:
        return unbroadcast((xp.expand_dims(g, -2) @ xp.swapaxes(b, -1, -2))[..., 0, :], a)
    return unbroadcast(g @ xp.swapaxes(b, -1, -2), a)


def matmul_grad_right(g, a, b):
    """The gradient of ``b`` in ``a @ b``: ``a.T @ g``, for vectors, matrices and stacks of them."""
    a, b = _arrays(a, b)
    xp = namespace(g, a, b)
    a_dims, b_dims = xp.ndim(a), xp.ndim(b)
    if a_dims == 1:
        return unbroadcast(g * a, b) if b_dims == 1 else unbroadcast(a[:, None] * xp.expand_dims(g, -2), b)
    if b_dims == 1:
        return unbroadcast((xp.swapaxes(a, -1, -2) @ xp.expand_dims(g, -1))[..., 0], b)
    return unbroadcast(xp.swapaxes(a, -1, -2) @ g, b)


def dot_grad_left(g, a, b):
    """The gradient of ``a`` in ``np.dot(a, b)`` (numbers, vectors and matrices)."""
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    _check_dot(a, b)
    return matmul_grad_left(g, a, b)


def dot_grad_right(g, a, b):
    """The gradient of ``b`` in ``np.dot(a, b)`` (numbers, vectors and matrices)."""
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    _check_dot(a, b)
    return matmul_grad_right(g, a, b)


def _check_dot(a, b):
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise ArrayGradientError("srcdiff differentiates np.dot of vectors and matrices only",
                                 hint="use a @ b (np.matmul) for stacks of matrices")


def inner_grad_left(g, a, b):
    """The gradient of ``a`` in ``np.inner(a, b)`` (a sum over the last axes; the
    element-wise product when either operand is a number)."""
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    g_axes = list(range(np.ndim(a) - 1, np.ndim(g)))
    return np.tensordot(g, b, axes=(g_axes, list(range(np.ndim(b) - 1))))


def inner_grad_right(g, a, b):
    """The gradient of ``b`` in ``np.inner(a, b)`` (the element-wise product when either
    operand is a number)."""
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    lead = list(range(np.ndim(a) - 1))
    return np.moveaxis(np.tensordot(a, g, axes=(lead, lead)), 0, -1)
