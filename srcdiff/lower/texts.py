"""String literals as settings: ``mode == "mean"``, ``loss(x, reduction="sum")``; strings built
for messages (``msg = f"loss={v:.3f}"``).

A string never has a gradient, but ordinary code passes settings as strings and tests them.
Lowering takes a string literal (``setting``) in two places only: a side of ``==`` or ``!=``
(``operators.compared_sides``), and an argument or a default of an inlined helper
(``binding``), which becomes that parameter's ``Const``.  ``check_texts`` then refuses, at
its line, each place such a ``Const`` went where Python would join, repeat, compare or fail
on it where srcdiff has a number: an operation taking it by position other than ``==``,
``!=``, an effect and a NumPy setting (``linalg.SETTINGS``: einsum's subscripts, ``ord``...);
a keyword other than those settings and NumPy's string options (``mode=``, ``order=``...); a
value merged by a branch or carried by a loop; the function's result.

A string the function builds, an f-string, ``"...".format(...)``, ``str(x)`` or ``repr(x)``
(``text_expr``, ``text_call``), is kept as code (``effects.KeptText``): a print, a log call, a
warning, an assert or a raise reading it reads that code; bound and never read, it is dropped;
read anywhere else, it is refused there (``callables.NOT_OPERANDS``).
"""
import ast
import copy

from .. import frontend
from ..ir import EFFECT, EFFECT_ARG, Assign, Const, If, Loop, walk
from . import effects
from .linalg import SETTINGS

TEXT_COMPARISONS = frozenset({"==", "!=", "in", "not in"})  # a setting tested: mode == "mean", mode in ("a", "b")
_TAKING_TEXT = TEXT_COMPARISONS | {EFFECT}  # an effect (print, raise) holds its own text too
_TEXT_KEYWORDS = frozenset({"mode", "order", "kind", "method", "side", "norm", "UPLO", "casting"})


def is_setting_text(node):
    """Whether ``node`` is a string literal: a setting (``"mean"``, ``"sum"``) where one may stand."""
    return isinstance(node, ast.Constant) and type(node.value) is str


def text_expr(lw, node, hint=None):
    """An f-string as a value: kept as code (see the module doc)."""
    return _kept_text(lw, node)


def text_call(lw, node):
    """``"...".format(...)``, ``str(x)`` or ``repr(x)`` kept as code (see the module doc); None for
    any other call."""
    func = node.func
    if type(func) is ast.Attribute and func.attr == "format" and is_setting_text(func.value):
        return _kept_text(lw, node)
    if type(func) is ast.Name and func.id in ("str", "repr") and func.id not in lw.env and len(node.args) == 1 \
            and not node.keywords and frontend.free_binding(lw.source.scope, func.id) in (frontend.BUILTIN, str, repr):
        return _kept_text(lw, node)
    return None


def merged_text(then, orelse, cond):
    """The message a branch on ``cond`` sets on both sides: ``then if cond else orelse``, as code."""
    shift = len(then.operands)  # orelse's placeholders after then's, the condition's last
    test = ast.Name(id=f"{EFFECT_ARG}{shift + len(orelse.operands)}", ctx=ast.Load())
    otherwise = effects.renumbered(orelse.template, lambda k: f"{EFFECT_ARG}{k + shift}")
    chosen = ast.IfExp(test=test, body=copy.deepcopy(then.template), orelse=otherwise)
    return effects.KeptText(chosen, then.operands + orelse.operands + (cond,))


def _kept_text(lw, node):
    """The ``effects.KeptText`` of the expression ``node``, the locals it reads read now."""
    template, operands = effects.kept(lw, node)
    return effects.KeptText(template, tuple(operands))


def setting(lw, node):
    """The ``Const`` of the string literal ``node``, noted for ``check_texts``."""
    const = Const(node.value)
    lw.shared.texts.append(const)
    return const


def check_texts(function, taken, error_at):
    """Refuse each place a string ``Const`` lowering ``taken`` (``setting``) went where it
    is not a setting (see the module doc)."""
    if not taken:
        return
    noted = {id(const) for const in taken}
    is_text = lambda operand: id(operand) in noted  # noqa: E731  (the Consts made here: 0 == 0.0 is a number)
    if is_text(function.result):
        raise error_at(function.loc, f"the function returns the string {function.result.value!r}, not a number",
                       "return the number or array to differentiate")
    for stmt in walk(function.body):
        if isinstance(stmt, Assign):
            _check_operation(stmt, is_text, error_at)
        elif isinstance(stmt, (If, Loop)):
            sides = ([(m.then, m.orelse) for m in stmt.merges] if isinstance(stmt, If)
                     else [(c.init, c.next) for c in stmt.carries])
            text = next((side for pair in sides for side in pair if is_text(side)), None)
            if text is not None:
                raise error_at(stmt.loc, f"the string {text.value!r} is a value of a variable this "
                               f"{'branch' if isinstance(stmt, If) else 'loop'} sets, where srcdiff differentiates "
                               "numbers and arrays", "test a setting with == or != alone")


def _check_operation(stmt, is_text, error_at):
    settings = SETTINGS.get(stmt.op, ())
    for place, arg in enumerate(stmt.args):
        if is_text(arg) and stmt.op not in _TAKING_TEXT and place not in settings:
            raise error_at(stmt.loc, f"the constant {arg.value!r} is not a number: '{stmt.op}' takes it here "
                           "where srcdiff differentiates numbers and arrays",
                           "test a setting with == or != alone, or pass it to NumPy by keyword")
    for key, arg in stmt.kwargs:
        if is_text(arg) and key not in settings and key not in _TEXT_KEYWORDS:
            raise error_at(stmt.loc, f"the constant {arg.value!r} is not a number: '{stmt.op}' takes it as {key}= "
                           "here, which is not a setting srcdiff knows to take a string",
                           "test a setting with == or != alone")
