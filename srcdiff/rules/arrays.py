"""The gradient rules of array code: the scalar table, made shape-aware, plus NumPy's own.

``ArrayRules(function)`` is called with a statement and returns what ``rules.rule_for``
returns for a scalar one: one template per positional argument (placeholders ``g y x
x0 x1 ...``), ``ZERO``, or None when there is no rule.  Element-wise rules are the
scalar ones (sympy-derived for the elementary functions, printed for numpy), wrapped so
each contribution has its operand's shape: ``rt.unbroadcast(t, x)`` where the operand
may be smaller than the result, ``np.sum(t)`` for a scalar operand of an array result,
nothing where ``kinds`` proves the shapes equal.  Keyword arguments that shape a
gradient (``axis``, ``keepdims``) must be constants; they are written into the template.
``check_result`` says whether generated code must check at run time that the result
is one number (``rt.check_scalar``), which the shape rules then rely on.
``rules_of(function)`` picks the table: array rules for array code
(``analysis.uses_arrays``), the scalar table otherwise, so scalar functions keep their
generated text byte for byte.  Given the arguments' kinds (``kinds``: specialized code),
the shapes know more: numbers are ``SCALAR`` (no ``rt.unbroadcast`` on floats), products of
two matrices get ``g @ x1.T`` and ``x0.T @ g`` (``specialized``), ``item_reads``
names the ``xs[i]`` reads of sequence parameters whose gradient is added entry by entry (in
all code, those of a list of numbers the function grows by appends), a contribution to the
result of a ``keepdims`` reduction along a constant axis is ``np.sum(t, axis, keepdims=True)``,
and ``np.sum(W * W)`` passes its adjoint on as the number it is (``specialized``).
"""

from ..analysis import ELEMENTWISE as ELEMENTWISE_OPS
from ..analysis import SCALAR, infer_shapes, is_ufunc, item_reads, proves_scalar, uses_arrays
from ..errors import NoGradientRuleError
from ..ir import SEQUENCE_OPS, Const, Var, assigns
from .casts import COMPUTED, EXACT, dtype_of_result
from .families import Families
from .helpers import HELPER_BUILDERS
from .linalg import LINALG_BUILDERS, LINALG_KEYWORDS
from .makers import ELEMENTWISE_MAKERS, linspace_rule
from .selections import clip_rule, getitem_rule, setitem_rule, where_rule
from .scalar import ZERO, placeholders, rule_of_call, scalar_rule
from .specialized import by_result, reduced_from, specialized_rule, spread_vars, summed_along
from .tensors import TENSOR_BUILDERS, TENSOR_KEYWORDS

# ---- element-wise: the scalar rule of each, shared (tie: first argument of maximum/minimum)
ELEMENTWISE = {
    "np.add": "+", "np.subtract": "-", "np.multiply": "*", "np.divide": "/", "np.true_divide": "/",
    "np.power": "**", "np.mod": "%", "np.remainder": "%", "np.negative": "neg", "np.positive": "pos",
    "np.maximum": "max", "np.minimum": "min", "np.fmax": "max", "np.fmin": "min",
    "np.abs": "abs", "np.absolute": "abs", "np.fabs": "abs", "np.cbrt": "math.cbrt", "np.float_power": "**",
}
BINARY = frozenset({"+", "-", "*", "/", "**", "%", "max", "min", "np.arctan2", "np.hypot"})

# ---- no gradient: integer, boolean and shape results, and constructors of constants
NO_GRADIENT = frozenset({
    ".shape", ".ndim", ".size", ".dtype", "slice", "np.shape", "np.ndim", "np.size",
    "np.zeros", "np.ones", "np.zeros_like", "np.ones_like", "np.empty", "np.empty_like", "np.eye",
    "np.argmax", "np.argmin", ".argmax()", ".argmin()", ".index()", ".count()", ".startswith()", ".endswith()",
    "np.argsort", "np.lexsort", "np.sign", "np.floor", "np.ceil", "np.round", "np.rint", "np.trunc", "np.isnan",
    "np.isinf", "np.isfinite", "np.imag", "np.angle", "np.greater", "np.less", "np.equal", "np.logical_and",
    "np.logical_or", "np.logical_not", "len", "in", "not in", "np.searchsorted", "np.all", "np.any",
    "rt.along_axis_index", "rt.convolve_index", "rt.convolve_mask", "rt.lstsq_rank", "rt.lstsq_kept", "rt.take_index", "rt.partition_order",
    "rt.sorted_order", "np.argpartition", "rt.kept_positions", "rt.running_extreme_index", "np.nonzero",
    "np.flatnonzero", "np.argwhere",  # indices and masks (``rules.numerics``)
})

