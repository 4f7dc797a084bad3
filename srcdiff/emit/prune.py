"""Dead-code removal before printing: keep what the live Vars need.

Input: a structured body and the live Vars (``analysis.liveness.live_vars``).  Output:
the same body without the statements, merges and carries nothing needs; an ``If`` or a
``Loop`` with nothing left in it disappears.
"""
from ..ir import Assign, If, Loop, defined_within


def prune(body, live):
    """``body`` without what ``live`` does not need."""
    kept = []
    for stmt in body:
        if isinstance(stmt, Assign):
            if stmt.target in live:
                kept.append(stmt)
        elif not (defined_within(stmt) & live):
            continue
        elif isinstance(stmt, If):
            kept.append(If(stmt.cond, prune(stmt.body, live), prune(stmt.orelse, live),
                           tuple(m for m in stmt.merges if m.target in live), stmt.loc))
        elif isinstance(stmt, Loop):
            carries = tuple(c for c in stmt.carries if c.target in live)
            kept.append(Loop(carries, stmt.iter, prune(stmt.test_body, live), stmt.test, prune(stmt.body, live),
                             stmt.exit, stmt.count, stmt.loc))
    return tuple(kept)
