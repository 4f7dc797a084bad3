"""The helpers of the NumPy calls lowering writes out with other primitives (``lower.numpy_forms``).

``item(x)`` is ``x.item()`` of a one-entry array; ``outer_operand(a, b)`` is ``a`` with one
axis of length 1 added per axis of ``b`` (``np.multiply.outer(a, b)`` is
``outer_operand(a, b) * b``); ``full_rank(a, rcond)`` is ``a`` itself, refused unless its
rank is full (``np.linalg.lstsq``'s solution is then ``pinv(a) @ b``, differentiable);
``along_axis_index(a, indices, axis)`` is the index ``np.take_along_axis`` reads ``a`` at;
``take_index(a, indices, axis, mode)`` the one ``np.take`` reads it at, and ``partition_order(a,
kth, axis)`` where ``np.partition`` puts each entry (so that both are item reads, whose gradient
adds up at repeated positions); ``vander_column(x)`` is the column ``np.vander`` multiplies out;
``kept_positions`` what ``np.delete`` keeps, ``running_extreme_index`` where ``np.maximum.accumulate``
reads, ``average_weights`` the weights ``np.average`` multiplies by (shaped, checked); ``observation_rows``
(and its adjoint) the matrix ``np.cov`` reads;
``convolve_index`` and ``convolve_mask`` are the gather (and which entries of it fall
inside ``a``) that writes ``np.convolve`` and ``np.correlate`` as a product.  The indices
and masks carry no gradient; the others are linear in their first argument (rules in
``rules.numerics``).
"""
import numpy as np

from .arguments import ArrayGradientError

_MODES = ("full", "same", "valid")


def item(x):
    """``x.item()``: the one entry of ``x`` as a Python number (NumPy's ValueError otherwise)."""
    return x.item()


def outer_operand(a, b):
    """``a`` reshaped to ``a.shape + (1,) * b.ndim``: broadcast against ``b`` it gives ``ufunc.outer``."""
    return np.reshape(a, np.shape(a) + (1,) * np.ndim(b))


def lstsq_rank(a, rcond=None):
    """The rank ``np.linalg.lstsq(a, b, rcond)`` reports, counted strictly enough that ``np.linalg.pinv``
    (relative cut-off 1e-15) keeps every singular value it counts."""
    if np.ndim(a) != 2:
        raise ArrayGradientError(f"np.linalg.lstsq takes a matrix; this one has {np.ndim(a)} dimensions")
    values = np.linalg.svd(a, compute_uv=False)
    cut = np.finfo(np.result_type(a, 1.0)).eps * max(np.shape(a)) if rcond is None or rcond < 0 else rcond
    return int(np.sum(values > max(cut, 1e-15) * values[0])) if values.size else 0


def lstsq_kept(a):
    """How many residuals ``np.linalg.lstsq`` reports, as the end of a slice: all (``None``) for a
    tall matrix of full rank (the solution refuses any other), none (0) for a square or wide one."""
    return None if np.shape(a)[0] > np.shape(a)[1] else 0


def full_rank(a, rcond=None):
    """``a`` itself, refused unless its rank (``lstsq_rank``) is ``min(a.shape)``: only then is the
    least-squares solution ``pinv(a) @ b`` differentiable."""
    rank = lstsq_rank(a, rcond)
    if rank < min(np.shape(a)):
        raise ArrayGradientError(f"the matrix given to np.linalg.lstsq has rank {rank}, less than {min(np.shape(a))}: "
                                 "its least-squares solution has no gradient there",
                                 hint="pass a matrix of full rank, or add a ridge term (solve (A.T @ A + lam * I) x = A.T @ b)")
    return a


def along_axis_index(a, indices, axis):
    """The index ``np.take_along_axis(a, indices, axis)`` reads (``axis`` an int: lowering ravels ``a``
    for ``axis=None``): ``a[along_axis_index(a, indices, axis)]`` is it."""
    indices = np.asarray(indices)
    ndim = np.ndim(a)
    if indices.ndim != ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = axis % ndim
    shape = [1] * ndim
    index = []
    for k in range(ndim):
        if k == axis:
            index.append(indices)
            continue
        shape[k] = -1
        index.append(np.arange(np.shape(a)[k]).reshape(shape))
        shape[k] = 1
    return tuple(index)


def vander_column(x):
    """``x`` as ``np.vander`` reads it: a 1-D array (NumPy's ValueError otherwise) in the dtype of
    its result (integers at least), as a column."""
    if np.ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    x = np.asarray(x)
    return x.astype(np.promote_types(x.dtype, int), copy=False)[:, None]


def _checked_axis(a, axis):
    """``axis`` (an int) as a position among ``a``'s axes, counted from 0; NumPy's AxisError where ``a`` has no such axis."""
    ndim = np.ndim(a)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def kept_positions(a, obj, axis):
    """The positions along ``axis`` (an int) that ``np.delete(a, obj, axis)`` keeps, in order
    (``obj`` an index, a slice, indices or a boolean mask, as NumPy reads it)."""
    keep = np.ones(np.shape(a)[_checked_axis(a, axis)], dtype=bool)
    if not isinstance(obj, slice):
        obj = np.asarray(obj)
        if obj.dtype.kind not in "iub":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
    keep[obj] = False
    return np.flatnonzero(keep)


