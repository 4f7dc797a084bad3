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

from ..analysis import live_vars
from ..ir import Const, Undefined, Var, assign_node, copy_expr, defined_at, dotted, walk
from ..ir.printing import iter_header, loop_end_lines, operand_text
from ..transforms import Tangent, TangentIf, TangentLoop, operand_expr, tangent_statements, token_node
from .naming import assign_names, module_aliases
from .prune import prune
from .text import _alias_modules, _with_aliases, signature_line, statement_source


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


def tangent_source(function, seeds, *, name, docstring=None):
    """The text of a function returning the tangent of ``function``'s result (see module doc)."""
    records, tangent_of, tokens = tangent_statements(function, seeds)
    result = function.result
    if isinstance(result, Var) and result in tangent_of:
        result_expr = tangent_of[result]
    else:  # the result does not depend on the seeded parameters
        result_expr = ast.Call(func=dotted("rt.zeros_like"), args=[operand_expr(result, tokens)], keywords=[])
    live, needed = liveness(function, records, result_expr, tokens)
    order = [r.var for r in _walk_records(records) if isinstance(r, Tangent) and r.var in needed]
    order += [target for r in _walk_records(records) for target, _, _ in _joins(r) if target in needed]
    pruned = dataclasses.replace(function, body=prune(function.body, live))
    names, dot_names = assign_names(pruned, order, prefix="dot_")
    final = {}
    for token, (kind, var) in tokens.by_token.items():
        table = dot_names if kind == "adjoint" else names
        if var in table:
            final[token] = token_node(table[var])
    printer = _Printer(names, dot_names, final, live, needed, module_aliases(function), tokens)
    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    lines += printer.block(records, 1)
    lines.append(f"    return {printer.expr(result_expr)}")
    return "\n".join(lines) + "\n"


def _placeholder_or(operand, names):
    """An operand's text; 0.0 for a value undefined on this path (a path that never reads it),
    so that the text stays inside what srcdiff differentiates (``hvp`` over loops reads it)."""
    return "0.0" if isinstance(operand, Undefined) else operand_text(operand, names)


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
                    lines += self.statement(ast.Assign(targets=[token_node(self.dot_names[record.var])], value=value,
                                                       lineno=0), depth)
            elif isinstance(record, TangentIf):
                lines += self.branches(record, depth)
            elif isinstance(record, TangentLoop):
                lines += self.loop(record, depth)
            elif record.target in self.live:
                lines += self.statement(assign_node(_with_aliases(record, self.aliases), self.names), depth)
        return lines

    def branches(self, record, depth):
        stmt = record.stmt
        merges = [(m.target, m.then, m.orelse) for m in stmt.merges if m.target in self.live]
        tangents = [j for j in _joins(record) if j[0] in self.needed]
        then = self.block(record.body, depth + 1) + self.joined(merges, tangents, 0, depth + 1)
        other = self.block(record.orelse, depth + 1) + self.joined(merges, tangents, 1, depth + 1)
        if not then and not other:
            return []
        pad = "    " * depth
        lines = [f"{pad}if {operand_text(stmt.cond, self.names)}:"] + (then or [pad + "    pass"])
        return lines + ([pad + "else:"] + other if other else [])

    def loop(self, record, depth):
        """The loop's carried values and tangents set before it and at the end of each
        iteration, as the gradient's forward section prints a loop (without its tape)."""
        stmt = record.stmt
        if not (_has_tangent(record, self.needed) or any(v in self.live for s in walk([stmt]) for v in defined_at(s))):
            return []
        carries = [(c.target, c.init, c.next) for c in stmt.carries if c.target in self.live]
        tangents = [j for j in _joins(record) if j[0] in self.needed]
        pad, inner = "    " * depth, "    " * (depth + 1)
        lines = self.joined(carries, tangents, 0, depth)
        if stmt.iter is not None:
            lines.append(pad + iter_header(stmt, self.names) + ":")
        else:
            lines.append(pad + "while True:")
            lines += self.block(record.test_body, depth + 1)
            lines += [inner + f"if not {operand_text(stmt.test, self.names)}:", inner + "    break"]
        lines += self.block(record.body, depth + 1) + self.joined(carries, tangents, 1, depth + 1)
        lines += loop_end_lines(stmt, self.names, inner)
        if lines[-1].endswith(":"):
            lines.append(inner + "pass")
        return lines

    def joined(self, values, tangents, side, depth):
        """``z = z_1`` and ``dot_z = dot_z_1`` where branches merge (side 0: then, 1: else) or
        a loop carries a value (side 0: before the loop, 1: at the end of an iteration)."""
        pad = "    " * depth
        lines = [f"{pad}{self.names[target]} = {_placeholder_or(sides[side], self.names)}"
                 for target, *sides in values]
        for target, *sides in tangents:
            operand, tangent = sides[side]
            value = _merge_zero(operand, tangent, self.tokens)
            if value is not None:
                lines.append(f"{pad}{self.dot_names[target]} = {self.expr(value)}")
        return lines