# ---- structure: a rule per call, built from its constant keyword arguments
REDUCTIONS = {
    "np.sum": "sum", ".sum()": "sum", "np.mean": "mean", ".mean()": "mean", "np.average": "mean",
    "np.max": "max", "np.amax": "max", ".max()": "max", "np.min": "min", "np.amin": "min",
    ".min()": "min", "np.prod": "prod", ".prod()": "prod", "np.var": "var", ".var()": "var",
    "np.std": "std", ".std()": "std",
}
RESHAPES = frozenset({
    "np.reshape", ".reshape()", "np.ravel", ".ravel()", ".flatten()", "np.squeeze", ".squeeze()",
    "np.expand_dims", "np.atleast_1d", "np.atleast_2d",
})
IDENTITIES = frozenset({"np.copy", ".copy()", "np.array", "np.asarray", ".real", "np.real", "np.conjugate", "np.real_if_close"})
PRODUCTS = {
    "@": ("rt.matmul_grad_left(g, x0, x1)", "rt.matmul_grad_right(g, x0, x1)"),
    "np.matmul": ("rt.matmul_grad_left(g, x0, x1)", "rt.matmul_grad_right(g, x0, x1)"),
    "np.dot": ("rt.dot_grad_left(g, x0, x1)", "rt.dot_grad_right(g, x0, x1)"),
    ".dot()": ("rt.dot_grad_left(g, x0, x1)", "rt.dot_grad_right(g, x0, x1)"),
    "np.inner": ("rt.inner_grad_left(g, x0, x1)", "rt.inner_grad_right(g, x0, x1)"),
    "np.outer": ("np.reshape(g @ np.ravel(x1), np.shape(x0))", "np.reshape(np.ravel(x0) @ g, np.shape(x1))"),
}

def rules_of(function, kinds=None):
    """The rule lookup of ``function``: ``ArrayRules`` for array code, the scalar table
    otherwise; ``kinds`` (parameter Var -> ``analysis.Kind``) specializes array rules."""
    return ArrayRules(function, kinds=kinds) if uses_arrays(function) else scalar_rule


class ArrayRules:
    """The rule of each statement of one array function (see the module docstring)."""

    def __init__(self, function, scalar_result=True, kinds=None):
        self.shapes = infer_shapes(function, scalar_result, kinds)
        self.check_result = scalar_result and not proves_scalar(function, kinds)
        self.families = Families(function)  # shapes, orders, splits, scipy.special, random draws
        self.item_reads = item_reads(function, self.shapes, parameters=bool(kinds))
        self.specialized = bool(kinds)
        self.definitions = {s.target: s for s in assigns(function.body)} if kinds else {}
        # Vars whose adjoint may be a number standing for an array of their shape (``spread_by_product``)
        self.spread = spread_vars(self.definitions, self.shapes)
        self._cache = {}

    def __call__(self, stmt):
        if stmt not in self._cache:
            self._cache[stmt] = self._rule(stmt)
        return self._cache[stmt]

    def _rule(self, stmt):
        cast = dtype_of_result(stmt)  # EXACT: a result of integers or booleans; COMPUTED: known at run time
        if cast in (EXACT, COMPUTED):
            return ZERO if cast == EXACT else None
        kind, family = self.families.rule(stmt)
        if kind is not None:
            return self._elementwise(stmt, family) if kind == "elementwise" else _checked(family, len(stmt.args))
        op = ELEMENTWISE.get(stmt.op, stmt.op)
        n = len(stmt.args)
        if op in NO_GRADIENT:
            return ZERO
        if stmt.op.startswith(("np.", ".")) and not {k for k, _ in stmt.kwargs} <= KEYWORDS.get(_family(op), frozenset()):
            return None  # out=, where=, initial=, order=...: not differentiated (the error names the call)
        if op in BINARY and n == 2:
            settled = by_result(stmt, op) if self.specialized else None
            return self._elementwise(stmt, settled or rule_of_call(op, stmt.args))
        if op in ELEMENTWISE_BUILDERS:
            return self._elementwise(stmt, ELEMENTWISE_BUILDERS[op](stmt, placeholders(n)))
        settled = specialized_rule(stmt, op, self.shapes, self.definitions) if self.specialized else None
        if settled is not None:
            return settled
        builder = _BUILDERS.get(_family(op))
        if builder is not None:
            try:
                return _checked(builder(stmt, placeholders(n)), n)
            except _NotConstant as err:
                raise _not_constant(stmt, err.args[0]) from None
        rule = rule_of_call(op, stmt.args)
        if n > 1 and (op in ELEMENTWISE_OPS or is_ufunc(op)):
            return self._elementwise(stmt, rule)
        return rule  # one operand, or not element-wise (a srcdiff.Function's forward call)

    def _elementwise(self, stmt, templates):
        """Templates of an element-wise rule, each summed down to its operand's shape."""
        if templates is None or templates is ZERO:
            return templates
        result = self.shapes[stmt.target]
        wrapped = []
        for arg, name, template in zip(stmt.args, placeholders(len(stmt.args)), templates):
            shape = self.shapes.of(arg) if isinstance(arg, Var) else None
            if template is None or shape is None or shape is result:
                wrapped.append(template)
            elif self.specialized and reduced_from(shape, result):
                wrapped.append(summed_along(ELEMENTWISE.get(stmt.op, stmt.op), name, template, shape.axis))
            elif shape is SCALAR:
                wrapped.append(f"np.sum({template})")
            else:
                wrapped.append(f"rt.unbroadcast({template}, {name})")
        return tuple(wrapped)


