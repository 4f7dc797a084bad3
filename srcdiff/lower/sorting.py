"""``sorted(...)`` and ``math.dist(p, q)``, written with the reads and rules srcdiff already has
(the consumers ``consumers.SPECIAL_CALLS`` looks up here).

| call | written as |
| --- | --- |
| ``sorted(xs, reverse=r)`` of a display (or an unrolled comprehension) | ``order = rt.sorted_order(list(xs), r)``, then the items ``list(xs)[order[i]]``: a display of the same length, each item the very object ``sorted`` returns |
| ``sorted(xs, reverse=r)`` of a sequence known at run time (an array, a list) | ``np.asarray(xs)[rt.sorted_order(xs, r)]``, a list's slice (``list_values``: what a list does otherwise, ``* 2``, is refused) |
| ``sorted(xs, key=f, reverse=r)`` (``f`` a name or a lambda) | the same, the order ``rt.sorted_order(keys, r)`` of the keys ``[f(v) for v in xs]`` (``keys_of``) |
| ``math.dist(p, q)`` of two displays of one length | ``math.hypot(p0 - q0, p1 - q1, ...)`` (Python computes it so) |
| ``math.dist(p, q)`` of points known at run time (a parameter, an array) | the call, its rule in ``rules.sequence_functions`` |

``rt.sorted_order`` is Python's own sort of the positions (stable: equal items keep their order,
also with ``reverse=True``), so the gradient of an item goes back to the position ``sorted`` took
it from, and among equal items to the earlier one first, as ``np.sort``'s rule does.  The keys
of ``key=`` only give the order: no gradient goes through them.
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const
from .calls import TupleValue
from .scopes import unused_name


def call_sorted(lw, node, hint):
    """``sorted(xs)``, ``sorted(xs, key=f, reverse=...)``: see the module docstring."""
    given = {k.arg: k.value for k in node.keywords}
    if len(node.args) != 1 or set(given) - {"reverse", "key"}:
        raise lw.error(UnsupportedSyntaxError, node, "sorted() is differentiated with one sequence, key= and reverse=",
                       "write sorted(xs), sorted(xs, key=f) or sorted(xs, reverse=True)")
    reverse = lw.expr(given["reverse"]) if "reverse" in given else Const(False)
    if not (isinstance(reverse, Const) and reverse.value in (True, False)):
        raise lw.error(UnsupportedSyntaxError, node, "sorted() with a reverse= computed at run time is not supported",
                       "write reverse=True or reverse=False")
    items = lw.as_list(node.args[0])
    keys = keys_of(lw, items, given["key"], node) if "key" in given else None  # (of a run-time sequence: a list)
    if isinstance(items, tuple):
        return _sorted_display(lw, items, reverse, node, keys)
    lw.read_by_position(items, node)
    order = lw.emit("rt.sorted_order", (items if keys is None else keys, reverse), node)
    result = lw.emit("[]", (lw.emit("np.asarray", (items,), node), order), node, hint)
    lw.shared.rests.append(result)  # a list where Python makes one: arithmetic on it is refused
    return result


def _sorted_display(lw, items, reverse, node, keys=None):
    """The items of a display in ``sorted``'s order (of their ``keys`` where given), as a display
    of the same length."""
    if not items:
        return TupleValue(())
    if any(isinstance(item, tuple) for item in items + (keys or ())):
        raise lw.error(UnsupportedSyntaxError, node, "sorted() of a sequence of tuples is not supported",
                       "sort numbers or arrays")
    listed = lw.emit("list", tuple(items), node)
    order = lw.emit("rt.sorted_order", (listed if keys is None else lw.emit("list", tuple(keys), node), reverse), node)
    return TupleValue(tuple(lw.emit("[]", (listed, lw.emit("[]", (order, Const(k)), node)), node)
                            for k in range(len(items))))


def keys_of(lw, items, key, node):
    """The keys of ``items`` (a tuple of operands, or a sequence known at run time) by the function
    ``key`` (a node: a name, an attribute or a lambda): ``[key(v) for v in items]``, lowered as
    that comprehension (a tuple of operands over a display, else a list made at run time)."""
    walked = f"<keys {id(node)}>"  # the items, read by the comprehension as a name
    lw.env[walked] = TupleValue(items) if isinstance(items, tuple) else items
    item = unused_name(lw.source, "item")
    keys = ast.ListComp(elt=ast.Call(func=key, args=[ast.Name(id=item, ctx=ast.Load())], keywords=[]),
                        generators=[ast.comprehension(target=ast.Name(id=item, ctx=ast.Store()),
                                                      iter=ast.Name(id=walked, ctx=ast.Load()), ifs=[], is_async=0)])
    try:
        return lw.as_list(ast.fix_missing_locations(ast.copy_location(keys, node)))
    finally:
        del lw.env[walked]


def call_dist(lw, node, hint):
    """``math.dist(p, q)`` of two displays: ``math.hypot`` of their differences; of points known
    at run time (a parameter, a list made here): the call itself, its gradient by
    ``rules.sequence_functions``."""
    if len(node.args) != 2 or node.keywords:
        return None  # calls' own error names the call
    p, q = (lw.as_list(arg) for arg in node.args)
    written = isinstance(p, tuple) and isinstance(q, tuple)
    if written and len(p) != len(q):
        raise lw.error(UnsupportedSyntaxError, node, f"math.dist() of points of {len(p)} and {len(q)} coordinates",
                       "both points need the same number of coordinates")
    if any(isinstance(v, tuple) for point in (p, q) if isinstance(point, tuple) for v in point):
        raise lw.error(UnsupportedSyntaxError, node, "math.dist() takes points of numbers", "write each coordinate as one number")
    if not written:
        points = tuple(lw.emit("list", point, node) if isinstance(point, tuple) else point for point in (p, q))
        return lw.emit("math.dist", points, node, hint)
    differences = tuple(lw.emit("-", (a, b), node) for a, b in zip(p, q))
    return lw.emit("math.hypot", differences, node, hint)

