"""Whether a function is array code at all (``uses_arrays``): array code gets the array
rules and their runtime helpers; scalar functions keep the scalar rules."""
import weakref

from ..ir import WHOLE_SEQUENCE_READS, assigns, is_position_read
from .kinds import ARRAY_HELPERS


def uses_arrays(function):
    """Whether ``function`` is array code: it calls numpy or the runtime's array helpers,
    indexes, or uses methods or ``@``.

    Scalar functions keep the scalar rules, and their generated text byte for byte.  Answered
    once per Function (a build asks several times; a Function never changes)."""
    if function in _USES_ARRAYS:
        return _USES_ARRAYS[function]
    ops = {stmt.op for stmt in assigns(function.body)}  # each op asked about once: a function has few
    found = _USES_ARRAYS[function] = any(op.startswith(("np.", ".", "scipy.")) or op in ("@", "[]", "tuple")
                                         or op in ARRAY_HELPERS for op in ops)
    return found


def reads_positions(function):
    """Whether ``function`` reads a parameter at a constant position (``xs[0]``): scalar code
    then may compute with NumPy numbers (an array's entries), not only Python floats."""
    return any(stmt.op == "field[]" and is_position_read(stmt) and stmt.args[0] in function.params
               for stmt in assigns(function.body))  # (the op first: the usual statement is no read)


def reduced_whole(function):
    """The parameters ``function`` reads whole (``math.fsum(xs)``, ``statistics.fmean(xs)``,
    ``math.dist(p, q)``): in scalar code their gradient is an array (``rt.sum_grad``), returned
    through ``rt.like`` in the parameter's own type (a list for a list)."""
    return frozenset(arg for stmt in assigns(function.body) if stmt.op in WHOLE_SEQUENCE_READS
                     for arg in stmt.args if arg in function.params)


_USES_ARRAYS = weakref.WeakKeyDictionary()  # Function -> whether it is array code
