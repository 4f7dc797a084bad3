"""``np.take``, ``np.take_along_axis``, ``np.partition``, ``np.delete``, ``np.vander``, ``np.diagflat`` and ``np.average`` with
weights, written out with the reads and products srcdiff already differentiates (the forms
``numpy_forms.NumpyForms`` looks up here).

| call | written as |
| --- | --- |
| ``np.take(a, i, axis, mode=)``, ``a.take(i, axis, mode=)`` | ``a[rt.take_index(a, i, axis, mode)]`` (``np.ravel(a)`` and axis 0 for ``axis=None``): an item read, whose gradient adds up at repeated indices |
| ``np.take_along_axis(a, i, axis)`` | ``a[rt.along_axis_index(a, i, axis)]`` |
| ``np.partition(a, kth, axis)`` | ``a[rt.along_axis_index(a, rt.partition_order(a, kth, axis), axis)]``: NumPy's own arrangement, read entry by entry |
| ``np.delete(a, obj, axis)`` | ``np.take(a, rt.kept_positions(a, obj, axis), axis)`` written out as above |
| ``np.diagflat(v, k)`` | ``np.diag(np.ravel(v), k)`` |
| ``np.average(a, axis, weights)`` | ``np.sum(a * w, axis) / rt.weights_total(np.sum(np.broadcast_to(w, np.shape(a)), axis))``, ``w = rt.average_weights(a, weights, axis)`` (a 1-D ``weights`` along ``axis``); NumPy's errors kept |
| ``np.vander(x, N, increasing)`` | ``np.cumprod`` along the columns of ``[1, x, x, ...]`` (``rt.vander_column(x)`` repeated ``N`` times, the first column ones): NumPy's own products, exact at 0; reversed unless ``increasing`` |

Each form returns None (the call stays whole and is refused by name where it needs a gradient)
for an option it does not read: ``out=``, a computed ``axis``, ``kind``/``order`` of a partition
other than NumPy's default.
"""
from ..ir import Const, Slice
from .numpy_signals import array_like, bind, constant_of, given

_TAKE_MODES = ("raise", "wrap", "clip")


def _axis_of(lw, bound, default):
    """The axis ``bound`` gives as a constant (``default`` where none is given): an int, None
    (the array flattened), or ``...`` where it is anything else (the form does not apply)."""
    axis = constant_of(lw, bound, "axis", default)
    return axis if axis is None or type(axis) is int else ...


def _flattened(lw, a, axis, node):
    """``a`` and ``axis`` as they are, or ``np.ravel(a)`` and axis 0 for ``axis=None``."""
    return (lw.emit("np.ravel", (a,), node), 0) if axis is None else (a, axis)


def _take(lw, op, node, hint):
    bound = bind(node, ("a", "indices", "axis", "out", "mode"), required=2)
    return None if bound is None else _taken(lw, lambda: lw.argument(bound["a"], True), bound, node, hint)


def take_method(lw, receiver, node, hint):
    """``x.take(indices, axis, mode=)``: as ``np.take(x, ...)``, or None for options it does not read."""
    bound = bind(node, ("indices", "axis", "out", "mode"))
    return None if bound is None else _taken(lw, lambda: receiver, bound, node, hint)


def _taken(lw, array, bound, node, hint):
    """``np.take`` of the array ``array()`` gives, with the other arguments ``bound``."""
    if given(bound, "out"):
        return None
    axis, mode = _axis_of(lw, bound, None), constant_of(lw, bound, "mode", "raise")
    if axis is ... or mode not in _TAKE_MODES:
        return None
    a, indices = array(), lw.argument(bound["indices"], True)
    a, axis = _flattened(lw, a, axis, node)
    index = lw.emit("rt.take_index", (a, indices, Const(axis), Const(mode)), node)
    return lw.emit("[]", (a, index), node, hint)


def _take_along_axis(lw, op, node, hint):
    bound = bind(node, ("arr", "indices", "axis"), required=2)
    axis = _axis_of(lw, bound, -1) if bound is not None else ...
    if axis is ...:
        return None
    a, indices = lw.argument(bound["arr"], True), lw.argument(bound["indices"], True)
    a, axis = _flattened(lw, a, axis, node)
    index = lw.emit("rt.along_axis_index", (a, indices, Const(axis)), node)
    return lw.emit("[]", (a, index), node, hint)


