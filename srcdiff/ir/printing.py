"""The SSA as text: ``format_ssa`` (what ``--ssa`` prints) and the pieces of Python
syntax every printer of structured code shares (a loop's header and exit, an operand).

Blocks print indented, a merged value as ``m = phi(a, b)`` after its ``if``, a
loop-carried one as ``h = loop(init, next)`` before its loop.
"""
import ast

from .flow import RANGES, If, Loop, Undefined
from .nodes import assign_node, operand_node
from .values import Assign, Const, Var


def format_ssa(function, names):
    """The SSA form as readable Python-like text (what ``--ssa`` prints)."""
    params = ", ".join(names[p] for p in function.params)
    lines = [f"def {function.name}({params}):"]
    lines += format_block(function.body, names)
    lines.append("    return " + ast.unparse(operand_node(function.result, names)))
    return "\n".join(lines) + "\n"


def operand_text(operand, names):
    if isinstance(operand, Undefined):
        return "None"
    return ast.unparse(operand_node(operand, names))


def loop_end_lines(loop, names, inner):
    """The last lines of a printed loop body at indent ``inner``: its exit test (``break``
    always, or ``if stop: break``), and ``pass`` where the body would otherwise be empty."""
    if isinstance(loop.exit, Const) and loop.exit.value is True:
        return [inner + "break"]
    if isinstance(loop.exit, Var):
        return [inner + f"if {operand_text(loop.exit, names)}:", inner + "    break"]
    return []


def iter_header(loop, names):
    """``for i in range(n)`` / ``for k, x in enumerate(xs)`` without the colon."""
    it = loop.iter
    targets = ", ".join(names[t] for t in it.targets)
    args = ", ".join(operand_text(a, names) for a in it.args)
    return f"for {targets} in {iter_source(it.kind, args)}"


def iter_source(kind, args, backwards=False):
    """The iterable of a ``for`` header; ``backwards`` gives a range the other way round."""
    if kind in RANGES and backwards:
        kind = "range" if kind == "reversed_range" else "reversed_range"
    if kind == "iter":
        return args
    if kind == "reversed_range":
        return f"reversed(range({args}))"
    return f"{kind}({args})"


def format_block(body, names, depth=1):
    """The SSA of a block as indented lines; control flow as Python-like statements."""
    pad = "    " * depth
    lines = []
    for stmt in body:
        if isinstance(stmt, Assign):
            lines.append(pad + ast.unparse(assign_node(stmt, names)))
        elif isinstance(stmt, If):
            lines.append(f"{pad}if {operand_text(stmt.cond, names)}:")
            lines += format_block(stmt.body, names, depth + 1) or [pad + "    pass"]
            if stmt.orelse:
                lines.append(pad + "else:")
                lines += format_block(stmt.orelse, names, depth + 1)
            for m in stmt.merges:
                lines.append(f"{pad}{names[m.target]} = phi({operand_text(m.then, names)}, {operand_text(m.orelse, names)})")
        elif isinstance(stmt, Loop):
            for c in stmt.carries:
                lines.append(f"{pad}{names[c.target]} = loop({operand_text(c.init, names)}, {operand_text(c.next, names)})")
            if stmt.iter is not None:
                lines.append(pad + iter_header(stmt, names) + ":")
            else:
                lines.append(pad + "while True:")
                lines += format_block(stmt.test_body, names, depth + 1)
                if not (getattr(stmt.test, "value", None) is True):
                    lines.append(f"{pad}    if not {operand_text(stmt.test, names)}: break")
            lines += format_block(stmt.body, names, depth + 1) or [pad + "    pass"]
            if stmt.exit is not None and not _is_false(stmt.exit):
                lines.append(f"{pad}    if {operand_text(stmt.exit, names)}: break")
    return lines


def _is_false(operand):
    return getattr(operand, "value", None) is False and type(operand.value) is bool
