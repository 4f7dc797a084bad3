"""Interpolation, convolution and least squares, written out with the
primitives srcdiff already differentiates (the forms ``numpy_forms.NumpyForms`` looks up here).

Each form takes the lowerer, the call's op and node and the hint of its result; it returns the
operand the call stands for, or None to leave the call whole (an option it does not know):

| call | written as |
| --- | --- |
| ``np.interp(x, xp, fp)`` | ``j`` = the segment of ``x`` (``np.searchsorted``, clipped into ``xp``), then NumPy's ``slope * (xc - xp[j]) + fp[j]`` with ``xc = np.clip(x, xp[0], xp[-1])``, as float64; ``left=``, ``right=`` by ``np.where`` |
| ``np.convolve(a, v, mode)`` | ``(a[i] * m) @ v`` with the gather ``i = rt.convolve_index(a, v, mode)`` and its mask ``m = rt.convolve_mask(...)`` |
| ``np.correlate(a, v, mode)`` | the same with ``v[::-1]`` (and NumPy's choice of rows for ``'same'``) |
| ``np.linalg.lstsq(a, b, rcond)`` | ``(np.linalg.pinv(rt.full_rank(a, rcond)) @ b, ...)``; the residuals ``np.sum((b - a @ x) ** 2, axis=0)`` (none unless ``a`` is tall), the rank ``rt.lstsq_rank``, the singular values ``np.linalg.svd`` |

A form reads an argument it indexes or computes with as NumPy does, an array (``array_like``:
``np.asarray`` of a parameter or a constant, which may be a list or a tuple).  So ``interp`` is
differentiated in ``x`` (the segment's slope, 0 outside ``xp``), ``fp`` (the two
weights, put back where read) and ``xp`` (the derivative of the same formula: the knots move
the segment), and ``lstsq`` wherever ``rt.full_rank`` accepts ``a``: its rank is ``min(a.shape)``,
else it raises at run time, naming the user's line.
"""
import ast

from ..ir import Assign, Const, Slice
from .calls import TupleValue



def bind(node, params, required=1):
    """The AST of each argument of ``node`` by parameter name, or None when an argument is starred,
    unknown, given twice, or one of the first ``required`` parameters is missing."""
    if len(node.args) > len(params) or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    bound = dict(zip(params, node.args))
    for keyword in node.keywords:
        if keyword.arg not in params or keyword.arg in bound:
            return None
        bound[keyword.arg] = keyword.value
    return bound if all(p in bound for p in params[:required]) else None


def constant_of(lowerer, bound, name, default):
    """The constant value of an option (``default`` when absent), or ``...`` when it is computed."""
    if name not in bound:
        return default
    operand = lowerer.argument(bound[name])
    return operand.value if isinstance(operand, Const) else ...


def given(bound, name):
    """Whether an option is given as something other than the constant ``None``."""
    return name in bound and not (isinstance(bound[name], ast.Constant) and bound[name].value is None)


def array_like(lw, operand, node):
    """``operand`` as NumPy reads an array_like argument: itself where an operation of the function
    made it (an array or a number), else ``np.asarray`` of it.  A parameter or a constant may be a
    list or a tuple, which the indexing and arithmetic a written-out form does would read as
    Python's (``y[..., 1:]`` of a list, ``a[j]`` of a tuple at an array ``j``)."""
    if isinstance(operand, Const) and not isinstance(operand.value, (list, tuple)):
        return operand
    if not isinstance(operand, Const) and _made_by_numpy(lw, operand):
        return operand
    return lw.emit("np.asarray", (operand,), node)


_NUMBER_OPS = frozenset({"+", "-", "*", "/", "**", "//", "%", "@", "neg", "pos"})


def _made_by_numpy(lw, var):
    """Whether the lowered statements so far assign ``var`` with a NumPy or runtime call or arithmetic
    (not a parameter, a loop's item, a tuple or a list)."""
    for stmt in reversed(lw.shared.body):
        if type(stmt) is Assign and stmt.target is var:
            return stmt.op.startswith(("np.", "rt.")) or stmt.op in _NUMBER_OPS
    return False