def _partition(lw, op, node, hint):
    bound = bind(node, ("a", "kth", "axis", "kind", "order"), required=2)
    if bound is None or given(bound, "order") or constant_of(lw, bound, "kind", "introselect") != "introselect":
        return None
    axis = _axis_of(lw, bound, -1)
    if axis is ...:
        return None
    a, kth = array_like(lw, lw.argument(bound["a"], True), node), lw.argument(bound["kth"], True)
    a, axis = _flattened(lw, a, axis, node)
    order = lw.emit("rt.partition_order", (a, kth, Const(axis)), node)
    return lw.emit("[]", (a, lw.emit("rt.along_axis_index", (a, order, Const(axis)), node)), node, hint)


def _vander(lw, op, node, hint):
    bound = bind(node, ("x", "N", "increasing"), required=1)
    increasing = constant_of(lw, bound, "increasing", False) if bound is not None else ...
    if increasing not in (True, False):
        return None
    column = lw.emit("rt.vander_column", (lw.argument(bound["x"], True),), node)
    count = lw.argument(bound["N"]) if given(bound, "N") else lw.emit("np.size", (column,), node)
    repeated = lw.emit("np.repeat", (column, count), node, None, (("axis", Const(1)),))
    first = lw.emit("==", (lw.emit("np.arange", (count,), node), Const(0)), node)
    started = lw.emit("np.where", (first, lw.emit("np.ones_like", (repeated,), node), repeated), node)
    powers = lw.emit("np.cumprod", (started,), node, None if not increasing else hint, (("axis", Const(1)),))
    if increasing:
        return powers
    return lw.emit("[]", (powers, Const(Slice(None, None, None)), Const(Slice(None, None, -1))), node, hint)


def _delete(lw, op, node, hint):
    bound = bind(node, ("arr", "obj", "axis"), required=2)
    axis = constant_of(lw, bound, "axis", None) if bound is not None else ...
    if axis is not None and type(axis) is not int:
        return None
    a, obj = lw.argument(bound["arr"], True), lw.argument(bound["obj"])
    if axis is None:
        a, axis = lw.emit("np.ravel", (a,), node), 0
    kept = lw.emit("rt.kept_positions", (a, obj, Const(axis)), node)
    index = lw.emit("rt.take_index", (a, kept, Const(axis), Const("raise")), node)
    return lw.emit("[]", (a, index), node, hint)


def _diagflat(lw, op, node, hint):
    bound = bind(node, ("v", "k"))
    if bound is None or "v" not in bound:
        return None
    flat = lw.emit("np.ravel", (lw.argument(bound["v"], True),), node)
    offset = lw.argument(bound["k"]) if "k" in bound else Const(0)
    return lw.emit("np.diag", (flat, offset), node, hint)


def _average(lw, op, node, hint):
    bound = bind(node, ("a", "axis", "weights", "returned", "keepdims"))
    if bound is None or "a" not in bound or not given(bound, "weights") or constant_of(lw, bound, "returned", False) is not False:
        return None  # without weights: the mean's rule (arrays.REDUCTIONS)
    axis = constant_of(lw, bound, "axis", None)
    if axis is not None and type(axis) is not int:
        return None
    a = array_like(lw, lw.argument(bound["a"], True), node)
    weights = lw.emit("rt.average_weights", (a, lw.argument(bound["weights"], True), Const(axis)), node)
    options = (("axis", Const(axis)),) + ((("keepdims", lw.argument(bound["keepdims"])),) if "keepdims" in bound else ())
    total = lw.emit("np.sum", (lw.emit("*", (a, weights), node),), node, None, options)
    spread = lw.emit("np.broadcast_to", (weights, lw.emit("np.shape", (a,), node)), node)
    scale = lw.emit("rt.weights_total", (lw.emit("np.sum", (spread,), node, None, options),), node)
    return lw.emit("/", (total, scale), node, hint)


GATHERS = {"np.take": _take, "np.take_along_axis": _take_along_axis, "np.partition": _partition, "np.vander": _vander,
           "np.delete": _delete, "np.diagflat": _diagflat, "np.average": _average}
