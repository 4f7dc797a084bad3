"""Liveness: which values some roots need, through control flow.

Input: a structured body (``Assign``, ``If``, ``Loop``) and root Vars (the values the
backward sweep reads, and the result when it is returned).  Output: every Var the roots
need, directly or because it decides whether and how often a needed value is computed
(a kept loop keeps its range, test and break flag; a kept branch its condition).
Solved to a fixed point, flow-insensitively: each Var has one definition.
"""
from ..ir import CHECK_OPS, EFFECT, Assign, If, Loop, Var, defined_within, walk


def live_vars(body, roots):
    """Every Var some root needs, directly or through control flow; a check
    (``ir.CHECK_OPS``) and an effect (``ir.EFFECT``: a print, an assert) are always roots:
    they run wherever the function runs."""
    statements = list(walk(body))
    live = {r for r in roots if isinstance(r, Var)}
    inside = {}  # id of a branch or a loop -> the Vars defined within it
    for s in statements:
        if not isinstance(s, Assign):
            inside[id(s)] = defined_within(s)
        elif s.op in CHECK_OPS or s.op == EFFECT:
            live.add(s.target)
    changed = True
    while changed:  # last statement first: a value is read after its definition (one pass for straight code)
        changed = False
        for stmt in reversed(statements):
            if type(stmt) is Assign:  # the usual statement, decided here
                if stmt.target not in live:
                    continue
                reads = stmt.args + tuple(v for _, v in stmt.kwargs) if stmt.kwargs else stmt.args
            else:
                reads = _reads_if_live(stmt, live, inside)
            for var in reads:
                if isinstance(var, Var) and var not in live:
                    live.add(var)
                    changed = True
        if not inside:  # straight code: every reader of a value came before it in this pass
            return live
    return live


def _reads_if_live(stmt, live, inside):
    if isinstance(stmt, Assign):
        return list(stmt.args) + [v for _, v in stmt.kwargs] if stmt.target in live else []
    found = []
    if isinstance(stmt, If):
        for m in stmt.merges:
            if m.target in live:
                found += [m.then, m.orelse]
        if inside[id(stmt)] & live:
            found.append(stmt.cond)
    elif isinstance(stmt, Loop):
        for c in stmt.carries:
            if c.target in live:
                found += [c.init, c.next]
        if inside[id(stmt)] & live:
            found += [stmt.test, stmt.exit] + (list(stmt.iter.args) if stmt.iter is not None else [])
    return found