# the keyword arguments each family's rule takes into account; any other one means no rule
KEYWORDS = {
    "reduce": frozenset({"axis", "keepdims", "dtype", "ddof"}), "cumsum": frozenset({"axis"}), "reshape": frozenset({"newshape", "shape", "axis", "order"}),
    "sequence": frozenset({"axis"}), "np.transpose": frozenset({"axes"}), ".transpose()": frozenset({"axes"}),
    "np.linspace": frozenset({"endpoint"}), **TENSOR_KEYWORDS, **LINALG_KEYWORDS,
}


def _family(op):
    if op in REDUCTIONS:
        return "reduce"
    if op in ("np.cumsum", ".cumsum()"):
        return "cumsum"
    for family, members in (("reshape", RESHAPES), ("identity", IDENTITIES), ("product", PRODUCTS),
                            ("sequence", SEQUENCE_OPS)):
        if op in members:
            return family
    return op


def _checked(rule, n):
    return rule if rule is None or rule is ZERO or len(rule) == n else None


# ---------------------------------------------------------------- rule builders

def _not_constant(stmt, what):
    """The error for a setting of ``stmt`` (``what``: 'axis') that is not a constant."""
    loc, hint = stmt.loc.user(), f"write {what}= as a number or a tuple of numbers"
    return NoGradientRuleError(f"the {what} of '{stmt.op}' must be a constant: srcdiff writes it into the gradient code",
                               loc.filename, loc.lineno, loc.col, loc.line_text, hint)


class _NotConstant(Exception):
    pass


def _param(stmt, position, name, default=None):
    """The constant value of a call's argument, given by position or keyword."""
    kwargs = dict(stmt.kwargs)
    operand = kwargs.get(name, stmt.args[position] if position is not None and len(stmt.args) > position else None)
    if operand is None:
        return default
    if not isinstance(operand, Const):
        raise _NotConstant(name)
    return operand.value


def _keywords(**values):
    return "".join(f", {k}={v!r}" for k, v in values.items() if v is not None and v is not False)


def _reduce(stmt, names):
    kind = REDUCTIONS[stmt.op]
    if len(names) > 2:
        return None  # dtype, out or keepdims given by position
    axis = _param(stmt, 1, "axis")
    keepdims = _param(stmt, None, "keepdims", False)
    if stmt.op == "np.average" and (len(stmt.args) > 2 or "weights" in dict(stmt.kwargs)):
        return None
    ddof = _param(stmt, None, "ddof", 0) or None
    output = ", y" if kind == "std" else ""
    helper = f"rt.{kind}_grad(g, {names[0]}{output}{_keywords(axis=axis, keepdims=keepdims, ddof=ddof)})"
    return (helper,) + (None,) * (len(names) - 1)


