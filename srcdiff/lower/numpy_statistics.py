"""``np.cov`` and ``np.corrcoef`` of one array, written out as NumPy computes them with the
primitives srcdiff already differentiates (the forms ``numpy_forms.NumpyForms`` looks up here).

| call | written as |
| --- | --- |
| ``np.cov(m, rowvar=, bias=, ddof=)`` | ``x = rt.observation_rows(m, rowvar)`` (variables in rows, NumPy's ``ndmin=2`` and transpose), ``d = x - np.mean(x, axis=1, keepdims=True)``, ``np.squeeze((d @ d.T) * (1 / (n - ddof)))`` |
| ``np.corrcoef(m, rowvar=)`` | that matrix ``c`` before the squeeze, ``s = np.sqrt(np.diagonal(c))``, ``np.squeeze(np.clip(c / s[:, None] / s[None, :], -1, 1))`` |

A second array ``y``, weights (``fweights``, ``aweights``) or a ``dtype`` leave the call whole: it
is refused by name where it needs a gradient.
"""
from ..ir import Const, Slice
from .numpy_signals import bind, constant_of, given

_COV = ("m", "y", "rowvar", "bias", "ddof", "fweights", "aweights", "dtype")
_ALL = Const(Slice(None, None, None))


def _covariance(lw, bound, node):
    """The covariance matrix of ``np.cov`` (before its squeeze), or None for options not read."""
    rowvar, bias = constant_of(lw, bound, "rowvar", True), constant_of(lw, bound, "bias", False)
    ddof = constant_of(lw, bound, "ddof", None)
    if rowvar not in (True, False) or bias not in (True, False) or not (ddof is None or type(ddof) is int):
        return None
    ddof = (0 if bias else 1) if ddof is None else ddof
    rows = lw.emit("rt.observation_rows", (lw.argument(bound["m"], True), Const(rowvar)), node)
    mean = lw.emit("np.mean", (rows,), node, None, (("axis", Const(1)), ("keepdims", Const(True))))
    centered = lw.emit("-", (rows, mean), node)
    count = lw.emit("[]", (lw.emit("np.shape", (rows,), node), Const(1)), node)
    scale = lw.emit("/", (Const(1), lw.emit("-", (count, Const(ddof)), node)), node)
    products = lw.emit("@", (centered, lw.emit("np.transpose", (centered,), node)), node)
    return lw.emit("*", (products, scale), node)


def _cov(lw, op, node, hint):
    bound = bind(node, _COV)
    if bound is None or "m" not in bound or any(given(bound, name) for name in ("y", "fweights", "aweights", "dtype")):
        return None
    matrix = _covariance(lw, bound, node)
    return None if matrix is None else lw.emit("np.squeeze", (matrix,), node, hint)


def _corrcoef(lw, op, node, hint):
    bound = bind(node, ("x", "y", "rowvar", "dtype"))
    if bound is None or "x" not in bound or any(given(bound, name) for name in ("y", "dtype")):
        return None
    matrix = _covariance(lw, {"m": bound["x"], **{k: v for k, v in bound.items() if k == "rowvar"}}, node)
    if matrix is None:
        return None
    spread = lw.emit("np.sqrt", (lw.emit("np.diagonal", (matrix,), node),), node)
    across = lw.emit("/", (matrix, lw.emit("[]", (spread, _ALL, Const(None)), node)), node)
    both = lw.emit("/", (across, lw.emit("[]", (spread, Const(None), _ALL), node)), node)
    clipped = lw.emit("np.clip", (both, Const(-1), Const(1)), node)
    return lw.emit("np.squeeze", (clipped,), node, hint)


STATISTICS = {"np.cov": _cov, "np.corrcoef": _corrcoef}
