"""The gradient rules: one line per primitive.

Each rule maps an operation (see ``ir``) to one adjoint template per positional
argument: a Python expression for that argument's contribution to its adjoint, written
with placeholders ``g`` (the upstream gradient), ``y`` (the primitive's output), ``x``
(its only input) or ``x0``, ``x1`` (its inputs).  ``None`` in a position means no
gradient flows to that argument; ``ZERO`` marks a piecewise-constant primitive whose
gradient is zero wherever it exists (its output never needs an adjoint).  The elementary
functions of ``math`` and ``numpy`` are derived by sympy (``derive``) and pinned in
``_derived``.  An operation with no rule has no entry: using it on a value that needs a
gradient is an error, never a silent zero.

Where a derivative is singular only because a formula divides by zero, a runtime helper
gives the convention of ``abs`` and ``np.linalg.norm`` (0 at the kink) instead:
``hypot``'s ``x / y`` is ``rt.div_or_zero`` (0 at the origin), and the base's gradient
of a power with an exponent that is not a constant is ``rt.scaled_pow(g * e, x, e - 1)``
(0 where ``e`` is 0: ``x ** 0`` is 1 for every ``x``, also at ``0 ** 0``).  A constant
exponent keeps the plain template, which the simplifier folds (``2 * x``).
"""
import ast
from functools import lru_cache

from ..ir import RANGES, Assign, Const, Loop, Var, has_flow, walk
from ._derived import DERIVED
from .elementwise import ELEMENTWISE_RULES
from .sequence_functions import DIST
from .sequence_functions import GRADIENTS as STATISTICS_GRADIENTS
from .custom import custom_rule, is_custom_op
from .trees import TREE_RULES
from .trees import VARIADIC as TREE_VARIADIC

ZERO = "zero"

_POW = ("g * x1 * x0 ** (x1 - 1)", "g * rt.xlogy(y, x0)")
_POW_VARYING = ("rt.scaled_pow(g * x1, x0, x1 - 1)", "g * rt.xlogy(y, x0)")
_HYPOT = ("rt.div_or_zero(g * x0, y)", "rt.div_or_zero(g * x1, y)")

HANDWRITTEN = {
    # ---- arithmetic: add distributes, mul swaps, a fork adds (see reverse)
    "+": ("g", "g"),
    "-": ("g", "-g"),
    "*": ("g * x1", "g * x0"),
    "/": ("g / x1", "-g * y / x1"),
    "**": _POW,
    "pow": _POW,
    "math.pow": _POW,
    "%": ("g", "-g * (x0 // x1)"),
    "neg": ("-g",),
    "pos": ("g",),
    "float": ("g",),
    "copy": ("g",),
    # ---- max routes: the gradient goes to the winner; on a tie, to the first argument
    "max": ("g * (x0 >= x1)", "g * (x0 < x1)"),
    "min": ("g * (x0 <= x1)", "g * (x0 > x1)"),
    # ---- kinks and signs (subgradient 0 at the kink of abs)
    "abs": ("g * rt.sign(x)",),
    "math.fabs": ("g * rt.sign(x)",),
    "math.copysign": ("g * rt.sign(x0) * math.copysign(1.0, x1)", None),  # b = +0.0 counts as positive
    "math.cbrt": ("g / (3 * y ** 2)",),
    "math.degrees": ("g * (180.0 / math.pi)",),
    "math.radians": ("g * (math.pi / 180.0)",),
    "math.log/2": DERIVED["math.log/2"],
    "math.hypot": _HYPOT,
    "np.hypot": _HYPOT,
    # ---- runtime helpers, so generated code can be differentiated again
    "rt.log": ("g / x",),
    "rt.xlogy": ("rt.xlogy(g, x1)", "rt.scaled_pow(g * x0, x1, -1)"),  # 0 where a or g is 0, as xlogy itself
    "rt.vdot": ("g * x1", "g * x0"),
    "rt.unpacked": ("g", None),
    "rt.unpacked_at_least": ("g", None),
    "rt.appended": ("rt.but_last(g)", "g[-1]"),  # a list with one more item (lower.sequences): g holds one gradient per item
    "rt.but_last": ("rt.index_grad(g, x, np.s_[:-1])",),  # g[:-1], a list's gradient stacked into an array once
    "math.fsum": ("rt.sum_grad(g, x)",),  # every item's gradient is g
    **{op: (gradient,) for op, gradient in STATISTICS_GRADIENTS.items()},  # of one list (rules.sequence_functions)
    "math.dist": DIST,  # of two sequences known at run time (lower.sorting.call_dist); else math.hypot written out
    "rt.digamma": ("g * rt.polygamma(1, x)",),
    "rt.polygamma": (None, "g * rt.polygamma(x0 + 1, x1)"),
    "rt.div_or_zero": ("rt.div_or_zero(g, x1)", "-rt.div_or_zero(g * y, x1)"),
    "rt.scaled_pow": ("rt.scaled_pow(g, x1, x2)", "rt.scaled_pow(g * x0 * x2, x1, x2 - 1)", "g * rt.xlogy(y, x1)"),
    # ---- piecewise constant: zero gradient
    "//": ZERO, "not": ZERO, "&": ZERO, "|": ZERO, "^": ZERO, "invert": ZERO, "<": ZERO, "<=": ZERO, ">": ZERO, ">=": ZERO, "==": ZERO, "!=": ZERO,
    "int": ZERO, "bool": ZERO, "round": ZERO, "len": ZERO, "in": ZERO, "not in": ZERO,
    "math.floor": ZERO, "math.ceil": ZERO, "math.trunc": ZERO,
    "math.isfinite": ZERO, "math.isinf": ZERO, "math.isnan": ZERO, "math.isclose": ZERO,
    "rt.sign": ZERO, "rt.zeros_like": ZERO, "rt.zero_gradient": ZERO, "rt.whole_zeros": ZERO, "rt.tree_zeros": ZERO, "rt.Context": ZERO,
    "rt.check_scalar": ZERO, "rt.check_direction": ZERO, "rt.check_class": ZERO,  # checks: their value is never read
    "rt.check_number_update": ZERO, "rt.check_sequence": ZERO, "rt.check_mapping": ZERO,
    "rt.argmax_item": ZERO, "rt.argmin_item": ZERO, "rt.sorted_order": ZERO, "rt.keys_of": ZERO, "rt.result_part": ZERO,
    # a part of a tuple of gradients (``ir.GRADIENT_PART``): its adjoint goes into the tuple's by position
    "gradient[]": ("rt.result_grad(g, x1)", None),
    "effect": ZERO, "isinstance": ZERO,  # a print, an assert (ir.EFFECT): kept for what it does, never read
}


