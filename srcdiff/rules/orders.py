"""Gradient rules of order-dependent NumPy functions: sort, cumulative product, median, quantiles, ptp.

| call | gradient (``g`` the upstream gradient) | tangent |
| --- | --- | --- |
| ``np.sort(x, axis)`` | ``rt.unsort(g, x, axis)``: each entry back where it was sorted from | ``rt.sort_like(t, x, axis)`` |
| ``np.cumprod(x, axis)`` | ``rt.cumprod_grad(g, x, axis)`` (exact where entries are 0) | ``rt.cumprod_tangent(t, x, axis)`` |
| ``np.quantile(x, q)``, ``np.percentile``, ``np.median`` | ``rt.quantile_grad(g, x, q, axis, keepdims)`` | ``rt.quantile_tangent(...)`` |
| ``np.ptp(x, axis)`` | ``rt.max_grad(g, x) - rt.min_grad(g, x)`` | the same mask, summed |

Subgradients, where the function has a kink: a sort, and the quantiles, pick among equal
values in a stable order (the earlier position first: ``x = [1, 1]`` sorts to ``[x[0], x[1]]``);
a quantile between two sorted values ``s[lo]``, ``s[hi]`` gives ``1 - f`` of ``g`` to ``s[lo]``
and ``f`` to ``s[hi]`` (NumPy's ``method='linear'``, the only method with a rule); at a
quantile that falls exactly on a value, all of it to that value; the median of an even
count gives half to each middle value.  ``np.ptp`` gives ``g`` to the first position of
the maximum and ``-g`` to the first position of the minimum, as ``np.max``/``np.min`` do.
``q`` must be a constant (a number or a tuple of numbers).
"""
from .params import Refusal, at_most, constant, first, keywords, text


def _sort(stmt, names):
    keywords(stmt, {"axis", "kind"})
    at_most(stmt, 3)
    return first(f"rt.unsort(g, {names[0]}, {text(stmt, names, 1, 'axis', '-1')})", names)


def _sort_tangent(stmt, names):
    _sort(stmt, names)
    return first(f"rt.sort_like(g, {names[0]}, {text(stmt, names, 1, 'axis', '-1')})", names)


def _cumprod(helper):
    def build(stmt, names):
        keywords(stmt, {"axis"})
        at_most(stmt, 2)
        return first(f"rt.cumprod_{helper}(g, {names[0]}, {text(stmt, names, 1, 'axis', 'None')})", names)
    return build


def _quantile_parts(stmt, scale):
    """``(q as a fraction, axis, keepdims)`` of ``np.quantile`` (``scale`` 1), ``np.percentile``
    (100) or ``np.median`` (``scale`` None: q is 0.5)."""
    keywords(stmt, {"q", "axis", "keepdims", "method", "overwrite_input"})
    if scale is None:
        at_most(stmt, 2)
        q, axis = 0.5, constant(stmt, 1, "axis")
    else:
        at_most(stmt, 3)
        q, axis = _fraction(constant(stmt, 1, "q"), scale), constant(stmt, 2, "axis")
        method = constant(stmt, None, "method", "linear")
        if method != "linear":
            raise Refusal(f"'{stmt.op}' with method={method!r} has no gradient rule",
                          "use method='linear' (the default), which interpolates between neighbours")
    return q, axis, constant(stmt, None, "keepdims", False)


def _fraction(q, scale):
    if isinstance(q, tuple):
        return tuple(_fraction(v, scale) for v in q)
    if not isinstance(q, (int, float)) or isinstance(q, bool):
        raise Refusal("the q of a quantile must be a number or a tuple of numbers", "write q as constants")
    return q / scale if scale != 1 else q


def _quantile(helper, scale):
    def build(stmt, names):
        q, axis, keepdims = _quantile_parts(stmt, scale)
        return first(f"rt.quantile_{helper}(g, {names[0]}, {q!r}, {axis!r}, {keepdims!r})", names)
    return build


def _ptp_parts(stmt):
    keywords(stmt, {"axis", "keepdims"})
    at_most(stmt, 2)
    axis = constant(stmt, 1, "axis")
    return "" if axis is None else f", axis={axis!r}", constant(stmt, None, "keepdims", False)


def _ptp(stmt, names):
    axis, _ = _ptp_parts(stmt)
    return first(f"rt.max_grad(g, {names[0]}{axis}) - rt.min_grad(g, {names[0]}{axis})", names)


def _ptp_tangent(stmt, names):
    axis, keepdims = _ptp_parts(stmt)
    x, ones = names[0], "np.ones_like(y)"
    mask = f"rt.max_grad({ones}, {x}{axis}) - rt.min_grad({ones}, {x}{axis})"
    return first(f"np.sum(g * ({mask}){axis}{', keepdims=True' if keepdims else ''})", names)


def _cumprod_tangent_tangent(stmt, names):
    raise Refusal("a third derivative through np.cumprod is not supported", "differentiate at most twice")


BUILDERS = {
    "np.sort": _sort, "np.cumprod": _cumprod("grad"), ".cumprod()": _cumprod("grad"),
    "np.quantile": _quantile("grad", 1), "np.percentile": _quantile("grad", 100), "np.median": _quantile("grad", None),
    "np.ptp": _ptp,
    # ---- the runtime helpers (each linear in g): adjoints, and the second derivative of cumprod
    "rt.unsort": lambda stmt, names: first("rt.sort_like(g, x1, x2)", names),
    "rt.sort_like": lambda stmt, names: first("rt.unsort(g, x1, x2)", names),
    "rt.quantile_grad": lambda stmt, names: first("rt.quantile_tangent(g, x1, x2, x3, x4)", names),
    "rt.quantile_tangent": lambda stmt, names: first("rt.quantile_grad(g, x1, x2, x3, x4)", names),
    "rt.cumprod_grad": lambda stmt, names: ("rt.cumprod_tangent(g, x1, x2)", "rt.cumprod_hvp(x0, x1, g, x2)", None),
    "rt.cumprod_tangent": lambda stmt, names: ("rt.cumprod_grad(g, x1, x2)", "rt.cumprod_hvp(g, x1, x0, x2)", None),
}
TANGENTS = {
    "np.sort": _sort_tangent, "np.cumprod": _cumprod("tangent"), ".cumprod()": _cumprod("tangent"),
    "np.quantile": _quantile("tangent", 1), "np.percentile": _quantile("tangent", 100),
    "np.median": _quantile("tangent", None), "np.ptp": _ptp_tangent,
    "rt.cumprod_grad": lambda stmt, names: ("rt.cumprod_grad(g, x1, x2)", "rt.cumprod_hvp(x0, x1, g, x2)", None),
    "rt.cumprod_tangent": _cumprod_tangent_tangent,
}
LINEAR = {
    "rt.unsort": ((0,), (1, 2)), "rt.sort_like": ((0,), (1, 2)),
    "rt.quantile_grad": ((0,), (1, 2, 3, 4)), "rt.quantile_tangent": ((0,), (1, 2, 3, 4)),
}
