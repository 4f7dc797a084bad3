"""The backward records of the text that runs written as fewer statements (``emit.runs``).

Each statement costs a store and a load of its name; a person writing the gradient for speed
writes these two as one:

| records | text that runs | why it is the same |
| --- | --- | --- |
| ``grad_x = a`` then ``grad_x += b`` | ``grad_x = a + b`` | ``merged_accumulations``: Python adds left to right, so ``a + b`` is the value ``+=`` gives |
| ``grad_w = grad_s * x`` ... ``return (grad_w, ...)`` | ``return (grad_s * x, ...)`` | ``returned_in_place``: a parameter's adjoint written once and read by the return alone, whose expression reads no name written after it |
| ``r = 1.0 / u`` ... ``grad_u = -grad_r * r / u`` | ``grad_u = -grad_r * r * r`` | ``reciprocals_reused``: ``e / u`` is ``e * (1.0 / u)`` within a rounding, and ``u`` read no more is written into ``r``'s line (``r = 1.0 / (1.0 + s5)``) |

The first two move only operations that raise nothing on numbers (``never_raises``), so every
error still comes from the line of the user's that raised it before; the third divides by
nothing that ``r = 1.0 / u`` did not divide by first.
"""
import ast

from ..ir import Assign, Const, Var, children_of, copy_expr, names_of
from ..transforms import Accumulate
from .backward import accumulation
from .fusion import MOST_FUSED
from .runs import adjoint_reads

MOST_RETURNED = 6  # operations of an expression written into the return at most
_SAFE_OPS = (ast.Add, ast.Sub, ast.Mult, ast.USub, ast.UAdd)


