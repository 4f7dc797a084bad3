"""Gradient rules of the runtime helpers array gradients call, so they can be differentiated again.

A gradient of array code calls ``rt.sum_grad``, ``rt.matmul_grad_left``, ``rt.like``...
(``runtime.arrays``).  Differentiating that gradient once more (the gradient of a
gradient-norm penalty, a reverse-over-reverse Hessian-vector product) needs their
rules.  Each helper is linear in the upstream gradient ``g`` it takes first, so its
adjoint is the transposed operation; a product helper is the gradient of
``<g, a @ b>``, hence ``<G, matmul_grad_left(g, a, b)> = <g, G @ b>``:

| helper                         | adjoint of ``g``         | of ``a``                          | of ``b``                          |
| ------------------------------ | ------------------------ | --------------------------------- | --------------------------------- |
| ``rt.like(g, x)``              | ``G``                    |                                   |                                   |
| ``rt.unbroadcast(g, x)``       | ``np.broadcast_to(G, np.shape(g))`` |                        |                                   |
| ``rt.broadcast_like(t, y)``    | ``rt.unbroadcast(G, t)`` |                                   |                                   |
| ``rt.if_inexact(t, y)``        | ``rt.if_inexact(G, y)``  |                                   |                                   |
| ``np.broadcast_to(g, shape)``  | ``rt.unbroadcast(G, g)`` |                                   |                                   |
| ``rt.sum_grad(g, x, axis)``    | ``np.sum(G, axis)``      |                                   |                                   |
| ``rt.mean_grad(g, x, axis)``   | ``np.mean(G, axis)``     |                                   |                                   |
| ``rt.max_grad(g, x, axis)``    | ``np.sum(G * rt.max_grad(np.ones_like(g), x, axis), axis)`` (G where the max was) |  |  |
| ``rt.index_grad(g, x, index)`` | ``G[index]``             |                                   |                                   |
| ``rt.written_grad(g, index, value)`` | ``G`` put back at ``index`` |                             |                                   |
| ``rt.norm_grad(g, x, y)``      | ``np.sum(G * x / y, axis)`` | ``g * G / y``                  | ``-np.sum(G * g * x / y**2, axis)`` (the third argument) |
| ``rt.matmul_grad_left(g, a, b)`` | ``G @ b``              | (shape only)                      | ``rt.matmul_grad_right(g, G, b)`` |
| ``rt.matmul_grad_right(g, a, b)`` | ``a @ G``             | ``rt.matmul_grad_left(g, a, G)``  | (shape only)                      |

and the same for ``np.dot`` and ``np.inner``.  The second argument of ``rt.like``,
``rt.unbroadcast``, ``rt.broadcast_like`` (forward mode's) and the reductions only gives a shape: no gradient flows to it.
Helpers without a row here (``rt.concatenate_grad``, ``rt.prod_grad``)
have no rule: differentiating through them is an error naming them, never a silent zero.
``HELPER_BUILDERS`` plugs into ``arrays``'s builder table.
"""
from ..ir import Const


def _keywords(stmt):
    """``, axis=1, keepdims=True`` from a helper call's constant keyword arguments, or None."""
    if not all(isinstance(value, Const) for _, value in stmt.kwargs):
        return None  # an axis computed at run time: no rule
    return "".join(f", {name}={value.value!r}" for name, value in stmt.kwargs)


def _reduction(numpy_name):
    def build(stmt, names):
        keywords = _keywords(stmt)
        if keywords is None or len(names) != 2:
            return None
        return (f"{numpy_name}(g{keywords})", None)
    return build


def _extremum(kind):
    def build(stmt, names):
        keywords = _keywords(stmt)
        if keywords is None or len(names) != 2:
            return None
        return (f"np.sum(g * rt.{kind}_grad(np.ones_like(x0), x1{keywords}){keywords})", None)
    return build


def _norm_grad(stmt, names):
    """``rt.norm_grad(g, x, y) = g * x / y`` (g and y expanded over the reduced axes)."""
    keywords = _keywords(stmt)
    if keywords is None or len(names) != 3:
        return None
    return (f"np.sum(g * rt.norm_grad(np.ones_like(x0), x1, x2{keywords}){keywords})",
            f"rt.norm_grad(x0, g, x2{keywords})",
            f"-np.sum(g * rt.norm_grad(x0, x1, x2 * x2{keywords}){keywords})")


def _product(left, right, product, other):
    """Rules of the ``left``/``right`` gradient helpers of a product (see the module table)."""
    rules = {
        left: lambda stmt, names: ("g @ x2" if product == "@" else f"{product}(g, x2)", None,
                                   f"rt.{other}_grad_right(x0, g, x2)") if len(names) == 3 else None,
        right: lambda stmt, names: ("x1 @ g" if product == "@" else f"{product}(x1, g)",
                                    f"rt.{other}_grad_left(x0, x1, g)", None) if len(names) == 3 else None,
    }
    return rules


HELPER_BUILDERS = {
    "rt.like": lambda stmt, names: ("g", None) if len(names) == 2 else None,
    "rt.unbroadcast": lambda stmt, names: ("np.broadcast_to(g, np.shape(x0))", None) if len(names) == 2 else None,
    "np.broadcast_to": lambda stmt, names: ("rt.unbroadcast(g, x0)", None) if len(names) == 2 else None,
    "rt.broadcast_like": lambda stmt, names: ("rt.unbroadcast(g, x0)", None) if len(names) == 2 else None,
    "rt.if_inexact": lambda stmt, names: ("rt.if_inexact(g, x1)", None) if len(names) == 2 else None,
    "rt.sum_grad": _reduction("np.sum"),
    "rt.mean_grad": _reduction("np.mean"),
    "rt.max_grad": _extremum("max"),
    "rt.min_grad": _extremum("min"),
    "rt.index_grad": lambda stmt, names: ("g[x2]", None, None) if len(names) == 3 else None,
    "rt.written_grad": lambda stmt, names: (
        "rt.index_grad(np.broadcast_to(g, np.shape(x0[x1])), x0, x1)", None, None) if len(names) == 3 else None,
    "rt.norm_grad": _norm_grad,
    **_product("rt.matmul_grad_left", "rt.matmul_grad_right", "@", "matmul"),
    **_product("rt.dot_grad_left", "rt.dot_grad_right", "np.dot", "dot"),
    **_product("rt.inner_grad_left", "rt.inner_grad_right", "np.inner", "inner"),
}
