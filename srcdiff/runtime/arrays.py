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
import numpy as np

from .arguments import ArrayGradientError, refuse_complex_gradient, refuse_if_not_real
from .item_adjoints import ItemAdjoints, keyed_like
from .lazy import array_module, entries, is_lazy, like_lazily, spread_to
from .namespaces import namespace_of as namespace


def unbroadcast(g, x):
    """``g`` summed down to the shape of ``x`` (undoing NumPy's broadcasting of ``x``):
    ``g`` has at least as many dimensions as ``x``, as a broadcast result has."""
    if g.__class__ is np.ndarray and x.__class__ is np.ndarray:
        return g if g.shape == x.shape else _summed_to(g, x.shape)  # settled before looking for a namespace
    xp = namespace(g, x)
    shape = xp.shape(x)
    g_shape = xp.shape(g)
    if g_shape == shape:
        return g
    if x.__class__ in _SEQUENCES and len(g_shape) <= len(shape):  # Python's + and * join and repeat a list, at its
        raise _joined_sequence(g_shape, shape)  # depth: only a gradient of more dimensions is surely NumPy's broadcast
    if not shape:
        return xp.sum(g)
    if g.__class__ is np.ndarray:
        return _summed_to(g, shape)
    return xp.reshape(xp.sum(g, axis=_broadcast_axes(g_shape, shape)), shape)


def _summed_to(g, shape):
    """The ndarray ``g`` summed down to the broadcast operand shape ``shape`` (``unbroadcast``)."""
    total = g.sum(axis=_broadcast_axes(g.shape, shape))  # the method: np.sum's own dispatch costs as much as the sum of a small g
    return total if total.shape == shape else total.reshape(shape)


def _broadcast_axes(g_shape, shape):
    """The axes along which a gradient of shape ``g_shape`` is summed to give an operand of
    shape ``shape``, which NumPy broadcast to it; a shape it cannot have been broadcast from is
    refused (a sequence joined or repeated)."""
    lead = len(g_shape) - len(shape)
    if lead < 0:
        raise _joined_sequence(g_shape, shape)
    axes = tuple(range(lead))
    for i, n in enumerate(shape):
        if n != g_shape[lead + i]:
            if n != 1:
                raise _joined_sequence(g_shape, shape)
            axes += (lead + i,)
    return axes


def broadcast_like(t, y):
    """The tangent ``t`` of an operand broadcast to the shape of the result ``y`` it went into (forward
    mode's ``unbroadcast``); a number stays one where ``y`` is one; a list or tuple (a direction) is an array."""
    if y.__class__ is float:  # scalar code given numbers: nothing to broadcast
        return t
    t = np.asarray(t, dtype=float) if t.__class__ in (list, tuple) else t  # element-wise code must not join it
    if not (is_lazy(t) or is_lazy(y)):
        xp = namespace(t, y)
        if xp is not np:
            shape = xp.shape(y)
            return t if xp.shape(t) == shape else xp.broadcast_to(t, shape)
    shape = np.shape(y)
    if np.shape(t) == shape:
        return t
    try:
        return spread_to(t, y)
    except ValueError:  # t longer or shorter than y: y was joined or repeated as a sequence
        raise _joined_sequence(np.shape(t), shape) from None


def _joined_sequence(g_shape, shape):
    """The error for a gradient that does not fit its operand: what Python's ``+`` and ``*``
    do to lists and tuples (join, repeat) read as NumPy's arithmetic."""
    return ArrayGradientError(
        f"a gradient of shape {g_shape} does not fit a value of shape {shape}: a list or tuple joined with "
        "'+' or repeated with '*' changes its length, and srcdiff reads '+' and '*' as arithmetic", hint=JOINED_SEQUENCE_HINT)


JOINED_SEQUENCE_HINT = "make the sequence an array first (np.asarray(xs)), or build the longer list with a comprehension"

_SEQUENCES = (list, tuple)  # classes, compared with ``in``
_PYTHON_NUMBERS = (float, int, bool)  # classes, compared with ``in``: bool is not taken for int


