"""Forward statements and fused operations printed from patterns, without building their trees.

A forward statement's text depends on its operation, on which operands are numbers and on
the operands' texts alone: ``assignment_source`` prints ``op`` once per such shape with
stand-ins for its operands (``_pattern``, by ``text.quick_source``: the same text as the
statement's tree) and fills the pattern with each statement's operands.  ``operation_text``
does the same for an operation whose operands may be expressions printed already
(``fusion``), with their precedences.  A shape ``quick_source`` declines, or whose text
does not print each operand once in order, is printed from its tree.
"""
import ast
import math

from ..ir import EFFECT, Assign, Const, Global, Var, assign_node, operation_node
from .text import ASTOR_MAX_LINE, QUICK, Printed, outer_precedence, quick_expression, quick_source, statement_source


def assignment_source(stmt, names):
    """``statement_source(assign_node(stmt, names))`` of a forward statement, printed from its
    operation's pattern (``_pattern``) when every operand is a name or a number ``text._quick``
    prints as it is (non-negative and finite): no tree to build for the usual statement."""
    if not QUICK:
        return statement_source(assign_node(stmt, names))
    texts, kinds, kwargs = [], [], stmt.kwargs
    for operand in stmt.args + tuple(value for _, value in kwargs) if kwargs else stmt.args:
        kind = type(operand)
        if kind is Var:
            texts.append(names[operand])
        elif kind is Global:
            texts.append(operand.name)
        elif kind is Const and type(operand.value) in (int, float) and operand.value >= 0 \
                and math.isfinite(operand.value):
            texts.append(repr(operand.value))
        else:
            break
        kinds.append(kind is Const)
    else:
        key = (stmt.op, tuple(kinds), tuple(name for name, _ in kwargs) if kwargs else ())
        pattern = _PATTERNS.get(key, _UNSEEN)
        if pattern is _UNSEEN:
            pattern = _pattern(key)
        if pattern is not None:
            text = f"{names[stmt.target]} = {pattern % tuple(texts)}"
            if len(text) <= ASTOR_MAX_LINE:
                return text
    return statement_source(assign_node(stmt, names))


_PATTERNS = {}  # (op, which operands are numbers, keyword names) -> a ``%`` format string, or None
_UNSEEN = object()  # a key not in _PATTERNS or _OPERATIONS yet
_NAME_MARK = "\x01{}\x02"  # an operand printed as a name in a pattern: no identifier holds these
_NUMBER_MARK = 7 ** 40  # an operand printed as a number in a pattern: 7 ** 40 + its position


def _pattern(key):
    """The text of ``op(operands)`` with each operand printed as ``%s``: operands stand in as
    names (``_NAME_MARK``) or as numbers (``_NUMBER_MARK``), so ``text._quick`` takes the same
    decisions as for the real ones, whose texts are context-free (never in parentheses);
    None where ``quick_source`` declines the statement (or ``_format_string`` the text)."""
    if len(_PATTERNS) > 10000:  # keyed by users' op names too: keep it bounded
        _PATTERNS.clear()
    op, numbers, keywords = key
    operands = [Const(_NUMBER_MARK + i) if number else Var(_NAME_MARK.format(i)) for i, number in enumerate(numbers)]
    names = {v: v.hint for v in operands if type(v) is Var}
    target = Var("target")
    names[target] = target.hint
    count = len(numbers) - len(keywords)
    stmt = Assign(target, op, tuple(operands[:count]), tuple(zip(keywords, operands[count:])))
    text = None if op == EFFECT else quick_source(assign_node(stmt, names))
    if text is not None:
        text = _format_string(text[len("target = "):], numbers)
    _PATTERNS[key] = text
    return text


def _format_string(text, numbers):
    """``text`` printed with marks for its operands (``numbers[i]``: operand ``i`` stood in as
    ``_NUMBER_MARK + i``, else as ``_NAME_MARK``) as a ``%`` format string with ``%s`` for each;
    None where the text does not print each operand once, in order (``%`` fills its fields in
    order): such statements are printed from their trees."""
    marks = [repr(_NUMBER_MARK + i) if number else _NAME_MARK.format(i) for i, number in enumerate(numbers)]
    places = [text.find(mark) for mark in marks]
    if any(text.count(mark) != 1 for mark in marks) or places != sorted(places):
        return None
    text = text.replace("%", "%%")
    for mark in marks:
        text = text.replace(mark, "%s")
    return text



# ---------------------------------------------------------------- operations on operands printed already

def operation_text(op, args, names, printed):
    """``(text, precedence)`` of the operation ``op`` applied to the operands ``args`` (IR
    operands without keywords), as ``text._quick`` prints ``operation_node``'s tree of them with
    ``v ** 2`` of a name written ``v * v``: a Var in ``printed`` stands for the expression
    whose ``(text, precedence)`` it maps to (``fusion``), other Vars for their ``names``.
    ``precedence`` is that of the outermost operation (an atom's is ``Precedence.highest``).
    None where ``text._quick`` would decline, or an operand is one the patterns leave to the tree
    (a negative number, a power of 2, which ``squares`` may write as a product)."""
    if not QUICK:
        return None
    texts, kinds = [], []
    for operand in args:
        kind = type(operand)
        if kind is Var:
            if operand in printed:
                text, precedence = printed[operand]
                texts.append(text)
                kinds.append(precedence)
            else:
                texts.append(names[operand])
                kinds.append("name")
        elif kind is Global:
            texts.append(operand.name)
            kinds.append("name")
        elif kind is Const and type(operand.value) in (int, float) and operand.value >= 0 \
                and math.isfinite(operand.value) and not (op == "**" and operand.value == 2):
            texts.append(repr(operand.value))
            kinds.append("number")
        else:
            return None
    key = (op, tuple(kinds))
    pattern = _OPERATIONS.get(key, _UNSEEN)
    if pattern is _UNSEEN:
        pattern = _operation_pattern(key)
    if pattern is None:
        return None
    form, precedence = pattern
    return form % tuple(texts), precedence


# (op, each operand's kind: "name", "number" or a precedence) -> (``%`` format string, precedence), or None
_OPERATIONS = {}


def _operation_pattern(key):
    """``operation_text``'s format string for ``key`` with each operand printed as ``%s``,
    and its precedence; None where ``text._quick`` declines the tree (see ``_pattern``)."""
    if len(_OPERATIONS) > 10000:  # keyed by users' op names too: keep it bounded
        _OPERATIONS.clear()
    op, kinds = key
    marks = [_NAME_MARK.format(i) for i in range(len(kinds))]
    operands = [ast.Name(id=mark, ctx=ast.Load()) if kind == "name" else ast.Constant(_NUMBER_MARK + i)
                if kind == "number" else Printed(mark, kind) for i, (mark, kind) in enumerate(zip(marks, kinds))]
    pattern = None
    if op != "copy" and op != EFFECT:
        node = operation_node(op, operands)
        text = quick_expression(node)
        form = None if text is None else _format_string(text, [kind == "number" for kind in kinds])
        if form is not None:
            pattern = form, outer_precedence(node)
    _OPERATIONS[key] = pattern
    return pattern
