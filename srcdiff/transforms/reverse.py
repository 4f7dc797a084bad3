"""The reverse sweep: from the forward SSA to adjoint statements.

``reverse`` sweeps straight-line code here and code with branches and loops in
``reverse_flow``.  Output contract: a ``Backward`` whose ``statements`` are ``Accumulate`` records in
execution order, the statements of the forward pass visited in reverse.  Each adds one
contribution, upstream gradient times local gradient (from the rules table), to the
adjoint of one Var; the first contribution to an adjoint is marked ``first`` (written
``=``), later ones are accumulations (``+=``: the forks).  Only *active* Vars get
adjoints: those that depend on a ``wrt`` parameter and reach the result.  Contributions
are simplified; a contribution that simplifies to zero is dropped.  A call of a
``srcdiff.Function`` becomes one ``records.Unpack`` record calling its backward.  A contribution that
would be an int or a bool (``n`` for ``n * x`` with ``n = int(t)``, once the upstream
1.0 is simplified away) is converted with ``float()``: a float parameter's gradient
is a float.  Expressions name
values by tokens (see ``Tokens``) that the emitter replaces with final names.
"""

from ..ir import Const, Var, has_flow
from ..rules import ZERO, scalar_rule
from .contributions import integer_valued, operand_expr, refuse_varied_keywords, varied_keyword
from .records import Backward, Tokens
from .reverse_flow import reverse_flow
from .straight import Sweep


def activity(function, wrt, rules=scalar_rule, found=None):
    """The active Vars: varied by a ``wrt`` parameter and useful to the result; and how many
    statements contribute to each one's adjoint (its gradient-carrying uses; ``x * x``
    counts once, its two contributions are combined), for those that get a contribution.

    ``rules`` maps a statement to its rule (``rules.ArrayRules`` for array code); ``found``,
    when given, holds the rule of each statement of the body, in order (asked once).
    """
    body = function.body
    found = [rules(stmt) for stmt in body] if found is None else found
    varied = set(wrt)
    for stmt, rule in zip(body, found):
        if rule is ZERO:
            continue
        # varied through a position that carries a gradient (not rt.sum_grad(g, x)'s shape-only x)
        for i, a in enumerate(stmt.args):
            if isinstance(a, Var) and a in varied and (rule is None or rule[i] is not None):
                varied.add(stmt.target)
                break
        if stmt.kwargs and stmt.target not in varied and varied_keyword(stmt, varied):
            varied.add(stmt.target)  # refused below, if the result reads it
    useful = {function.result} if isinstance(function.result, Var) else set()
    uses = {}
    for stmt, rule in zip(reversed(body), reversed(found)):  # a value's uses come after it: complete when reached
        if stmt.target not in useful or rule is ZERO:
            continue
        if stmt.kwargs:
            refuse_varied_keywords(stmt, varied)
        counted = rule is not None and stmt.target in varied  # an active statement: its receivers get a contribution
        receivers = []  # (one or two: a list)
        for i, arg in enumerate(stmt.args):
            if isinstance(arg, Var) and (rule is None or rule[i] is not None):
                useful.add(arg)
                if counted and arg in varied and arg not in receivers:
                    receivers.append(arg)
                    uses[arg] = uses.get(arg, 0) + 1
    return varied & useful, uses


def reverse(function, wrt, seed=Const(1.0), rules=scalar_rule, numbers=frozenset()):
    """The Backward of ``function`` with respect to the parameter Vars ``wrt``.

    ``seed`` is the gradient of the result: 1.0 for a scalar, or an operand (a cotangent
    parameter) for a vector-Jacobian product.  ``rules`` maps a statement to its rule.
    ``numbers``: sequence parameters known to hold numbers (``reverse_flow``).
    """
    if has_flow(function.body) or getattr(rules, "item_reads", None):  # grad_xs[i] += g: reverse_flow's records
        return reverse_flow(function, wrt, seed, rules, numbers)
    found = [rules(stmt) for stmt in function.body]  # each statement's rule, asked once
    active, uses = activity(function, wrt, rules, found)
    tokens = Tokens()
    sweep = Sweep(function, wrt, active, uses, tokens, integer_valued(function.body))
    if function.result in active:
        sweep.known[function.result] = operand_expr(seed, tokens)
    for stmt, rule in zip(reversed(function.body), reversed(found)):
        if stmt.target in active:
            sweep.statement(stmt, rule)
    sweep.finish()
    return Backward(sweep.statements, tuple(wrt), sweep.written, sweep.needed, tokens, active)

