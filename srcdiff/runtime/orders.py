"""The gradients of products and cumulative products (``np.prod``, ``np.cumprod``) and of quantiles (``np.median``, ``np.percentile``, ``np.quantile``).

``np.cumprod``: ``y_i = x_0 x_1 ... x_i``.  Its gradient ``J^T g`` and tangent ``J t`` are
computed by recurrences along the axis, never dividing by ``x`` (exact where entries are
0: ``(y / x)`` would be nan there); ``cumprod_hvp(g, x, t)`` is the second derivative
``sum_i g_i d2 y_i / dx dx`` times ``t``, which the gradient's and the tangent's own rules
need (a third derivative is refused: it has no rule).

Quantiles with linear interpolation: for ``n`` values sorted ascending (a stable sort:
among equal values, the earlier position first), the ``q`` quantile is
``(1 - f) s[lo] + f s[hi]`` with ``h = (n - 1) q``, ``lo = floor(h)``, ``hi = min(lo + 1, n - 1)``,
``f = h - lo``, NumPy's ``method='linear'``.  ``quantile_grad`` gives ``(1 - f) g`` to the
position of ``s[lo]`` and ``f g`` to that of ``s[hi]``; ``quantile_tangent`` is its
adjoint.  The median is the 0.5 quantile (half to each of the two middle values when
``n`` is even).  ``q`` may be a number or an array (the result has ``q``'s axes first).
"""
import numpy as np

from .arrays import _reduced_last
from .lazy import array_module, is_lazy
from .namespaces import namespace_of as namespace


def _lanes(v, axis):
    """``v`` with ``axis`` moved last (flattened when None)."""
    v = np.asarray(v)
    return np.ravel(v) if axis is None else np.moveaxis(v, axis, -1)


def _unlanes(v, x, axis):
    """Lanes shaped like ``x`` again."""
    return np.reshape(v, np.shape(x)) if axis is None else np.moveaxis(v, -1, axis)


def _before(lanes):
    """The product of the entries before each one along the last axis (1 for the first)."""
    ones = np.ones(lanes.shape[:-1] + (1,), dtype=lanes.dtype)
    return np.cumprod(np.concatenate([ones, lanes[..., :-1]], axis=-1), axis=-1)


def _reversed(lanes, xp):
    """``lanes`` in the reverse order along the last axis (the standard has no negative steps)."""
    return lanes[..., ::-1] if xp is np else xp.flip(lanes, axis=-1)


def prod_grad(g, x, axis=None, keepdims=False):
    """The gradient of ``np.prod``: ``g`` times the product of the other entries, those
    before each one times those after it (exact at zeros: no division)."""
    lazy = is_lazy(x) or is_lazy(g)
    xp = np if lazy else namespace(g, x)
    flat, restore = _reduced_last(x if lazy else xp.asarray(x), axis, xp)
    lanes = tuple(flat.shape[:-1])
    ones = (array_module(flat) if lazy else xp).ones(lanes + (1,), dtype=flat.dtype)
    before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = xp.cumprod(xp.concatenate([ones, _reversed(flat, xp)[..., :-1]], axis=-1), axis=-1)
    return restore(xp.reshape(g, lanes + (1,)) * before * _reversed(after, xp))


def prod_hvp(g, x, t, axis=None, keepdims=False):
    """``prod_grad``'s derivative in ``x`` along ``t``: ``g`` times, for each entry ``i``,
    ``sum_{k != i} t_k prod_{j != i, k} x_j``, the tangent of the product of the other
    entries (those before ``i`` times those after it, each with its tangent: no division,
    exact at zeros).  The Hessian of a product is symmetric, so this is also the adjoint of
    ``prod_grad``'s ``x`` for a cotangent ``t``.  One step per entry along the reduced axes."""
    lazy = is_lazy(x) or is_lazy(g) or is_lazy(t)
    xp = np if lazy else namespace(g, x, t)
    x = x if lazy else xp.asarray(x)
    flat, restore = _reduced_last(x, axis, xp)
    along, _ = _reduced_last(xp.broadcast_to(t, tuple(x.shape)), axis, xp)
    before, d_before = _products_before(flat, along, xp)
    after, d_after = (_reversed(v, xp) for v in _products_before(_reversed(flat, xp), _reversed(along, xp), xp))
    if hasattr(g, "shape") and len(g.shape):  # an array upstream: one number per lane; a number: for all
        g = xp.reshape(g, tuple(flat.shape[:-1]) + (1,))
    return restore(g * (d_before * after + before * d_after))


def _products_before(flat, along, xp):
    """``(P, T)`` along the last axis: ``P_i`` the product of the entries before ``i`` (1 for the
    first), ``T_i`` its tangent along ``along`` (``T_{i+1} = T_i x_i + P_i t_i``, 0 for the first)."""
    product, tangent = xp.ones_like(flat[..., :1]), xp.zeros_like(along[..., :1])
    products, tangents = [], []
    for i in range(flat.shape[-1]):
        products.append(product)
        tangents.append(tangent)
        entry, direction = flat[..., i:i + 1], along[..., i:i + 1]
        product, tangent = product * entry, tangent * entry + product * direction
    if not products:
        return flat, xp.zeros_like(along)
    return xp.concatenate(products, axis=-1), xp.concatenate(tangents, axis=-1)


