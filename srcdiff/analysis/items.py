"""Sequence parameters read one number at a time (``xs[i]``), in specialized code.

``item_reads(function, shapes)`` returns the ``xs[i]`` statements whose gradient may be
added in place, one entry at a time (``grad_xs[i] += g``), instead of as a whole array
of zeros but one entry (``rt.index_grad``).  A statement qualifies when:

| condition | why |
| --- | --- |
| ``xs`` is a parameter whose Shape has ``items`` (a list, tuple or 1-D array of numbers) | its entry at one position is a number |
| the index is ``SCALAR`` | one position, not a slice or an array of positions |
| every other use of ``xs`` is another such read, a read at a constant position (``xs[0]``) or ``len(xs)`` | its adjoint is only ever added to entry by entry |
"""
from ..ir import RANGES, Assign, If, Loop, Var, is_position_read, reads, walk
from .kinds import SCALAR


def item_reads(function, shapes):
    """The set of ``[]`` statements (by identity) read item by item (see the module doc)."""
    candidates = {}
    for stmt in walk(function.body):
        if _is_item_read(stmt, function, shapes):
            candidates.setdefault(stmt.args[0], []).append(stmt)
    if not candidates:
        return frozenset()
    other_uses = _other_uses(function)
    return frozenset(id(s) for seq, found in candidates.items() if seq not in other_uses for s in found)


def _is_item_read(stmt, function, shapes):
    if not (isinstance(stmt, Assign) and stmt.op == "[]" and len(stmt.args) == 2 and not stmt.kwargs):
        return False
    seq, index = stmt.args
    return (isinstance(seq, Var) and seq in function.params and getattr(shapes.of(seq), "items", False)
            and shapes.of(index) is SCALAR)


def only_read_by_items(function):
    """The parameters the function reads only item by item: ``xs[i]``, ``len(xs)`` and the
    sequences its loops walk over (``for x in xs``, ``zip``, ``enumerate``, ``reversed``).
    Nothing writes them, so an item read again later is the item read before."""
    used = _other_uses(function, loops=False)
    return frozenset(p for p in function.params if p not in used)


def _other_uses(function, loops=True):
    """The Vars read anywhere other than as the sequence of an ``xs[i]`` or ``len(xs)`` (or,
    without ``loops``, of a loop over its items)."""
    used = {function.result} if isinstance(function.result, Var) else set()
    for stmt in walk(function.body):
        operands = reads(stmt)
        if isinstance(stmt, Assign) and (stmt.op == "len" or stmt.op == "[]" and len(stmt.args) == 2
                                         or is_position_read(stmt)):
            operands = operands[1:]  # the sequence itself is read item by item (or measured)
        if isinstance(stmt, If):
            operands = operands + [v for m in stmt.merges for v in (m.then, m.orelse)]
        if isinstance(stmt, Loop) and stmt.iter is not None:
            if loops:
                operands = operands + list(stmt.iter.args)
            elif stmt.iter.kind not in RANGES:  # walked over item by item
                operands = [v for v in operands if v not in stmt.iter.args]
        used.update(v for v in operands if isinstance(v, Var))
    return used
