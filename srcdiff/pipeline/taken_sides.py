"""Branches decided by constants, replaced by the side they take (``jit="numba"``).

numba compiles a module constant in as its value, and drops the side that a branch on a
comparison of constants never takes.  In numba mode the gradient keeps a list per push site
of the tape (``emit.tape``): a side numba dropped would leave its list without a type, which
the backward pass's pop still needs (the flag it branches on comes from the tape).
``taken_sides`` drops the same sides first, so that neither pass has them:

| a branch | becomes |
| --- | --- |
| ``If`` whose condition is a literal, a module constant that is a number, or computed from those by the operations of ``FOLDED`` | the statements of the side it takes, then ``target = copy(operand)`` for each merge (``0.0`` for a variable that side leaves undefined, never read on that path: the emitter's placeholder) |
| one whose condition is anything else | kept (its sides folded inside) |
"""
import operator
from dataclasses import replace

from ..ir import Assign, Const, Global, If, Loop, Undefined, walk

FOLDED = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "neg": operator.neg, "not": operator.not_, "copy": lambda value: value,
}
NUMBERS = (float, int, bool)  # the module constants numba mode compiles in (``jit.global_number_kinds``)


class _Unknown(Exception):
    """An operand whose value is not known before the function runs."""


def taken_sides(function, namespace):
    """``function`` with each branch its constants decide replaced by the side it takes (see
    the module table); ``namespace``: the values of its module constants."""
    defined = {s.target: s for s in walk(function.body) if isinstance(s, Assign)}
    known = {}

    def value(operand):
        if isinstance(operand, Const) and type(operand.value) in NUMBERS:
            return operand.value
        if isinstance(operand, Global) and type(namespace.get(operand.name)) in NUMBERS:
            return namespace[operand.name]
        stmt = defined.get(operand)
        if stmt is None or stmt.op not in FOLDED or stmt.kwargs:
            raise _Unknown
        if operand not in known:
            try:
                known[operand] = FOLDED[stmt.op](*map(value, stmt.args))
            except (ArithmeticError, TypeError):
                raise _Unknown from None
        return known[operand]

    body = _block(function.body, value)
    return function if body == function.body else replace(function, body=body)


def _block(body, value):
    out = []
    for stmt in body:
        if isinstance(stmt, If):
            side = _taken(stmt, value)
            if side is not None:
                out += _block(stmt.body if side else stmt.orelse, value)
                out += [Assign(m.target, "copy", (_defined(m.then if side else m.orelse),), loc=stmt.loc)
                        for m in stmt.merges]
                continue
            stmt = replace(stmt, body=_block(stmt.body, value), orelse=_block(stmt.orelse, value))
        elif isinstance(stmt, Loop):
            stmt = replace(stmt, test_body=_block(stmt.test_body, value), body=_block(stmt.body, value))
        out.append(stmt)
    return tuple(out)


def _taken(branch, value):
    """True or False: the side ``branch`` takes when its constants decide it; None otherwise."""
    try:
        return bool(value(branch.cond))
    except _Unknown:
        return None


def _defined(operand):
    return Const(0.0) if isinstance(operand, Undefined) else operand