def like(g, x):
    """The gradient ``g`` as a value of the parameter ``x``'s type, shape and dtype.

    An ndarray of a floating dtype gets that dtype (float32 stays float32), other arrays
    float64; a Python number gets a float; the result never aliases a read-only view; a dict
    read at keys known at run time gets a dict of its adjoints by key (``keyed_like``).  A zero
    adjoint 0.0 (no path reached the parameter) becomes zeros of the parameter's shape.  An
    argument that is not real, or a complex gradient, is refused."""
    if x.__class__ in _PYTHON_NUMBERS and g.__class__ in _PYTHON_NUMBERS:  # the usual number: nothing to check
        return float(g)
    if g.__class__ is np.ndarray and x.__class__ is np.ndarray and g.dtype == x.dtype and x.dtype.kind == "f" \
            and g.shape == x.shape and g.flags.writeable:
        return g  # the common case, settled before the checks below (which say the same of it)
    if is_lazy(g) or is_lazy(x):
        return like_lazily(g, x)
    if isinstance(x, dict):
        return keyed_like(g, x, like)
    refuse_complex_gradient(g, x)
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
    if namespace(x) is not np:
        return _like_foreign(g, x, namespace(x))
    refuse_if_not_real(x)
    if isinstance(x, np.generic) and np.issubdtype(x.dtype, np.floating):
        return x.dtype.type(np.reshape(g, ()))
    if isinstance(x, (list, tuple)):  # a sequence indexed like an array: its gradient in its type, part by part
        if not isinstance(g, ItemAdjoints):  # (its items differ in shape: an adjoint each, ``item_adjoints``)
            g = np.asarray(g, dtype=float)
            g = np.broadcast_to(g, np.shape(x)) if g.shape == () and np.shape(x) != () else g
        if len(g) != len(x):
            raise _joined_sequence(g.shape, (len(x),))
        if all(type(item) in (float, int, bool) for item in x):
            return type(x)(g.tolist())
        return type(x)(like(part, item) for part, item in zip(g, x))  # arrays keep their dtype and type
    if g.__class__ is not float and not is_lazy(g) and namespace(g) is not np:  # another library's 0-d array
        return float(g)
    return float(np.reshape(g, ()))


def _like_foreign(g, x, xp):
    """``like`` for an array of another library: its shape, its floating dtype (else float64), its device."""
    dtype = x.dtype if xp.isdtype(x.dtype, "real floating") else xp.float64
    if isinstance(g, np.ndarray) and g.ndim:
        raise ArrayGradientError(f"this gradient computed a NumPy array for an argument that is a "
                                 f"{type(x).__module__}.{type(x).__name__}: a step of it ran with NumPy, which works "
                                 "on NumPy arrays only", hint="if the function calls NumPy (np.*), write it against "
                                 "the Array API standard: xp = array_namespace(x) (array_api_compat), then xp.sum, "
                                 "xp.exp, ...; if it is written so already, please report it to the srcdiff maintainers")
    if not hasattr(g, "shape") or namespace(g) is not xp:  # a number, or a zero adjoint left as 0.0
        g = xp.asarray(float(g) if xp.shape(g) == () else np.asarray(g), dtype=dtype)
    if g.shape == () and x.shape != ():
        g = xp.broadcast_to(g, tuple(x.shape))
    if tuple(g.shape) != tuple(x.shape):
        raise ArrayGradientError(f"internal error: a gradient of shape {tuple(g.shape)} for a parameter of shape "
                                 f"{tuple(x.shape)}", hint="please report this function to the srcdiff maintainers")
    return xp.astype(g, dtype, copy=True)


# ---------------------------------------------------------------- reductions

def sum_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.sum(x, axis, keepdims=keepdims)``: ``g`` spread over the summed axes.
    A number ``g`` (``1.0``) takes the dtype of a floating array ``x``: float32 stays float32."""
    if g.__class__ is float and x.__class__ is np.ndarray and x.dtype.kind == "f":
        g = x.dtype.type(g)
    if is_lazy(x) or is_lazy(g):
        if axis is not None and not keepdims and np.ndim(x) > 0:
            g = np.expand_dims(g, axis)
        return spread_to(g, x)
    xp = namespace(g, x)
    if axis is not None and not keepdims and xp.ndim(x) > 0:
        g = xp.expand_dims(g, axis)
    return spread_to(g, x) if xp is np else xp.broadcast_to(g, xp.shape(x))


def mean_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.mean``: ``sum_grad`` divided by the number of averaged entries."""
    if is_lazy(x) or is_lazy(g):
        count = entries(x) // max(entries(g), 1)
    else:
        xp = namespace(g, x)
        count = xp.size(x) // max(xp.size(g), 1)
    return sum_grad(g / count, x, axis, keepdims)


def max_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.max``: all of ``g`` to the first position of each maximum."""
    return _route(g, x, axis, "argmax")


def min_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.min``: all of ``g`` to the first position of each minimum."""
    return _route(g, x, axis, "argmin")


def var_grad(g, x, axis=None, keepdims=False, ddof=0):
    """The gradient of ``np.var``: ``g * 2 (x - mean) / (n - ddof)`` over the reduced axes."""
    if is_lazy(x) or is_lazy(g):
        count = x.size // max(entries(g), 1) - ddof
        return sum_grad(g, x, axis, keepdims) * (2.0 / count) * (x - np.mean(x, axis=axis, keepdims=True))
    xp = namespace(g, x)
    x = xp.asarray(x)
    count = xp.size(x) // max(xp.size(g), 1) - ddof
    return sum_grad(g, x, axis, keepdims) * (2.0 / count) * (x - xp.mean(x, axis=axis, keepdims=True))


