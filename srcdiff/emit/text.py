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
QUICK = astor is not None  # whether ``quick_source`` and the patterns (``patterns``) print anything

# the precedence of the one argument of a call (``_quick`` asks for it at every ``math.cos(x)``)
_ONE_ARGUMENT = None if astor is None else Precedence.call_one_arg

# operator node type -> (its precedence, its symbol), read once from astor's tables (``_quick`` asks for every operation)
_OPERATORS = {} if astor is None else {op: (get_op_precedence(op()), get_op_symbol(op()))
                                       for base in (ast.operator, ast.unaryop, ast.cmpop) for op in base.__subclasses__()}


def statement_source(stmt):
    """One statement as source text, as astor prints it (long lines wrapped): short statements of
    plain arithmetic, by far the most common, by ``quick_source`` (the same text, several times
    faster); everything else by astor, and by ``ast.unparse`` where astor fails."""
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
    """A string literal as ``repr`` writes it, on one line: astor's triple-quoted literal of a long
    string with newlines would have its continuation lines indented by the printers."""
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
    renamed = {}
    try:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            return f"{stmt.targets[0].id} = {_quick(stmt.value, Precedence.Assign, renamed)}"
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            return f"{stmt.target.id}{get_op_symbol(stmt.op, ' %s= ')}{_quick(stmt.value, Precedence.AugAssign, renamed)}"
    except _NotQuick:
        pass
    return None


def quick_assignment(target, op, expr, renamed):
    """``quick_source`` of ``target = expr`` (``op`` None) or ``target op= expr`` where the line
    is short enough to print unwrapped, else None; without building the statement, and with
    each identifier of ``expr`` that is a key of ``renamed`` printed as its value (a tree
    of tokens printed with final names, without copying it); ``v ** 2`` printed ``v * v``."""
    if astor is None:
        return None
    try:
        if op is None:
            text = f"{target} = {_quick(expr, Precedence.Assign, renamed, True)}"
        else:
            text = f"{target} {_OPERATORS[type(op)][1]}= {_quick(expr, Precedence.AugAssign, renamed, True)}"
    except _NotQuick:
        return None
    return text if len(text) <= ASTOR_MAX_LINE else None


