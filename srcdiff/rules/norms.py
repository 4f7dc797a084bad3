"""Gradient rules of ``np.linalg.norm(x, ord, axis, keepdims)`` for every ``ord``.

| ord | vectors (``axis`` an int, or a 1-d ``x``) | matrices (``axis`` a pair, or a 2-d ``x``) |
| --- | --- | --- |
| None | ``g x / y`` (``rt.norm_grad``; the Frobenius norm of matrices too) | as vectors |
| ``'fro'`` | | ``g x / y`` |
| ``'nuc'`` | | ``g U Vh`` (the sum of the singular values) |
| 2, -2 | ``p``-norm | ``g u1 v1'``: the singular vectors of the largest (smallest) singular value |
| 1, -1 | ``g sign(x)``; -1 is a ``p``-norm | ``g sign(x)`` on the column of largest (smallest) absolute sum |
| inf, -inf | ``g sign(x)`` at the entry of largest (smallest) magnitude | on that row |
| 0 | no gradient (a count) | |
| ``p`` | ``g sign(x) abs(x)**(p-1) / y**(p-1)`` | |

``g`` is spread over the reduced axes (``rt.sum_grad``); a tie goes to the first
maximum, as ``np.argmax`` finds it.  Without ``axis`` NumPy picks vectors or matrices by
``x``'s rank: so does the template (``... if np.ndim(x) == 1 else ...``).  The singular
vector forms need the reduced axes to be the last two (``axis=(-2, -1)``, or none).
``ord``, ``axis`` and ``keepdims`` must be constants when the gradient is built.  The
tangent is ``np.sum(dot_x * G)`` over the reduced axes, ``G`` the gradient for ``g = 1``.
"""
import math

from .scalar import ZERO
from .settings import fill, keywords, refuse, setting

_SPECIAL = (1, -1, 2, -2, math.inf, -math.inf)


def _vector(order, spread, x, g, settings):
    """The gradient of a vector norm; ``spread(t)`` broadcasts ``t`` over the reduced axes."""
    if order is None or order == 2:
        return f"rt.norm_grad({g}, {x}, y{settings})"
    if order == 1:
        return f"{spread(g)} * np.sign({x})"
    if order in (math.inf, -math.inf):
        kind = "max" if order > 0 else "min"
        return f"rt.{kind}_grad({g}, np.abs({x}){settings}) * np.sign({x})"
    p = order - 1
    return f"{spread(f'{g} / y ** {p!r}')} * np.sign({x}) * np.abs({x}) ** {p!r}"


def _matrix(stmt, order, axes, spread, x, g, settings):
    """The gradient of a matrix norm over ``axes`` (rows, columns)."""
    rows, cols = axes
    if order in (None, "fro"):
        return f"rt.norm_grad({g}, {x}, y{settings})"
    if order in ("nuc", 2, -2):
        if set(axes) != {-2, -1}:
            raise refuse(stmt, f"srcdiff differentiates np.linalg.norm(x, ord={order!r}) over the last two axes only",
                         "pass axis=(-2, -1), with the matrices' axes moved last (np.moveaxis)")
        vectors = {"nuc": ":", 2: ":1", -2: "-1:"}[order]
        return f"{spread(g)} * (rt.svd_u({x})[..., :, {vectors}] @ rt.svd_vh({x})[..., {vectors}, :])"
    if order in (1, -1, math.inf, -math.inf):
        summed, picked = (rows, cols) if abs(order) == 1 else (cols, rows)
        if (summed < 0) != (picked < 0):
            raise refuse(stmt, f"srcdiff needs both axes of np.linalg.norm(x, ord={order!r}) counted the same "
                         "way (both from the front or both from the back)", "write axis=(-2, -1) or axis=(0, 1)")
        after = picked - (picked > summed) if summed >= 0 else picked + (picked < summed)  # once summed is gone
        kind = "max" if order > 0 else "min"
        routed = f"rt.{kind}_grad({g}, np.sum(np.abs({x}), axis={summed}), axis={after})"
        return f"np.sign({x}) * rt.sum_grad({routed}, {x}, axis={summed})"
    return None  # NumPy refuses other orders of matrix norms


def norm_template(stmt, x, g):
    """The gradient template of the norm ``stmt`` of ``x`` for the upstream gradient ``g``
    (``ZERO`` for ``ord=0``, None where NumPy refuses the call)."""
    order = setting(stmt, 1, "ord")
    axis = setting(stmt, 2, "axis")
    keepdims = setting(stmt, 3, "keepdims", False)
    if isinstance(axis, tuple) and len(axis) == 1:
        axis = axis[0]
    settings = keywords(axis=axis, keepdims=keepdims)

    def spread(t):
        return f"rt.sum_grad({t}, {x}{settings})"

    if order == 0:
        return ZERO
    if isinstance(axis, int):
        return None if isinstance(order, str) else _vector(order, spread, x, g, settings)
    if isinstance(axis, tuple):
        return _matrix(stmt, order, axis, spread, x, g, settings) if len(axis) == 2 else None
    if order is None:
        return _vector(None, spread, x, g, settings)
    if isinstance(order, str):
        return _matrix(stmt, order, (-2, -1), spread, x, g, settings)
    if order not in _SPECIAL:
        return _vector(order, spread, x, g, settings)
    vector, matrix = _vector(order, spread, x, g, settings), _matrix(stmt, order, (-2, -1), spread, x, g, settings)
    return f"({vector} if np.ndim({x}) == 1 else {matrix})"


def _norm(stmt, names):
    if len(names) > 4:
        return None
    template = norm_template(stmt, names[0], "g")
    return template if template in (None, ZERO) else fill(len(names), template)


def _norm_tangent(stmt, names):
    """``np.sum(dot_x * G)`` over the reduced axes, ``G`` the gradient for an upstream 1."""
    if len(names) > 4:
        return None
    template = norm_template(stmt, names[0], "np.ones_like(y)")
    if template in (None, ZERO):
        return template
    axis, keepdims = setting(stmt, 2, "axis"), setting(stmt, 3, "keepdims", False)
    return fill(len(names), f"np.sum(g * {template}{keywords(axis=axis, keepdims=keepdims)})")


NORM_BUILDERS = {"np.linalg.norm": _norm}
NORM_TANGENTS = {"np.linalg.norm": _norm_tangent}
