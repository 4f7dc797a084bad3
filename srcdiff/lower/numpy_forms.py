"""NumPy calls written out with the primitives srcdiff already differentiates.

``NumpyForms`` is mixed into ``function._Lowerer`` (it relies on ``argument``, ``emit``,
``resolve`` and ``error``).  ``numpy_form(op, node, hint)`` is asked about every ``np.*``
call before its arguments are lowered; it returns None for calls it leaves alone (and for
options it does not know: the call then stays whole, and is refused by name where it needs
a gradient), else the operand (or a ``TupleValue``) the call stands for.  Output contract:

| call | written as |
| --- | --- |
| ``np.vdot(a, b)`` | ``np.sum(np.ravel(a) * np.ravel(b))`` |
| ``np.nansum``, ``nanprod`` | ``np.sum`` / ``np.prod`` of ``np.where(np.isnan(a), 0.0 / 1.0, a)`` |
| ``np.nanmean`` | that sum over the count, ``np.sum(np.where(np.isnan(a), 0.0, np.ones_like(a)))`` |
| ``np.nanmax``, ``nanmin`` | ``np.max`` of ``np.where(np.isnan(a), -np.inf, a)``, NaN where every entry is NaN |
| ``np.nanvar``, ``nanstd`` | the squares of ``np.where(np.isnan(a), 0.0, a - m)`` summed over ``count - ddof``, ``m`` the ``nanmean`` kept (``np.sqrt`` of it) |
| ``np.select(conds, choices, d)`` | nested ``np.where``, the first condition outermost |
| ``np.meshgrid(*xs)`` | each ``np.ravel(x)`` reshaped along its axis, ``np.broadcast_to`` the grid's shape |
| ``np.trapezoid``, ``np.trapz`` | ``np.sum(d * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)``, ``d`` = ``np.diff(x)`` or ``dx`` |
| ``np.polyval(p, x)`` | Horner's steps for a display ``p`` (NumPy's own arithmetic); else the powers of ``x`` by ``np.cumprod`` |

``numpy_signals`` adds interpolation, convolution, ``take_along_axis`` and ``lstsq``; ``numpy_gathers``
``take``, ``partition``, ``delete``, ``vander``, ``diagflat``, ``average`` with weights; ``numpy_statistics``
``cov`` and ``corrcoef``;
``ufunc_method`` reads ``np.add.reduce``, ``np.add.accumulate`` (``np.cumsum`` along axis 0 by
default; ``np.maximum.accumulate`` and ``minimum`` read ``x`` where ``rt.running_extreme_index`` finds
the running extreme, the first on a tie) and ``np.multiply.outer`` (``methods``'s
``.item()`` is ``rt.item``).
"""
import ast

from .. import frontend
from ..errors import UnsupportedSyntaxError
from ..ir import Const, Global, Slice
from .calls import TupleValue
from .numpy_gathers import GATHERS
from .numpy_signals import SIGNALS, array_like, bind, constant_of
from .numpy_statistics import STATISTICS

_NAN_REDUCTIONS = {"np.nansum": ("np.sum", 0.0), "np.nanprod": ("np.prod", 1.0), "np.nanmax": ("np.max", "-"),
                   "np.nanmin": ("np.min", "+"), "np.nanmean": ("np.sum", 0.0)}
_UFUNC_METHODS = ("reduce", "outer", "accumulate", "reduceat", "at")
_REDUCE = {"np.add": "np.sum", "np.multiply": "np.prod", "np.maximum": "np.max", "np.minimum": "np.min"}
_ACCUMULATE = {"np.add": "np.cumsum", "np.multiply": "np.cumprod"}
_RUNNING_EXTREMES = {"np.maximum": True, "np.minimum": False}  # accumulate of these: is the extreme the largest
_OUTER = {"np.add": "+", "np.subtract": "-", "np.multiply": "*", "np.divide": "/", "np.true_divide": "/",
          "np.power": "**", "np.maximum": "np.maximum", "np.minimum": "np.minimum"}


