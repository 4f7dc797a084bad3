"""The reads of a float array parameter by basic indexes, their gradient written in place.

``rt.index_grads(x, g0, np.s_[1:], g1, np.s_[:-1])`` (``transforms.slices``) is one call
that generated code can differentiate again.  Where the code is specialized to a float
array ``x`` (so ``np.zeros(x.shape, x.dtype)`` has the gradient's dtype) and the call creates the
adjoint, it is printed as a person writes it, without the call:

    grad_x = np.zeros(x.shape, x.dtype)
    grad_x[1:] += g0
    grad_x[:-1] += g1

Only the user-facing gradient prints this: a Hessian-vector product differentiates the
gradient's text, which keeps the call.
"""
import ast

from ..ir import copy_expr, is_call_of
from .masks import aliased_expr
from .naming import aliased
from .printer import indented
from .text import statement_source


def reads_in_place(record, final_names, arrays):
    """Whether ``record`` (an ``Accumulate``) creates an adjoint with ``rt.index_grads`` of a
    parameter named in ``arrays`` (final names of float array parameters)."""
    expr = record.expr
    if not (record.first and is_call_of(expr, "rt.index_grads")):
        return False
    x = expr.args[0]
    return type(x) is ast.Name and x.id in final_names and final_names[x.id].id in arrays


def reads_in_place_lines(record, target, final_names, aliases, depth):
    """``grad_x = np.zeros(x.shape, x.dtype)`` then ``grad_x[index] += g`` for each read, as one text."""
    args = [aliased_expr(copy_expr(a, final_names), aliases) for a in record.expr.args]
    x = ast.unparse(args[0])  # np.zeros, not np.zeros_like: the same array, at a third of the cost
    lines = [f"{target} = {aliased('np.zeros', aliases)}({x}.shape, {x}.dtype)"]
    for g, index in zip(args[1::2], args[2::2]):
        op, value = (ast.Sub(), g.operand) if type(g) is ast.UnaryOp and type(g.op) is ast.USub else (ast.Add(), g)
        where = ast.Subscript(value=ast.Name(id=target, ctx=ast.Load()), slice=index.slice, ctx=ast.Store())
        lines.append(statement_source(ast.AugAssign(target=where, op=op, value=value)))
    return indented("\n".join(lines), depth)
