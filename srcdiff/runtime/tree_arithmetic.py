"""Arithmetic on containers of parameters leaf by leaf (``trees``): the inner product and the
scaling a Hessian-vector product of a container parameter takes (``<gradient, v>`` by
``tree_vdot``, differentiated through ``tree_scale``), and the Jacobian with respect to a
container put together from its rows (``stacked_rows``).
"""
import numpy as np

from .trees import is_container, leaves, replace_leaves, tree_part


def tree_vdot(a, b):
    """The sum of the products of the numbers of ``a`` and ``b`` (same structure): the
    Hessian-vector product's ``<gradient, v>`` for a container parameter."""
    if not is_container(a):
        return np.sum(np.multiply(a, b)) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else a * b
    total = 0.0
    for path, value in leaves(a):
        total = total + np.sum(np.multiply(value, tree_part(b, path)))
    return total


def tree_scale(s, t):
    """``s`` times every number of ``t``, in ``t``'s structure."""
    if not is_container(t):
        return s * t
    return replace_leaves(t, {path: s * value for path, value in leaves(t)})


def stacked_rows(rows, shape, empty=False):
    """The Jacobian with respect to a container from its rows (one gradient of the container
    per entry of a result of ``shape``): for each number of the container, an array of shape
    ``shape + its shape``, in the container's structure (zeros when ``empty``)."""
    parts = {}
    for path, value in leaves(rows[0]):
        if empty:
            parts[path] = np.zeros(tuple(shape) + np.shape(value), np.result_type(value, float))
        else:
            parts[path] = np.stack([np.asarray(tree_part(row, path)) for row in rows]).reshape(
                tuple(shape) + np.shape(value))
    return replace_leaves(rows[0], parts)
