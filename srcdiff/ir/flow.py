"""Control-flow statements of the SSA IR, and the walks every pass shares over them.

A function body is a tuple of statements; besides ``values.Assign`` it may hold:

| statement | meaning |
| --- | --- |
| ``If(cond, body, orelse, merges)`` | run ``body`` when ``cond`` is true, else ``orelse``; then each ``Merge`` defines its ``target`` as the operand the taken branch left (a phi) |
| ``Loop(carries, iter, test_body, test, body, exit, count)`` | a ``for`` (``iter`` is a ``ForIter``) or ``while`` (``test_body`` computes ``test`` from the carries each time round) loop; each ``Carry`` is a loop-carried value: ``target`` holds ``init`` on entry and ``next`` after each iteration, and its last value after the loop; ``exit`` is the break flag, tested after each iteration; ``count`` names the trip counter the gradient code keeps |

``Undefined()`` is the operand of a variable on a path that never assigns it (a branch
that leaves it unset, the loop entry of a variable first assigned inside the loop).

Invariants (``ir.verify``): every Var is defined once; a Var defined inside a block is
read only inside that block, or after it through a ``Merge`` or a ``Carry`` (loop
targets excepted, which stay readable after their loop); a ``Carry.next`` is a Var
defined at the top level of its loop's body (lowering inserts a ``copy``).
"""
from dataclasses import dataclass, replace

from .values import Assign, Var


@dataclass(frozen=True)
class Undefined:
    """The value of a variable on a path that never assigned it."""


@dataclass(frozen=True)
class Merge:
    target: Var
    then: object
    orelse: object


@dataclass(frozen=True)
class If:
    cond: object
    body: tuple
    orelse: tuple
    merges: tuple
    loc: object = None


@dataclass(frozen=True)
class Carry:
    target: Var
    init: object
    next: object


@dataclass(frozen=True)
class ForIter:
    """``for targets in kind(*args)``; kind is ``range``, ``iter`` (the sequence itself),
    ``enumerate``, ``zip``, ``reversed`` (of a sequence) or ``reversed_range`` (of a range)."""

    kind: str
    args: tuple
    targets: tuple


@dataclass(frozen=True)
class Loop:
    carries: tuple
    iter: object  # ForIter, or None for a while loop
    test_body: tuple
    test: object
    body: tuple
    exit: object
    count: Var
    loc: object = None


def replays_range(loop):
    """Whether the backward sweep can run ``loop`` as ``for i in reversed(range(...))``: a
    ``for`` over ``range`` that never breaks runs every index, so no counter is needed and
    the loop variable needs no tape."""
    it = loop.iter
    no_break = loop.exit is None or getattr(loop.exit, "value", None) is False
    return it is not None and it.kind in RANGES and no_break


RANGES = ("range", "reversed_range")  # loops whose items are ints: no gradient, replayable


def has_flow(body):
    """Whether a statement list holds any control flow."""
    return any(not issubclass(kind, Assign) for kind in set(map(type, body)))  # the kinds it holds: few


def assigns(body):
    """Every ``Assign`` of ``body`` and of its nested blocks, in program order (for the
    passes that look at operations one by one, whatever the control flow around them)."""
    if not has_flow(body):  # straight code: the statements themselves
        return list(body)
    return [s for s in walk(body) if isinstance(s, Assign)]


def blocks_of(stmt):
    """The statement lists nested directly in ``stmt``."""
    if isinstance(stmt, If):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, Loop):
        return (stmt.test_body, stmt.body)
    return ()


def with_blocks(stmt, rewrite):
    """``stmt`` with each statement list nested directly in it replaced by ``rewrite(list)`` (an
    ``If``'s sides, a ``Loop``'s test and body); any other statement as it is."""
    if isinstance(stmt, If):
        return replace(stmt, body=rewrite(stmt.body), orelse=rewrite(stmt.orelse))
    if isinstance(stmt, Loop):
        return replace(stmt, test_body=rewrite(stmt.test_body), body=rewrite(stmt.body))
    return stmt


def walk(body):
    """Every statement of ``body`` and of its nested blocks, in program order (an iterator)."""
    if not has_flow(body):  # straight code (the usual body): its own iterator, no generator step a statement
        return iter(body)
    return _walk_blocks(body)


def _walk_blocks(body):
    for stmt in body:
        yield stmt
        if type(stmt) is not Assign:  # the usual statement has no blocks
            for block in blocks_of(stmt):
                yield from walk(block)


def defined_at(stmt, counts=True):
    """The Vars a statement defines at its own level (not inside its blocks); a loop's trip
    counter only with ``counts`` (naming leaves it to the emitter, which keeps few)."""
    if isinstance(stmt, Assign):
        return (stmt.target,)
    if isinstance(stmt, If):
        return tuple(m.target for m in stmt.merges)
    if isinstance(stmt, Loop):
        targets = stmt.iter.targets if stmt.iter is not None else ()
        return tuple(c.target for c in stmt.carries) + tuple(targets) + ((stmt.count,) if counts else ())
    return ()


def defined_within(stmt):
    """The Vars ``stmt`` defines at its own level and inside its nested blocks."""
    return {v for s in walk([stmt]) for v in defined_at(s)}


def defined_in_block(body):
    """The Vars defined directly in ``body`` (its statements' own definitions)."""
    return [v for stmt in body for v in defined_at(stmt)]


def loop_body_defined(loop):
    """What one iteration of ``loop`` defines at the body's level, the headers included."""
    targets = loop.iter.targets if loop.iter is not None else ()
    return [c.target for c in loop.carries] + list(targets) + defined_in_block(loop.body)


def reads(stmt):
    """The operands a statement reads at its own level."""
    if isinstance(stmt, Assign):
        return list(stmt.args) + [v for _, v in stmt.kwargs]
    if isinstance(stmt, If):
        return [stmt.cond]
    if isinstance(stmt, Loop):
        found = [c.init for c in stmt.carries] + [c.next for c in stmt.carries] + [stmt.test, stmt.exit]
        return found + (list(stmt.iter.args) if stmt.iter is not None else [])
    return []
