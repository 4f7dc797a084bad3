"""The gradients of NumPy's shape and order functions that plain NumPy cannot write in one call.

Each ``*_grad`` takes the upstream gradient ``g`` first and returns the gradient of the
array argument, shaped like it; each is linear in ``g``, and its adjoint is the forward
function itself (``np.repeat``, ``np.tile``, ``np.pad``, ``np.rollaxis``, ``np.diff``),
so gradients can be differentiated again (the rules are in ``srcdiff.rules.shapes``).

- ``repeat_grad``: the repeated copies of each entry summed back into it;
- ``tile_grad``: the tiles summed;
- ``pad_grad``: the entries the padded array copied from each entry summed into it (the
  copy modes ``constant``, ``edge``, ``reflect``, ``symmetric``, ``wrap``);
- ``rollaxis_grad``: the axis moved back;
- ``diff_grad``: the adjoint of the difference operator, ``n`` times;
- ``gradient_grad`` / ``gradient_along``: the adjoint of ``np.gradient`` along one axis
  (its difference matrix transposed) and ``np.gradient`` itself, each the other's adjoint;
- ``unsort`` / ``sort_like``: ``g`` sent back to where ``np.sort`` took each entry from,
  and a tangent gathered in sorted order (stable on ties: equal entries keep their order);
- ``part_grad`` / ``part_of``: the gradient of one part of ``np.split`` as a gradient of
  the whole (the list of parts has an adjoint shaped like the array that was split);
- ``concatenate_items`` / ``stack_items``: ``np.concatenate`` / ``np.stack`` of a sequence
  passed in as one value, and ``split_items``: the gradient of such a sequence, its items
  stacked (the form a sequence parameter's gradient takes); ``joined_items`` /
  ``joined_items_grad`` the same for ``np.vstack``, ``np.hstack`` and ``np.column_stack``.
"""
import numpy as np

from .arguments import ArrayGradientError
from .lazy import is_lazy
from .namespaces import namespace_of as namespace


def _float_dtype(like):
    dtype = np.asarray(like).dtype
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _float_zeros(shape, like):
    return np.zeros(shape, dtype=_float_dtype(like))


def repeat_grad(g, x, repeats, axis=None):
    """The gradient of ``np.repeat(x, repeats, axis)``: each entry's copies summed."""
    shape = np.shape(x)
    if axis is None:
        g, axis, count = np.ravel(g), 0, int(np.prod(shape))
    else:
        axis = axis % max(len(shape), 1)
        count = shape[axis] if shape else 1
    owner = np.repeat(np.arange(count), np.broadcast_to(repeats, (count,)))
    moved = np.moveaxis(np.asarray(g), axis, 0)
    out = _float_zeros((count,) + moved.shape[1:], g)
    np.add.at(out, owner, moved)
    return np.reshape(np.moveaxis(out, 0, axis), shape)


def tile_grad(g, x, reps):
    """The gradient of ``np.tile(x, reps)``: the tiles summed (``x`` and ``reps`` padded
    with leading ones to one length, as NumPy does)."""
    shape, reps = np.shape(x), tuple(np.atleast_1d(reps))
    depth = max(len(shape), len(reps))
    sizes = (1,) * (depth - len(shape)) + tuple(shape)
    counts = (1,) * (depth - len(reps)) + reps
    split = np.reshape(g, [n for pair in zip(counts, sizes) for n in pair])
    return np.reshape(np.sum(split, axis=tuple(range(0, 2 * depth, 2))), shape)


PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad_grad(g, x, pad_width, mode="constant"):
    """The gradient of ``np.pad(x, pad_width, mode)`` for the modes that copy entries: each
    entry gets the sum of ``g`` over the places it was copied to (padding with the index of
    each entry shows where; a constant fill has index -1 and gives nothing)."""
    shape = np.shape(x)
    index = np.reshape(np.arange(int(np.prod(shape))), shape)
    if mode == "constant":
        source = np.pad(index, pad_width, mode="constant", constant_values=-1)
    else:
        source = np.pad(index, pad_width, mode=mode)
    copied = source >= 0
    summed = np.bincount(source[copied], weights=np.asarray(g)[copied], minlength=index.size)
    return np.reshape(summed.astype(_float_dtype(g)), shape)


