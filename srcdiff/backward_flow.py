"""The statements of a structured backward sweep, and the clean-up run on them.

``reverse_flow`` produces, in execution order, ``reverse.Accumulate`` records (``grad_v
(+)= expr``), ``items.ItemAccumulate`` (``grad_ws[k] += expr``), ``BIf`` (replay a branch:
the same condition, each side's adjoints) and ``BLoop`` (run a loop's iterations
backwards).  ``without_dead_adjoints`` drops the writes of adjoints nothing reads, to a
fixed point, and the branches and loops left empty.
"""
import ast
from dataclasses import dataclass

from .flow import If, Loop
from .items import ItemAccumulate
from .reverse import Accumulate


@dataclass(frozen=True)
class BIf:
    cond: object
    then: tuple
    orelse: tuple
    forward: If


@dataclass(frozen=True)
class BLoop:
    body: tuple
    forward: Loop


def without_dead_adjoints(statements, wrt, tokens):
    """Drop the writes of adjoints nothing reads (``grad_s3 = grad_s2`` for ``s3 = 0.0 * s0``,
    whose own contribution was zero), to a fixed point; branches and loops left empty go."""
    while True:
        read = set()
        for acc in accumulates(statements):
            read.update(node.id for node in ast.walk(acc.expr) if isinstance(node, ast.Name))
        live = {var for token, (kind, var) in tokens.by_token.items() if kind == "adjoint" and token in read} | wrt
        kept = _filter(statements, live)
        if kept == statements:
            return statements
        statements = kept


def _filter(statements, live):
    kept = []
    for stmt in statements:
        if isinstance(stmt, (Accumulate, ItemAccumulate)):
            if stmt.var in live:
                kept.append(stmt)
        elif isinstance(stmt, BIf):
            then, orelse = _filter(stmt.then, live), _filter(stmt.orelse, live)
            if then or orelse:
                kept.append(stmt if (then, orelse) == (list(stmt.then), list(stmt.orelse))
                            else BIf(stmt.cond, tuple(then), tuple(orelse), stmt.forward))
        elif isinstance(stmt, BLoop):
            body = _filter(stmt.body, live)
            if body:
                kept.append(stmt if body == list(stmt.body) else BLoop(tuple(body), stmt.forward))
    return kept


def accumulates(statements):
    """Every adjoint write, in any block, in order."""
    for stmt in statements:
        if isinstance(stmt, (Accumulate, ItemAccumulate)):
            yield stmt
        elif isinstance(stmt, BIf):
            yield from accumulates(stmt.then)
            yield from accumulates(stmt.orelse)
        elif isinstance(stmt, BLoop):
            yield from accumulates(stmt.body)


def without_adjoint_copies(statements, wrt, tokens):
    """Read ``grad_b`` where ``grad_a = grad_b`` is the only write of ``grad_a`` and ``grad_b``
    does not change while ``grad_a`` is read (the rest of that block): the copies a merge or
    an addition leaves (``grad_total_2 = grad_total_1``) disappear."""
    writes = {}
    for record in accumulates(statements):
        writes[record.var] = writes.get(record.var, 0) + 1
    adjoint_of = {token: var for token, (kind, var) in tokens.by_token.items() if kind == "adjoint"}
    return _propagate(list(statements), writes, wrt, adjoint_of, tokens)


def _propagate(block, writes, wrt, adjoint_of, tokens):
    out = []
    while block:
        stmt, rest = block[0], block[1:]
        source = _copied_adjoint(stmt, writes, wrt, adjoint_of)
        if source is not None and source not in {r.var for r in accumulates(rest)}:
            block = _renamed(rest, {tokens.adjoint(stmt.var): ast.Name(id=tokens.adjoint(source), ctx=ast.Load())})
            continue
        if isinstance(stmt, BIf):
            stmt = BIf(stmt.cond, tuple(_propagate(list(stmt.then), writes, wrt, adjoint_of, tokens)),
                       tuple(_propagate(list(stmt.orelse), writes, wrt, adjoint_of, tokens)), stmt.forward)
        elif isinstance(stmt, BLoop):
            stmt = BLoop(tuple(_propagate(list(stmt.body), writes, wrt, adjoint_of, tokens)), stmt.forward)
        out.append(stmt)
        block = rest
    return out


def _copied_adjoint(stmt, writes, wrt, adjoint_of):
    """``b`` when ``stmt`` is ``grad_a = grad_b``, the one write of ``grad_a``."""
    if isinstance(stmt, Accumulate) and stmt.first and isinstance(stmt.expr, ast.Name) \
            and stmt.expr.id in adjoint_of and writes.get(stmt.var) == 1 and stmt.var not in wrt:
        return adjoint_of[stmt.expr.id]
    return None


def _renamed(statements, bindings):
    """``statements`` with the adjoint tokens of ``bindings`` replaced by other adjoints' names
    (copies, never in place).  Only names: a number put in (``1.0``) could simplify away the
    one float factor of ``g * (a >= b)`` and leave a bool."""
    from .simplify import copy_expr

    def substituted(expr):
        return copy_expr(expr, bindings)

    out = []
    for stmt in statements:
        if isinstance(stmt, Accumulate):
            stmt = Accumulate(stmt.var, substituted(stmt.expr), stmt.first, stmt.loc)
        elif isinstance(stmt, ItemAccumulate):
            stmt = ItemAccumulate(stmt.var, substituted(stmt.expr), stmt.backwards, stmt.index, stmt.first, stmt.loc)
        elif isinstance(stmt, BIf):
            stmt = BIf(stmt.cond, tuple(_renamed(stmt.then, bindings)), tuple(_renamed(stmt.orelse, bindings)), stmt.forward)
        elif isinstance(stmt, BLoop):
            stmt = BLoop(tuple(_renamed(stmt.body, bindings)), stmt.forward)
        out.append(stmt)
    return out
