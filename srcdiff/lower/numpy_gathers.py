"""``np.take``, ``np.partition`` and ``np.vander``, written out with the reads and products srcdiff
already differentiates (the forms ``numpy_forms.NumpyForms`` looks up here).

| call | written as |
| --- | --- |
| ``np.take(a, i, axis, mode=)``, ``a.take(i, axis, mode=)`` | ``a[rt.take_index(a, i, axis, mode)]`` (``np.ravel(a)`` and axis 0 for ``axis=None``): an item read, whose gradient adds up at repeated indices |
| ``np.partition(a, kth, axis)`` | ``a[rt.along_axis_index(a, rt.partition_order(a, kth, axis), axis)]``: NumPy's own arrangement, read entry by entry |
| ``np.vander(x, N, increasing)`` | ``np.cumprod`` along the columns of ``[1, x, x, ...]`` (``rt.vander_column(x)`` repeated ``N`` times, the first column ones): NumPy's own products, exact at 0; reversed unless ``increasing`` |

Each form returns None (the call stays whole and is refused by name where it needs a gradient)
for an option it does not read: ``out=``, a computed ``axis``, ``kind``/``order`` of a partition
other than NumPy's default.
"""
from ..ir import Const, Slice
from .numpy_signals import bind, constant_of

_TAKE_MODES = ("raise", "wrap", "clip")


def _given(bound, name):
    """Whether an option is given as something other than the constant ``None``."""
    return name in bound and not (getattr(bound[name], "value", 0) is None)


def _take(lw, op, node, hint):
    bound = bind(node, ("a", "indices", "axis", "out", "mode"), required=2)
    return None if bound is None else _taken(lw, lambda: lw.argument(bound["a"], True), bound, node, hint)


def take_method(lw, receiver, node, hint):
    """``x.take(indices, axis, mode=)``: as ``np.take(x, ...)``, or None for options it does not read."""
    bound = bind(node, ("indices", "axis", "out", "mode"))
    return None if bound is None else _taken(lw, lambda: receiver, bound, node, hint)


def _taken(lw, array, bound, node, hint):
    """``np.take`` of the array ``array()`` gives, with the other arguments ``bound``."""
    if _given(bound, "out"):
        return None
    axis, mode = constant_of(lw, bound, "axis", None), constant_of(lw, bound, "mode", "raise")
    if axis is not None and type(axis) is not int or mode not in _TAKE_MODES:
        return None
    a, indices = array(), lw.argument(bound["indices"], True)
    if axis is None:
        a, axis = lw.emit("np.ravel", (a,), node), 0
    index = lw.emit("rt.take_index", (a, indices, Const(axis), Const(mode)), node)
    return lw.emit("[]", (a, index), node, hint)


def _partition(lw, op, node, hint):
    bound = bind(node, ("a", "kth", "axis", "kind", "order"), required=2)
    if bound is None or _given(bound, "order") or constant_of(lw, bound, "kind", "introselect") != "introselect":
        return None
    axis = constant_of(lw, bound, "axis", -1)
    if axis is not None and type(axis) is not int:
        return None
    a, kth = lw.argument(bound["a"], True), lw.argument(bound["kth"], True)
    if axis is None:
        a, axis = lw.emit("np.ravel", (a,), node), 0
    order = lw.emit("rt.partition_order", (a, kth, Const(axis)), node)
    return lw.emit("[]", (a, lw.emit("rt.along_axis_index", (a, order, Const(axis)), node)), node, hint)


def _vander(lw, op, node, hint):
    bound = bind(node, ("x", "N", "increasing"), required=1)
    increasing = constant_of(lw, bound, "increasing", False) if bound is not None else ...
    if increasing not in (True, False):
        return None
    column = lw.emit("rt.vander_column", (lw.argument(bound["x"], True),), node)
    count = lw.argument(bound["N"]) if _given(bound, "N") else lw.emit("np.size", (column,), node)
    repeated = lw.emit("np.repeat", (column, count), node, None, (("axis", Const(1)),))
    first = lw.emit("==", (lw.emit("np.arange", (count,), node), Const(0)), node)
    started = lw.emit("np.where", (first, lw.emit("np.ones_like", (repeated,), node), repeated), node)
    powers = lw.emit("np.cumprod", (started,), node, None if not increasing else hint, (("axis", Const(1)),))
    if increasing:
        return powers
    return lw.emit("[]", (powers, Const(Slice(None, None, None)), Const(Slice(None, None, -1))), node, hint)


GATHERS = {"np.take": _take, "np.partition": _partition, "np.vander": _vander}
