"""Control-flow statements of the SSA IR, and the walks every pass shares over them.

A function body is a tuple of statements; besides ``ir.Assign`` it may hold:

| statement | meaning |
| --- | --- |
| ``If(cond, body, orelse, merges)`` | run ``body`` when ``cond`` is true, else ``orelse``; then each ``Merge`` defines its ``target`` as the operand the taken branch left (a phi) |
| ``Loop(carries, iter, test_body, test, body, exit, count)`` | a ``for`` (``iter`` is a ``ForIter``) or ``while`` (``test_body`` computes ``test`` from the carries each time round) loop; each ``Carry`` is a loop-carried value: ``target`` holds ``init`` on entry and ``next`` after each iteration, and its last value after the loop; ``exit`` is the break flag, tested after each iteration; ``count`` names the trip counter the gradient code keeps |

``Undefined()`` is the operand of a variable on a path that never assigns it (a branch
that leaves it unset, the loop entry of a variable first assigned inside the loop).

Invariants (``verify_flow``): every Var is defined once; a Var defined inside a block is
read only inside that block, or after it through a ``Merge`` or a ``Carry`` (loop
targets excepted, which stay readable after their loop); a ``Carry.next`` is a Var
defined at the top level of its loop's body (lowering inserts a ``copy``).
"""
import ast
from dataclasses import dataclass

from .ir import Assign, Const, Var, assign_node, operand_node


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
    return any(not isinstance(s, Assign) for s in body)


def assigns(body):
    """Every ``Assign`` of ``body`` and of its nested blocks, in program order (for the
    passes that look at operations one by one, whatever the control flow around them)."""
    return [s for s in walk(body) if isinstance(s, Assign)]


def blocks_of(stmt):
    """The statement lists nested directly in ``stmt``."""
    if isinstance(stmt, If):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, Loop):
        return (stmt.test_body, stmt.body)
    return ()


def walk(body):
    """Every statement of ``body`` and of its nested blocks, in program order."""
    for stmt in body:
        yield stmt
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


# ---------------------------------------------------------------- printing (--ssa)

def operand_text(operand, names):
    if isinstance(operand, Undefined):
        return "None"
    return ast.unparse(operand_node(operand, names))


def loop_end_lines(loop, names, inner):
    """The last lines of a printed loop body at indent ``inner``: its exit test (``break``
    always, or ``if stop: break``), and ``pass`` where the body would otherwise be empty."""
    if isinstance(loop.exit, Const) and loop.exit.value is True:
        return [inner + "break"]
    if isinstance(loop.exit, Var):
        return [inner + f"if {operand_text(loop.exit, names)}:", inner + "    break"]
    return []


def iter_header(loop, names):
    """``for i in range(n)`` / ``for k, x in enumerate(xs)`` without the colon."""
    it = loop.iter
    targets = ", ".join(names[t] for t in it.targets)
    args = ", ".join(operand_text(a, names) for a in it.args)
    return f"for {targets} in {iter_source(it.kind, args)}"


def iter_source(kind, args, backwards=False):
    """The iterable of a ``for`` header; ``backwards`` gives a range the other way round."""
    if kind in RANGES and backwards:
        kind = "range" if kind == "reversed_range" else "reversed_range"
    if kind == "iter":
        return args
    if kind == "reversed_range":
        return f"reversed(range({args}))"
    return f"{kind}({args})"


def format_block(body, names, depth=1):
    """The SSA of a block as indented lines; control flow as Python-like statements."""
    pad = "    " * depth
    lines = []
    for stmt in body:
        if isinstance(stmt, Assign):
            lines.append(pad + ast.unparse(assign_node(stmt, names)))
        elif isinstance(stmt, If):
            lines.append(f"{pad}if {operand_text(stmt.cond, names)}:")
            lines += format_block(stmt.body, names, depth + 1) or [pad + "    pass"]
            if stmt.orelse:
                lines.append(pad + "else:")
                lines += format_block(stmt.orelse, names, depth + 1)
            for m in stmt.merges:
                lines.append(f"{pad}{names[m.target]} = phi({operand_text(m.then, names)}, {operand_text(m.orelse, names)})")
        elif isinstance(stmt, Loop):
            for c in stmt.carries:
                lines.append(f"{pad}{names[c.target]} = loop({operand_text(c.init, names)}, {operand_text(c.next, names)})")
            if stmt.iter is not None:
                lines.append(pad + iter_header(stmt, names) + ":")
            else:
                lines.append(pad + "while True:")
                lines += format_block(stmt.test_body, names, depth + 1)
                if not (getattr(stmt.test, "value", None) is True):
                    lines.append(f"{pad}    if not {operand_text(stmt.test, names)}: break")
            lines += format_block(stmt.body, names, depth + 1) or [pad + "    pass"]
            if stmt.exit is not None and not _is_false(stmt.exit):
                lines.append(f"{pad}    if {operand_text(stmt.exit, names)}: break")
    return lines


def _is_false(operand):
    return getattr(operand, "value", None) is False and type(operand.value) is bool


def verify_flow(params, body, result):
    """Check that each Var is defined once and read only where it is in scope."""
    seen = set(params)

    def block(stmts, scope):
        scope = set(scope)
        for stmt in stmts:
            if isinstance(stmt, Loop):
                inner = scope | {c.target for c in stmt.carries}
                for c in stmt.carries:
                    _check_read(c.init, scope)
                if stmt.iter is not None:
                    for a in stmt.iter.args:
                        _check_read(a, scope)
                    inner |= set(stmt.iter.targets)
                test_scope = block(stmt.test_body, inner)
                _check_read(stmt.test, test_scope)
                body_scope = block(stmt.body, inner)
                for c in stmt.carries:
                    _check_read(c.next, body_scope)
                _check_read(stmt.exit, body_scope)
            else:
                for operand in reads(stmt):
                    _check_read(operand, scope)
                if isinstance(stmt, If):
                    then_scope, else_scope = block(stmt.body, scope), block(stmt.orelse, scope)
                    for m in stmt.merges:
                        _check_read(m.then, then_scope)
                        _check_read(m.orelse, else_scope)
            for var in defined_at(stmt):
                if var in seen:
                    raise AssertionError(f"{var} assigned twice")
                seen.add(var)
                scope.add(var)
        return scope

    final = block(body, set(params))
    _check_read(result, final)


def _check_read(operand, scope):
    if isinstance(operand, Var) and operand not in scope:
        raise AssertionError(f"{operand} read outside its scope")
