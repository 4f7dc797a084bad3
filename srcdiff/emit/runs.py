"""The text that runs for a straight-line gradient of numbers alone: the generic text made tight.

A function of numbers alone (``rules.computes_with_numbers_alone``) has one gradient for
every kind of argument, so no specialized code is built for it; its generic text is the
lecture's three-address code, one statement per gate.  The text its gradient runs is the
same computation written as a person writes it for speed:

| generic text | text that runs | why it is the same |
| --- | --- | --- |
| ``s1 = s0 * a`` then ``s = s1 + b`` | ``s = s0 * a + b`` | ``fusion``: a temporary read once, by a statement of its line, nowhere else |
| ``s0 = w0 * x0`` (a line of the user's) then ``s5 = math.exp(-(s0 + w2))`` | ``s5 = math.exp(-(w0 * x0 + w2))`` | ``fusion`` ``across_lines``: a name of the user's read once, made by operations that raise nothing on numbers |
| ``grad_s_1 = grad_s_2 * a`` then ``grad_s = grad_s_1 * a`` | ``grad_s = grad_s * a`` twice | ``shared_adjoint_names``: the adjoints of versions of one name whose lives do not overlap; a frame of fewer locals (CPython 3.11 makes a frame of more than about 1,950 locals a memory chunk of its own at every call) |
| ``grad_x = a`` then ``grad_x += b``; ``return (grad_w, ...)``; ``e / u`` where ``r = 1.0 / u`` | ``grad_x = a + b``; ``return (grad_s * x, ...)``; ``e * r`` | ``folding`` |
| ``grad_s2 = grad_s3`` then ``grad_w1 = grad_s2 * x1`` | ``grad_w1 = grad_s3 * x1`` | ``propagated_copies``: ``grad_s2`` is written once, ``grad_s3`` never again after it |
| ``if s7.__class__ is not float: rt.check_scalar(s7)`` | nothing | ``rules.gives_a_float``: the result is a float whatever the arguments are |
| ``grad_s8 = grad_den * 2 * s8`` | ``grad_s8 = grad_den * 2.0 * s8`` | ``floated_constants``: an int literal multiplied, divided, added or subtracted gives the same number as its float, and a float result where every other operand is an int (a gradient is a float: ``../shared/API.md``); CPython computes float with float without the conversion int with float needs (about 25 ns a product on 3.11) |

Where the result may be something else (a parameter's array reaches it), the check stays.
Only straight-line code is made tight (``tight``); code with branches or loops runs its
generic text.
"""
import ast
import dataclasses

from ..ir import copy_expr, has_flow
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate
from .tape import ExpressionNames


def tight(function, backward):
    """Whether the gradient of ``function`` by the records ``backward`` gets a text of its own
    to run: straight-line code, whose backward records are all ``Accumulate``."""
    return not has_flow(function.body) and all(type(r) is Accumulate for r in backward.statements)


def propagated_copies(statements, tokens):
    """``(kept, copied)``: the records ``statements`` (straight-line ``Accumulate`` records)
    without the copies ``grad_a = grad_b`` where ``grad_a`` is written once and ``grad_b``
    never after the copy, and ``copied`` (Var -> the Var whose adjoint it reads instead;
    chains of copies followed to their first adjoint)."""
    writes, last_write = {}, {}
    for i, record in enumerate(statements):
        writes[record.var] = writes.get(record.var, 0) + 1
        last_write[record.var] = i
    kept, copied = [], {}
    for i, record in enumerate(statements):
        source = _copy_source(record, tokens)
        if source is not None and writes[record.var] == 1 and last_write.get(source, i) < i:
            copied[record.var] = copied.get(source, source)
        else:
            kept.append(record)
    return kept, copied


def _copy_source(record, tokens):
    """``b`` when ``record`` is the first write ``grad_a = grad_b``, else None."""
    if record.first and type(record.expr) is ast.Name:
        kind, var = tokens.by_token.get(record.expr.id, ("", None))
        return var if kind == "adjoint" else None
    return None


def adjoint_reads(statements, tokens, copied, names=None):
    """For each of the records ``statements``, the set of Vars whose adjoints it reads (a copy's
    reader reads what it copied: ``copied``); ``names``: an ``ExpressionNames`` shared with other walks."""
    names = ExpressionNames() if names is None else names
    reads = []
    for record in statements:
        read = set()
        for name in names[record.expr]:
            kind, var = tokens.by_token.get(name, ("", None))
            if kind == "adjoint":
                read.add(copied.get(var, var))
        reads.append(read)
    return reads


