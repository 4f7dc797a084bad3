"""One statement as source text: the only module that touches astor.

astor prints long lines wrapped, as a person would; it is old, so ``ast.unparse`` stands
by where it fails.  ``quick_source`` prints the common short statements (plain
arithmetic) with astor's own precedence table, several times faster and with the same
text (a test compares the two on random expressions).
"""
import ast
import math


try:  # astor prints long lines wrapped; it is old, so ast.unparse stands by
    import astor
    from astor.op_util import Precedence, get_op_precedence, get_op_symbol
except ImportError:  # pragma: no cover - astor is a declared dependency
    astor = None

# astor wraps a statement whose text is longer than this (astor.source_repr.split_lines)
ASTOR_MAX_LINE = 79


def statement_source(stmt):
    """One statement as source text, as astor prints it (long lines wrapped).

    Short statements of plain arithmetic, by far the most common, are printed by
    ``quick_source`` with astor's own precedence table instead of by astor itself,
    several times faster and with the same text; everything else goes to astor, and
    to ``ast.unparse`` where astor fails.
    """
    if astor is not None:
        text = quick_source(stmt)
        if text is not None and len(text) <= ASTOR_MAX_LINE:
            return text
        try:
            return astor.to_source(stmt, pretty_string=_one_line_string).rstrip("\n")
        except Exception:  # astor 0.8 does not know every node of newer Pythons
            pass
    return ast.unparse(stmt)


def _one_line_string(value, embedded, current_line, uni_lit=False):
    """A string literal as ``repr`` writes it, on one line.

    astor's default turns a long string with newlines into a triple-quoted literal whose
    continuation lines are text; the printers indent every line of a statement, which
    would change the string's value.
    """
    return repr(value)


class _NotQuick(Exception):
    """The statement uses something ``quick_source`` leaves to astor."""


def quick_source(stmt):
    """astor's text of ``name = expr`` or ``name op= expr``, or None for other statements.

    ``expr`` may use names, dotted names, non-negative finite int and float literals,
    binary operators, unary ``-`` and ``+``, single comparisons, and calls with
    positional and keyword arguments; parentheses follow astor's precedence rules
    exactly (a test compares the two on random expressions).  Lines are not wrapped.
    """
    try:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            return f"{stmt.targets[0].id} = {_quick(stmt.value, Precedence.Assign)}"
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            return f"{stmt.target.id}{get_op_symbol(stmt.op, ' %s= ')}{_quick(stmt.value, Precedence.AugAssign)}"
    except _NotQuick:
        pass
    return None


def _quick(node, outer):
    """The text of expression ``node`` where the context binds with precedence ``outer``."""
    kind = type(node)
    if kind is ast.Name:
        return node.id
    if kind is ast.Constant:
        value = node.value
        if type(value) in (int, float) and value >= 0 and math.isfinite(value):
            return repr(value)
        raise _NotQuick
    if kind is ast.Attribute and type(node.value) in (ast.Name, ast.Attribute):
        return f"{_quick(node.value, outer)}.{node.attr}"
    if kind is ast.Call and type(node.func) in (ast.Name, ast.Attribute):
        return _quick_call(node)
    if kind is ast.BinOp:
        inner = get_op_precedence(node.op)
        if isinstance(node.op, ast.Pow):
            left, right = _quick(node.left, Precedence.Pow + 1), _quick(node.right, Precedence.PowRHS)
        else:
            left, right = _quick(node.left, inner), _quick(node.right, inner + 1)
        text = left + get_op_symbol(node.op, " %s ") + right
    elif kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        inner = get_op_precedence(node.op)
        text = get_op_symbol(node.op) + _quick(node.operand, inner)
    elif kind is ast.Compare and len(node.ops) == 1:
        inner = get_op_precedence(node.ops[0])
        text = _quick(node.left, inner + 1) + get_op_symbol(node.ops[0], " %s ") + _quick(node.comparators[0], inner + 1)
    else:
        raise _NotQuick
    return text if inner >= outer else f"({text})"


def _quick_call(node):
    if any(k.arg is None for k in node.keywords) or any(type(a) is ast.Starred for a in node.args):
        raise _NotQuick
    each = Precedence.Comma if len(node.args) + len(node.keywords) > 1 else Precedence.call_one_arg
    parts = [_quick(a, each) for a in node.args]
    parts += [f"{k.arg}={_quick(k.value, Precedence.Comma)}" for k in node.keywords]
    return f"{_quick(node.func, Precedence.highest)}({', '.join(parts)})"