def operations(expr):
    """``(count, safe)``: how many operations (operators and calls) ``expr`` holds, and whether
    it holds only names, number constants, ``+ - *`` and signs: it raises nothing on numbers.
    A walk spelled out for the nodes adjoint expressions are made of (``ir.names_of``)."""
    count, safe, stack = 0, True, [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.BinOp:
            count, safe = count + 1, safe and type(node.op) in _SAFE_OPS
            stack += (node.left, node.right)
        elif kind is ast.UnaryOp:
            count, safe = count + 1, safe and type(node.op) in _SAFE_OPS
            stack.append(node.operand)
        elif kind is ast.Constant:
            safe = safe and type(node.value) in (int, float)
        elif kind is not ast.Name:
            count, safe = count + (kind is ast.Call), False
            stack.extend(children_of(node))
    return count, safe


def never_raises(expr):
    """Whether ``expr`` holds only names, number constants, ``+ - *`` and signs (``operations``)."""
    return operations(expr)[1]


def merged_accumulations(records, tokens, copied):
    """The straight-line ``Accumulate`` records with each first write ``grad_x = a`` directly
    followed by ``grad_x += b`` (``b`` never raising, not reading ``grad_x``) written as one
    ``grad_x = a + b``, of ``MOST_FUSED`` operations at most (a sum of many terms is written
    in parts, never as one deep expression); ``records`` itself where none is."""
    merged, size = [], None  # size: the operations of the last record, once asked for
    for record in records:
        last = merged[-1] if merged else None
        if last is not None and last.first and not record.first and last.var is record.var:
            size = operations(last.expr)[0] if size is None else size
            more, safe = operations(record.expr)
            if safe and size + more + 1 <= MOST_FUSED and record.var not in adjoint_reads([record], tokens, copied)[0]:
                op, contribution = accumulation(record.expr)
                merged[-1] = Accumulate(last.var, ast.BinOp(left=last.expr, op=op, right=contribution), True, last.loc)
                size += more + 1
                continue
        merged.append(record)
        size = None
    return merged if len(merged) < len(records) else records


def returned_in_place(records, reads, copied, wrt, grad_names):
    """``(kept, returned)``: the straight-line ``Accumulate`` records without the writes that
    the return takes in their place, and ``returned`` (parameter Var -> the expression the
    return writes for its gradient); ``reads``: what each record reads (``runs.adjoint_reads``).
    A parameter's adjoint is returned in place where it is
    written once, by ``MOST_RETURNED`` operations at most that never raise, no record reads it,
    and no record after it writes a name it reads (``grad_names``: the adjoints' names in the
    text that runs, where versions may share one)."""
    writes, last_write = {}, {}  # last_write: an adjoint's name -> the last record writing it
    readers = {copied[v] for v in wrt if v in copied}  # the return reads what a parameter's copy copied
    for i, record in enumerate(records):
        writes[record.var] = writes.get(record.var, 0) + 1
        readers |= reads[i]
        last_write[grad_names[record.var]] = i
    kept, returned = [], {}
    for i, record in enumerate(records):
        var = record.var
        if var in wrt and record.first and writes[var] == 1 and var not in readers:
            count, safe = operations(record.expr)
            if safe and count <= MOST_RETURNED and all(last_write.get(grad_names[v], -1) <= i for v in reads[i]):
                returned[var] = record.expr
                continue
        kept.append(record)
    return kept, returned


def reciprocals_reused(records, body, tokens, live):
    """``records`` (straight-line ``Accumulate``) with each division ``e / u`` written
    ``e * r`` where the forward statements ``body`` compute ``r = 1.0 / u`` (``r`` live, already
    read by the backward section: a value with a name), or a record before it writes the
    adjoint ``r = 1.0 / u`` (its only write; an adjoint some record reads, which has a name
    then: a parameter's, which only the return reads, has none); ``records`` itself where none is."""
    divisions = [stmt for stmt in body if isinstance(stmt, Assign) and stmt.op == "/"]
    if not divisions and not any(record.first and _reciprocal_of_value(record.expr, tokens) for record in records):
        return records  # no reciprocal has a name: nothing to rewrite
    token_of, adjoint_of = {}, {}  # Var -> the token of its value, of its adjoint (where one is read)
    for token, (kind, var) in tokens.by_token.items():
        (token_of if kind == "value" else adjoint_of)[var] = token
    reciprocal = {}  # u's token -> r's token
    for stmt in divisions:
        if stmt.target in live and stmt.target in token_of \
                and isinstance(stmt.args[0], Const) and type(stmt.args[0].value) in (int, float) \
                and stmt.args[0].value == 1 and isinstance(stmt.args[1], Var) and stmt.args[1] in token_of:
            reciprocal.setdefault(token_of[stmt.args[1]], token_of[stmt.target])
    writes = {}
    for record in records:
        writes[record.var] = writes.get(record.var, 0) + 1
    rewritten = []
    for record in records:
        rewritten.append(_multiplied(record, reciprocal) if reciprocal else record)
        # an adjoint grad_v = 1.0 / u written once: e / u after it is e * grad_v
        if record.first and writes[record.var] == 1 and record.var in adjoint_of \
                and _reciprocal_of_value(record.expr, tokens):
            reciprocal.setdefault(record.expr.right.id, adjoint_of[record.var])
    return rewritten if any(a is not b for a, b in zip(rewritten, records)) else records


def _reciprocal_of_value(expr, tokens):
    """Whether ``expr`` is ``1 / u`` (or ``1.0 / u``) of a value's token ``u``."""
    return type(expr) is ast.BinOp and type(expr.op) is ast.Div \
        and type(expr.left) is ast.Constant and type(expr.left.value) in (int, float) and expr.left.value == 1 \
        and type(expr.right) is ast.Name and tokens.by_token.get(expr.right.id, ("",))[0] == "value"


def _multiplied(record, reciprocal):
    """``record`` with its divisions by a value whose reciprocal has a name written as products."""
    if reciprocal.keys().isdisjoint(names_of(record.expr)):
        return record
    multiplied = _Multiplied(reciprocal)
    expr = multiplied.visit(copy_expr(record.expr))
    return Accumulate(record.var, expr, record.first, record.loc) if multiplied.changed else record


class _Multiplied(ast.NodeTransformer):
    """Writes ``e / u`` as ``e * r`` (``reciprocal``: u's token -> r's); ``changed`` says whether it wrote one."""

    def __init__(self, reciprocal):
        self.reciprocal, self.changed = reciprocal, False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if type(node.op) is ast.Div and type(node.right) is ast.Name and node.right.id in self.reciprocal:
            self.changed = True
            reciprocal = ast.Name(id=self.reciprocal[node.right.id], ctx=ast.Load())
            return ast.BinOp(left=node.left, op=ast.Mult(), right=reciprocal)
        return node
