"""Which parameters Python may join or repeat as lists or tuples.

``+`` of two lists or tuples joins them and ``*`` of one and an int repeats it, where
srcdiff reads both as arithmetic: a gradient or tangent of the wrong length.  Reverse mode
refuses that at run time (``rt.unbroadcast``, ``rt.like``); forward mode reads such a
parameter's tangent as a sequence of its type, and code specialized to a list or tuple
argument is not built for it (the generic code refuses it).
"""
from ..ir import Assign, Const, Slice, Var, walk


def joined_parameters(function):
    """The parameters that may be joined or repeated: operands of ``+`` whose both sides are
    a parameter or a slice of one (``xs + xs``, ``xs[1:] + ys``), of ``*`` whose one side is
    and whose other is an int or a parameter (``xs * 2``, ``xs * n``).  With an array or a
    float on the other side NumPy adds or scales, or Python refuses."""
    return set().union(*(found for _, found in joins(function)))


def joins(function):
    """Each statement of ``function`` that may join or repeat sequences (see
    ``joined_parameters``), with the parameters its sequences come from, in order."""
    origin = {p: {p} for p in function.params}
    slices, found_joins = set(), []
    for stmt in walk(function.body):
        if not isinstance(stmt, Assign):
            continue
        if stmt.op == "slice":
            slices.add(stmt.target)
        elif stmt.op == "[]" and stmt.args[0] in origin and _is_slice(stmt.args[1], slices):
            origin[stmt.target] = origin[stmt.args[0]]
        elif _joins(stmt, origin, set(function.params)):
            found = set().union(*(origin[a] for a in stmt.args if isinstance(a, Var) and a in origin))
            found_joins.append((stmt, found))
            origin[stmt.target] = found
    return found_joins


def _joins(stmt, origin, params):
    """Whether ``stmt`` may join (``+``) or repeat (``*``) sequences."""
    if len(stmt.args) != 2:
        return False
    a, b = stmt.args
    if stmt.op == "+":
        return a in origin and b in origin if isinstance(a, Var) and isinstance(b, Var) else False
    if stmt.op == "*":
        return _sequence(a, origin) and _count(b, params) or _sequence(b, origin) and _count(a, params)
    return False


def _sequence(operand, origin):
    return isinstance(operand, Var) and operand in origin


def _count(operand, params):
    """Whether ``operand`` may be an int: an int constant or a parameter."""
    if isinstance(operand, Const):
        return isinstance(operand.value, int) and not isinstance(operand.value, bool)
    return operand in params


def _is_slice(index, slices):
    """Whether an index is a slice (``xs[1:]``, ``xs[n:]``), so that the result is a sequence too."""
    return isinstance(index, Const) and isinstance(index.value, Slice) or index in slices