def _hypot_of(nargs):
    """``math.hypot`` of any number of arguments (Python 3.8 on): argument ``i`` gets ``g * x_i / y``,
    0 at the origin, as with two."""
    return tuple(f"rt.div_or_zero(g * {name}, y)" for name in placeholders(nargs))


# rules built for the number of arguments a call has
VARIADIC = {**TREE_VARIADIC, "math.hypot": _hypot_of}

RULES = {**DERIVED, **HANDWRITTEN, **ELEMENTWISE_RULES, **TREE_RULES}  # containers of parameters: see ``trees``

# Operations that take numbers and give a number whatever their operands are: a function
# built only of these computes with numbers alone (``pipeline.specialize`` needs no
# dispatch for it).  ``len``, ``max``/``min`` of one sequence, ``math.fsum`` and the
# helpers of sequences and containers are left out on purpose.
NUMBER_OPS = frozenset(op for op in {**DERIVED, **HANDWRITTEN, **ELEMENTWISE_RULES} if op.startswith("math.") and op not in ("math.fsum", "math.dist")) | {
    "+", "-", "*", "/", "**", "pow", "%", "//", "neg", "pos", "float", "int", "bool", "round", "copy", "abs",
    "not", "&", "|", "^", "invert", "<", "<=", ">", ">=", "==", "!=",
    "rt.sign", "rt.log", "rt.xlogy", "rt.div_or_zero", "rt.scaled_pow", "rt.check_scalar",
}
NUMBER_OPS_OF_TWO_OR_MORE = frozenset({"max", "min"})  # of one argument, they read a sequence


def computes_with_numbers_alone(function):
    """Whether ``function`` is scalar code whose every operation takes numbers and gives a
    number (``NUMBER_OPS``, which holds no array syntax) and whose loops count (``range``),
    never walk a sequence: the kinds of its arguments cannot change its gradient's text."""
    for stmt in walk(function.body):
        if isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind not in RANGES:
            return False
        if isinstance(stmt, Assign) and not (stmt.op in NUMBER_OPS or stmt.op in NUMBER_OPS_OF_TWO_OR_MORE
                                             and len(stmt.args) >= 2):
            return False
    return True


