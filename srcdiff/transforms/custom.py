"""The reverse sweep through a ``srcdiff.Function``: one call of its backward.

``y = Cls.forward(ctx, a, b)`` becomes the record ``Unpack``, printed
``grad_a, grad_b = rt.function_gradients(ctx, Cls.backward(ctx, grad_y), (0, 1))``: the
runtime checks what the user's backward returns (one gradient per argument, of its shape,
none missing among the positions needed) before anything adds it.  An adjoint already written (a fork), or
a value passed twice, receives its part under a fresh name and adds it afterwards; an
argument that needs no gradient is unpacked into ``_``.  ``backward`` returns one
gradient per argument of ``forward`` after ``ctx`` (a bare value when there is one).

A call of a generated gradient that keeps a tape, ``y = grad_f(a, b)`` (``ir.GRADIENT_CALL``),
is swept the same way: ``grad_a, grad_b = vjp_grad_f(a, b, grad_y)``, its vector-Jacobian
product, which returns one gradient per parameter; it reads the operands, not a context.
"""
import ast

from ..ir import GRADIENT_CALL, Var
from .contributions import operand_expr
from .records import Unpack


def backward_statements(stmt, upstream, tokens, active, written, accumulate):
    """The records of a Function's backward call, and the Vars whose values it reads.

    ``accumulate(var, expr, first, loc)`` makes the reverse sweep's Accumulate record.
    """
    if stmt.op == GRADIENT_CALL:
        _, product, *args = stmt.args
        call = ast.Call(func=ast.Name(id=product.name, ctx=ast.Load()),
                        args=[operand_expr(a, tokens) for a in args] + [upstream], keywords=[])
        reads = {a for a in args if isinstance(a, Var)}
    else:
        ctx, *args = stmt.args
        cls_name = stmt.op[: -len(".forward")]
        call = ast.Call(func=ast.Attribute(value=ast.Name(id=cls_name, ctx=ast.Load()), attr="backward", ctx=ast.Load()),
                        args=[ast.Name(id=tokens.value(ctx), ctx=ast.Load()), upstream], keywords=[])
        reads = {ctx, stmt.target}
    parts, after = [], []
    for arg in args:
        if not (isinstance(arg, Var) and arg in active):
            parts.append(None)
        elif arg not in written and arg not in parts:
            parts.append(arg)
        else:  # a fork: receive the part under a fresh name, then add it
            part = Var(arg.hint, arg.user_named)
            parts.append(part)
            after.append(accumulate(arg, ast.Name(id=tokens.adjoint(part), ctx=ast.Load()), False, stmt.loc))
    for part in parts:
        if part is not None:
            tokens.adjoint(part)
    if stmt.op != GRADIENT_CALL:
        needed = ast.Tuple(elts=[ast.Constant(i) for i, part in enumerate(parts) if part is not None], ctx=ast.Load())
        call = ast.Call(func=ast.Attribute(value=ast.Name(id="rt", ctx=ast.Load()), attr="function_gradients",
                                           ctx=ast.Load()),
                        args=[ast.Name(id=tokens.value(ctx), ctx=ast.Load()), call, needed], keywords=[])
    newly = [p for p in parts if p is not None and p in args]
    written.update(newly)
    return [Unpack(tuple(parts), call, stmt.loc)] + after, reads
