"""The assignments after a function's last branch or loop, swept as straight-line code.

They run last forwards, so their backward runs first, before anything is pending, and every
use of a value they define is among them (SSA: only the return follows).  That is what
``straight.Sweep`` needs to combine, substitute and inline adjoints as in straight-line code
(``grad_b = 2.0 * g * b`` where the structured sweep writes ``grad_b = g * b; grad_b += g *
b``), in a fraction of the structured sweep's time.  Values defined before the tail are
``kept``: each contribution to their adjoints is a record of its own, which the structured
sweep goes on from by name.
"""
from ..ir import Assign, Var
from ..rules import ZERO
from .straight import Sweep


def tail_start(body, rules):
    """Where the tail of plain assignments that ``swept_tail`` takes starts in ``body`` (its
    length when none does): never in code whose rules read sequence items one by one
    (``grad_xs[i] += g``, the structured sweep's own records)."""
    if getattr(rules, "item_reads", None):
        return len(body)
    start = len(body)
    while start and type(body[start - 1]) is Assign:
        start -= 1
    return start


def swept_tail(function, tail, wrt, active, rules, tokens, written, seed, integer):
    """``(records, written, needed)``: the adjoint records of the assignments ``tail`` (the end
    of ``function.body``), in execution order, the adjoints written (``written`` included) and
    the forward values a Function's backward reads.  ``written``: the adjoints already written;
    ``seed``: the result's adjoint where it is read as it is (no record writes it), else None;
    ``integer``: the Vars that may hold an int or a bool (``contributions.integer_valued``)."""
    if not tail:
        return [], written, set()
    found = [rules(stmt) for stmt in tail]
    sweep = Sweep(function, wrt, active, _uses(tail, found, active), tokens, integer)
    defined = {stmt.target for stmt in tail}
    sweep.kept |= {a for stmt in tail for a in stmt.args if isinstance(a, Var) and a not in defined}
    sweep.written |= written
    if seed is not None and function.result in defined:
        sweep.known[function.result] = seed
    for stmt, rule in zip(reversed(tail), reversed(found)):
        if stmt.target in active:
            sweep.statement(stmt, rule)
    sweep.finish()
    return sweep.statements, sweep.written, sweep.needed


def _uses(tail, found, active):
    """Var -> how many active statements of ``tail`` send it a gradient (``x * x`` once)."""
    uses = {}
    for stmt, rule in zip(tail, found):
        if stmt.target not in active or rule is None or rule is ZERO:
            continue
        receivers = {a for i, a in enumerate(stmt.args) if isinstance(a, Var) and a in active and rule[i] is not None}
        for arg in receivers:
            uses[arg] = uses.get(arg, 0) + 1
    return uses
