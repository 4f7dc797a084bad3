"""The SSA invariants, checked: every Var defined once, and read only where it is in scope.

``verify(function)`` raises AssertionError at the first violation; lowering's output
must always pass it (the tests verify every sample).  Scope, for structured code: a Var
defined inside a block is read only inside that block, or after it through a ``Merge``
or a ``Carry`` (loop targets excepted, which stay readable after their loop).
"""
from .flow import Loop, If, defined_at, has_flow, reads
from .values import Var


def verify(function):
    """Check the SSA invariants: each Var assigned once, and defined before it is used."""
    if has_flow(function.body):
        return _verify_flow(function.params, function.body, function.result)
    defined = set(function.params)
    for stmt in function.body:
        for operand in list(stmt.args) + [v for _, v in stmt.kwargs]:
            if isinstance(operand, Var) and operand not in defined:
                raise AssertionError(f"{operand} used before it is assigned")
        if stmt.target in defined:
            raise AssertionError(f"{stmt.target} assigned twice")
        defined.add(stmt.target)
    if isinstance(function.result, Var) and function.result not in defined:
        raise AssertionError("result is never assigned")


def _verify_flow(params, body, result):
    """Check that each Var is defined once and read only where it is in scope."""
    seen = set(params)

    def block(stmts, scope):
        scope = set(scope)
        for stmt in stmts:
            if isinstance(stmt, Loop):
                inner = scope | {c.target for c in stmt.carries}
                for c in stmt.carries:
                    _check_read(c.init, scope)
                if stmt.iter is not None:
                    for a in stmt.iter.args:
                        _check_read(a, scope)
                    inner |= set(stmt.iter.targets)
                test_scope = block(stmt.test_body, inner)
                _check_read(stmt.test, test_scope)
                body_scope = block(stmt.body, inner)
                for c in stmt.carries:
                    _check_read(c.next, body_scope)
                _check_read(stmt.exit, body_scope)
            else:
                for operand in reads(stmt):
                    _check_read(operand, scope)
                if isinstance(stmt, If):
                    then_scope, else_scope = block(stmt.body, scope), block(stmt.orelse, scope)
                    for m in stmt.merges:
                        _check_read(m.then, then_scope)
                        _check_read(m.orelse, else_scope)
            for var in defined_at(stmt):
                if var in seen:
                    raise AssertionError(f"{var} assigned twice")
                seen.add(var)
                scope.add(var)
        return scope

    final = block(body, set(params))
    _check_read(result, final)


def _check_read(operand, scope):
    if isinstance(operand, Var) and operand not in scope:
        raise AssertionError(f"{operand} read outside its scope")
