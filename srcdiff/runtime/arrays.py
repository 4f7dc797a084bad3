"""The runtime helpers of array gradients; generated code calls them as ``rt.<name>``.

Each takes the upstream gradient ``g`` first and returns the downstream gradient of one
argument, shaped like that argument (``unbroadcast`` sums over broadcast dimensions;
the reductions spread ``g`` back over the reduced axes).  ``like`` gives a finished
gradient its parameter's type, shape and dtype.  Tie rules: ``max_grad``/``min_grad``
route the gradient to the first position of the maximum (minimum), as ``np.argmax``
finds it; ``norm_grad`` is 0 where the norm is 0.  A reduction of a number (0-d) along
an axis (``np.max(x, axis=0)``, which NumPy allows) passes ``g`` through; ``cumsum`` of
a number along an axis is 1-d in NumPy, its gradient 0-d again.
"""
import dataclasses

import numpy as np

from .arguments import ArrayGradientError, as_array, refuse_if_not_real


def unbroadcast(g, x):
    """``g`` summed down to the shape of ``x`` (undoing NumPy's broadcasting of ``x``):
    ``g`` has at least as many dimensions as ``x``, as a broadcast result has."""
    shape = np.shape(x)
    g_shape = np.shape(g)
    if g_shape == shape:
        return g
    if not shape:
        return np.sum(g)
    lead = len(g_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1)
    return np.reshape(np.sum(g, axis=axes), shape)


def broadcast_like(t, y):
    """The tangent ``t`` of an operand broadcast to the shape of the result ``y`` it went into
    (forward mode's ``unbroadcast``); a number stays a number where ``y`` is one."""
    shape = np.shape(y)
    return t if np.shape(t) == shape else np.broadcast_to(t, shape)


def like(g, x):
    """The gradient ``g`` as a value of the parameter ``x``'s type, shape and dtype.

    An ndarray of a floating dtype gets that dtype (float32 stays float32), other arrays
    float64; a Python number gets a float; the result never aliases a read-only view.
    A zero adjoint left as the number 0.0 (a parameter no path of this call reached)
    becomes zeros of the parameter's shape.  An argument that is not real is refused.
    """
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            refuse_if_not_real(x)
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)
        g = np.asarray(g)
        if g.shape == () and x.shape != () and not g:
            g = np.zeros(x.shape, dtype)
        if g.shape != x.shape:
            raise ArrayGradientError(f"internal error: a gradient of shape {g.shape} for a parameter of shape {x.shape}",
                               hint="please report this function to the srcdiff maintainers")
        if g.dtype != dtype or not g.flags.writeable:
            g = g.astype(dtype)
        return g
    refuse_if_not_real(x)
    if isinstance(x, np.generic) and np.issubdtype(x.dtype, np.floating):
        return x.dtype.type(np.reshape(g, ()))
    if isinstance(x, (list, tuple)):  # a sequence of numbers indexed like an array: its gradient in its type
        return type(x)(np.asarray(g, dtype=float).tolist())
    return float(np.reshape(g, ()))


def check_scalar(value):
    """Refuse a result that is not one real number: ``grad`` differentiates a scalar result."""
    if value.__class__ is float:  # the common case, checked first: it costs a few ns
        return
    if isinstance(value, (dict, list, tuple)) or dataclasses.is_dataclass(value):
        raise ArrayGradientError(f"the function returned a {type(value).__name__}, not one number; "
                                 "srcdiff.grad differentiates a function returning one number",
                                 hint="return a number; for second derivatives with respect to a container of "
                                      "parameters use srcdiff.hvp(f, wrt=...) with a direction of its structure")
    refuse_if_not_real(value, "result")
    if np.ndim(value) != 0:
        raise ArrayGradientError(f"the function returned an array of shape {np.shape(value)}; "
                           "srcdiff.grad differentiates a function returning one number",
                           hint="return a number (np.sum(...), a mean, a loss), or use srcdiff.jacobian for arrays")


def check_direction(value):
    """Refuse an array parameter that ``grad(grad(f, wrt=i))`` of a function with loops
    differentiates along: it is built from the derivative of ``f`` along ``x_i``, which is
    ``f``'s gradient only when ``x_i`` is one number."""
    if np.ndim(value) != 0:
        raise ArrayGradientError(f"grad(grad(f, wrt=i)) needs the gradient of f with respect to parameter i to be "
                                 f"one number, but that parameter is an array of shape {np.shape(value)}",
                                 hint="use srcdiff.hessian or srcdiff.hvp for second derivatives of an array parameter")


# ---------------------------------------------------------------- reductions

def sum_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.sum(x, axis, keepdims=keepdims)``: ``g`` spread over the summed axes.
    A number ``g`` (``1.0``) takes the dtype of a floating array ``x``: float32 stays float32."""
    if g.__class__ is float and x.__class__ is np.ndarray and x.dtype.kind == "f":
        g = x.dtype.type(g)
    if axis is not None and not keepdims and np.ndim(x) > 0:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def mean_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.mean``: ``sum_grad`` divided by the number of averaged entries."""
    count = np.size(x) // max(np.size(g), 1)
    return sum_grad(g / count, x, axis, keepdims)


def max_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.max``: all of ``g`` to the first position of each maximum."""
    return _route(g, x, axis, np.argmax)


def min_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.min``: all of ``g`` to the first position of each minimum."""
    return _route(g, x, axis, np.argmin)


