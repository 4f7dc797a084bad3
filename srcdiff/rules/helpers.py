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
| ``rt.unbroadcast(g, x)``       | ``rt.broadcast_like(G, g)`` |                                |                                   |
| ``rt.broadcast_like(t, y)``    | ``rt.unbroadcast(G, t)`` |                                   |                                   |
| ``rt.if_inexact(t, y)``        | ``rt.if_inexact(G, y)``  |                                   |                                   |
| ``rt.tangent_like(t, x)``      | ``G``                    |                                   |                                   |
| ``np.broadcast_to(g, shape)``  | ``rt.unbroadcast(G, g)`` |                                   |                                   |
| ``rt.owned_whole(g, xs)``      | ``rt.unbroadcast(G, g)`` |                                   |                                   |
| ``rt.sum_grad(g, x, axis)``    | ``np.sum(G, axis)``      |                                   |                                   |
| ``rt.mean_grad(g, x, axis)``   | ``np.mean(G, axis)``     |                                   |                                   |
| ``rt.max_grad(g, x, axis)``    | ``np.sum(G * rt.max_grad(np.ones_like(g), x, axis), axis)`` (G where the max was) |  |  |
| ``rt.index_grad(g, x, index)`` | ``G[index]``             |                                   |                                   |
| ``rt.index_grads(x, g0, i0, g1, i1...)`` | (shape only) | ``G[i0]`` for ``g0``, ``G[i1]`` for ``g1``... |                   |
| ``rt.written_grad(g, index, value)`` | ``G`` put back at ``index`` |                             |                                   |
| ``rt.cumsum_grad(g, x, axis)`` | ``np.cumsum(G, axis)``   |                                   |                                   |
| ``rt.var_grad(g, x)``          | ``np.sum(G * rt.var_grad(1, x), axis)`` | ``rt.var_grad(g, G)``   |                                   |
| ``rt.std_grad(g, x, y)``       | ``np.sum(G * rt.std_grad(1, x, y), axis)`` | ``rt.std_grad(g, G, y)`` | ``-np.sum(G * rt.std_grad(g, x, y), axis) / y`` |
| ``rt.prod_grad(g, x, axis)``  | ``np.sum(G * rt.prod_grad(1, x, axis), axis)`` | ``rt.prod_hvp(g, x, G, axis)`` (the Hessian of a product is symmetric) | |
| ``rt.norm_grad(g, x, y)``      | ``np.sum(G * x / y, axis)`` | ``g * G / y``                  | ``-np.sum(G * g * x / y**2, axis)`` (the third argument) |
| ``rt.matmul_grad_left(g, a, b)`` | ``G @ b``              | (shape only)                      | ``rt.matmul_grad_right(g, G, b)`` |
| ``rt.matmul_grad_right(g, a, b)`` | ``a @ G``             | ``rt.matmul_grad_left(g, a, G)``  | (shape only)                      |

