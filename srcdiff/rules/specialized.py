"""Rules the arguments' kinds settle: what specialized array code writes instead of a helper.

``specialized_rule(stmt, op, shapes, definitions)`` returns the templates of a statement
whose rule the known shapes simplify, or None for the usual rule:

| statement | known | templates |
| --- | --- | --- |
| ``a @ b``, ``np.matmul``, ``np.dot``, ``.dot()`` | both operands of rank 2 | ``g @ b.T``, ``a.T @ g`` |
| ``np.sum(x)``, ``x.sum()`` | ``x`` is ``a * b`` of two operands of its shape, or ``a ** c`` for a constant ``c`` other than 0 and 1, or a ufunc of ``SPREADING_UFUNCS`` of one array, or sums, differences and constant multiples of those | ``g``: the number stands for the array of g's, since ``x``'s own rule multiplies it by an operand of that shape (``spread_by_product``) |
| ``np.mean(x)``, ``x.mean()`` | the same | ``g / np.size(x)`` |
| ``x[..., r, ...]`` with ``r = np.arange(n)`` (one argument) among the index's parts | nothing more | ``rt.index_grad(g, x, np.s_[..., r, ...], distinct=k)``: ``k`` is ``r``'s position; ``r`` holds ``0 .. n-1`` once each, so where the read has ``r``'s shape (checked at run time: another part of more dimensions broadcasts ``r``) no position was read twice, and ``g`` is written without ``np.add.at`` (``distinct_part``) |
| ``np.maximum(c, x)``, ``np.minimum(c, x)`` for a number ``c`` | nothing more | ``g * (c < y)`` (``g * (c > y)``): the result ``y`` says where ``x`` won, so ``x`` need not be kept for the backward sweep (``by_result``) |

``reduced_from(shape, result)``: whether an operand of an element-wise statement is a
``keepdims`` reduction of the result's shape along a constant axis; its contribution is
then ``np.sum(t, axis, keepdims=True)`` instead of ``rt.unbroadcast(t, x)`` (``summed_along``),
with the operand taken out of the sum where the rule divides by it or negates
(``-np.sum(g * y, axis, keepdims=True) / x1`` for ``x0 / x1``: ``x1`` is constant along the axis).
"""
from ..analysis import SCALAR
from ..ir import Const, Var
from .scalar import placeholders
from .selections import index_text

KNOWN_RANK_PRODUCTS = {  # (op, rank of x0, rank of x1) -> templates
    ("@", 2, 2): ("g @ x1.T", "x0.T @ g"), ("np.matmul", 2, 2): ("g @ x1.T", "x0.T @ g"),
    ("np.dot", 2, 2): ("g @ x1.T", "x0.T @ g"), (".dot()", 2, 2): ("g @ x1.T", "x0.T @ g"),
}
FULL_SUMS = frozenset({"np.sum", ".sum()"})
FULL_MEANS = frozenset({"np.mean", ".mean()"})
# one-argument ufuncs whose rule is ``g * (an array of x's shape)``
SPREADING_UFUNCS = frozenset({"np.log", "np.exp", "np.tanh", "np.sqrt", "np.sin", "np.cos", "np.log1p", "np.expm1",
                              "np.log2", "np.log10", "np.square", "np.sinh", "np.cosh", "np.arctan"})
# max(c, x), min(c, x) of a number c: (op) -> the templates of c and x, reading x's win from the result
BY_RESULT = {"max": ("g * (x0 >= x1)", "g * (x0 < y)"), "min": ("g * (x0 <= x1)", "g * (x0 > y)")}


def specialized_rule(stmt, op, shapes, definitions):
    """The templates of ``stmt`` (``op``: its operation, aliases resolved) that known shapes
    settle, or None (see the module table)."""
    n = len(stmt.args)
    if stmt.kwargs:
        return None
    if op in FULL_SUMS and n == 1 and spread_by_product(stmt.args[0], definitions, shapes):
        return ("g",)
    if op in FULL_MEANS and n == 1 and spread_by_product(stmt.args[0], definitions, shapes):
        return ("g / np.size(x)",)
    if op == "[]":
        position = distinct_part(stmt, definitions)
        if position is None:
            return None
        index = index_text(stmt, placeholders(n), 1)
        return (f"rt.index_grad(g, x0, {index}, distinct={position})",) + (None,) * (n - 1)
    if n == 2:
        ranks = tuple(getattr(shapes.of(a), "rank", None) if isinstance(a, Var) else None for a in stmt.args)
        return KNOWN_RANK_PRODUCTS.get((op, *ranks))
    return None


def distinct_part(stmt, definitions):
    """The position among the index parts of the read ``stmt`` (``x[i0, i1...]``) of a Var made
    by ``np.arange(n)`` of one argument, whose entries ``0 .. n-1`` are each there once and
    none is negative (``np.arange(-2, 2)`` would read 0 twice through -2); None if no part is."""
    for position, part in enumerate(stmt.args[1:]):
        made = definitions.get(part) if isinstance(part, Var) else None
        if made is not None and made.op == "np.arange" and len(made.args) == 1 and not made.kwargs:
            return position
    return None