def rollaxis_grad(g, axis, start=0):
    """The gradient of ``np.rollaxis(x, axis, start)``: the rolled axis moved back."""
    n = np.ndim(g)
    axis = axis % n
    start = start + n if start < 0 else start
    destination = start - 1 if axis < start else start
    return g if destination == axis else np.moveaxis(g, destination, axis)


def diff_grad(g, n=1, axis=-1):
    """The gradient of ``np.diff(x, n, axis)``: ``n`` times the adjoint of one difference,
    ``-np.diff`` of ``g`` with a zero before and after."""
    for _ in range(n):
        g = -np.diff(g, axis=axis, prepend=0, append=0)
    return g


def _gradient_matrix(n, spacing, edge_order):
    """``M`` with ``np.gradient(t, spacing, edge_order=...) == M @ t`` for vectors of ``n``
    entries: column ``j`` is the result for the unit vector ``e_j``."""
    return np.gradient(np.eye(n), spacing, axis=0, edge_order=edge_order)


def _along_one_axis(t, axis, spacing, edge_order, transposed):
    t = np.asarray(t)
    if axis is None and t.ndim != 1 or not isinstance(axis, (int, np.integer, type(None))):
        raise ArrayGradientError(f"np.gradient along axis={axis!r} of an array that is not a vector gives one array "
                                 "per axis; srcdiff differentiates it along one axis",
                                 hint="pass axis= as one int (np.gradient(f, axis=0))")
    axis = 0 if axis is None else axis
    matrix = _gradient_matrix(t.shape[axis], spacing, edge_order)
    moved = np.tensordot(matrix.T if transposed else matrix, np.moveaxis(t, axis, 0), axes=1)
    return np.moveaxis(moved, 0, axis)


def gradient_along(t, spacing=1.0, axis=None, edge_order=1):
    """``np.gradient(t, spacing, axis=axis, edge_order=edge_order)`` along one axis (the
    tangent of ``np.gradient``, linear in ``t``); refused for several axes."""
    return _along_one_axis(t, axis, spacing, edge_order, False)


def gradient_grad(g, spacing=1.0, axis=None, edge_order=1):
    """The gradient of ``np.gradient(x, spacing, axis=axis, edge_order=edge_order)``: the
    transposed difference matrix applied to ``g`` along that one axis."""
    return _along_one_axis(g, axis, spacing, edge_order, True)


def _sorting(x, axis):
    """The stable order of ``x`` along ``axis`` (flattened when None) and that axis."""
    if axis is None:
        return np.argsort(np.ravel(x), kind="stable"), None
    return np.argsort(x, axis=axis, kind="stable"), axis


def unsort(g, x, axis=-1):
    """The gradient of ``np.sort(x, axis)``: each entry of ``g`` sent back to the position of
    ``x`` it was sorted from (ties in a stable order)."""
    xp = _other_library(g, x)
    if xp is not None:
        return _unsorted(xp, g, x, axis)
    order, axis = _sorting(x, axis)
    out = _float_zeros(np.shape(order), g)
    if axis is None:
        out[order] = np.ravel(g)
        return np.reshape(out, np.shape(x))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def sort_like(t, x, axis=-1):
    """The entries of ``t`` in the order ``np.sort(x, axis)`` puts ``x`` in (the tangent of a sort)."""
    xp = _other_library(t, x)
    if xp is not None:
        return _sorted_like(xp, t, x, axis)
    order, axis = _sorting(x, axis)
    if axis is None:
        return np.ravel(t)[order]
    return np.take_along_axis(np.broadcast_to(t, np.shape(x)), order, axis=axis)


def _other_library(g, x):
    """The namespace of ``g`` and ``x`` when they are arrays of a library other than NumPy (or Dask), else None."""
    if x.__class__ is np.ndarray and g.__class__ is np.ndarray or is_lazy(g) or is_lazy(x):
        return None
    xp = namespace(g, x)
    return None if xp is np else xp


