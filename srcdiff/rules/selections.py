"""Gradient rules of selections: item reads and writes (``x[i]``, ``x[i] = v`` as a copy),
``np.where`` and ``np.clip``.  Each builder takes an ``ir.Assign`` and the placeholder names
of its positional arguments and returns one template per argument or None (see
``rules.scalar``); ``arrays`` plugs them into its tables.
"""
import ast

from ..ir import Const, constant_node, index_node


def index_text(stmt, names, first):
    """``np.s_[...]`` of the index parts ``stmt.args[first:]`` written with placeholders."""
    parts = [constant_node(arg.value) if isinstance(arg, Const) else ast.Name(id=name, ctx=ast.Load())
             for arg, name in zip(stmt.args[first:], names[first:])]
    return ast.unparse(ast.Subscript(value=ast.Name(id="np.s_"), slice=index_node(parts), ctx=ast.Load()))


def getitem_rule(stmt, names):
    """``x[index]``: ``g`` put back where it was read (``rt.index_grad``)."""
    return (f"rt.index_grad(g, {names[0]}, {index_text(stmt, names, 1)})",) + (None,) * (len(names) - 1)


def setitem_rule(stmt, names):
    """``x[index] = v`` as a copy: ``x`` gets ``g`` but where written, ``v`` what was written (nothing
    where the array holds integers: ``rt.if_inexact``)."""
    where = index_text(stmt, names, 2)
    return (f"rt.setitem(g, {where}, 0.0)", f"rt.written_grad(rt.if_inexact(g, y), {where}, {names[1]})") + (None,) * (len(names) - 2)


def where_rule(stmt, names):
    """``np.where(c, a, b)``: ``g`` to ``a`` where ``c`` holds, to ``b`` elsewhere."""
    return (None, "np.where(x0, g, 0.0)", "np.where(x0, 0.0, g)") if len(names) == 3 else None


def clip_rule(stmt, names):
    """``np.clip(x, lo, hi)``: ``g`` to ``x`` inside the bounds, to a bound where it clips."""
    if len(names) != 3:
        return None
    low, high = (not (isinstance(a, Const) and a.value is None) for a in stmt.args[1:])
    inside = (["(x0 >= x1)"] if low else []) + (["(x0 <= x2)"] if high else [])  # a product: srcdiff reads no &
    return (" * ".join(["g"] + inside), "g * (x0 < x1)" if low else None, "g * (x0 > x2)" if high else None)