def _interp(lw, op, node, hint):
    bound = bind(node, ("x", "xp", "fp", "left", "right", "period"), required=3)
    if bound is None or given(bound, "period"):
        return None
    x = lw.argument(bound["x"], True)
    # NumPy reads the sample points as arrays: a list or tuple (a display, a parameter) indexed below by
    # the segments of an array x would be Python's indexing, which takes no array
    xp, fp = (array_like(lw, lw.argument(bound[name], True), node) for name in ("xp", "fp"))
    first, last = (lw.emit("[]", (xp, Const(k)), node) for k in (0, -1))
    found = lw.emit("np.searchsorted", (xp, x), node, None, (("side", Const("right")),))
    # the last segment starts at len(xp) - 2; one sample point alone raises NumPy's IndexError at xp[1]
    top = lw.emit("max", (lw.emit("-", (lw.emit("np.size", (xp,), node), Const(2)), node), Const(0)), node)
    low = lw.emit("np.clip", (lw.emit("-", (found, Const(1)), node), Const(0), top), node)
    high = lw.emit("+", (low, Const(1)), node)
    x0, x1, f0, f1 = (lw.emit("[]", (values, at), node) for values in (xp, fp) for at in (low, high))
    slope = lw.emit("/", (lw.emit("-", (f1, f0), node), lw.emit("-", (x1, x0), node)), node)
    inside = lw.emit("np.clip", (x, first, last), node)
    value = lw.emit("+", (lw.emit("*", (slope, lw.emit("-", (inside, x0), node)), node), f0), node)
    for name, outside, bound_value in (("left", "<", first), ("right", ">", last)):
        if given(bound, name):
            past = lw.emit(outside, (x, bound_value), node)
            value = lw.emit("np.where", (past, lw.argument(bound[name], True), value), node)
    return lw.emit(".astype()", (value, Const("float64")), node, hint)  # np.interp computes in float64


def _convolution(lw, op, node, hint):
    bound = bind(node, ("a", "v", "mode"), required=2)
    correlate = op == "np.correlate"
    mode = constant_of(lw, bound, "mode", "valid" if correlate else "full") if bound is not None else ...
    if mode not in ("full", "same", "valid"):
        return None
    a, v = (array_like(lw, lw.argument(bound[name], True), node) for name in ("a", "v"))
    if correlate:
        v = lw.emit("[]", (v, Const(Slice(None, None, -1))), node)
    settings = (a, v, Const(mode), Const(correlate))
    index = lw.emit("rt.convolve_index", settings, node)
    mask = lw.emit("rt.convolve_mask", settings, node)
    gathered = lw.emit("*", (lw.emit("[]", (a, index), node), mask), node)
    return lw.emit("@", (gathered, v), node, hint)


def _lstsq(lw, op, node, hint):
    bound = bind(node, ("a", "b", "rcond"), required=2)
    if bound is None:
        return None
    a, b = (array_like(lw, lw.argument(bound[name], True), node) for name in ("a", "b"))
    rcond = lw.argument(bound["rcond"]) if "rcond" in bound else Const(None)
    checked = lw.emit("rt.full_rank", (a, rcond), node)
    solution = lw.emit("@", (lw.emit("np.linalg.pinv", (checked,), node), b), node, hint)
    misfit = lw.emit("**", (lw.emit("-", (b, lw.emit("@", (a, solution), node)), node), Const(2)), node)
    squares = lw.emit("np.atleast_1d", (lw.emit("np.sum", (misfit,), node, None, (("axis", Const(0)),)),), node)
    kept = lw.emit("slice", (Const(None), lw.emit("rt.lstsq_kept", (a,), node), Const(None)), node)
    residuals = lw.emit("[]", (squares, kept), node)  # NumPy reports them for a tall matrix only
    rank = lw.emit("rt.lstsq_rank", (a, rcond), node)
    values = lw.emit("np.linalg.svd", (a,), node, None, (("compute_uv", Const(False)),))
    return TupleValue([solution, residuals, rank, values])


SIGNALS = {"np.interp": _interp, "np.convolve": _convolution, "np.correlate": _convolution,
           "np.linalg.lstsq": _lstsq}