class NumpyForms:
    """NumPy calls written out; see the module docstring."""

    def numpy_form(self, op, node, hint):
        form = _FORMS.get(op) or SIGNALS.get(op) or GATHERS.get(op) or STATISTICS.get(op)
        return None if form is None else form(self, op, node, hint)

    def ufunc_method(self, node, hint):
        """``np.add.reduce(x, axis=0)`` as ``np.sum(x, axis=0)``, ``np.multiply.outer(a, b)`` as
        ``rt.outer_operand(a, b) * b``; None for any other call."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _UFUNC_METHODS
                and isinstance(func.value, (ast.Attribute, ast.Name)) and not self.is_value(func.value)):
            return None
        try:
            ref = self.resolve(func.value)
        except UnsupportedSyntaxError:
            return None
        ufunc = getattr(ref, "op", None) if isinstance(ref, frontend.PrimitiveRef) else None
        if func.attr == "reduce" and ufunc in _REDUCE:
            bound = bind(node, ("array", "axis", "dtype", "out", "keepdims"))
            if bound is None or set(bound) - {"array", "axis", "keepdims"}:
                return None
            axis = self.argument(bound["axis"]) if "axis" in bound else Const(0)  # reduce's default axis is 0
            kwargs = (("axis", axis),) + ((("keepdims", self.argument(bound["keepdims"])),) if "keepdims" in bound else ())
            return self.emit(_REDUCE[ufunc], (self.argument(bound["array"], True),), node, hint, kwargs)
        if func.attr == "accumulate" and (ufunc in _ACCUMULATE or ufunc in _RUNNING_EXTREMES):
            bound = bind(node, ("array", "axis", "dtype", "out"))
            if bound is None or set(bound) - {"array", "axis"}:
                return None
            axis = self.argument(bound["axis"]) if "axis" in bound else Const(0)  # accumulate's default axis is 0
            if ufunc in _RUNNING_EXTREMES:  # the running extreme, read where it was found
                array = array_like(self, self.argument(bound["array"], True), node)
                found = self.emit("rt.running_extreme_index", (array, axis, Const(_RUNNING_EXTREMES[ufunc])), node)
                return self.emit("[]", (array, self.emit("rt.along_axis_index", (array, found, axis), node)), node, hint)
            return self.emit(_ACCUMULATE[ufunc], (self.argument(bound["array"], True),), node, hint, (("axis", axis),))
        if func.attr == "outer" and ufunc in _OUTER:
            bound = bind(node, ("A", "B"), required=2)
            if bound is None:
                return None
            a, b = (array_like(self, self.argument(bound[name], True), node) for name in ("A", "B"))
            return self.emit(_OUTER[ufunc], (self.emit("rt.outer_operand", (a, b), node), b), node, hint)
        if ufunc is None:
            return None
        raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(func)}' is not supported with these arguments",
                         "srcdiff reads np.add/multiply/maximum/minimum.reduce(x, axis, keepdims=), "
                         "np.add/multiply/maximum/minimum.accumulate(x, axis) and the outer of + - * / ** maximum minimum; "
                         "write np.sum(x, axis=...) or a[..., None] * b")

    def axis_options(self, bound):
        """The ``axis=`` and ``keepdims=`` keyword operands of a reduction, as given."""
        return tuple((name, self.argument(bound[name])) for name in ("axis", "keepdims") if name in bound)


def _vdot(lw, op, node, hint):
    bound = bind(node, ("a", "b"), required=2)
    if bound is None:
        return None
    a, b = (lw.emit("np.ravel", (lw.argument(bound[name], True),), node) for name in ("a", "b"))
    return lw.emit("np.sum", (lw.emit("*", (a, b), node),), node, hint)


def _nan_reduction(lw, op, node, hint):
    bound = bind(node, ("a", "axis", "dtype", "out", "keepdims"))
    if bound is None or set(bound) - {"a", "axis", "keepdims"}:
        return None
    a = lw.argument(bound["a"], True)
    options = lw.axis_options(bound)
    reduction, fill = _NAN_REDUCTIONS[op]
    missing = lw.emit("np.isnan", (a,), node)
    if isinstance(fill, str):  # max and min: NaN never wins, and is the result where every entry is NaN
        infinity = Global("np.inf") if fill == "+" else lw.emit("neg", (Global("np.inf"),), node)
        extreme = lw.emit(reduction, (lw.emit("np.where", (missing, infinity, a), node),), node, None, options)
        return lw.emit("np.where", (lw.emit("np.all", (missing,), node, None, options), Global("np.nan"), extreme),
                       node, hint)
    total = lw.emit(reduction, (lw.emit("np.where", (missing, Const(fill), a), node),), node,
                    None if op == "np.nanmean" else hint, options)
    if op != "np.nanmean":
        return total
    present = lw.emit("np.where", (missing, Const(0.0), lw.emit("np.ones_like", (a,), node)), node)
    return lw.emit("/", (total, lw.emit("np.sum", (present,), node, None, options)), node, hint)


def _nan_spread(lw, op, node, hint):
    """``np.nanvar`` and ``np.nanstd``: NaN entries count for nothing, in the mean and in the spread."""
    bound = bind(node, ("a", "axis", "dtype", "out", "ddof", "keepdims"))
    if bound is None or set(bound) - {"a", "axis", "ddof", "keepdims"}:
        return None
    a = lw.argument(bound["a"], True)
    options = lw.axis_options(bound)
    kept = tuple(option for option in options if option[0] == "axis") + (("keepdims", Const(True)),)
    missing = lw.emit("np.isnan", (a,), node)
    present = lw.emit("np.where", (missing, Const(0.0), lw.emit("np.ones_like", (a,), node)), node)
    total = lw.emit("np.sum", (lw.emit("np.where", (missing, Const(0.0), a), node),), node, None, kept)
    mean = lw.emit("/", (total, lw.emit("np.sum", (present,), node, None, kept)), node)
    spread = lw.emit("np.where", (missing, Const(0.0), lw.emit("-", (a, mean), node)), node)
    squares = lw.emit("np.sum", (lw.emit("*", (spread, spread), node),), node, None, options)
    count = lw.emit("np.sum", (present,), node, None, options)
    if "ddof" in bound:
        count = lw.emit("-", (count, lw.argument(bound["ddof"])), node)
    if op == "np.nanvar":
        return lw.emit("/", (squares, count), node, hint)
    return lw.emit("np.sqrt", (lw.emit("/", (squares, count), node),), node, hint)


def _select(lw, op, node, hint):
    bound = bind(node, ("condlist", "choicelist", "default"), required=2)
    if bound is None:
        return None
    conditions, choices = bound["condlist"], bound["choicelist"]
    if not (isinstance(conditions, (ast.List, ast.Tuple)) and isinstance(choices, (ast.List, ast.Tuple))
            and len(conditions.elts) == len(choices.elts) > 0):
        raise lw.error(UnsupportedSyntaxError, node, "np.select is differentiated with its conditions and choices "
                       "written out as lists of the same length",
                       "write np.select([c1, c2], [v1, v2], default), or nest np.where(c1, v1, np.where(c2, v2, default))")
    result = lw.argument(bound["default"], True) if "default" in bound else Const(0)
    pairs = list(zip(conditions.elts, choices.elts))
    lowered = [(lw.argument(c, True), lw.argument(v, True)) for c, v in pairs]
    for i, (condition, choice) in reversed(list(enumerate(lowered))):
        result = lw.emit("np.where", (condition, choice, result), node, hint if i == 0 else None)
    return result


def _meshgrid(lw, op, node, hint):
    if any(isinstance(a, ast.Starred) for a in node.args) or not node.args:
        return None
    options = {k.arg: k.value for k in node.keywords}
    if set(options) - {"indexing", "sparse", "copy"}:
        return None
    indexing = constant_of(lw, options, "indexing", "xy")
    sparse = constant_of(lw, options, "sparse", False)
    if indexing not in ("xy", "ij") or sparse not in (True, False) or constant_of(lw, options, "copy", True) is ...:
        return None
    vectors = [lw.emit("np.ravel", (lw.argument(a, True),), node) for a in node.args]
    count = len(vectors)
    places = list(range(count))
    if indexing == "xy" and count > 1:
        places[0], places[1] = 1, 0
    by_place = sorted(range(count), key=lambda k: places[k])
    shape = None if sparse else lw.emit("tuple", [lw.emit("np.size", (vectors[k],), node) for k in by_place], node)
    grids = []
    for k, vector in enumerate(vectors):
        along = Const(tuple(-1 if p == places[k] else 1 for p in range(count)))
        grid = lw.emit("np.reshape", (vector, along), node)
        grids.append(grid if sparse else lw.emit("np.broadcast_to", (grid, shape), node))
    return TupleValue(grids)


def _trapezoid(lw, op, node, hint):
    bound = bind(node, ("y", "x", "dx", "axis"))
    if bound is None:
        return None
    axis = constant_of(lw, bound, "axis", -1)
    if type(axis) is not int:
        return None
    y = array_like(lw, lw.argument(bound["y"], True), node)
    if axis != -1:
        if "x" in bound and not (isinstance(bound["x"], ast.Constant) and bound["x"].value is None):
            raise lw.error(UnsupportedSyntaxError, node, f"{op} with sample points x along axis={axis} is not supported",
                           f"move the axis last: {op}(np.moveaxis(y, {axis}, -1), x)")
        y = lw.emit("np.moveaxis", (y, Const(axis), Const(-1)), node)
    x = lw.argument(bound["x"], True) if "x" in bound else Const(None)
    step = lw.emit("np.diff", (x,), node) if not (isinstance(x, Const) and x.value is None) else (
        lw.argument(bound["dx"], True) if "dx" in bound else Const(1.0))
    upper = lw.emit("[]", (y, Const(Ellipsis), Const(Slice(1, None, None))), node)
    lower = lw.emit("[]", (y, Const(Ellipsis), Const(Slice(None, -1, None))), node)
    heights = lw.emit("+", (upper, lower), node)
    areas = lw.emit("/", (lw.emit("*", (step, heights), node), Const(2.0)), node)
    return lw.emit("np.sum", (areas,), node, hint, (("axis", Const(-1)),))


def _polyval(lw, op, node, hint):
    bound = bind(node, ("p", "x"), required=2)
    if bound is None:
        return None
    x = lw.argument(bound["x"], True)
    if isinstance(bound["p"], (ast.List, ast.Tuple)) and bound["p"].elts:
        value = lw.emit("np.zeros_like", (x,), node)  # NumPy's own steps: y = y * x + p[k]
        coefficients = bound["p"].elts
        for k, coefficient in enumerate(coefficients):
            value = lw.emit("+", (lw.emit("*", (value, x), node), lw.argument(coefficient, True)), node,
                            hint if k == len(coefficients) - 1 else None)
        return value
    p = array_like(lw, lw.argument(bound["p"], True), node)
    column = lw.emit("[]", (lw.emit("np.asarray", (x,), node), Const(Ellipsis), Const(None)), node)
    count = lw.emit("-", (lw.emit("np.size", (p,), node), Const(1)), node)
    repeated = lw.emit("np.repeat", (column, count), node, None, (("axis", Const(-1)),))
    powers = lw.emit("np.cumprod", (repeated,), node, None, (("axis", Const(-1)),))  # x, x**2, ... exact at 0
    ones = lw.emit("np.ones_like", (column,), node)
    every = lw.emit("np.concatenate", (ones, powers), node, None, (("axis", Const(-1)),))
    highest_first = lw.emit("[]", (every, Const(Ellipsis), Const(Slice(None, None, -1))), node)
    return lw.emit("np.sum", (lw.emit("*", (highest_first, p), node),), node, hint, (("axis", Const(-1)),))


_FORMS = {"np.vdot": _vdot, **dict.fromkeys(_NAN_REDUCTIONS, _nan_reduction), "np.nanvar": _nan_spread,
          "np.nanstd": _nan_spread, "np.select": _select,
          "np.meshgrid": _meshgrid, "np.trapezoid": _trapezoid, "np.trapz": _trapezoid, "np.polyval": _polyval}