def prod_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.prod``: ``g`` times the product of the other entries (exact at zeros)."""
    flat, restore = _reduced_last(np.asarray(x), axis)
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return restore(np.reshape(g, flat.shape[:-1])[..., None] * before * after)


def var_grad(g, x, axis=None, keepdims=False, ddof=0):
    """The gradient of ``np.var``: ``g * 2 (x - mean) / (n - ddof)`` over the reduced axes."""
    x = np.asarray(x)
    count = x.size // max(np.size(g), 1) - ddof
    return sum_grad(g, x, axis, keepdims) * (2.0 / count) * (x - np.mean(x, axis=axis, keepdims=True))


def std_grad(g, x, y, axis=None, keepdims=False, ddof=0):
    """The gradient of ``np.std`` (``y``): ``var_grad / (2 y)``, 0 where ``y`` is 0."""
    if axis is not None and not keepdims:
        y = np.expand_dims(y, axis)
    return var_grad(g, x, axis, keepdims, ddof) / (2.0 * np.where(y == 0, 1.0, y)) * (y != 0)


def cumsum_grad(g, x, axis=None):
    """The gradient of ``np.cumsum``: the cumulative sum of ``g`` taken from the end."""
    if axis is None:
        return np.reshape(np.cumsum(np.ravel(g)[::-1])[::-1], np.shape(x))
    return np.reshape(np.flip(np.cumsum(np.flip(g, axis), axis), axis), np.shape(x))


def _route(g, x, axis, find):
    flat, restore = _reduced_last(np.asarray(x), axis)
    dtype = flat.dtype if np.issubdtype(flat.dtype, np.inexact) else np.float64
    out = np.zeros(flat.shape, dtype=np.result_type(dtype, np.asarray(g).dtype))
    where = find(flat, axis=-1)[..., None]
    np.put_along_axis(out, where, np.reshape(g, flat.shape[:-1])[..., None], axis=-1)
    return restore(out)


def _reduced_last(x, axis):
    """``x`` with the reduced axes moved last and flattened into one, and the inverse map."""
    if axis is None or x.ndim == 0:  # a number reduced along an axis is itself
        axes = tuple(range(x.ndim))
    else:
        axes = tuple(a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)
    flat = np.reshape(moved, moved.shape[:len(kept)] + (-1,))

    def restore(values):
        return np.transpose(np.reshape(values, moved.shape), np.argsort(order))
    return flat, restore


def norm_grad(g, x, y, axis=None, keepdims=False):
    """The gradient of ``np.linalg.norm(x)`` (the 2-norm or Frobenius norm): ``g * x / y``, 0 where ``y`` is 0."""
    if axis is not None and not keepdims:
        g, y = np.expand_dims(g, axis), np.expand_dims(y, axis)
    safe = np.where(y == 0, 1.0, y)
    return g * x / safe * (y != 0)


# ---------------------------------------------------------------- indexing and joining

def index_grad(g, x, index):
    """The gradient of ``x[index]``: ``g`` put back where it was read, added up where read twice."""
    x = as_array(x)
    out = np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else np.float64)
    if _reads_twice(index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def setitem(x, index, value):
    """A copy of ``x`` with ``x[index] = value``: an item write without changing ``x``."""
    out = np.array(x, copy=True)
    out[index] = value
    return out


def written_grad(g, index, value):
    """The gradient of ``value`` in ``x[index] = value``: the part of ``g`` that was written."""
    if _reads_twice(index):
        counts = np.zeros(np.shape(g), dtype=np.intp)
        np.add.at(counts, index, 1)
        if np.any(counts[index] > 1):
            raise ArrayGradientError("an item write repeats an index, so one of the written values is lost; "
                               "srcdiff cannot differentiate with respect to that value",
                               hint="write each position once (np.unique), or add with np.add.at semantics explicitly")
    written = np.asarray(g)[index]
    extra = np.ndim(value) - written.ndim
    if extra > 0:  # NumPy drops a value's leading 1-axes when writing it (a[0] = v with v of shape (1, 3))
        written = np.reshape(written, (1,) * extra + written.shape)
    return unbroadcast(written, value)


def _reads_twice(index):
    """Whether an index may name one position twice (it holds an array of integers)."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, (list, np.ndarray)) and np.asarray(part).dtype.kind in "iu":
            return True
    return False


def concatenate_grad(g, i, parts, axis=0):
    """The gradient of ``parts[i]`` in ``np.concatenate(parts, axis)``."""
    sizes = [np.shape(p)[axis] for p in parts]
    return np.split(g, np.cumsum(sizes)[:-1], axis=axis)[i]


def hstack_grad(g, i, parts):
    """The gradient of ``parts[i]`` in ``np.hstack(parts)`` (joined along axis 0 for vectors, else 1)."""
    axis = 0 if np.ndim(parts[0]) <= 1 else 1
    return np.reshape(concatenate_grad(g, i, [np.atleast_1d(p) for p in parts], axis), np.shape(parts[i]))


def vstack_grad(g, i, parts):
    """The gradient of ``parts[i]`` in ``np.vstack(parts)`` (vectors become rows)."""
    return np.reshape(concatenate_grad(g, i, [np.atleast_2d(p) for p in parts], 0), np.shape(parts[i]))