def _quick(node, outer, renamed, squares=False):
    """The text of expression ``node`` where the context binds with precedence ``outer``,
    an identifier that is a key of ``renamed`` written as its value; with ``squares``, ``v ** 2``
    of a name written ``v * v``."""
    kind = type(node)  # the commonest nodes first: names, then operators
    if kind is ast.Name:
        return renamed.get(node.id, node.id)
    if kind is ast.BinOp and type(node.op) is not ast.Pow:  # the usual operation: its names printed here, not by a call
        inner, symbol = _OPERATORS[type(node.op)]
        left, right = node.left, node.right
        left = renamed.get(left.id, left.id) if type(left) is ast.Name else _quick(left, inner, renamed, squares)
        right = renamed.get(right.id, right.id) if type(right) is ast.Name else _quick(right, inner + 1, renamed, squares)
        return f"{left} {symbol} {right}" if inner >= outer else f"({left} {symbol} {right})"
    if kind is ast.Call:
        func, args = node.func, node.args
        if type(func) is ast.Attribute and type(func.value) is ast.Name and len(args) == 1 and not node.keywords:
            # ``math.cos(x)``, the commonest call: printed here, not by two calls more
            arg = args[0]
            arg = renamed.get(arg.id, arg.id) if type(arg) is ast.Name else _quick(arg, _ONE_ARGUMENT, renamed, squares)
            return f"{renamed.get(func.value.id, func.value.id)}.{func.attr}({arg})"
        if type(func) is ast.Name or type(func) is ast.Attribute:
            return _quick_call(node, renamed, squares)
        raise _NotQuick
    if kind is not ast.BinOp:
        if kind is ast.Attribute and type(node.value) in (ast.Name, ast.Attribute):
            return f"{_quick(node.value, outer, renamed, squares)}.{node.attr}"
        if kind is Printed:  # an operand printed already (``patterns.operation_text``)
            return node.text if node.precedence >= outer else f"({node.text})"
        if kind is ast.Constant:
            value = node.value
            if type(value) in (int, float) and value >= 0 and math.isfinite(value):
                return repr(value)
            raise _NotQuick
    if kind is ast.BinOp:
        inner, symbol = _OPERATORS[type(node.op)]
        if type(node.op) is ast.Pow:
            if squares and is_square_of_name(node):  # v * v, as backward.squares_multiplied writes it
                inner = _OPERATORS[ast.Mult][0]
                name = _quick(node.left, inner, renamed, squares)
                return f"{name} * {name}" if inner >= outer else f"({name} * {name})"
            left, right = _quick(node.left, Precedence.Pow + 1, renamed, squares), _quick(node.right, Precedence.PowRHS, renamed, squares)
        else:
            left, right = _quick(node.left, inner, renamed, squares), _quick(node.right, inner + 1, renamed, squares)
        text = f"{left} {symbol} {right}"
    elif kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        inner, symbol = _OPERATORS[type(node.op)]
        text = symbol + _quick(node.operand, inner, renamed, squares)
    elif kind is ast.Compare and len(node.ops) == 1:
        inner, symbol = _OPERATORS[type(node.ops[0])]
        left, right = _quick(node.left, inner + 1, renamed, squares), _quick(node.comparators[0], inner + 1, renamed, squares)
        text = f"{left} {symbol} {right}"
    else:
        raise _NotQuick
    return text if inner >= outer else f"({text})"


def is_square_of_name(node):
    """Whether ``node`` (an ``ast.BinOp``) is ``v ** 2`` of a name ``v`` and the int 2."""
    return type(node.op) is ast.Pow and type(node.left) is ast.Name and type(node.right) is ast.Constant \
        and type(node.right.value) is int and node.right.value == 2


def _quick_call(node, renamed, squares):
    if node.keywords and any(k.arg is None for k in node.keywords):  # ** (``_quick`` declines a * itself)
        raise _NotQuick
    each = Precedence.Comma if len(node.args) + len(node.keywords) > 1 else Precedence.call_one_arg
    parts = [renamed.get(a.id, a.id) if type(a) is ast.Name else _quick(a, each, renamed, squares) for a in node.args]
    if node.keywords:
        parts += [f"{k.arg}={_quick(k.value, Precedence.Comma, renamed, squares)}" for k in node.keywords]
    if type(func := node.func) is ast.Attribute and type(func.value) is ast.Name:  # math.cos: here, not by two calls
        return f"{renamed.get(func.value.id, func.value.id)}.{func.attr}({', '.join(parts)})"
    return f"{_quick(func, Precedence.highest, renamed, squares)}({', '.join(parts)})"


# ---------------------------------------------------------------- for the patterns (``patterns``)

class Printed:
    """An operand that is an expression printed already (``text``), whose outermost operation
    binds with ``precedence``: ``_quick`` puts it in parentheses where its context binds tighter."""

    def __init__(self, text, precedence):
        self.text, self.precedence = text, precedence


def quick_expression(node):
    """``_quick``'s text of expression ``node`` standing alone (a statement's value), ``v ** 2`` of
    a name written ``v * v``; None where it declines."""
    try:
        return _quick(node, Precedence.Assign, {}, True)
    except _NotQuick:
        return None


def outer_precedence(node):
    """The precedence ``_quick`` gives the outermost operation of ``node`` (atoms: the highest)."""
    kind = type(node)
    if kind is ast.BinOp or kind is ast.UnaryOp:
        return get_op_precedence(node.op)
    if kind is ast.Compare:
        return get_op_precedence(node.ops[0])
    return Precedence.highest
