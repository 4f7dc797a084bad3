"""Rules the arguments' kinds settle: what specialized array code writes instead of a helper.

``specialized_rule(stmt, op, shapes, definitions)`` returns the templates of a statement
whose rule the known shapes simplify, or None for the usual rule:

| statement | known | templates |
| --- | --- | --- |
| ``a @ b``, ``np.matmul``, ``np.dot``, ``.dot()`` | both operands of rank 2 | ``g @ b.T``, ``a.T @ g`` |
| ``np.sum(x)``, ``x.sum()`` | ``x`` is ``a * b`` of two operands of its shape, or ``a ** c`` for a constant ``c`` other than 0 and 1, or sums, differences and constant multiples of those (``spread_by_product``) | ``g``: the number stands for the array of g's, since ``x``'s own rule multiplies it by an operand of that shape (``spread_by_product``) |

``reduced_from(shape, result)``: whether an operand of an element-wise statement is a
``keepdims`` reduction of the result's shape along a constant axis; its contribution is
then ``np.sum(t, axis, keepdims=True)`` instead of ``rt.unbroadcast(t, x)``.
"""
from ..analysis import SCALAR
from ..ir import Const, Var

KNOWN_RANK_PRODUCTS = {  # (op, rank of x0, rank of x1) -> templates
    ("@", 2, 2): ("g @ x1.T", "x0.T @ g"), ("np.matmul", 2, 2): ("g @ x1.T", "x0.T @ g"),
    ("np.dot", 2, 2): ("g @ x1.T", "x0.T @ g"), (".dot()", 2, 2): ("g @ x1.T", "x0.T @ g"),
}
FULL_SUMS = frozenset({"np.sum", ".sum()"})


def specialized_rule(stmt, op, shapes, definitions):
    """The templates of ``stmt`` (``op``: its operation, aliases resolved) that known shapes
    settle, or None (see the module table)."""
    n = len(stmt.args)
    if stmt.kwargs:
        return None
    if op in FULL_SUMS and n == 1 and spread_by_product(stmt.args[0], definitions, shapes):
        return ("g",)
    if n == 2:
        ranks = tuple(getattr(shapes.of(a), "rank", None) if isinstance(a, Var) else None for a in stmt.args)
        return KNOWN_RANK_PRODUCTS.get((op, *ranks))
    return None


def spread_by_product(x, definitions, shapes):
    """Whether the adjoint of ``x`` may stay one number ``g`` standing for an array of g's:
    ``x`` is ``a * b`` of two operands of its own shape or ``a ** c`` for a constant ``c``,
    whose rule multiplies ``g`` by an operand of that shape, giving the array anyway; or a
    sum, difference, negation or constant multiple of such values of its shape (``100.0 *
    (a - b) ** 2 + c ** 2``), whose rules pass the number on to them."""
    stmt = definitions.get(x)
    if stmt is None or stmt.kwargs or not stmt.args:
        return False
    own = shapes.of(x)
    if own is SCALAR:
        return False
    if stmt.op == "neg":
        return _spreads_with_shape(stmt.args[0], own, definitions, shapes)
    if len(stmt.args) != 2:
        return False
    if stmt.op in ("+", "-") or stmt.op == "*" and any(isinstance(a, Const) for a in stmt.args):
        return any(isinstance(a, Var) for a in stmt.args) and all(
            _spreads_with_shape(a, own, definitions, shapes) if isinstance(a, Var) else
            isinstance(a, Const) and type(a.value) in (int, float) for a in stmt.args)
    if not isinstance(stmt.args[0], Var):
        return False
    if stmt.op == "*":
        return all(isinstance(a, Var) and shapes.of(a) is own for a in stmt.args)
    exponent = stmt.args[1]  # not 0 or 1, whose rules need no operand
    return stmt.op == "**" and isinstance(exponent, Const) and exponent.value not in (0, 1) and shapes.of(stmt.args[0]) is own


def _spreads_with_shape(operand, own, definitions, shapes):
    """Whether ``operand`` has the Shape ``own`` and its adjoint may stay a number too."""
    return shapes.of(operand) is own and spread_by_product(operand, definitions, shapes)


def reduced_from(shape, result):
    """Whether ``shape`` is a ``keepdims`` reduction of ``result`` along a constant axis."""
    return getattr(shape, "fits", None) is result and shape.axis is not None
