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
import ast

from ..ir import Const, Var, has_flow, is_zero, number
from ..rules import ZERO, CustomRule, placeholders, scalar_rule
from .contributions import (contribution, integer_valued, may_be_integer, names_in, no_rule_error, operand_expr,
                            values_read)
from .custom import backward_statements as custom_backward
from .records import Accumulate, Backward, Tokens
from .reverse_flow import reverse_flow


def activity(function, wrt, rules=scalar_rule):
    """The active Vars: varied by a ``wrt`` parameter and useful to the result.

    ``rules`` maps a statement to its rule (``rules.ArrayRules`` for array code).
    """
    varied = set(wrt)
    for stmt in function.body:
        rule = rules(stmt)
        if rule is ZERO:
            continue
        # varied through a position that carries a gradient (not rt.sum_grad(g, x)'s shape-only x)
        if any(isinstance(a, Var) and a in varied and (rule is None or rule[i] is not None)
               for i, a in enumerate(stmt.args)):
            varied.add(stmt.target)
    useful = {function.result} if isinstance(function.result, Var) else set()
    for stmt in reversed(function.body):
        if stmt.target not in useful:
            continue
        rule = rules(stmt)
        if rule is ZERO:
            continue
        for i, arg in enumerate(stmt.args):
            if isinstance(arg, Var) and (rule is None or rule[i] is not None):
                useful.add(arg)
    return varied & useful


def reverse(function, wrt, seed=Const(1.0), rules=scalar_rule, numbers=frozenset()):
    """The Backward of ``function`` with respect to the parameter Vars ``wrt``.

    ``seed`` is the gradient of the result: 1.0 for a scalar, or an operand (a cotangent
    parameter) for a vector-Jacobian product.  ``rules`` maps a statement to its rule.
    ``numbers``: sequence parameters known to hold numbers (``reverse_flow``).
    """
    if has_flow(function.body) or getattr(rules, "item_reads", None):  # grad_xs[i] += g: reverse_flow's records
        return reverse_flow(function, wrt, seed, rules, numbers)
    active = activity(function, wrt, rules)
    tokens = Tokens()
    statements, written, needed = [], set(), set()
    uses = _count_uses(function, active, rules)
    integer = integer_valued(function.body)
    # adjoints known to be a constant (the seed, or a lone constant contribution such as
    # the 2.0 of ``c * 2.0``) are substituted where they are read instead of assigned
    constant = {function.result: operand_expr(seed, tokens)} if function.result in active else {}
    for stmt in reversed(function.body):
        if stmt.target not in active:
            continue
        rule = rules(stmt)
        if rule is None:
            raise no_rule_error(stmt)
        if stmt.target in constant:
            upstream = constant[stmt.target]
        elif stmt.target in written:
            upstream = ast.Name(id=tokens.adjoint(stmt.target), ctx=ast.Load())
        else:
            continue  # every contribution to this adjoint was zero
        if isinstance(rule, CustomRule):  # a srcdiff.Function: call its backward
            records, reads = custom_backward(stmt, upstream, tokens, active, written, Accumulate)
            statements.extend(records)
            needed.update(reads)
            continue
        bindings = {"g": upstream, "y": ast.Name(id=tokens.value(stmt.target), ctx=ast.Load())}
        bindings.update(zip(placeholders(len(stmt.args)), (operand_expr(a, tokens) for a in stmt.args)))
        for arg, template in zip(stmt.args, rule):
            if template is None or not isinstance(arg, Var) or arg not in active:
                continue
            expr, names = contribution(template, bindings)
            if is_zero(expr):
                continue
            if may_be_integer(expr, tokens, integer):
                expr = ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[expr], keywords=[])
            if uses[arg] == 1 and number(expr) is not None and arg not in function.params:
                constant[arg] = expr
                continue
            statements.append(Accumulate(arg, expr, arg not in written, stmt.loc))
            written.add(arg)
            needed.update(values_read(names, tokens))
    for param in wrt:
        if param in constant and param not in written:
            statements.append(Accumulate(param, constant[param], True))
            written.add(param)
            needed.update(values_read(names_in(statements[-1].expr), tokens))
    return Backward(statements, tuple(wrt), written, needed, tokens, active)


def _count_uses(function, active, rules):
    """How many contributions each active Var can receive (its gradient-carrying uses)."""
    uses = dict.fromkeys(active, 0)
    for stmt in function.body:
        if stmt.target not in active:
            continue
        rule = rules(stmt)
        for arg, template in zip(stmt.args, rule or ()):
            if template is not None and isinstance(arg, Var) and arg in active:
                uses[arg] += 1
    return uses
