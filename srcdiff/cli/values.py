"""The values of ``--at NAME=VALUE ...``: Python literals checked against the function.

A value is a number (ints become floats: srcdiff differentiates real functions) or a
list of numbers (a float array).  A parameter that must hold whole numbers gets ints:
one the function indexes with (labels ``y`` in ``p[np.arange(n), y]``: an int array) and
one that bounds a ``range`` (a loop count).  A value that is not whole there is refused,
never truncated.  A parameter left out takes its default when the signature gives a
literal one; a name given twice is refused.  Errors point at the function, or at the
line that needs the whole number.
"""
import ast
import functools

import numpy as np

from ..errors import SrcdiffError
from ..ir import RANGES, Loop, assigns, walk


def arguments_from_text(function, assignments):
    """``{parameter name: value}`` from the ``NAME=VALUE`` texts of ``--at``."""
    fail = _failure(function.loc)
    names = [p.hint for p in function.params]
    whole = whole_number_parameters(function)
    values = _literal_defaults(function)
    given = set()
    for text in assignments:
        name, sep, value_text = text.partition("=")
        name = name.strip()
        if not sep:
            raise fail(f"--at {text}: expected NAME=VALUE")
        if name not in names:
            raise fail(f"--at {text}: {function.name} has no parameter {name!r} "
                       f"(its parameters: {', '.join(names) or 'none'})")
        if name in given:
            raise fail(f"--at {text}: {name} is given twice")
        given.add(name)
        values[name] = _parse_value(value_text.strip(), text, fail, whole.get(name))
    missing = [name for name in names if name not in values]
    if missing:
        raise fail(f"no value for {', '.join(missing)}: pass " + " ".join(f"{n}=VALUE" for n in missing) + " after --at")
    return values


def whole_number_parameters(function):
    """``{name: (Loc, why)}`` of the parameters that must hold whole numbers: used directly
    as an index (``x[y]``, ``x[i, y] = v``) or as a ``range`` bound (a loop count)."""
    params = set(function.params)
    whole = {}
    for stmt in walk(function.body):  # in any block of if/for/while
        if isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind in RANGES:
            for arg in stmt.iter.args:
                if arg in params:
                    whole.setdefault(arg.hint, (stmt.loc, f"a loop count (range({arg.hint}))"))
    for stmt in assigns(function.body):
        parts = stmt.args[1:] if stmt.op == "[]" else stmt.args[2:] if stmt.op == "rt.setitem" else ()
        for part in parts:
            if part in params:
                whole.setdefault(part.hint, (stmt.loc, "an index"))
    return whole


def _failure(loc):
    return functools.partial(SrcdiffError, filename=loc.filename, lineno=loc.lineno, col=loc.col,
                             line_text=loc.line_text)


def _literal_defaults(function):
    args = function.arguments
    positional = list(args.posonlyargs) + list(args.args)
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    defaults = {}
    for arg, node in pairs:
        try:
            defaults[arg.arg] = _as_number(ast.literal_eval(node))
        except (ValueError, TypeError, SyntaxError):
            pass  # not a literal: the user must pass it
    return defaults


def _parse_value(text, whole_text, fail, whole=None):
    """The value of ``text``; ``whole`` is (Loc, why) for a parameter that needs whole numbers."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        try:
            value = float(text)  # also nan, inf
        except ValueError:
            raise fail(f"--at {whole_text}: {text!r} is not a number or a list of numbers") from None
    try:
        number = _as_number(value)
    except (ValueError, TypeError):
        raise fail(f"--at {whole_text}: {text!r} is not a number or a list of numbers") from None
    if whole is None or isinstance(number, bool):
        return number
    if not np.all(np.isfinite(number)) or not np.all(np.mod(number, 1) == 0):
        loc, why = whole
        raise _failure(loc)(f"--at {whole_text}: {whole_text.partition('=')[0].strip()} is {why} here, "
                            f"so its value must be a whole number (or a list of them)")
    return np.asarray(number, dtype=np.intp) if isinstance(number, np.ndarray) else int(number)


def _as_number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, (list, tuple)):
        return np.asarray(value, dtype=float)
    if isinstance(value, float):
        return value
    raise ValueError(value)
