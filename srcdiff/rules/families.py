"""The NumPy and SciPy families of rules, gathered for ``arrays`` and for forward mode.

| module | family |
| --- | --- |
| ``shapes`` | roll, repeat, tile, pad, flips, axes moves, append, diff, column_stack, atleast_*, casts, nan_to_num |
| ``orders`` | sort, cumprod, median, percentile, quantile, ptp |
| ``parts`` | split and array_split, read part by part |
| ``special`` | scipy.special's reductions: logsumexp, softmax, log_softmax |
| ``random`` | random draws: no gradient |
| ``numerics`` | the helpers of NumPy calls lowering writes out (``.item()``, ``ufunc.outer``, ``lstsq``) |

``Families(function).rule(stmt)`` is what ``arrays.ArrayRules`` asks first: ``(kind, rule)``
with kind ``"rule"`` (the templates, ``ZERO``, or None: no rule), ``"elementwise"`` (templates
``arrays`` sums down to each operand's shape), or None when no family has the call.
``tangent_rule(stmt, names)`` is forward mode's: templates in which ``g`` stands for the
tangent of that argument; ``LINEAR`` the helpers forward mode applies to the tangent
itself.  Where a family refuses a call it says why: ``refusal(stmt)`` gives the message
and hint of the error srcdiff raises when that call needs a gradient or a tangent.
"""
import weakref

from . import numerics, orders, parts, random, shapes, special
from .params import Refusal
from .scalar import placeholders

BUILDERS = {**shapes.BUILDERS, **orders.BUILDERS, **special.BUILDERS, **random.BUILDERS, **parts.BUILDERS,
            **numerics.BUILDERS}
TANGENTS = {**shapes.TANGENTS, **orders.TANGENTS, **special.TANGENTS, **random.TANGENTS, **numerics.TANGENTS}
LINEAR = {**shapes.LINEAR, **orders.LINEAR, **parts.LINEAR, **numerics.LINEAR}
_REASONS = weakref.WeakKeyDictionary()  # statement -> (message, hint) of the last refusal


def _built(build, stmt, *extra):
    """``build(stmt, names, *extra)``, or None (the refusal kept for ``refusal``)."""
    try:
        return build(stmt, placeholders(len(stmt.args)), *extra)
    except Refusal as refused:
        _REASONS[stmt] = refused.args
        return None


class Families:
    """The family rules of one function's statements (the parts of its splits known)."""

    def __init__(self, function):
        self.parts = parts.split_parts(function)

    def rule(self, stmt):
        op = stmt.op
        if op == "[]" and stmt.args and stmt.args[0] in self.parts:
            return "rule", _built(parts.item_rule, stmt, self.parts)
        if op in parts.SPLITS:
            return "rule", _built(parts.split_rule, stmt, self.parts)
        if op in BUILDERS:
            return "rule", _built(BUILDERS[op], stmt)
        if op in shapes.ELEMENTWISE:
            return "elementwise", _built(shapes.ELEMENTWISE[op], stmt)
        if op.startswith("scipy.special.") and stmt.kwargs:
            return "rule", _built(lambda s, names: special.elementwise_keywords(s), stmt)
        return None, None


def tangent_rule(stmt):
    """The tangent templates of a family's call, ``ZERO``, None (refused), or ``NotImplemented``
    when no family has the call."""
    if stmt.op in TANGENTS:
        return _built(TANGENTS[stmt.op], stmt)
    if stmt.op.startswith("scipy.special.") and stmt.kwargs:
        return _built(lambda s, names: special.elementwise_keywords(s), stmt)
    return NotImplemented


def refusal(stmt):
    """``(message, hint)`` of why a family has no rule for ``stmt``, or None."""
    return _REASONS.get(stmt)
