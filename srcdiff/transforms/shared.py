"""Common subexpressions of the forward sweep: a pure operation written twice is computed once.

``(1.0 - x[:-1]) ** 2 + (x[1:] - x[:-1] ** 2) ** 2`` reads ``x[:-1]`` twice; the gradient's
forward section then computes it twice and its backward section adds two contributions
for two values that are one.  ``shared_subexpressions(function)`` reads the second from
the first: a later statement with the same pure operation (element-wise arithmetic, a
ufunc, a reduction, an index read) of the same operands is dropped and its uses read the
earlier value.  Sound in SSA: values never change once computed.  Only straight-line
array code, and only temporaries: a value the user named keeps its line (and its adjoint).
"""
import dataclasses

from ..analysis import ELEMENTWISE, REDUCTIONS, is_ufunc, uses_arrays
from ..ir import Assign, Const, Global, Var, has_flow

_ALSO_PURE = frozenset({"[]", ".T"})


def shared_subexpressions(function):
    """``function`` with each repeated pure operation on temporaries computed once (see the module doc)."""
    if has_flow(function.body) or not uses_arrays(function):
        return function
    seen, renamed, body = {}, {}, []
    for stmt in function.body:
        if not isinstance(stmt, Assign):
            return function
        stmt = _renamed(stmt, renamed)
        key = _key(stmt)
        if key is not None:
            earlier = seen.get(key)
            if earlier is not None and not stmt.target.user_named:
                renamed[stmt.target] = earlier
                continue
            seen.setdefault(key, stmt.target)
        body.append(stmt)
    if not renamed:
        return function
    return dataclasses.replace(function, body=tuple(body), result=renamed.get(function.result, function.result)
                               if isinstance(function.result, Var) else function.result)


def _renamed(stmt, renamed):
    if not renamed:
        return stmt
    args = tuple(renamed.get(a, a) if isinstance(a, Var) else a for a in stmt.args)
    kwargs = tuple((k, renamed.get(v, v) if isinstance(v, Var) else v) for k, v in stmt.kwargs)
    if all(a is b for a, b in zip(args, stmt.args)) and all(a[1] is b[1] for a, b in zip(kwargs, stmt.kwargs)):
        return stmt
    return dataclasses.replace(stmt, args=args, kwargs=kwargs)


def _key(stmt):
    """What identifies the value of a pure statement, or None for any other."""
    op = stmt.op
    if not (op in ELEMENTWISE or op in REDUCTIONS or op in _ALSO_PURE or is_ufunc(op)):
        return None
    operands = [_operand_key(a) for a in stmt.args] + [(k, _operand_key(v)) for k, v in stmt.kwargs]
    return None if None in operands else (op, *operands)


def _operand_key(operand):
    if isinstance(operand, Var):
        return operand  # identity: one SSA value
    if isinstance(operand, Const):
        return ("const", type(operand.value).__name__, repr(operand.value))  # 1, 1.0, True and -0.0 told apart
    if isinstance(operand, Global):
        return ("global", operand.name)
    return None
