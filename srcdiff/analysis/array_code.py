"""Whether a function is array code at all (``uses_arrays``): array code gets the array
rules and their runtime helpers; scalar functions keep the scalar rules."""
import weakref

from ..ir import assigns, is_position_read
from .kinds import ARRAY_HELPERS


def uses_arrays(function):
    """Whether ``function`` is array code: it calls numpy or the runtime's array helpers,
    indexes (``xs[0]`` too), or uses methods or ``@``.

    Scalar functions keep the scalar rules, and their generated text byte for byte.  Answered
    once per Function (a build asks several times; a Function never changes)."""
    if function in _USES_ARRAYS:
        return _USES_ARRAYS[function]
    found = _USES_ARRAYS[function] = any(stmt.op.startswith(("np.", ".", "scipy.")) or stmt.op in ("@", "[]", "tuple")
                                         or stmt.op in ARRAY_HELPERS or is_position_read(stmt)
                                         for stmt in assigns(function.body))
    return found


_USES_ARRAYS = weakref.WeakKeyDictionary()  # Function -> whether it is array code