def gives_a_float(function):
    """Whether straight-line ``function`` returns a Python float whatever its arguments are:
    its result is made by a function of ``FLOAT_RESULTS``, or by ``FLOAT_ARITHMETIC`` on
    floats so made and number literals (a parameter may be an array: it proves nothing)."""
    if has_flow(function.body) or not isinstance(function.result, Var):
        return False
    made = {stmt.target: stmt for stmt in function.body if isinstance(stmt, Assign)}
    floats, decided, entered = set(), set(), set()
    todo = [function.result]  # only what the result is made from is asked: a walk back from it
    while todo:
        var = todo[-1]
        if var in decided:
            todo.pop()
            continue
        stmt = made.get(var)
        entered.add(var)
        if stmt is not None and stmt.op not in FLOAT_RESULTS and stmt.op in FLOAT_ARITHMETIC:
            waiting = [a for a in stmt.args if isinstance(a, Var) and a not in entered]
            if waiting:  # its operands first
                todo += waiting
                continue
        todo.pop()
        decided.add(var)
        if stmt is not None and (stmt.op in FLOAT_RESULTS or stmt.op in FLOAT_ARITHMETIC
                                 and _float_arithmetic(stmt, floats)):
            floats.add(var)
    return function.result in floats


def _float_arithmetic(stmt, floats):
    """Whether the operands of ``stmt`` are floats (``floats``) or number literals, one a float
    (each one for ``max`` and ``min``, which return one of them); a power's exponent an int
    literal (a float one may make a complex number)."""
    if stmt.op in _POWERS and not (isinstance(stmt.args[1], Const) and type(stmt.args[1].value) is int):
        return False
    if stmt.kwargs or not all(a in floats if isinstance(a, Var) else isinstance(a, Const)
                              and type(a.value) in (int, float, bool) for a in stmt.args):
        return False
    if stmt.op in ("max", "min"):  # the result is one of the operands
        return all(isinstance(a, Var) or type(a.value) is float for a in stmt.args)
    return any(isinstance(a, Var) or type(a.value) is float for a in stmt.args)


# functions whose result is a Python float whatever they are given (or that raise)
FLOAT_RESULTS = frozenset({"float"} | {f"math.{name}" for name in (
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "copysign", "cos", "cosh", "degrees", "erf",
    "erfc", "exp", "exp2", "expm1", "fabs", "fmod", "gamma", "hypot", "lgamma", "log", "log10", "log1p", "log2",
    "pow", "radians", "sin", "sinh", "sqrt", "tan", "tanh")})
# operations whose result is a float when their operands are floats and number literals
FLOAT_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "//", "neg", "pos", "abs", "**", "pow", "max", "min"})
_POWERS = frozenset({"**", "pow", "math.pow"})


# the ops with a rule of their own for some number of arguments (``math.log/2``)
_BY_ARITY = frozenset(key.rpartition("/")[0] for key in RULES if key.rpartition("/")[2].isdigit())


def rule_for(op, nargs):
    """The rule of ``op`` applied to ``nargs`` positional arguments, or None if there is none.

    A rule with a different arity than the call is looked up as ``op/nargs`` first
    (``math.log/2`` is the two-argument logarithm).  A ``srcdiff.Function``'s forward
    call has a ``custom.CustomRule``: its gradients come from its own backward.
    """
    if is_custom_op(op):
        return custom_rule(nargs)
    if op in VARIADIC:
        return VARIADIC[op](nargs)
    rule = RULES.get(f"{op}/{nargs}") if op in _BY_ARITY else None
    if rule is None:
        rule = RULES.get(op)
    if rule is ZERO or rule is None:
        return rule
    return rule if len(rule) == nargs else None


def rule_of_call(op, args):
    """``rule_for(op, len(args))``, except for a power whose exponent ``args[1]`` is not a
    constant: its rule stays finite at ``0 ** 0`` (see the module docstring)."""
    if op in _POWERS and len(args) == 2 and not isinstance(args[1], Const):
        return _POW_VARYING
    return rule_for(op, len(args))


@lru_cache(maxsize=64)
def placeholders(nargs):
    """The placeholder names of the inputs of an ``nargs``-ary rule."""
    return ("x",) if nargs == 1 else tuple(f"x{i}" for i in range(nargs))


def scalar_rule(stmt):
    """The rule of a statement from the scalar table (what ``rules_of`` gives scalar code)."""
    return rule_of_call(stmt.op, stmt.args)


@lru_cache(maxsize=None)
def template_ast(template):
    """The parsed expression of a template (parsed once, then copied by the caller)."""
    return ast.parse(template, mode="eval").body
