"""Dead-code removal for functions with control flow: keep what the roots need.

Input: a structured body (``ir.Assign``, ``flow.If``, ``flow.Loop``) and root Vars (the
values the backward sweep reads, and the result when it is returned).  Output: the same
body without the statements, merges and carries nothing needs; an ``If`` or a ``Loop``
with nothing left in it disappears.  A kept loop keeps what decides how often it runs
(its range, test and break flag).  Liveness is solved to a fixed point, flow-insensitively
(each Var has one definition).
"""
from .flow import If, Loop, defined_at, walk
from .ir import Assign, Var


def live_vars(body, roots):
    """Every Var some root needs, directly or through control flow."""
    live = {r for r in roots if isinstance(r, Var)}
    statements = list(walk(body))
    inside = {id(s): _defined_inside(s) for s in statements if not isinstance(s, Assign)}
    changed = True
    while changed:
        changed = False
        for stmt in statements:
            for var in _reads_if_live(stmt, live, inside):
                if isinstance(var, Var) and var not in live:
                    live.add(var)
                    changed = True
    return live


def _defined_inside(stmt):
    return {v for s in walk([stmt]) for v in defined_at(s)}


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


def prune(body, live):
    """``body`` without what ``live`` does not need."""
    kept = []
    for stmt in body:
        if isinstance(stmt, Assign):
            if stmt.target in live:
                kept.append(stmt)
        elif not (_defined_inside(stmt) & live):
            continue
        elif isinstance(stmt, If):
            kept.append(If(stmt.cond, prune(stmt.body, live), prune(stmt.orelse, live),
                           tuple(m for m in stmt.merges if m.target in live), stmt.loc))
        elif isinstance(stmt, Loop):
            carries = tuple(c for c in stmt.carries if c.target in live)
            kept.append(Loop(carries, stmt.iter, prune(stmt.test_body, live), stmt.test, prune(stmt.body, live),
                             stmt.exit, stmt.count, stmt.loc))
    return tuple(kept)
