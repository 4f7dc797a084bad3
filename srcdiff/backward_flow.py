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