def average_weights(a, weights, axis):
    """``weights`` shaped to multiply ``a`` as ``np.average(a, axis, weights)`` does (a 1-D ``weights``
    runs along ``axis``), with NumPy's errors for shapes that differ without an axis and a length
    that is not the axis's."""
    shape, given = np.shape(a), np.shape(weights)
    if given != shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if len(given) != 1:
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        if given[0] != shape[axis]:
            raise ValueError("Length of weights not compatible with specified axis.")
        weights = np.reshape(weights, tuple(-1 if k == axis % len(shape) else 1 for k in range(len(shape))))
    return weights


def weights_total(total):
    """``total``, the sum of ``np.average``'s weights, refused where it is zero (NumPy's error)."""
    if np.any(np.asarray(total) == 0.0):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return total


def running_extreme_index(a, axis, largest):
    """Where ``np.maximum.accumulate(a, axis)`` (``largest``; else ``np.minimum``) takes each entry
    from, along ``axis`` (an int): the first position of the running extreme (a tie keeps the earlier
    one, as ``np.max``'s gradient does); a NaN, once met, stays the extreme, as NumPy propagates it."""
    a = np.moveaxis(np.asarray(a), axis, -1)
    running = (np.maximum if largest else np.minimum).accumulate(a, axis=-1)
    before = np.concatenate([np.full(a.shape[:-1] + (1,), np.nan), running[..., :-1]], axis=-1)
    better = a > before if largest else a < before
    new = better | np.isnan(a) & ~np.isnan(before)
    new[..., :1] = True
    positions = np.where(new, np.arange(a.shape[-1]), 0)
    return np.moveaxis(np.maximum.accumulate(positions, axis=-1), -1, axis)


def observation_rows(m, rowvar):
    """``m`` as ``np.cov`` reads it: at least 2-D (a vector is one variable), the variables in rows
    (transposed when ``rowvar`` is False, unless it is one row)."""
    x = np.asarray(m)
    if x.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    x = np.reshape(x, (1, -1)) if x.ndim < 2 else x
    return x.T if not rowvar and x.shape[0] != 1 else x


def observation_rows_grad(g, m, rowvar):
    """The adjoint of ``observation_rows(m, rowvar)``: ``g`` transposed back if it was, in ``m``'s shape."""
    turned = not rowvar and np.ndim(m) == 2 and np.shape(m)[0] != 1
    return np.reshape(np.transpose(g) if turned else g, np.shape(m))


def take_index(a, indices, axis, mode="raise"):
    """The index ``np.take(a, indices, axis, mode=mode)`` reads ``a`` at (``axis`` an int: lowering
    ravels ``a`` for ``axis=None``): ``a[take_index(a, indices, axis, mode)]`` is it; ``'wrap'`` and
    ``'clip'`` move the indices into range as NumPy does, ``'raise'`` leaves them to the read."""
    axis = _checked_axis(a, axis)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iub":
        raise IndexError("np.take takes integer indices")
    length = np.shape(a)[axis]
    if mode == "wrap":
        indices = np.mod(indices, length)
    elif mode == "clip":
        indices = np.clip(indices, 0, length - 1)
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    return (slice(None),) * axis + (indices,)


def partition_order(a, kth, axis):
    """Where ``np.partition(a, kth, axis)`` takes each entry from, along ``axis`` (an int):
    ``np.take_along_axis(a, partition_order(a, kth, axis), axis)`` is ``np.partition(a, kth, axis)``,
    entry for entry.  NumPy's own arrangement is kept (its order outside ``kth`` is its own, not
    ``np.argpartition``'s); among equal values the earlier entry of ``a`` goes to the earlier place."""
    a = np.asarray(a)
    placed = np.partition(a, kth, axis=axis)
    source = np.argsort(a, axis=axis, kind="stable")
    target = np.argsort(placed, axis=axis, kind="stable")
    order = np.empty_like(source)
    np.put_along_axis(order, target, source, axis=axis)
    return order


def _rows(n, m, mode, correlate):
    """The rows of the full convolution (length ``n + m - 1``) that ``mode`` keeps, as NumPy picks them."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty" if m == 0 else "a cannot be empty")
    longest, shortest = max(n, m), min(n, m)
    if mode == "full":
        return np.arange(n + m - 1)
    if mode == "valid":
        return np.arange(shortest - 1, longest)
    start = shortest // 2 if correlate and n < m else (shortest - 1) // 2
    return np.arange(start, start + longest)


def _gather(a, v, mode, correlate):
    if np.ndim(a) != 1 or np.ndim(v) != 1:
        raise ValueError("np.convolve and np.correlate take 1-D arrays (srcdiff reads them as such)")
    n, m = np.shape(a)[0], np.shape(v)[0]
    positions = _rows(n, m, mode, correlate)[:, None] - np.arange(m)[None, :]
    return np.clip(positions, 0, n - 1), (positions >= 0) & (positions < n)


def convolve_index(a, v, mode, correlate=False):
    """Where row ``k`` of the gather reads ``a``: ``a[k - j]`` in column ``j`` (clipped into ``a``), so
    that ``(a[index] * convolve_mask(...)) @ v`` is ``np.convolve(a, v, mode)`` (``v`` reversed for
    ``np.correlate``)."""
    return _gather(a, v, mode, correlate)[0]


def convolve_mask(a, v, mode, correlate=False):
    """Which entries of the gather ``convolve_index`` makes fall inside ``a`` (the others are zeros)."""
    return _gather(a, v, mode, correlate)[1]
