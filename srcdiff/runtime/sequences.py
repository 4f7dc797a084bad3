"""Lists of values built by comprehensions (``lower.sequences``), and the position ``max`` picks.

``appended(xs, x)`` is a new list, ``xs`` left as it was: the forward values a gradient reads
stay intact (``grown`` appends in place, where nothing reads the list before).  Its gradient rule
(``rules.scalar``) is ``but_last(g)`` and ``g[-1]``, ``g`` holding one gradient per item (a list, or
an array whose first axis runs over the items).
``argmax_item(xs)`` is the position of the item ``max(xs)`` returns: the first of the largest,
compared as ``max`` compares (an empty sequence raises its ValueError).
``sorted_order(xs, reverse)`` is the positions ``sorted(xs, reverse=reverse)`` takes its items
from, found by Python's own sort (stable: equal items keep their order, also reversed).
``keys_of(d)`` is what a loop over ``d`` walks, as a list: a dict's keys (``for k in d: d[k]``,
``d.values()``), which carry no derivative.
"""
import numpy as np


def keys_of(d):
    """The keys a loop over ``d`` walks, in its order (``list(d)``): no derivative goes through them."""
    return list(d)


def appended(xs, x):
    """The items of ``xs``, then ``x``, as a new list."""
    return [*xs, x]


def grown(xs, x):
    """``xs`` with ``x`` appended in place, a list (a tuple gives a new list).  Generated code calls
    it only where nothing reads the list as it was before (``emit.growth``)."""
    if xs.__class__ is list:
        xs.append(x)
        return xs
    return [*xs, x]


def but_last(g):
    """``g[:-1]``: the gradient of the list an ``appended`` grew, ``g`` the gradient of the grown one.

    A list or tuple ``g`` of NumPy floats or of float arrays of one shape is stacked into one
    array first (a copy, once): the backward sweep of n appends then takes n views of it, where
    slicing a list would copy n items each time (n²/2 in all).  Any other ``g`` is sliced as it is."""
    if g.__class__ in _LIST_CLASSES and len(g) > 1:
        stacked = _stacked(g)
        if stacked is not None:
            return stacked[:-1]
    return g[:-1]


def _stacked(items):
    """``items`` as one array whose first axis runs over them, or None where they are not all
    NumPy floats, or not all float arrays of one shape."""
    first = items[0].__class__
    if first in _FLOATS and all(item.__class__ in _FLOATS for item in items):
        return np.array(items, dtype=np.result_type(*{item.__class__ for item in items}))
    if first is np.ndarray and all(item.__class__ is np.ndarray and item.dtype.kind == "f" for item in items):
        shape = items[0].shape
        if all(item.shape == shape for item in items):
            return np.stack(items)
    return None


_LIST_CLASSES = (list, tuple)
_FLOATS = frozenset({float, np.float64, np.float32})


def argmax_item(xs):
    """The position of ``max(xs)``: the first largest item."""
    return _first(xs, "max", lambda item, best: item > best)


def argmin_item(xs):
    """The position of ``min(xs)``: the first smallest item."""
    return _first(xs, "min", lambda item, best: item < best)


def _first(xs, name, better):
    items = iter(xs)
    try:
        best = next(items)
    except StopIteration:
        raise ValueError(f"{name}() iterable argument is empty") from None
    position = 0
    for k, item in enumerate(items, start=1):
        if better(item, best):
            best, position = item, k
    return position


def sorted_order(xs, reverse=False):
    """The positions of the items of ``xs`` in the order ``sorted(xs, reverse=reverse)`` returns them:
    ``[xs[i] for i in sorted_order(xs)]`` is ``sorted(xs)``, item for item (Python's sort compares the
    same items in the same steps; equal items keep their order, as ``sorted`` keeps it)."""
    return sorted(range(len(xs)), key=xs.__getitem__, reverse=reverse)