def _unsorted(xp, g, x, axis):
    """``unsort`` in the standard's terms (no ``put_along_axis``): ``g`` gathered at the inverse
    permutation of the stable order, which is that order's own ``argsort``."""
    if axis is None:
        return xp.reshape(_unsorted(xp, xp.reshape(g, (-1,)), xp.reshape(x, (-1,)), 0), tuple(x.shape))
    inverse = xp.argsort(xp.argsort(x, axis=axis), axis=axis)
    return xp.take_along_axis(xp.broadcast_to(xp.asarray(g), tuple(x.shape)), inverse, axis=axis)


def _sorted_like(xp, t, x, axis):
    """``sort_like`` in the standard's terms."""
    t = xp.broadcast_to(xp.asarray(t), tuple(x.shape))
    if axis is None:
        t, x, axis = xp.reshape(t, (-1,)), xp.reshape(x, (-1,)), 0
    return xp.take_along_axis(t, xp.argsort(x, axis=axis), axis=axis)


def _part_slice(parts, i, axis):
    sizes = [np.shape(p)[axis] for p in parts]
    i = i % len(parts)
    start = sum(sizes[:i])
    index = [slice(None)] * np.ndim(parts[i])
    index[axis] = slice(start, start + sizes[i])
    return tuple(index), sum(sizes)


def part_grad(g, parts, i, axis=0):
    """The gradient of ``parts[i]`` of ``parts = np.split(x, ..., axis)`` as a gradient of ``x``:
    zero but where that part came from."""
    index, total = _part_slice(parts, i, axis)
    shape = list(np.shape(parts[i % len(parts)]))
    shape[axis] = total
    out = _float_zeros(shape, g)
    out[index] = g
    return out


def part_of(g, parts, i, axis=0):
    """The piece of ``g`` (shaped like the array ``parts`` was split from) that ``parts[i]`` came from."""
    index, _ = _part_slice(parts, i, axis)
    return np.asarray(g)[index]


def concatenate_items(xs, axis=0):
    """``np.concatenate(xs, axis)`` of a sequence given as one value (a parameter)."""
    return np.concatenate(xs, axis=axis)


def stack_items(xs, axis=0):
    """``np.stack(xs, axis)`` of a sequence given as one value (a parameter)."""
    return np.stack(xs, axis=axis)


def split_items(g, xs, axis=0):
    """The gradient of the items ``xs`` of ``np.concatenate(xs, axis)``: the pieces of ``g``,
    stacked (the form of a sequence's gradient); items of different shapes are refused."""
    shapes = {np.shape(x) for x in xs}
    if len(shapes) > 1:
        raise ArrayGradientError("the gradient of a sequence of arrays of different shapes is not supported",
                                 hint="pass the arrays as separate parameters, or make them one shape")
    ends = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
    return np.stack(np.split(g, ends, axis=axis))


def _joined_parts(xs, kind):
    """The items of ``xs`` as ``np.vstack``, ``np.hstack`` or ``np.column_stack`` (``kind``)
    shapes them, and the axis it concatenates them along."""
    if kind == "vstack":
        return [np.atleast_2d(x) for x in xs], 0
    if kind == "hstack":
        parts = [np.atleast_1d(x) for x in xs]
        return parts, 0 if parts and parts[0].ndim == 1 else 1
    return [np.array(x, ndmin=2).T if np.ndim(x) < 2 else np.asarray(x) for x in xs], 1  # column_stack


def joined_items(xs, kind):
    """``np.<kind>(xs)`` (vstack, hstack, column_stack) of a sequence given as one value."""
    parts, axis = _joined_parts(xs, kind)
    return np.concatenate(parts, axis=axis)


def joined_items_grad(g, xs, kind):
    """The gradient of the items ``xs`` of ``joined_items(xs, kind)``: the pieces of ``g``,
    each shaped like its item, stacked (items of different shapes are refused)."""
    if len({np.shape(x) for x in xs}) > 1:
        raise ArrayGradientError("the gradient of a sequence of arrays of different shapes is not supported",
                                 hint="pass the arrays as separate parameters, or make them one shape")
    parts, axis = _joined_parts(xs, kind)
    ends = np.cumsum([p.shape[axis] for p in parts])[:-1]
    return np.stack([np.reshape(piece, np.shape(x)) for piece, x in zip(np.split(g, ends, axis=axis), xs)])
