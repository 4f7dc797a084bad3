"""Copies and numbers propagated through a structured backward sweep, in one pass.

``cleanup.without_adjoint_copies`` walks the records in execution order.  Where a record
is ``grad_a = grad_b``, the one write of ``grad_a``, and ``grad_b`` keeps its value while
``grad_a`` is read (that function's docstring states when), the record goes and every read of
``grad_a`` in the rest of its block reads ``grad_b``; a number (``grad_a = 1.0``) is put in
the same way in scalar code.  Rewriting the rest of the block for each copy took time
proportional to the block's length per copy: a 3,000-operation chain after an ``if``
took seconds.  Here the rest is never rewritten as a whole: an index says where each
identifier is read (``Reads``) and where each adjoint is written (``writes_at``), and
only the reads of ``grad_a`` change, in place.  Positions are the records' order in a
walk of every block (a ``BIf``'s or ``BLoop``'s own records after it), so the rest of a
block, nested blocks included, is one range of positions.
"""
import ast
import bisect

from ..ir import children_of, copy_expr
from .records import Accumulate, BIf, BLoop, ItemAccumulate, Unpack


class Slot:
    """One record of the program being rewritten, at ``position`` in the walk; ``end`` is the
    last position inside it (its own for a record without blocks); ``blocks`` the slots of
    each block of a ``BIf`` (``then``, ``orelse``) or ``BLoop`` (``body``)."""

    __slots__ = ("record", "position", "end", "parent", "blocks", "removed")

    def __init__(self, record, position, parent):
        self.record, self.position, self.end, self.parent = record, position, position, parent
        self.blocks, self.removed = (), False


def slots_of(statements, parent=None, start=0):
    """The slots of ``statements`` from position ``start`` (their expressions copied: the
    propagation renames reads in place); the next free position."""
    slots, position = [], start
    for record in statements:
        record = _with_expr(record, copy_expr(record.expr)) if _has_expr(record) else record
        slot = Slot(record, position, parent)
        position += 1
        if isinstance(record, BIf):
            then, position = slots_of(record.then, slot, position)
            orelse, position = slots_of(record.orelse, slot, position)
            slot.blocks = (then, orelse)
        elif isinstance(record, BLoop):
            body, position = slots_of(record.body, slot, position)
            slot.blocks = (body,)
        slot.end = position - 1
        slots.append(slot)
    return slots, position


def records_of(slots):
    """The records ``slots`` hold now, those removed left out, blocks rebuilt."""
    out = []
    for slot in slots:
        if slot.removed:
            continue
        record = slot.record
        if isinstance(record, BIf):
            record = BIf(record.cond, tuple(records_of(slot.blocks[0])), tuple(records_of(slot.blocks[1])),
                         record.forward)
        elif isinstance(record, BLoop):
            record = BLoop(tuple(records_of(slot.blocks[0])), record.forward)
        out.append(record)
    return out


def leaf_slots(slots):
    """Every slot of a record without blocks, in any block, in order."""
    for slot in slots:
        if slot.blocks:
            for block in slot.blocks:
                yield from leaf_slots(block)
        else:
            yield slot


def written_vars(record):
    """The Vars whose adjoints ``record`` (without blocks) writes."""
    if isinstance(record, (Accumulate, ItemAccumulate)):
        return (record.var,)
    if isinstance(record, Unpack):
        return tuple(part for part in record.parts if part is not None)
    return ()


class Reads:
    """Where each identifier is read: token -> {id(Name node): (node, slot)}."""

    def __init__(self, slots):
        self.at = {}
        for slot in leaf_slots(slots):
            self.add(slot)

    def add(self, slot):
        if _has_expr(slot.record):
            for node in _name_nodes(slot.record.expr):
                self.at.setdefault(node.id, {})[id(node)] = (node, slot)

    def remove(self, slot):
        if _has_expr(slot.record):
            for node in _name_nodes(slot.record.expr):
                self.at.get(node.id, {}).pop(id(node), None)

    def between(self, token, low, high):
        """The reads ``(node, slot)`` of ``token`` at positions after ``low``, up to ``high``."""
        return [(node, slot) for node, slot in self.at.get(token, {}).values() if low < slot.position <= high]

    def renamed(self, token, new, low, high):
        """The reads of ``token`` after ``low`` up to ``high`` made reads of ``new`` (in place);
        returns them."""
        moved = self.between(token, low, high)
        old, into = self.at.get(token, {}), self.at.setdefault(new, {})
        for node, slot in moved:
            node.id = new
            del old[id(node)]
            into[id(node)] = (node, slot)
        return moved


def writes_at(slots):
    """Var -> the positions and slots of the records writing its adjoint, in order."""
    found = {}
    for slot in leaf_slots(slots):
        for var in written_vars(slot.record):
            positions, held = found.setdefault(var, ([], []))
            positions.append(slot.position)
            held.append(slot)
    return found


def writes_between(writes, var, low, high):
    """The slots (not removed) writing ``var``'s adjoint at positions after ``low`` up to ``high``."""
    positions, held = writes.get(var, ((), ()))
    start = bisect.bisect_right(positions, low)
    stop = bisect.bisect_right(positions, high)
    return [slot for slot in held[start:stop] if not slot.removed]


def top_of(slot, block_parent):
    """The slot of the block whose records' parent is ``block_parent`` that holds ``slot``."""
    while slot.parent is not block_parent:
        slot = slot.parent
    return slot


def substituted(slot, token, value, settle):
    """``slot``'s record with its reads of ``token`` replaced by (copies of) ``value``; its
    contribution settled (``settle``) unless it is a Function's backward call."""
    record = slot.record
    expr = copy_expr(record.expr, {token: value})
    if not isinstance(record, Unpack):
        expr = settle(expr)
    return _with_expr(record, expr)


def _has_expr(record):
    return isinstance(record, (Accumulate, ItemAccumulate, Unpack))


def _with_expr(record, expr):
    if isinstance(record, Accumulate):
        return Accumulate(record.var, expr, record.first, record.loc)
    if isinstance(record, ItemAccumulate):
        return ItemAccumulate(record.var, expr, record.backwards, record.index, record.first, record.loc)
    return Unpack(record.parts, expr, record.loc)


def _name_nodes(expr):
    """The ``ast.Name`` nodes of ``expr`` (a walk spelled out, as ``ir.names_of``)."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            found.append(node)
        elif kind is ast.BinOp:
            stack += (node.left, node.right)
        elif kind is not ast.Constant:
            stack.extend(children_of(node))
    return found

