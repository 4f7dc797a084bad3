"""Print forward mode: the statements and tangents the result's tangent needs, as source.

Output contract: ``tangent_source`` returns the text of one function with the given
signature whose body is the forward statements interleaved with their tangents
(``dot_<name>``), ``if`` blocks kept where a kept statement or tangent lives in them
(``dot_z = dot_z_1`` beside ``z = z_1`` at the end of a branch), and which returns the
tangent of the result (``rt.zero_gradient(result)`` when it has none).  A user's ``jvp`` of
scalar code (no NumPy syntax) given arrays broadcasts: its result's tangent goes through
``rt.broadcast_like(dot, result)``, since a tangent from a number added to an array is
still a number (array code broadcasts where it happens, see ``transforms.tangents``).  Liveness is solved
to a fixed point over the tangents, then over the values (``prune.live_vars``), flow-
insensitively: every Var has one definition.  Used by ``jvp`` and by forward-over-reverse
Hessian-vector products (``higher``).
"""
import ast
import dataclasses

from ..analysis import live_vars, uses_arrays
from ..ir import Const, Undefined, Var, dotted, has_flow
from ..ir.printing import iter_header
from ..transforms import Tangent, TangentIf, TangentLoop, items_unpacked, operand_expr, tangent_statements, token_node
from .naming import assign_names, module_aliases, namespace_line
from .frame import header_lines
from .growth import in_place_growths
from .printer import Printer, merged_operands
from .prune import prune
from .released import released


def _walk_records(records):
    for record in records:
        yield record
        if isinstance(record, TangentIf):
            yield from _walk_records(record.body + record.orelse)
        elif isinstance(record, TangentLoop):
            yield from _walk_records(record.test_body + record.body)


def _joins(record):
    """``(target, (operand, tangent), (operand, tangent))`` for each value an ``if`` merges
    (then, else) or a loop carries (initial, next) that has a tangent."""
    if isinstance(record, TangentIf):
        return [(m.target, (m.then, t), (m.orelse, e)) for m, t, e in record.merges]
    if isinstance(record, TangentLoop):
        return [(c.target, (c.init, s), (c.next, n)) for c, s, n in record.carries]
    return []


def _merge_zero(operand, tangent, tokens):
    """The tangent a merge takes on a side: its tangent there, or zeros like its value (a
    placeholder 0.0 where the value itself is undefined: that path never uses it)."""
    if tangent is not None:
        return tangent
    if isinstance(operand, Undefined):
        return ast.Constant(0.0)
    if isinstance(operand, Const) and type(operand.value) in (int, float):
        return ast.Constant(0.0)
    return ast.Call(func=dotted("rt.zeros_like"), args=[operand_expr(operand, tokens)], keywords=[])


def liveness(function, records, result_expr, tokens):
    """``(live values, needed tangents)``: what the returned tangent needs, through branches."""
    values, tangents = set(), set()

    def need(expr):
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id in tokens.by_token:
                kind, var = tokens.by_token[node.id]
                (values if kind == "value" else tangents).add(var)

    need(result_expr)
    flat = list(_walk_records(records))
    for _ in range(len(flat) + 1):  # to a fixed point: each Var has one definition
        before = len(tangents)
        for record in reversed(flat):  # uses come after definitions: one pass outside loops
            if isinstance(record, Tangent) and record.var in tangents:
                need(record.expr)
            for target, sequence in getattr(record, "items", ()):
                if target in tangents:
                    need(sequence)
            for target, *sides in _joins(record):
                if target in tangents:
                    for operand, tangent in sides:
                        zero = _merge_zero(operand, tangent, tokens)
                        if zero is not None:
                            need(zero)
        if len(tangents) == before:
            break
    return live_vars(function.body, values | _control(flat, tangents)), tangents


def _control(records, tangents):
    """What decides whether and how often tangents in a block are computed: the condition of
    an ``if``; the range, loop variables, test and break flag of a loop."""
    found = set()
    for record in records:
        if isinstance(record, TangentIf) and _has_tangent(record, tangents):
            found.add(record.stmt.cond)
        elif isinstance(record, TangentLoop) and _has_tangent(record, tangents):
            loop = record.stmt
            found.update([loop.test, loop.exit] + (list(loop.iter.args) + list(loop.iter.targets) if loop.iter else []))
    return {v for v in found if isinstance(v, Var)}


def _has_tangent(record, tangents):
    return any(isinstance(r, Tangent) and r.var in tangents or any(t in tangents for t, _, _ in _joins(r))
               for r in _walk_records([record]))


