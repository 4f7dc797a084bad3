"""Reads of one array by basic indexes: their gradients gathered into one array.

``x[1:]`` and ``x[:-1]`` each give ``x`` the contribution ``rt.index_grad(g, x, np.s_[...])``:
an array of zeros the size of ``x`` per read, then their sum.  ``merged_reads`` gathers the
contributions of every read by a *basic* index (constant ints and slices, which never
read one position twice) into one call, ``rt.index_grads(x, g0, np.s_[1:], g1, np.s_[:-1])``,
which adds each ``g`` in place into one array of zeros.

Sound in straight-line code: the merged call stands where the last of those contributions
stood; the earlier ones read adjoints already complete and values that never change, so
evaluating them later gives the same numbers.
"""
import ast
import dataclasses

from ..ir import dotted
from .records import Accumulate


def merged_reads(statements):
    """``statements`` (straight-line records) with the basic-index reads' contributions to one
    adjoint, when there are two or more, merged into one ``rt.index_grads`` record."""
    groups = {}
    for position, record in enumerate(statements):
        read = _basic_read(record)
        if read is not None:
            groups.setdefault((record.var, read), []).append(position)
    merged = {var: positions for (var, _), positions in groups.items() if len(positions) > 1}
    if not merged:
        return statements
    out = list(statements)
    for var, positions in merged.items():
        pairs = []
        for position in positions:
            g, _, index = out[position].expr.args
            pairs += [g, index]
            out[position] = None
        last = statements[positions[-1]]
        x = last.expr.args[1]
        out[positions[-1]] = Accumulate(var, ast.Call(func=dotted("rt.index_grads"), args=[x] + pairs, keywords=[]),
                                        last.first, last.loc)
    return _first_writes_marked([record for record in out if record is not None], set(merged))


def _first_writes_marked(statements, merged):
    """The first remaining write of each adjoint in ``merged`` marked ``first``, the others not."""
    seen, out = set(), []
    for record in statements:
        if type(record) is Accumulate and record.var in merged:
            record = dataclasses.replace(record, first=record.var not in seen)
            seen.add(record.var)
        out.append(record)
    return out


def _basic_read(record):
    """The token of ``x`` when ``record`` adds ``rt.index_grad(g, x, np.s_[<basic index>])``, else None."""
    if type(record) is not Accumulate:
        return None
    expr = record.expr
    if not (type(expr) is ast.Call and _is_dotted(expr.func, "rt", "index_grad") and len(expr.args) == 3
            and not expr.keywords and type(expr.args[1]) is ast.Name):
        return None
    index = expr.args[2]
    if not (type(index) is ast.Subscript and _is_dotted(index.value, "np", "s_")):
        return None
    parts = index.slice.elts if type(index.slice) is ast.Tuple else [index.slice]
    return expr.args[1].id if all(_basic_part(part) for part in parts) else None


def _is_dotted(node, module, attr):
    """Whether ``node`` is ``module.attr`` (cheaper than printing it: this runs on every record)."""
    return type(node) is ast.Attribute and node.attr == attr and type(node.value) is ast.Name and node.value.id == module


def _basic_part(node):
    """Whether an index part is a constant int or a slice of constant ints (no array, no name)."""
    if type(node) is ast.Slice:
        return all(part is None or _constant_int(part) for part in (node.lower, node.upper, node.step))
    return _constant_int(node)


def _constant_int(node):
    if type(node) is ast.UnaryOp and type(node.op) is ast.USub:
        node = node.operand
    return type(node) is ast.Constant and type(node.value) is int