and the same for ``np.dot`` and ``np.inner``.  The second argument of ``rt.like``,
``rt.unbroadcast``, ``rt.broadcast_like`` (forward mode's) and the reductions only gives a shape: no gradient flows to it.
``HELPER_TANGENTS`` gives forward mode's templates of ``rt.var_grad``, ``rt.std_grad`` and
``rt.prod_grad``; ``rules.parts`` those of ``rt.concatenate_grad`` and its kin.  Helpers without a
row anywhere (``rt.prod_hvp``: a third derivative of ``np.prod``) have no rule: differentiating through them is an error naming them, never a silent zero.
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


def _settings(stmt):
    """``(every keyword, the reduction's axis and keepdims)`` of ``rt.var_grad`` / ``rt.std_grad`` as
    template text, or None when one is computed at run time."""
    every = _keywords(stmt)
    reduced = "".join(f", {name}={value.value!r}" for name, value in stmt.kwargs if name in ("axis", "keepdims"))
    return None if every is None else (every, reduced)


def _spread(kind, tangent):
    """The rules of ``rt.var_grad(g, x)`` and ``rt.std_grad(g, x, y)`` (``var_grad / 2y``).

    ``var_grad`` is bilinear in ``g`` and ``x``; as ``g`` (and ``1/y``) is constant along
    the reduced axes, the adjoint of its ``x`` is ``var_grad(g, G)``.  ``std_grad``'s ``y``
    enters as ``1/y``: its tangent scales by ``-dot_y / y`` spread over the reduced axes."""
    def build(stmt, names):
        settings = _settings(stmt)
        if settings is None or len(names) != (3 if kind == "std" else 2):
            return None
        every, reduced = settings
        y = ", x2" if kind == "std" else ""
        if tangent:
            rules = (f"rt.{kind}_grad(g, x1{y}{every})", f"rt.{kind}_grad(x0, g{y}{every})")
            return rules + ((f"-rt.std_grad(x0, x1, x2{every}) * rt.sum_grad(rt.div_or_zero(g, x2), x1{reduced})",)
                            if kind == "std" else ())
        rules = (f"np.sum(g * rt.{kind}_grad(np.ones_like(x0), x1{y}{every}){reduced})", f"rt.{kind}_grad(x0, g{y}{every})")
        return rules + ((f"-rt.div_or_zero(np.sum(g * rt.std_grad(x0, x1, x2{every}){reduced}), x2)",)
                        if kind == "std" else ())
    return build


def _prod_grad(tangent):
    """The rules of ``rt.prod_grad(g, x)``: linear in ``g``; in ``x`` its derivative is
    ``rt.prod_hvp`` (``runtime.orders``), its own adjoint."""
    def build(stmt, names):
        keywords = _keywords(stmt)
        if keywords is None or len(names) != 2:
            return None
        in_x = f"rt.prod_hvp(x0, x1, g{keywords})"
        if tangent:
            return (f"rt.prod_grad(g, x1{keywords})", in_x)
        return (f"np.sum(g * rt.prod_grad(np.ones_like(x0), x1{keywords}){keywords})", in_x)
    return build


def _index_grads(names):
    """``rt.index_grads(x, g0, i0, g1, i1...)``: each ``g`` gets ``G`` where its index read."""
    if len(names) < 3 or len(names) % 2 == 0:
        return None
    return (None,) + sum(((f"g[x{i + 1}]", None) for i in range(1, len(names), 2)), ())


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
    "rt.unbroadcast": lambda stmt, names: ("rt.broadcast_like(g, x0)", None) if len(names) == 2 else None,
    "np.broadcast_to": lambda stmt, names: ("rt.unbroadcast(g, x0)", None) if len(names) == 2 else None,
    "rt.owned_whole": lambda stmt, names: ("rt.unbroadcast(g, x0)", None) if len(names) == 2 else None,
    "rt.broadcast_like": lambda stmt, names: ("rt.unbroadcast(g, x0)", None) if len(names) == 2 else None,
    "rt.if_inexact": lambda stmt, names: ("rt.if_inexact(g, x1)", None) if len(names) == 2 else None,
    "rt.tangent_like": lambda stmt, names: ("g", None) if len(names) == 2 else None,
    "rt.items_like": lambda stmt, names: ("g", None) if len(names) == 2 else None,  # the same numbers, in the list's type
    "rt.items_zeros": lambda stmt, names: (None,) if len(names) == 1 else None,  # zeros, whatever the items
    "rt.sum_grad": _reduction("np.sum"),
    "rt.mean_grad": _reduction("np.mean"),
    "rt.max_grad": _extremum("max"),
    "rt.min_grad": _extremum("min"),
    "rt.index_grad": lambda stmt, names: ("g[x2]", None, None) if len(names) == 3 else None,
    "rt.index_grads": lambda stmt, names: _index_grads(names),
    "rt.written_grad": lambda stmt, names: (
        "rt.index_grad(np.broadcast_to(g, np.shape(x0[x1])), x0, x1)", None, None) if len(names) == 3 else None,
    "rt.norm_grad": _norm_grad,
    "rt.var_grad": _spread("var", False), "rt.std_grad": _spread("std", False),
    "rt.prod_grad": _prod_grad(False),
    "rt.cumsum_grad": lambda stmt, names: (f"np.cumsum(g{_keywords(stmt)})", None)
    if len(names) == 2 and _keywords(stmt) is not None else None,  # a running sum from the end, turned around
    **_product("rt.matmul_grad_left", "rt.matmul_grad_right", "@", "matmul"),
    **_product("rt.dot_grad_left", "rt.dot_grad_right", "np.dot", "dot"),
    **_product("rt.inner_grad_left", "rt.inner_grad_right", "np.inner", "inner"),
}
# forward mode of the same helpers: a template per argument, ``g`` its tangent
HELPER_TANGENTS = {"rt.var_grad": _spread("var", True), "rt.std_grad": _spread("std", True),
                   "rt.prod_grad": _prod_grad(True)}
