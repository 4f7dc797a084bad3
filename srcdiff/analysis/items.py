"""Sequences read one item at a time (``xs[i]``): parameters, in specialized code, and lists the
function grows by appends in a loop of its own (``lower.appends``), in all code.

``item_reads(function, shapes)`` returns the ``xs[i]`` statements whose gradient may be
added in place, one entry at a time (``grad_xs[i] += g``), instead of as a whole array
of zeros but one entry (``rt.index_grad``).  A statement qualifies when:

| condition | why |
| --- | --- |
| ``xs`` is a parameter whose Shape has ``items`` (a list, tuple or 1-D array) or an array of two or more dimensions (a row at each position), or a grown list (below) | its entry at one position is one item, with an adjoint of its own |
| the index is ``SCALAR`` | one position, not a slice or an array of positions |
| every other use of ``xs`` is another such read, a read at a constant position (``xs[0]``) or ``len(xs)`` | its adjoint is only ever added to entry by entry |

A *grown list* is the value a loop of the function's body (not nested) carries, built from
``()`` by ``rt.appended`` (through copies, merges and nested loops), and read inside that loop
only by its own growth, ``len`` and reads of one item (``hs[-1]``, outside loops nested in it:
an RNN's hidden states).  Its items may be numbers or arrays, of any shapes: each has an
adjoint of its own (``rt.items_zeros``).  After the loop the list is final, so its adjoint
may start as zeros item by item at the start of the backward sweep, and the loop's reversed
iterations take it whole (``rt.but_last``: a view, once the items' adjoints are stacked).  A
read inside the loop adds into the adjoint of the list as the iteration found it, a prefix of
the final one: it runs in the backward sweep after every later append's backward, so no
longer list's adjoint is read again, and the reads never add into one made whole elsewhere.
Its other uses are counted outside that loop only.
"""
from ..ir import RANGES, Assign, Const, If, Loop, Var, is_position_read, reads, walk
from .shape_values import SCALAR, Shape


def item_reads(function, shapes, parameters=True):
    """The set of ``[]`` statements (by identity) read item by item (see the module doc);
    ``parameters``: of the parameters too (their kinds are known: specialized code)."""
    candidates = {}
    grown = grown_lists(function)
    for stmt in walk(function.body):
        if _is_item_read(stmt, function.params if parameters else (), shapes, grown):
            candidates.setdefault(stmt.args[0], []).append(stmt)
    if not candidates:
        return frozenset()
    other_uses = _other_uses(function, loops=False)  # a loop walking xs adds its items one at a time too
    chosen = set()
    for seq, found in candidates.items():
        if seq in grown and seq not in _other_uses(function, loops=False, skip=grown[seq]) or seq not in other_uses:
            chosen.update(id(s) for s in found)
    return frozenset(chosen)


def _is_item_read(stmt, params, shapes, grown):
    if not (isinstance(stmt, Assign) and stmt.op == "[]" and len(stmt.args) == 2 and not stmt.kwargs):
        return False
    seq, index = stmt.args
    return (isinstance(seq, Var) and (seq in params and _read_by_position(shapes.of(seq)) or seq in grown)
            and shapes.of(index) is SCALAR)


def _read_by_position(shape):
    """Whether a parameter of this Shape has items its ``xs[i]`` reads one at a time: a sequence or
    1-D array (``items``), or an array of two or more dimensions (a row each)."""
    return isinstance(shape, Shape) and (shape.items or shape.dtype is not None and (shape.rank or 0) >= 2)


def grown_lists(function):
    """``{list: the loop that grows it}`` for the grown lists of ``function`` (see the module doc)."""
    made = {s.target: s for s in walk(function.body) if isinstance(s, Assign)}
    merged = {m.target: (m.then, m.orelse) for s in walk(function.body) if isinstance(s, If) for m in s.merges}
    carried = {c.target: (c.init, c.next) for s in walk(function.body) if isinstance(s, Loop) for c in s.carries}
    found = {}
    for loop in function.body:
        if isinstance(loop, Loop):
            for c in loop.carries:
                if _built_by_appends(c.target, made, merged, carried, set()) and _only_grown_in(c.target, loop):
                    found[c.target] = loop
                    found.update((v, loop) for v in _grown_inside(c.target, loop) if _only_grown_in(v, loop))
    return found


def _grown_inside(carry, loop):
    """The values of the list ``loop`` carries made inside it, not in a loop nested in it: its
    appends (``hs_2`` of ``hs.append(h); y = hs[-2]``), their copies and merges."""
    family, nested = {carry}, _nested_in(loop)
    for stmt in walk(loop.test_body + loop.body):
        if id(stmt) in nested:
            continue
        if isinstance(stmt, Assign) and stmt.op in ("rt.appended", "copy") and stmt.args[0] in family:
            family.add(stmt.target)
        elif isinstance(stmt, If):
            family.update(m.target for m in stmt.merges if m.then in family or m.orelse in family)
    return family - {carry}


def _nested_in(loop):
    """The ids of the statements inside the loops nested in ``loop``."""
    return {id(s) for inner in walk(loop.test_body + loop.body) if isinstance(inner, Loop)
            for s in walk(inner.test_body + inner.body)}


def _built_by_appends(value, made, merged, carried, seen):
    """Whether ``value`` is a list ``rt.appended`` made, ``()``, or one of those through copies,
    merges and loop carries."""
    if isinstance(value, Const):
        return value.value.__class__ is tuple and not value.value
    if not isinstance(value, Var) or value in seen:
        return isinstance(value, Var)  # a carry met again: its other sources decide
    seen.add(value)
    if value in made:
        stmt = made[value]
        return stmt.op == "rt.appended" or stmt.op == "copy" and _built_by_appends(stmt.args[0], made, merged, carried, seen)
    sources = merged.get(value) or carried.get(value)
    return sources is not None and all(_built_by_appends(v, made, merged, carried, seen) for v in sources)


def _only_grown_in(seq, loop):
    """Whether the statements inside ``loop`` read ``seq`` only to grow it, measure it or read one
    of its items (``hs[-1]``, outside a loop nested in ``loop``)."""
    nested = _nested_in(loop)
    for stmt in walk(loop.test_body + loop.body):
        operands = reads(stmt)
        if isinstance(stmt, Assign) and stmt.op in ("rt.appended", "len"):
            operands = operands[1:] if stmt.op == "rt.appended" else []
        elif isinstance(stmt, Assign) and id(stmt) not in nested and (
                stmt.op == "[]" and len(stmt.args) == 2 and not stmt.kwargs or is_position_read(stmt)):
            operands = operands[1:]
        elif isinstance(stmt, Loop):
            operands = [v for v in operands if v not in [c.init for c in stmt.carries]]
        if seq in operands:
            return False
    return True


def only_read_by_items(function):
    """The parameters the function reads only item by item: ``xs[i]``, ``len(xs)`` and the
    sequences its loops walk over (``for x in xs``, ``zip``, ``enumerate``, ``reversed``).
    Nothing writes them, so an item read again later is the item read before."""
    used = _other_uses(function, loops=False)
    return frozenset(p for p in function.params if p not in used)


def _other_uses(function, loops=True, skip=None):
    """The Vars read anywhere other than as the sequence of an ``xs[i]`` or ``len(xs)`` (or,
    without ``loops``, of a loop over its items); outside the statement ``skip``, if given."""
    used = {function.result} if isinstance(function.result, Var) else set()
    inside = {id(s) for s in walk([skip])} if skip is not None else set()
    for stmt in walk(function.body):
        if id(stmt) in inside:
            continue
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
