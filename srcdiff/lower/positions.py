"""Sequences from the arguments read by position where the user's code iterates them.

srcdiff lowers iteration over a value known only at run time to reads by position: a
comprehension or ``sum(xs)`` to ``for k in range(len(xs)): x = xs[k]``, ``list(xs)`` to
``xs[:]``, ``max(xs)`` to ``xs[rt.argmax_item(xs)]`` (``comprehensions``, ``consumers``).
That is what Python's iteration gives for a list, a tuple or an array, and not for a dict
(whose iteration gives its keys: ``xs[0]`` of ``{0: 4.0, 1: 2.0}`` is a value), a set, or an
iterator.  The values the function makes are lists, tuples and arrays; a value that comes
from the arguments may be anything, so ``PositionLowering.read_by_position`` puts a check
before such a read: ``if xs.__class__ is not list: rt.check_sequence(xs)`` (``ir.CHECK_OPS``),
which refuses, at the user's line, what the positions would misread.

| value read by position | checked |
| --- | --- |
| a parameter, a part of one at a constant path (tree nodes, ``trees``) | yes |
| an item of such a value read at run time (``rows[i]``, the ``row`` of ``for row in rows``) | yes |
| a value the function made (a list it appends to, a comprehension, a NumPy result) | no |

A check at the function's own block (run on every call) covers the later reads of the same
value; elsewhere each read has its own.  Specialized code drops the checks its arguments'
kinds settle (``pipeline.gradient``).  Unpacking a parameter (``a, b = p``) checks in
``rt.unpacked`` itself.  A loop over a view of such a value (``d.values()``: ``dict_views``)
checks that it is a dict, ``rt.check_mapping``, the same way.
"""
from ..ir import Assign, Var


class PositionLowering:
    """Checks before reads by position; relies on ``shared`` (``trees``), ``source``."""

    def from_arguments(self, operand):
        """Whether ``operand`` is (a part or an item of) an argument: its type is the caller's."""
        trees = self.shared.trees
        return isinstance(operand, Var) and (operand in trees.nodes or operand in trees.items)

    def note_items(self, sequence, items):
        """The Vars ``items`` hold items of ``sequence`` (a loop's targets, a ``[]`` read)."""
        if self.from_arguments(sequence):
            self.shared.trees.items.update(items)

    def read_by_position(self, operand, node):
        """Check ``operand`` before the reads by position that stand for iterating it at
        ``node``, where it comes from the arguments (see the module doc)."""
        if self.from_arguments(operand):
            self._checked_once("rt.check_sequence", operand, node)

    def check_mapping(self, operand, node):
        """Check that ``operand`` is a dict before a loop over its view at ``node`` (``dict_views``)."""
        self._checked_once("rt.check_mapping", operand, node)

    def _checked_once(self, op, operand, node):
        """The check ``op`` of ``operand``, unless one on every path before covers it."""
        checked = self.shared.trees.checked
        if (op, operand) in checked:
            return
        if not self.shared.blocks:
            checked.add((op, operand))
        self.shared.body.append(Assign(Var("_checked"), op, (operand,), (), self.source.loc(node)))
