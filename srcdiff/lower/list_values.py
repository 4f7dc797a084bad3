"""What Python's lists do that arrays do not: ``*`` repeats a list and ``+`` joins two.

srcdiff lowers ``*`` and ``+`` as arithmetic, which is NumPy's meaning (an array, or a list
given to NumPy with an array beside it).  On a list, Python's meaning differs: ``ys * 2`` has
twice the items, ``2 * ys`` too, ``ys + zs`` those of both; a gradient read as arithmetic
would be silently wrong (a repetition by a constant or ``len(ys)`` never fails a shape check).
``check_list_arithmetic`` refuses, after lowering, arithmetic, comparisons and methods on a
list value, or on any Var that may hold one (copies, merges, carried values, item writes):

| a list value | made by |
| --- | --- |
| a starred name, ``list(x)``, ``sorted(x)`` of a value known at run time (``rests``) | its slice (``starred``, ``consumers``, ``sorting``) |
| a list the function makes: a comprehension, a display it appends to or writes into | ``rt.appended`` (``appends``, ``sequences``) |

Reading it is fine: items, ``len``, ``sum``, a NumPy call (``np.asarray(ys) * 2`` is
arithmetic), ``for``.  Generated code read back (a derivative of a derivative) is not
checked: its arithmetic mixes adjoint arrays with the lists they belong to, as NumPy does.
"""
from ..ir import BINARY_OPS, COMPARE_OPS, UNARY_OPS, Assign, If, Loop, Var, read_back, walk

# what a list does otherwise than the array srcdiff keeps for it (``@`` NumPy takes from a list)
_NOT_FOR_LISTS = (frozenset(BINARY_OPS) | frozenset(COMPARE_OPS) | frozenset(UNARY_OPS)) - {"@", "not"}
# a new list holding its operands (a comprehension's step, an append, ``list`` of values): reading it reads them
NEW_LISTS = frozenset({"rt.appended", "list"})
_KEEPING_LISTS = frozenset({"copy", "rt.setitem"})  # a list of the same kind as the first operand


def check_list_arithmetic(function, rests, error_at):
    """Refuse arithmetic, comparisons and methods on a list value (module doc) with
    ``error_at(loc, message, hint)``."""
    statements = list(walk(function.body))
    made = {s.target for s in statements if isinstance(s, Assign) and s.op in NEW_LISTS}
    if not rests and not made:
        return
    held = _holding(statements, set(rests) | made)
    for stmt in statements:
        if isinstance(stmt, Assign) and (stmt.op in _NOT_FOR_LISTS or stmt.op.startswith(".")) and \
                not read_back(stmt) and any(isinstance(a, Var) and a in held for a in stmt.args):
            raise error_at(stmt.loc, f"this is a list here (Python makes one of a comprehension, an appended or "
                           f"written display, a starred name or list(...)): '{stmt.op}' on it would repeat, join or "
                           "fail in Python, where srcdiff would do arithmetic",
                           "make it an array first (np.asarray of it), or read its items")


def _holding(statements, held):
    """``held`` and every Var that may be one of its values: copies, item writes, merges, carried values."""
    while True:
        more = set()
        for stmt in statements:
            if isinstance(stmt, Assign) and stmt.op in _KEEPING_LISTS and stmt.args and stmt.args[0] in held:
                more.add(stmt.target)
            elif isinstance(stmt, If):
                more.update(m.target for m in stmt.merges if m.then in held or m.orelse in held)
            elif isinstance(stmt, Loop):
                more.update(c.target for c in stmt.carries if c.init in held or c.next in held)
        if more <= held:
            return held
        held |= more

