"""Lists of values built by comprehensions (``lower.sequences``), and the position ``max`` picks.

``appended(xs, x)`` is a new list, ``xs`` left as it was: the forward values a gradient reads
stay intact (``grown`` appends in place, where nothing reads the list before).  Its gradient rule (``rules.scalar``) is ``g[:-1]`` and ``g[-1]``, ``g`` holding one
gradient per item (a list, or an array whose first axis runs over the items).
``argmax_item(xs)`` is the position of the item ``max(xs)`` returns: the first of the largest,
compared as ``max`` compares (an empty sequence raises its ValueError).
"""


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
