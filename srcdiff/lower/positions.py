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
``rt.unpacked`` itself.
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
        trees = self.shared.trees
        if not self.from_arguments(operand) or operand in trees.sequences_checked:
            return
        if not self.shared.blocks:
            trees.sequences_checked.add(operand)
        self.shared.body.append(Assign(Var("_checked"), "rt.check_sequence", (operand,), (), self.source.loc(node)))
