"""Adjoints written on some paths through the branches only: the backward of what feeds
them is swept inside those branches.

In ``h = math.sqrt(x); if c > 0: return x; return h`` the adjoint of ``h`` is written on
the ``else`` side only.  Setting it to ``0.0`` on the other side and adding ``grad_h /
(2 * h)`` after the branch evaluates ``0.0 / 0.0`` at ``x == 0`` on a path where ``h``
never reaches the result: a ZeroDivisionError (or nan) from a derivative nobody uses.
Instead the sweep keeps such an adjoint *pending* on the innermost side of a branch on
whose every path it is written (an ``OpenSide``, possibly nested in other sides): the
backward statements of ``h = math.sqrt(x)`` are appended to that side, so they run only
where ``h`` mattered.  A pending adjoint is *settled* (``grad_v = 0.0`` appended to the
other side of each branch around it, as before) as soon as something else needs it: a
contribution from outside those sides, a branch or loop that mentions it, the end of a
loop's body or of the function.

Sinking keeps each adjoint's first write (``=``) before its additions (``+=``): a
statement is sunk only if every adjoint it adds to is already written on that side, or
is written nowhere yet (it then becomes pending there too), or is pending on the other
side of the same branch (then written on both, it is pending one level up).
"""
from ..ir import If, Var, defined_at, reads, walk
from .records import BIf


class OpenSide:
    """One side of a replayed branch, still open for sunk records."""

    def __init__(self, written, parent):
        self.records = []  # the side's records, in execution order
        self.written = written  # the adjoints defined at the end of this side
        self.parent = parent  # the side whose block holds this branch (None: a loop's body or the function's)
        self.other = None


class OpenIf:
    """A ``BIf`` whose sides may still receive sunk records; ``closed`` makes the record."""

    def __init__(self, stmt, then, orelse):
        self.stmt = stmt
        self.then, self.orelse = then, orelse
        then.other, orelse.other = orelse, then


def closed(records):
    """``records`` with every ``OpenIf``, at any depth, made a ``BIf``."""
    return [BIf(r.stmt.cond, tuple(closed(r.then.records)), tuple(closed(r.orelse.records)), r.stmt)
            if isinstance(r, OpenIf) else r for r in records]


def mentioned(stmt):
    """Every Var a branch or a loop reads or defines, in any of its blocks."""
    found = set()
    for s in walk([stmt]):
        found.update(defined_at(s))
        found.update(reads(s))
        if isinstance(s, If):
            found.update(x for m in s.merges for x in (m.then, m.orelse))
    return {v for v in found if isinstance(v, Var)}


class Pending:
    """The pending adjoints of one block (see the module docstring).

    ``side`` is the OpenSide whose body the block is (None for a loop's body or the
    function's: nothing pending leaves those); ``add(records, var, expr, written)``
    appends an adjoint write, ``zero(var)`` is a zero adjoint, ``order`` ranks Vars.
    """

    def __init__(self, side, add, zero, order):
        self.side = side
        self.where = {}  # Var -> the innermost OpenSide on whose every path its adjoint is written
        self._add, self._zero, self._order = add, zero, order

    def settle(self, variables, written):
        """Make the pending adjoints among ``variables`` defined on every path of the block."""
        for var in sorted((v for v in set(variables) if v in self.where), key=self._order.get):
            self.fill(var, self.where.pop(var), self.side)
            written.add(var)

    def fill(self, var, side, stop):
        """``0.0`` for ``var`` on the other side of each branch from ``side`` out to ``stop``'s block."""
        while True:
            other = side.other
            self._add(other.records, var, self._zero(var), other.written)
            if side.parent is stop:
                return
            side = side.parent
            side.written.add(var)

    def can_sink(self, receivers, side, written):
        """Whether contributions to ``receivers`` may be appended to ``side`` (see the module docstring)."""
        around = []
        outer = side.parent
        while outer is not self.side:
            around.append(outer.written)
            outer = outer.parent
        for var in receivers:
            if var in side.written:
                continue
            if var in written or any(var in seen for seen in around):
                return False  # first written after this side: an addition here would come first
            if var in self.where and self.where[var] is not side.other:
                return False
        return True

    def written_on(self, var, side, written):
        """Record that ``var``'s adjoint is now written at the end of ``side``."""
        if self.where.get(var) is side.other:  # written on both sides: on every path around the branch
            del self.where[var]
            side = side.parent
            if side is self.side:
                written.add(var)
                return
            side.written.add(var)
        self.where[var] = side
