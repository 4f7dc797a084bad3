"""Print forward mode: the statements and tangents the result's tangent needs, as source.

Output contract: ``tangent_source`` returns the text of one function with the given
signature whose body is the forward statements interleaved with their tangents
(``dot_<name>``), ``if`` blocks kept where a kept statement or tangent lives in them
(``dot_z = dot_z_1`` beside ``z = z_1`` at the end of a branch), and which returns the
tangent of the result (``rt.zeros_like(result)`` when it has none).  Liveness is solved
to a fixed point over the tangents, then over the values (``prune.live_vars``), flow-
insensitively: every Var has one definition.  Used by ``jvp`` and by forward-over-reverse
Hessian-vector products (``higher``).
"""
import ast
import dataclasses

from .emit import _alias_modules, _with_aliases, signature_line, statement_source
from .flow import Undefined
from .forward import Tangent, TangentIf, _name, _operand, tangent_statements
from .ir import Const, Var, assign_node, dotted, operand_node
from .naming import assign_names, module_aliases
from .prune import live_vars, prune
from .simplify import copy_expr


def _walk_records(records):
    for record in records:
        yield record
        if isinstance(record, TangentIf):
            yield from _walk_records(record.body + record.orelse)


def _merge_zero(operand, tangent, tokens):
    """The tangent a merge takes on a side: its tangent there, or zeros like its value."""
    if tangent is not None or isinstance(operand, Undefined):
        return tangent
    if isinstance(operand, Const) and type(operand.value) in (int, float):
        return ast.Constant(0.0)
    return ast.Call(func=dotted("rt.zeros_like"), args=[_operand(operand, tokens)], keywords=[])


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
        for record in flat:
            if isinstance(record, Tangent) and record.var in tangents:
                need(record.expr)
            elif isinstance(record, TangentIf):
                for merge, then, other in record.merges:
                    if merge.target in tangents:
                        for side in (_merge_zero(merge.then, then, tokens), _merge_zero(merge.orelse, other, tokens)):
                            if side is not None:
                                need(side)
        if len(tangents) == before:
            break
    conds = {r.stmt.cond for r in flat if isinstance(r, TangentIf) and _has_tangent(r, tangents)}
    return live_vars(function.body, values | conds), tangents


def _has_tangent(record, tangents):
    return any(isinstance(r, Tangent) and r.var in tangents or isinstance(r, TangentIf) and
               any(m.target in tangents for m, _, _ in r.merges) for r in _walk_records([record]))


def tangent_source(function, seeds, *, name, docstring=None):
    """The text of a function returning the tangent of ``function``'s result (see module doc)."""
    records, tangent_of, tokens = tangent_statements(function, seeds)
    result = function.result
    if isinstance(result, Var) and result in tangent_of:
        result_expr = tangent_of[result]
    else:  # the result does not depend on the seeded parameters
        result_expr = ast.Call(func=dotted("rt.zeros_like"), args=[_operand(result, tokens)], keywords=[])
    live, needed = liveness(function, records, result_expr, tokens)
    order = [r.var for r in _walk_records(records) if isinstance(r, Tangent) and r.var in needed]
    order += [m.target for r in _walk_records(records) if isinstance(r, TangentIf)
              for m, _, _ in r.merges if m.target in needed]
    pruned = dataclasses.replace(function, body=prune(function.body, live))
    names, dot_names = assign_names(pruned, order, prefix="dot_")
    final = {}
    for token, (kind, var) in tokens.by_token.items():
        table = dot_names if kind == "adjoint" else names
        if var in table:
            final[token] = _name(table[var])
    printer = _Printer(names, dot_names, final, live, needed, module_aliases(function), tokens)
    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    lines += printer.block(records, 1)
    lines.append(f"    return {printer.expr(result_expr)}")
    return "\n".join(lines) + "\n"


class _Printer:
    """Prints kept records: forward statements, tangents, and ``if`` blocks with their merges."""

    def __init__(self, names, dot_names, final, live, needed, aliases, tokens):
        self.names, self.dot_names, self.final = names, dot_names, final
        self.live, self.needed, self.aliases, self.tokens = live, needed, aliases, tokens

    def expr(self, expr):
        return ast.unparse(_alias_modules(copy_expr(expr, self.final), self.aliases))

    def statement(self, stmt, depth):
        return ["    " * depth + line for line in statement_source(stmt).split("\n")]

    def block(self, records, depth):
        lines = []
        for record in records:
            if isinstance(record, Tangent):
                if record.var in self.needed:
                    value = _alias_modules(copy_expr(record.expr, self.final), self.aliases)
                    lines += self.statement(ast.Assign(targets=[_name(self.dot_names[record.var])], value=value,
                                                       lineno=0), depth)
            elif isinstance(record, TangentIf):
                lines += self.branches(record, depth)
            elif record.target in self.live:
                lines += self.statement(assign_node(_with_aliases(record, self.aliases), self.names), depth)
        return lines

    def branches(self, record, depth):
        stmt = record.stmt
        merges = [m for m in stmt.merges if m.target in self.live]
        tangents = [(m, t, e) for m, t, e in record.merges if m.target in self.needed]
        then = self.block(record.body, depth + 1) + self.merged(merges, tangents, 0, depth + 1)
        other = self.block(record.orelse, depth + 1) + self.merged(merges, tangents, 1, depth + 1)
        if not then and not other:
            return []
        pad = "    " * depth
        lines = [f"{pad}if {ast.unparse(operand_node(stmt.cond, self.names))}:"] + (then or [pad + "    pass"])
        return lines + ([pad + "else:"] + other if other else [])

    def merged(self, merges, tangents, side, depth):
        """``z = z_1`` and ``dot_z = dot_z_1`` at the end of one branch."""
        pad = "    " * depth
        lines = []
        for merge in merges:
            operand = (merge.then, merge.orelse)[side]
            if not isinstance(operand, Undefined):
                lines.append(f"{pad}{self.names[merge.target]} = {ast.unparse(operand_node(operand, self.names))}")
        for merge, then, other in tangents:
            operand = (merge.then, merge.orelse)[side]
            value = _merge_zero(operand, (then, other)[side], self.tokens)
            if value is not None:
                lines.append(f"{pad}{self.dot_names[merge.target]} = {self.expr(value)}")
        return lines