def _spread_tangent(stmt, names):
    """Forward mode of ``np.var`` and ``np.std``: ``np.sum(g * G)`` over the reduced axes,
    ``G`` their gradient for an upstream 1 (as for norms); None for a keyword it does not read."""
    if not {k for k, _ in stmt.kwargs} <= KEYWORDS["reduce"]:
        return None
    try:
        rule, axis, keepdims = _reduce(stmt, names), _param(stmt, 1, "axis"), _param(stmt, None, "keepdims", False)
    except _NotConstant as err:
        raise _not_constant(stmt, err.args[0]) from None
    if rule is None:
        return None
    gradient = rule[0].replace("(g, ", "(np.ones_like(y), ", 1)  # G: the gradient for an upstream 1
    return (f"np.sum(g * {gradient}{_keywords(axis=axis, keepdims=keepdims)})",) + (None,) * (len(names) - 1)


STATISTICS_TANGENTS = {op: _spread_tangent for op in ("np.var", ".var()", "np.std", ".std()")}


ORDER_POSITIONS = {"np.reshape": 2, "np.ravel": 1, ".ravel()": 1, ".flatten()": 1}  # x.reshape: by keyword


def _reshape(stmt, names):
    """``g`` put back in its operand's shape in the order the reshape read it, 'C' or 'F' (no rule
    for 'A' and 'K', whose order is the operand's memory layout)."""
    order = _param(stmt, ORDER_POSITIONS.get(stmt.op), "order", "C")
    written = "" if order == "C" else ", order='F'"
    return None if order not in ("C", "F") else (f"np.reshape(g, np.shape({names[0]}){written})",) + (None,) * (len(names) - 1)


def _transpose(stmt, names):
    axes = _param(stmt, 1, "axes")
    if axes is None:
        return ("np.transpose(g)",) + (None,) * (len(names) - 1)
    inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i] % len(axes)))
    return (f"np.transpose(g, {inverse!r})",) + (None,) * (len(names) - 1)


def _sequence(stmt, names):
    """Each part's gradient is the piece of ``g`` it became: ``g[1]`` of ``np.stack``, ``g[:, n0:n0 + n1]``
    of ``np.concatenate`` along axis 1 (plain indexing, so that it can be differentiated again)."""
    axis = _param(stmt, None, "axis", 0)
    if stmt.op == "np.stack":
        return tuple(f"g[{_along(axis, str(i))}]" for i in range(len(names)))
    if stmt.op == "np.concatenate" and axis is not None:
        ends = [" + ".join(f"np.shape({name})[{axis}]" for name in names[:i + 1]) for i in range(len(names))]
        return tuple(f"g[{_along(axis, f'{start}:{end}')}]" for start, end in zip(["0"] + ends, ends))
    parts = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    if stmt.op in ("np.hstack", "np.vstack"):
        return tuple(f"rt.{stmt.op[3:]}_grad(g, {i}, {parts})" for i in range(len(names)))
    return None


def _along(axis, index):
    """The index text picking ``index`` along ``axis`` (``:, 2, ...`` for axis 1, ``..., 2`` for
    axis -1): the axes after it are spelled ``...``, which the standard asks for (array-api-strict
    refuses ``g[0:2]`` of a matrix)."""
    return ":, " * axis + index + ", ..." if axis >= 0 else "..., " + index + ", :" * (-axis - 1)


def _cumsum(stmt, names):
    axis = _param(stmt, 1, "axis")
    return (f"rt.cumsum_grad(g, {names[0]}{_keywords(axis=axis)})",) + (None,) * (len(names) - 1)


_BUILDERS = {
    "reduce": _reduce, "reshape": _reshape, "identity": lambda stmt, names: ("g",) + (None,) * (len(names) - 1),
    "product": lambda stmt, names: PRODUCTS[stmt.op],
    "sequence": _sequence, "cumsum": _cumsum, "np.transpose": _transpose, ".transpose()": _transpose, ".T": lambda s, n: ("g.T",),
    "np.linspace": linspace_rule, "[]": getitem_rule, "rt.setitem": setitem_rule,
    # item i gets the i-th gradient: of a list value, and of a tuple of values read back (``lower.displays.joined``)
    **dict.fromkeys(("list", "tuple"), lambda stmt, names: tuple(f"g[{i}]" for i in range(len(names)))),
    **HELPER_BUILDERS,  # the runtime helpers of gradients, so a gradient can be differentiated again
    **TENSOR_BUILDERS, **LINALG_BUILDERS,  # einsum and friends; np.linalg (norms included)
}


# element-wise with three operands: each contribution is summed down like a binary one's
ELEMENTWISE_BUILDERS = {"np.clip": clip_rule, ".clip()": clip_rule, "np.where": where_rule, **ELEMENTWISE_MAKERS}
