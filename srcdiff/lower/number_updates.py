"""Updates checked at run time: ``t += x`` read again through another name, ``t`` a number.

NumPy updates an array in place (``t += x``), which every name holding it sees; lowering
makes a new value (``t = t + x``), so ``lower.writes`` refuses an update read again through
another name.  An accumulator that enters its loop as a number constant (``t = 0.0``, then
``t += x; out.append(t)``) stays a number unless what it adds is an array, which lowering
cannot tell: such an update is checked when it runs (``rt.check_number_update``, a number
passes, an array is refused at the user's line).
"""
from ..ir import Assign, Const, Loop, Var, with_blocks


def starts_as_a_number(old, statements):
    """Whether ``old`` is a loop's carried value that enters the loop as a number constant: an
    accumulator (``t = 0.0``), a number unless what the loop adds is an array."""
    return any(isinstance(s, Loop) and any(c.target is old and isinstance(c.init, Const)
                                           and c.init.value.__class__ in (int, float) for c in s.carries)
               for s in statements)


def guarded(body, checked):
    """``body`` with ``rt.check_number_update(old)`` before each update of ``checked`` (by id)."""
    out = []
    for stmt in body:
        if id(stmt) in checked:
            out.append(Assign(Var("_checked"), "rt.check_number_update", (stmt.args[0],), (), stmt.loc))
        out.append(with_blocks(stmt, lambda block: guarded(block, checked)))
    return tuple(out)