def spread_vars(definitions, shapes):
    """The Vars whose adjoint the rules above may leave a number standing for an array:
    the operands of full sums and means that ``spread_by_product`` allows, and the operands
    of their sums, differences, negations and constant multiples it passes the number on to."""
    found = set()
    pending = [stmt.args[0] for stmt in definitions.values()
               if stmt.op in FULL_SUMS | FULL_MEANS and len(stmt.args) == 1 and not stmt.kwargs
               and spread_by_product(stmt.args[0], definitions, shapes)]
    while pending:
        var = pending.pop()
        if var in found:
            continue
        found.add(var)
        stmt = definitions.get(var)
        if stmt is not None and _passes_number_on(stmt):
            pending.extend(a for a in stmt.args if isinstance(a, Var) and _spreads_with_shape(a, shapes.of(var),
                                                                                                 definitions, shapes))
    return frozenset(found)


def spread_by_product(x, definitions, shapes):
    """Whether the adjoint of ``x`` may stay one number ``g`` standing for an array of g's:
    ``x`` is ``a * b`` of two operands of its own shape or ``a ** c`` for a constant ``c``,
    whose rule multiplies ``g`` by an operand of that shape, giving the array anyway; or a
    sum, difference, negation or constant multiple of such values of its shape (``100.0 *
    (a - b) ** 2 + c ** 2``), whose rules pass the number on to them."""
    stmt = definitions.get(x)
    if stmt is not None and not stmt.kwargs and stmt.op in SPREADING_UFUNCS and len(stmt.args) == 1:
        return isinstance(stmt.args[0], Var) and shapes.of(stmt.args[0]) is shapes.of(x) is not SCALAR
    if stmt is None or stmt.kwargs or not stmt.args:
        return False
    own = shapes.of(x)
    if own is SCALAR:
        return False
    if stmt.op == "neg":
        return _spreads_with_shape(stmt.args[0], own, definitions, shapes)
    if len(stmt.args) != 2:
        return False
    if _passes_number_on(stmt):  # + or -, or a constant multiple (neg: above)
        return any(isinstance(a, Var) for a in stmt.args) and all(
            _spreads_with_shape(a, own, definitions, shapes) if isinstance(a, Var) else
            isinstance(a, Const) and type(a.value) in (int, float) for a in stmt.args)
    if not isinstance(stmt.args[0], Var):
        return False
    if stmt.op == "*":
        return all(isinstance(a, Var) and shapes.of(a) is own for a in stmt.args)
    exponent = stmt.args[1]  # not 0 or 1, whose rules need no operand
    return stmt.op == "**" and isinstance(exponent, Const) and exponent.value not in (0, 1) and shapes.of(stmt.args[0]) is own


def _passes_number_on(stmt):
    """Whether the rule of ``stmt`` hands an upstream number on to its operands as a number:
    ``+``, ``-``, negation, or a multiple by a constant."""
    return stmt.op in ("+", "-", "neg") or stmt.op == "*" and any(isinstance(a, Const) for a in stmt.args)


def _spreads_with_shape(operand, own, definitions, shapes):
    """Whether ``operand`` has the Shape ``own`` and its adjoint may stay a number too."""
    return shapes.of(operand) is own and spread_by_product(operand, definitions, shapes)


def by_result(stmt, op):
    """The templates of ``max(c, x)`` or ``min(c, x)`` of a constant number ``c`` that read
    the result instead of ``x`` (NaN and ties give what ``x0 < x1`` gives), or None."""
    if op in BY_RESULT and not stmt.kwargs and len(stmt.args) == 2 and isinstance(stmt.args[0], Const) \
            and isinstance(stmt.args[0].value, (int, float)) and isinstance(stmt.args[1], Var):
        return BY_RESULT[op]
    return None


# the contribution to a right operand x1 that is a keepdims reduction of the result along
# ``axis``, with x1 (constant along the axis) taken out of the sum: (op, rule template) -> text
FACTORED = {("/", "-g * y / x1"): "-np.sum(g * y, axis={axis!r}, keepdims=True) / x1",
            ("-", "-g"): "-np.sum(g, axis={axis!r}, keepdims=True)"}


def summed_along(op, name, template, axis):
    """``template`` (the contribution to the operand ``name`` of an element-wise ``op``)
    summed along ``axis`` with ``keepdims``, where that operand is a reduction of the result
    along it (``reduced_from``): factored (``FACTORED``) for the right operand."""
    factored = FACTORED.get((op, template)) if name == "x1" else None
    return factored.format(axis=axis) if factored else f"np.sum({template}, axis={axis!r}, keepdims=True)"


def reduced_from(shape, result):
    """Whether ``shape`` is a ``keepdims`` reduction of ``result`` along a constant axis."""
    return getattr(shape, "fits", None) is result and shape.axis is not None