def tangent_source(function, seeds, *, name, docstring=None, broadcast_result=False, release=False, number=False):
    """The text of a function returning the tangent of ``function``'s result (see module doc);
    ``broadcast_result``: a user's ``jvp``, whose tangent has its result's shape; ``release``:
    straight-line code fuses the tangents of values read once into their readers' and drops
    each name after its last read (``released``: a Hessian-vector product of array code then
    holds a few arrays at a time, not all of them); ``number``: the tangent is returned as a
    Python float (a Hessian-vector product along a float parameter, whose tangent may be a
    NumPy number where the function reads numbers out of an array)."""
    function = items_unpacked(function, seeds)  # for W, b in params: over the items, each unpacked
    records, tangent_of, tokens = tangent_statements(function, seeds, fuse=release)
    result = function.result
    if isinstance(result, Var) and result in tangent_of:
        result_expr = tangent_of[result]
        if broadcast_result and not uses_arrays(function):
            result_expr = ast.Call(func=dotted("rt.broadcast_like"), args=[result_expr, operand_expr(result, tokens)],
                                   keywords=[])
    else:  # the result does not depend on the seeded parameters: zeros in its own structure
        result_expr = ast.Call(func=dotted("rt.zero_gradient"), args=[operand_expr(result, tokens)], keywords=[])
    if number:
        result_expr = ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[result_expr], keywords=[])
    if function.tuple_result:  # the list of a tuple's items' tangents, as the tuple it stands for
        result_expr = ast.Call(func=ast.Name(id="tuple", ctx=ast.Load()), args=[result_expr], keywords=[])
    live, needed = liveness(function, records, result_expr, tokens)
    order = [r.var for r in _walk_records(records) if isinstance(r, Tangent) and r.var in needed]
    order += [target for r in _walk_records(records) for target, _, _ in _joins(r) if target in needed]
    order += [target for r in _walk_records(records) for target, _ in getattr(r, "items", ()) if target in needed]
    pruned = dataclasses.replace(function, body=prune(function.body, live))
    names, dot_names = assign_names(pruned, order, prefix="dot_")
    final = {}
    for token, (kind, var) in tokens.by_token.items():
        table = dot_names if kind == "adjoint" else names
        if var in table:
            final[token] = token_node(table[var])
    tangents = TangentData(records, needed, dot_names, tokens)
    printer = Printer(names, final, live, module_aliases(function), tangents=tangents,
                      merge_read=merged_operands(function.body, live), every_merge=True)
    printer.grown_in_place = in_place_growths(function)
    lines = header_lines(name, function.arguments, docstring)
    bound = namespace_line(function, module_aliases(function))
    lines += [bound] if bound else []
    body = printer.forward(function.body, 1)
    returned = printer.expr(result_expr)
    if release and not has_flow(function.body):
        kept = {names[p] for p in function.params if p in names} | {n.id for n in ast.walk(ast.parse(returned))
                                                                     if isinstance(n, ast.Name)}
        body = released(body, kept)
    lines += body
    lines.append(f"    return {returned}")
    return printer.finish(lines, function)


class TangentData:
    """The tangents a ``Printer`` prints beside the forward statements (see ``printer``):
    each statement's tangent after it, the tangents of merged and carried values beside
    the values, only those ``needed``."""

    def __init__(self, records, needed, dot_names, tokens):
        self.needed, self.dot_names, self.tokens = needed, dot_names, tokens
        self.after_stmt, self.blocks = {}, {}
        flat = list(_walk_records(records))
        for previous, record in zip([None] + flat, flat):
            if isinstance(record, Tangent):
                self.after_stmt[id(previous)] = record
            elif isinstance(record, (TangentIf, TangentLoop)):
                self.blocks[id(record.stmt)] = record

    def after(self, stmt, printer, depth):
        """``dot_y = ...`` after the statement assigning ``y``, when it is needed."""
        record = self.after_stmt.get(id(stmt))
        if record is None or record.var not in self.needed:
            return []
        return [printer.located(printer.assignment(self.dot_names[record.var], record.expr, depth), stmt.loc)]

    def header(self, stmt, printer):
        """``(header, first lines)`` of a loop whose items carry tangents: each sequence's
        tangent iterated beside it (``for w, dot_w in zip(xs, dot_xs)``), or read at the index
        ``enumerate`` gives (``dot_w = dot_xs[i]``, the body's first line); None where none is needed."""
        record = self.blocks.get(id(stmt))
        items = [(t, e) for t, e in record.items if t in self.needed] if record is not None else []
        if not items:
            return None
        it, names = stmt.iter, printer.names
        if it.kind == "enumerate":
            (target, tangent), = items
            read = f"{self.dot_names[target]} = {printer.expr(tangent)}[{names[it.targets[0]]}]"
            return iter_header(stmt, names), [read]
        sequences = [printer.operand(a) for a in it.args]
        tangents = [printer.expr(expr) for _, expr in items]
        if it.kind == "reversed":
            sequences, tangents = [f"reversed({s})" for s in sequences], [f"reversed({t})" for t in tangents]
        targets = [names[t] for t in it.targets] + [self.dot_names[t] for t, _ in items]
        return f"for {', '.join(targets)} in zip({', '.join(sequences + tangents)})", []

    def inside(self, stmt):
        """Whether a needed tangent is computed in a branch or a loop."""
        record = self.blocks.get(id(stmt))
        return record is not None and _has_tangent(record, self.needed)

    def joined(self, stmt, side, printer, depth):
        """``dot_z = dot_z_1`` where branches merge (side 0: then, 1: else) or a loop carries
        a value (side 0: before the loop, 1: at the end of an iteration)."""
        record = self.blocks.get(id(stmt))
        lines = []
        for target, *sides in _joins(record) if record is not None else ():
            if target in self.needed:
                operand, tangent = sides[side]
                lines.append(printer.assignment(self.dot_names[target], _merge_zero(operand, tangent, self.tokens),
                                                depth))
        return lines
