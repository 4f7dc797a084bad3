"""Gradient rules of ``scipy.special`` (SciPy is optional: only code that calls it needs it).

The element-wise functions have scalar rules: ``logit``, ``erf``, ``erfc``, ``gammaln``,
``digamma`` and ``betaln`` derived by sympy (``derive.SPECIAL``, pinned in ``_derived``);
``expit`` (``g * y * (1 - y)``, finite for every ``x``), ``xlogy`` and ``xlog1py`` (0 where
``x`` is 0, as the functions themselves) written by hand in ``elementwise``.  Here are the
reductions along an axis, written with NumPy and the runtime's reduction helpers so that
their gradients can be differentiated again (``y`` is the result, ``A`` the axis keywords):

| call | gradient | tangent |
| --- | --- | --- |
| ``logsumexp(x, axis, keepdims)`` | ``g`` spread over the axis times ``exp(x - y)`` | ``sum(t * exp(x - y), A)`` |
| ``softmax(x, axis)`` | ``y * (g - sum(g * y, A))`` | the same (the Jacobian is symmetric) |
| ``log_softmax(x, axis)`` | ``g - exp(y) * sum(g, A)`` | ``t - sum(exp(y) * t, A)`` |

``logsumexp``'s weights ``b=`` and ``return_sign=`` have no rule; an element-wise function
called with keywords (``out=``) neither.
"""
from .params import Refusal, at_most, constant, first, keywords


def _axis_keywords(stmt, allowed, count):
    keywords(stmt, allowed)
    at_most(stmt, count)
    axis = constant(stmt, 1, "axis")
    return "" if axis is None else f", axis={axis!r}"


def _logsumexp_parts(stmt):
    axis = _axis_keywords(stmt, {"axis", "keepdims"}, 2)
    keep = ", keepdims=True" if constant(stmt, None, "keepdims", False) else ""
    return axis + keep


def _logsumexp(stmt, names):
    spread = _logsumexp_parts(stmt)
    x = names[0]
    return first(f"rt.sum_grad(g, {x}{spread}) * np.exp({x} - rt.sum_grad(y, {x}{spread}))", names)


def _logsumexp_tangent(stmt, names):
    spread = _logsumexp_parts(stmt)
    x = names[0]
    return first(f"np.sum(g * np.exp({x} - rt.sum_grad(y, {x}{spread})){spread})", names)


def _softmax(stmt, names):
    axis = _axis_keywords(stmt, {"axis"}, 2)
    return first(f"y * (g - np.sum(g * y{axis}, keepdims=True))", names)


def _log_softmax(stmt, names):
    axis = _axis_keywords(stmt, {"axis"}, 2)
    return first(f"g - np.exp(y) * np.sum(g{axis}, keepdims=True)", names)


def _log_softmax_tangent(stmt, names):
    axis = _axis_keywords(stmt, {"axis"}, 2)
    return first(f"g - np.sum(np.exp(y) * g{axis}, keepdims=True)", names)


def elementwise_keywords(stmt):
    """Refusal for an element-wise ``scipy.special`` call with keyword arguments (``out=``, ``where=``)."""
    if stmt.kwargs:
        raise Refusal(f"'{stmt.op}' with keyword arguments has no gradient rule", "pass the arguments by position")


BUILDERS = {
    "scipy.special.logsumexp": _logsumexp, "scipy.special.softmax": _softmax,
    "scipy.special.log_softmax": _log_softmax,
}
TANGENTS = {
    "scipy.special.logsumexp": _logsumexp_tangent, "scipy.special.softmax": _softmax,
    "scipy.special.log_softmax": _log_softmax_tangent,
}