def _tangent_lanes(t, x):
    """``J t`` along the last axis: ``T_i = T_{i-1} x_i + t_i (x_0 ... x_{i-1})``."""
    before = _before(x)
    out = np.empty(np.broadcast_shapes(t.shape, x.shape), dtype=np.result_type(t, x, np.float64))
    if out.shape[-1] == 0:
        return out
    out[..., 0] = t[..., 0]
    for i in range(1, out.shape[-1]):
        out[..., i] = out[..., i - 1] * x[..., i] + t[..., i] * before[..., i]
    return out


def cumprod_grad(g, x, axis=None):
    """The gradient of ``np.cumprod(x, axis)``: ``(x_0 ... x_{j-1}) R_j`` with
    ``R_j = g_j + x_{j+1} R_{j+1}`` (no division, exact at zeros)."""
    lanes, upstream = _lanes(x, axis), _lanes(g, axis)
    rest = np.empty(np.broadcast_shapes(lanes.shape, upstream.shape), dtype=np.result_type(lanes, upstream, np.float64))
    if rest.shape[-1] == 0:
        return _unlanes(rest, x, axis)
    rest[..., -1] = upstream[..., -1]
    for j in range(rest.shape[-1] - 2, -1, -1):
        rest[..., j] = upstream[..., j] + lanes[..., j + 1] * rest[..., j + 1]
    return _unlanes(_before(lanes) * rest, x, axis)


def cumprod_tangent(t, x, axis=None):
    """The tangent of ``np.cumprod(x, axis)`` along ``t`` (shaped like the result)."""
    lanes = _lanes(x, axis)
    out = _tangent_lanes(_lanes(np.broadcast_to(t, np.shape(x)), axis), lanes)
    return out if axis is None else np.moveaxis(out, -1, axis)


def cumprod_hvp(g, x, t, axis=None):
    """``sum_m t_m sum_i g_i d2 y_i / (dx_j dx_m)`` for each ``j``: for each ``j``, the tangent
    along ``t`` (with ``t_j = 0``) of the cumulative product of ``x`` with ``x_j = 1``,
    weighted by ``g`` from ``j`` on."""
    lanes, upstream = _lanes(x, axis), _lanes(g, axis)
    tangent = _lanes(np.broadcast_to(t, np.shape(x)), axis)
    n = lanes.shape[-1]
    eye = np.eye(n, dtype=bool)
    ones = np.where(eye, 1.0, lanes[..., None, :])  # row j: x with x_j = 1
    zeros = np.where(eye, 0.0, tangent[..., None, :])  # row j: t with t_j = 0
    after = np.triu(np.ones((n, n)))  # i >= j
    summed = np.sum(upstream[..., None, :] * _tangent_lanes(zeros, ones) * after, axis=-1)
    return _unlanes(summed, x, axis)


def _statistics(x, q, axis):
    flat, restore = _reduced_last(np.asarray(x), axis)
    n = flat.shape[-1]
    order = np.argsort(flat, axis=-1, kind="stable")
    h = (n - 1) * np.asarray(q, dtype=np.float64)
    low = np.clip(np.floor(h).astype(np.intp), 0, n - 1)
    high = np.minimum(low + 1, n - 1)
    return flat, restore, order, low, high, h - low


def _result_shape(x, q, axis, keepdims):
    shape = np.shape(x)
    axes = range(len(shape)) if axis is None else [a % len(shape) for a in np.atleast_1d(axis)]
    if keepdims:
        kept = [1 if a in axes else n for a, n in enumerate(shape)]
    else:
        kept = [n for a, n in enumerate(shape) if a not in axes]
    return np.shape(q) + tuple(kept)


def quantile_grad(g, x, q, axis=None, keepdims=False):
    """The gradient of ``np.quantile(x, q, axis, keepdims=keepdims)`` (linear interpolation)."""
    flat, restore, order, low, high, frac = _statistics(x, q, axis)
    upstream = np.reshape(g, np.shape(q) + flat.shape[:-1])
    dtype = flat.dtype if np.issubdtype(flat.dtype, np.inexact) else np.float64
    ranked = np.zeros(flat.shape, dtype=np.result_type(dtype, upstream))
    for k in np.ndindex(np.shape(q)):
        ranked[..., low[k]] += upstream[k] * (1 - frac[k])
        ranked[..., high[k]] += upstream[k] * frac[k]
    out = np.zeros_like(ranked)
    np.put_along_axis(out, order, ranked, axis=-1)
    return restore(out)


def quantile_tangent(t, x, q, axis=None, keepdims=False):
    """The tangent of ``np.quantile(x, q, axis, keepdims=keepdims)`` along ``t`` (shaped like ``x``)."""
    _, _, order, low, high, frac = _statistics(x, q, axis)
    lanes, _ = _reduced_last(np.asarray(np.broadcast_to(t, np.shape(x))), axis)
    ranked = np.take_along_axis(lanes, order, axis=-1)
    values = [ranked[..., low[k]] * (1 - frac[k]) + ranked[..., high[k]] * frac[k] for k in np.ndindex(np.shape(q))]
    return np.reshape(np.stack(values), _result_shape(x, q, axis, keepdims))