def shared_adjoint_names(statements, reads, copied, grad_names, kept_to_end):
    """Var -> the name its adjoint takes in the text that runs, where it shares one: the adjoints
    of the versions of one name of the user's (``s``, ``s_1``, ``s_2``) whose lives do not
    overlap share the shortest of their names, as a person writes ``g = g * a * math.cos(s)``.

    ``statements`` are straight-line ``Accumulate`` records, ``reads`` what each reads
    (``adjoint_reads``), ``copied`` the copies propagated, ``kept_to_end`` the Vars whose adjoints the
    return reads (it reads a copy's source).  A life runs from the adjoint's first write (a
    plain assignment) to its last read or write; the next version may take the name in the
    statement that reads the last one (``grad_s = grad_s * a``: the right side is read before
    the name is bound).
    Why: CPython 3.11 puts a call's locals on a data stack in chunks of 16 KiB; a frame of
    more than about 1,950 locals takes a chunk of its own, made and freed at every call
    (about 15 us), which a chain of 2,001 operations crossed with a name per adjoint."""
    kept_to_end = {copied.get(v, v) for v in kept_to_end}  # the return reads what a copy copied
    first, last = {}, {}
    for i, record in enumerate(statements):
        for var in reads[i]:
            last[var] = i
        if record.var not in first:
            first[record.var] = i if record.first else -1  # -1: created elsewhere, shares nothing
        last[record.var] = i
    families = {}  # the user's name -> its registers: [members, index of the last member's last use]
    for i, record in enumerate(statements):
        var = record.var
        if not var.user_named or first[var] != i:
            continue
        registers = families.setdefault(var.hint, [])
        for free in registers:  # the first register free here
            if free[1] <= i:
                break
        else:
            registers.append(free := [[], i])
        free[0].append(var)
        free[1] = len(statements) if var in kept_to_end else last[var]
    shared = {}
    for registers in families.values():
        for members, _ in registers:
            if len(members) > 1:
                name = min((grad_names[v] for v in members), key=lambda n: (len(n), n))
                shared.update((v, name) for v in members)
    return shared


_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def has_int_literal(records, names):
    """Whether the expression of some record of ``records`` holds an int literal: most gradients'
    adjoints have none, and then ``floated_constants`` has nothing to do; ``names``: the
    ``ExpressionNames`` of their other walks, which note those literals as they walk."""
    return any(names.holds_int_literal(record.expr) for record in records)


def floated_constants(records):
    """``(records, changed)``: the straight-line ``Accumulate`` records with the int literals
    their expressions multiply, divide, add or subtract written as floats (``2 * s8`` ->
    ``2.0 * s8``); an exponent and the arguments of calls other than ``math``'s stay as they
    are.  ``changed``: whether any literal was."""
    floated = [_floated(record) for record in records]
    return floated, any(a is not b for a, b in zip(floated, records))


def _floated(record):
    """``record`` (an ``Accumulate`` or ``ItemAccumulate``) with its expression's int literals
    written as floats (``floated_constants``); ``record`` itself where none is."""
    if not any(type(n) is ast.Constant and type(n.value) is int for n in ast.walk(record.expr)):
        return record
    floating = _Floated()
    expr = floating.visit(copy_expr(record.expr))
    return dataclasses.replace(record, expr=expr) if floating.changed else record


class _Floated(ast.NodeTransformer):
    """Writes the int literals that arithmetic reads as floats; ``changed`` says whether it wrote one."""

    changed = False

    def visit_BinOp(self, node):
        if type(node.op) is ast.Pow:
            node.left = self.visit(node.left)  # the exponent keeps its type: (-2.0) ** 2 is a number, ** 2.0 too, but not for every base
            return node
        self.generic_visit(node)
        if type(node.op) in _ARITHMETIC and not _sequence(node.left) and not _sequence(node.right):
            node.left, node.right = self._as_float(node.left), self._as_float(node.right)
        return node

    def visit_Call(self, node):
        called = node.func
        in_math = type(called) is ast.Attribute and type(called.value) is ast.Name and called.value.id == "math"
        return self.generic_visit(node) if in_math else node

    def visit_Subscript(self, node):
        node.value = self.visit(node.value)  # an index keeps its type
        return node

    def _as_float(self, operand):
        """``operand`` written as a float literal where it is an int literal (``2``, ``-1``)."""
        inner = operand.operand if type(operand) is ast.UnaryOp and type(operand.op) is ast.USub else operand
        if type(inner) is ast.Constant and type(inner.value) is int:
            inner.value = float(inner.value)
            self.changed = True
        return operand


def _sequence(operand):
    """Whether ``operand`` is a list or tuple display, which ``*`` repeats by an int."""
    return type(operand) in (ast.List, ast.Tuple, ast.ListComp)


def floated_records(statements):
    """The backward ``statements`` of specialized scalar code (every value a number) with the
    int literals of their adjoint expressions written as floats (``floated_constants``),
    inside branches and loops too: ``grad_h * (1 - h_1 * h_1)`` -> ``(1.0 - h_1 * h_1)``."""
    floated = []
    for record in statements:
        if type(record) in (Accumulate, ItemAccumulate):
            record = _floated(record)
        elif type(record) is BIf:
            record = dataclasses.replace(record, then=tuple(floated_records(record.then)),
                                         orelse=tuple(floated_records(record.orelse)))
        elif type(record) is BLoop:
            record = dataclasses.replace(record, body=tuple(floated_records(record.body)))
        floated.append(record)
    return floated
