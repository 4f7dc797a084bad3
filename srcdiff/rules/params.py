"""What the rule builders of the NumPy and SciPy families read from a call: its arguments.

A builder takes an ``ir.Assign`` and the placeholder names of its positional arguments
(``x0``, ``x1``... or ``x``) and returns templates (see ``rules.scalar``).  Arguments that
only shape the gradient (an axis, a shift, a pad width) are written into the template:
a constant as its value, a positional operand computed at run time as its placeholder
(the gradient code reads the same value).  A keyword operand computed at run time has no
placeholder, and a call the family cannot differentiate (an unknown keyword, a pad mode
that is no copy) raises ``Refusal``: the family then has no rule for the call, and the
error srcdiff raises when the call needs a gradient says why (``families.refusal``).
"""
from ..ir import Const


class Refusal(Exception):
    """A call a family has no rule for: ``args`` are the message and a hint for the user."""


_ABSENT = object()


def operand(stmt, position, name):
    """The operand of an argument given by ``position`` or by keyword ``name``, or None."""
    kwargs = dict(stmt.kwargs)
    if name in kwargs:
        return kwargs[name]
    if position is not None and position < len(stmt.args):
        return stmt.args[position]
    return None


def constant(stmt, position, name, default=None):
    """The constant value of an argument (``default`` when absent); Refusal when it is computed."""
    given = operand(stmt, position, name)
    if given is None:
        return default
    if not isinstance(given, Const):
        raise Refusal(f"the {name} of '{stmt.op}' must be a constant: srcdiff writes it into the gradient code",
                      f"write {name}= as a number or a tuple of numbers")
    return given.value


def text(stmt, names, position, name, default=_ABSENT):
    """The template text of an argument: its value if constant, its placeholder if given by
    position; Refusal for a keyword computed at run time or a missing one without default."""
    by_keyword = name in dict(stmt.kwargs)
    given = operand(stmt, position, name)
    if given is None:
        if default is _ABSENT:
            raise Refusal(f"'{stmt.op}' needs its {name} argument", f"pass {name}")
        return default
    if isinstance(given, Const):
        return repr(given.value)
    if not by_keyword:
        return names[position]
    raise Refusal(f"the {name} of '{stmt.op}' is computed at run time and given by keyword",
                  f"pass {name} by position, or as a constant")


def keywords(stmt, allowed):
    """Refusal unless every keyword of the call is in ``allowed``."""
    unknown = sorted({k for k, _ in stmt.kwargs} - set(allowed))
    if unknown:
        raise Refusal(f"'{stmt.op}' with the keyword argument {unknown[0]}= has no gradient rule",
                      "leave it out, or compute the result with other NumPy functions")


def at_most(stmt, count):
    """Refusal when the call has more than ``count`` positional arguments."""
    if len(stmt.args) > count:
        raise Refusal(f"'{stmt.op}' with {len(stmt.args)} positional arguments has no gradient rule",
                      "pass the optional arguments by keyword")


def first(template, names):
    """The templates of a call whose gradient flows to its first argument only."""
    return (template,) + (None,) * (len(names) - 1)


def along(axis, index):
    """The index text picking ``index`` along a constant ``axis`` (``:, 2`` for axis 1,
    ``..., 2`` for axis -1)."""
    return ":, " * axis + index if axis >= 0 else "..., " + index + ", :" * (-axis - 1)