def std_grad(g, x, y, axis=None, keepdims=False, ddof=0):
    """The gradient of ``np.std`` (``y``): ``var_grad / (2 y)``, 0 where ``y`` is 0."""
    xp = namespace(g, x, y)
    if axis is not None and not keepdims:
        y = xp.expand_dims(y, axis)
    return xp.where(y != 0, var_grad(g, x, axis, keepdims, ddof) / (2.0 * xp.where(y == 0, 1.0, y)), 0.0)


def cumsum_grad(g, x, axis=None):
    """The gradient of ``np.cumsum``: the cumulative sum of ``g`` taken from the end."""
    if axis is None:
        return np.reshape(np.cumsum(np.ravel(g)[::-1])[::-1], np.shape(x))
    return np.reshape(np.flip(np.cumsum(np.flip(g, axis), axis), axis), np.shape(x))


def _route(g, x, axis, find):
    if x.__class__ is np.ndarray and g.__class__ in _NUMPY_VALUES and axis.__class__ is int and x.ndim:
        return _route_along(g, x, axis, find)  # settled before looking for lazy arrays and a namespace
    if is_lazy(x) or is_lazy(g):
        return _lazy_route(g, x, axis, find)
    xp = namespace(g, x)
    if xp is not np:
        return _route_foreign(g, x, axis, find, xp)
    if axis.__class__ is int and x.__class__ is np.ndarray and x.ndim:
        return _route_along(g, x, axis, find)
    flat, restore = _reduced_last(np.asarray(x), axis)
    dtype = flat.dtype if np.issubdtype(flat.dtype, np.inexact) else np.float64
    out = np.zeros(flat.shape, dtype=np.result_type(dtype, np.asarray(g).dtype))
    where = getattr(np, find)(flat, axis=-1)[..., None]
    np.put_along_axis(out, where, np.reshape(g, flat.shape[:-1])[..., None], axis=-1)
    return restore(out)


_NUMPY_VALUES = frozenset({np.ndarray, float, int, np.float64, np.float32})


def _route_along(g, x, axis, find):
    """``_route`` along one axis of an ndarray: the same numbers, without moving axes."""
    dtype = x.dtype if x.dtype.kind in "fc" else np.float64
    where = getattr(x, find)(axis=axis, keepdims=True)
    out = np.zeros(x.shape, dtype if g.__class__ is np.ndarray and g.dtype == dtype else np.result_type(dtype, np.asarray(g).dtype))
    if axis % x.ndim == x.ndim - 1 and x.size:  # the last axis: one flat write, rows x.shape[-1] apart
        out.reshape(-1)[where.reshape(-1) + np.arange(0, x.size, x.shape[-1])] = np.reshape(g, -1)
    else:
        np.put_along_axis(out, where, np.reshape(g, where.shape), axis=axis)
    return out


def _lazy_route(g, x, axis, find):
    """``_route`` of Dask arrays: ``g`` times a mask of the first extreme position (the same
    numbers; no ``put_along_axis``, which a Dask array has not)."""
    flat, restore = _reduced_last(x, axis)
    xp = array_module(flat, g)
    first = getattr(np, find)(flat, axis=-1)[..., None] == xp.arange(flat.shape[-1])
    return restore(first * np.reshape(g, flat.shape[:-1])[..., None])


def _route_foreign(g, x, axis, find, xp):
    """``_route`` in the standard's terms: a one-hot mask of the first extremum along the flattened axes."""
    flat, restore = _reduced_last(x, axis, xp)
    where = getattr(xp, find)(flat, axis=-1)
    hot = xp.arange(flat.shape[-1])[(None,) * (flat.ndim - 1) + (slice(None),)] == where[..., None]
    return restore(xp.where(hot, xp.reshape(g, flat.shape[:-1] + (1,)), 0.0))


def _reduced_last(x, axis, xp=np):
    """``x`` with the reduced axes moved last and flattened into one, and the inverse map."""
    if axis is None or x.ndim == 0:  # a number reduced along an axis is itself
        axes = tuple(range(x.ndim))
    else:
        axes = tuple(a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = xp.transpose(x, order)
    flat = xp.reshape(moved, tuple(moved.shape[:len(kept)]) + (-1,))

    def restore(values):
        return xp.transpose(xp.reshape(values, moved.shape), tuple(int(i) for i in np.argsort(order)))
    return flat, restore


def norm_grad(g, x, y, axis=None, keepdims=False):
    """The gradient of ``np.linalg.norm(x)`` (the 2-norm or Frobenius norm; ``x`` may be a list, which ``norm``
    reads as an array): ``g * x / y``, 0 where ``y`` is 0."""
    x = np.asarray(x) if x.__class__ in _SEQUENCES else x
    if axis is not None and not keepdims:
        g, y = np.expand_dims(g, axis), np.expand_dims(y, axis)
    safe = np.where(y == 0, 1.0, y)
    return g * x / safe * (y != 0)
