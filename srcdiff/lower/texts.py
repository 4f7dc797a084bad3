"""String literals as settings: ``mode == "mean"``, ``loss(x, reduction="sum")``.

A string never has a gradient, but ordinary code passes settings as strings and tests them.
Lowering takes a string literal in two places only: a side of ``==`` or ``!=``
(``operators.compared``), and an argument or a default of an inlined helper
(``binding``), which becomes that parameter's ``Const``.  ``check_texts`` then refuses, at
its line, any operation taking such a ``Const`` by position other than ``==``, ``!=`` and a
NumPy setting (``linalg.SETTINGS``: einsum's subscripts, ``ord``...): Python would join,
repeat or fail on it where srcdiff has a number.  By keyword (``mode=how``) it is a setting.
"""
import ast

from ..ir import EFFECT, Assign, Const, walk
from .linalg import SETTINGS

_TAKING_TEXT = frozenset({"==", "!=", EFFECT})  # an effect (print, raise) holds its own text too


def is_setting_text(node):
    """Whether ``node`` is a string literal: a setting (``"mean"``, ``"sum"``) where one may stand."""
    return isinstance(node, ast.Constant) and type(node.value) is str


def check_texts(function, taken, error_at):
    """Where lowering ``taken`` a string literal, refuse a string ``Const`` taken by position by
    an operation other than a test of (in)equality, an effect or a NumPy setting (see the
    module doc)."""
    if not taken:
        return
    for stmt in walk(function.body):
        if isinstance(stmt, Assign) and stmt.op not in _TAKING_TEXT:
            for place, arg in enumerate(stmt.args):
                if type(arg) is Const and type(arg.value) is str and place not in SETTINGS.get(stmt.op, ()):
                    raise error_at(stmt.loc, f"the constant {arg.value!r} is not a number: '{stmt.op}' takes it here "
                                   "where srcdiff differentiates numbers and arrays",
                                   "test a setting with == or != alone, or pass it to NumPy by keyword")
