"""What is known statically about the shape of every SSA value of array code.

``infer_shapes(function)`` returns a ``Shapes`` map from each Var to one of:
- ``SCALAR``: a single number (a constant, a full reduction, ``X.shape[0]``, ``len``);
- ``OTHER``: not an array of numbers (a shape tuple, a slice, a dtype);
- a ``Shape``: an array whose shape is unknown but *named*: two values with the same
  ``Shape`` object have the same shape at run time, and a Shape made by a ``keepdims``
  reduction of ``s`` records ``fits=s`` (it broadcasts into ``s`` without growing it).

Nothing else is promised: parameters get a fresh Shape each (they may even be floats at
run time), unless the gradient is specialized to its arguments' kinds (``kinds``, see
``signature``): then a number is ``SCALAR``, and an array or sequence gets a Shape with
its ``rank`` (and ``dtype``); ``items`` marks a sequence or 1-D array whose entry at one
integer position is a number (``xs[i]`` is ``SCALAR``); a ``keepdims`` reduction of
``s`` along a constant ``axis`` records it.  Ranks follow element-wise
operations and matrix products of known ranks.  A list grown from ``()`` by appends of numbers
(``rt.appended``, through merges and loop carries) is a sequence of numbers too
(``shape_values.numbers_list``): its items read by position are ``SCALAR``.  The rules use this to leave out ``rt.unbroadcast`` where an operand
provably has the result's shape, and to sum (``np.sum``) a scalar operand's gradient.
"""
import numpy as np

from ..ir import RANGES, Assign, Const, Global, If, Loop, Undefined, Var, assigns
from ..runtime import linalg, tensors
from .reads import read_shape
from .shape_values import OTHER, SCALAR, Shape, broadcast, holds_numbers, is_empty, is_ragged, join, numbers_list


# Element-wise operations: the result has the broadcast shape of the operands.
ELEMENTWISE = frozenset({
    "+", "-", "*", "/", "**", "%", "//", "<", "<=", ">", ">=", "==", "!=", "neg", "pos", "not",
    "&", "|", "^", "invert",
    "abs", "rt.sign", "rt.log", "np.where", "np.clip", ".clip()", "rt.div_or_zero", "rt.scaled_pow",
    "rt.xlogy", "rt.digamma", "rt.polygamma", "rt.sinc_derivative",  # the runtime's element-wise helpers
})
# Full reductions to one number when called without an axis.
REDUCTIONS = frozenset({
    "np.sum", "np.mean", "np.max", "np.min", "np.amax", "np.amin", "np.prod", "np.average",
    ".sum()", ".mean()", ".max()", ".min()", ".prod()", "np.linalg.norm", "np.std", "np.var", ".std()", ".var()",
    "np.median", "np.ptp", "scipy.special.logsumexp", "np.all", "np.any",
})
# Results that are single numbers or not arrays of numbers.
SCALAR_OPS = frozenset({".ndim", ".size", "len", "in", "not in", "float", "int", "round", "bool", "np.ndim", "np.size", "isinstance",
                        "rt.argmax_item", "rt.argmin_item", "rt.item", "rt.lstsq_rank", ".index()", ".count()",
                        ".startswith()", ".endswith()"})
OTHER_OPS = frozenset({".shape", ".dtype", "tuple", "slice", "np.shape", "rt.check_scalar", "rt.check_direction",
                       "rt.check_number_update", "rt.check_sequence", "rt.check_mapping", "rt.keys_of", "effect"})
# Runtime helpers whose result has the shape of their second argument (``rt.unbroadcast(g, x)``).
SHAPED_LIKE_SECOND = frozenset({"rt.broadcast_like", "rt.tangent_like", "rt.unbroadcast", "rt.like", "rt.sum_grad", "rt.mean_grad",
                                "rt.max_grad", "rt.min_grad", "rt.index_grad"})
# The runtime's array helpers: a function calling them is array code even without ``np.*``
# (the gradient of array code, read back for a second derivative).
ARRAY_HELPERS = SHAPED_LIKE_SECOND | frozenset({
    "rt.index_grads", "rt.prod_grad", "rt.prod_hvp", "rt.var_grad", "rt.std_grad", "rt.cumsum_grad", "rt.norm_grad", "rt.matmul_grad_left",
    "rt.matmul_grad_right", "rt.dot_grad_left", "rt.dot_grad_right", "rt.inner_grad_left", "rt.inner_grad_right",
    "rt.setitem", "rt.written_grad", "rt.if_inexact", "rt.concatenate_grad", "rt.hstack_grad", "rt.vstack_grad",
    "rt.concatenate_place", "rt.hstack_place", "rt.vstack_place",
    "rt.repeat_grad", "rt.tile_grad", "rt.pad_grad", "rt.rollaxis_grad", "rt.diff_grad", "rt.gradient_grad", "rt.gradient_along", "rt.unsort", "rt.sort_like",
    "rt.part_grad", "rt.part_of", "rt.concatenate_items", "rt.stack_items", "rt.split_items", "rt.joined_items",
    "rt.joined_items_grad", "rt.cumprod_grad",
    "rt.cumprod_tangent", "rt.cumprod_hvp", "rt.quantile_grad", "rt.quantile_tangent",
    "rt.appended", "list", "rt.but_last",  # lists of values (lower.sequences): their gradients hold one entry per item
}) | frozenset(f"rt.{name}" for name in linalg.__all__ + tensors.__all__)
# np.<f> applied to one array keeps its shape (every elementary ufunc).
_NOT_ELEMENTWISE_NP = frozenset({
    "np.arange", "np.zeros", "np.ones", "np.eye", "np.full", "np.empty", "np.linspace", "np.array",
    "np.reshape", "np.ravel", "np.transpose", "np.squeeze", "np.expand_dims", "np.dot", "np.matmul",
    "np.outer", "np.inner", "np.concatenate", "np.stack", "np.hstack", "np.vstack", "np.argmax",
    "np.argmin", "np.broadcast_to", "np.tile", "np.repeat", "np.cumsum", "np.cumprod", "np.diff",
    "np.sort", "np.argsort", "np.take", "np.einsum", "np.tensordot", "np.kron", "np.trace",
    "np.diag", "np.diagonal", "np.swapaxes", "np.moveaxis", "np.atleast_1d", "np.atleast_2d",
    "np.atleast_3d", "np.column_stack", "np.std", "np.var", "np.median", "np.cov", "np.unique", "np.cross",
    "np.rollaxis", "np.pad", "np.append", "np.split", "np.array_split", "np.percentile", "np.quantile", "np.ptp",
    "np.rot90", "np.searchsorted",
})
# NumPy functions that are not ufuncs but keep the broadcast shape of their operands, entry by entry
# (a ufunc is known by its class: ``is_elementwise``); any other np.<f> (np.count_nonzero,
# np.trapezoid, np.polyval, np.convolve...) gives a shape of its own
_ELEMENTWISE_FUNCTIONS = frozenset(f"np.{name}" for name in (
    "round", "around", "fix", "i0", "sinc", "nan_to_num", "real", "imag", "angle", "real_if_close", "isclose",
    "iscomplex", "isreal", "isneginf", "isposinf", "copy", "asarray", "asanyarray", "ascontiguousarray",
    "asfortranarray", "asarray_chkfinite", "require", "full_like", "zeros_like", "ones_like", "empty_like", "where",
    "clip", "flip", "fliplr", "flipud", "roll", "triu", "tril",
))
# scipy.special's functions that are not element-wise
_NOT_ELEMENTWISE_SCIPY = frozenset({"scipy.special.logsumexp", "scipy.special.softmax", "scipy.special.log_softmax"})


class Shapes(dict):
    """Var -> SCALAR, OTHER or a Shape; constants are SCALAR (or OTHER), globals unknown."""

    def of(self, operand):
        if isinstance(operand, Var):  # a value merged after a branch or carried by a loop: unknown
            return self[operand] if operand in self else self.setdefault(operand, Shape())
        if isinstance(operand, Const):
            return SCALAR if isinstance(operand.value, (int, float, bool)) else OTHER
        return self.setdefault(operand, Shape())  # a module constant: may be an array


def infer_shapes(function, scalar_result=False, kinds=None):
    """The ``Shapes`` of every parameter and statement target of ``function``.

    ``scalar_result=True`` also assumes the result is one number (what ``grad`` needs;
    generated code checks it at run time where ``proves_scalar`` is false): then every
    operand of an element-wise operation with a scalar result is a scalar too, since
    broadcasting never shrinks a shape (``reg`` in ``loss + reg * r``).  ``kinds`` maps
    parameter Vars to the ``signature.Kind`` of their argument (specialized code), and
    module constants (``Global``) to the kinds of their values where a caller knows them.
    """
    scalars = set()
    while True:
        shapes = _forward(function, scalars, kinds)
        if not scalar_result:
            return shapes
        more = _scalar_operands(function, shapes) - scalars
        if not more:
            return shapes
        scalars |= more


def proves_scalar(function, kinds=None):
    """Whether the result of ``function`` is one number by its own statements alone (and
    its arguments' ``kinds``, when specialized)."""
    result = function.result
    return not isinstance(result, Var) or _forward(function, set(), kinds).of(result) is SCALAR


def _forward(function, scalars, kinds=None):
    shapes = Shapes()
    for operand, kind in (kinds or {}).items():  # module constants whose kinds are given (jit="numba")
        if isinstance(operand, Global):
            shapes[operand] = _seed(kind)
    for param in function.params:
        shapes[param] = SCALAR if param in scalars else _seed((kinds or {}).get(param))
    _block(function.body, shapes, scalars)
    return shapes


def _block(body, shapes, scalars):
    put = _setter(shapes, scalars)
    for stmt in body:
        if isinstance(stmt, Assign):
            put(stmt.target, _shape_of(stmt, [shapes.of(a) for a in stmt.args], dict(stmt.kwargs)))
        elif isinstance(stmt, If):
            _block(stmt.body, shapes, scalars)
            _block(stmt.orelse, shapes, scalars)
            for merge in stmt.merges:
                put(merge.target, join(_side(shapes, merge.then), _side(shapes, merge.orelse)))
        elif isinstance(stmt, Loop):
            _loop(stmt, shapes, scalars)


def _seed(kind):
    """The shape of a parameter of this ``signature.Kind`` (None: nothing known)."""
    if kind is None:
        return Shape()
    if kind.scalar:
        return SCALAR
    return Shape(rank=kind.ndim or 1, dtype=kind.dtype or None, items=kind.items)


def _setter(shapes, scalars):
    def put(var, shape):
        shapes[var] = SCALAR if var in scalars else shape
    return put


def _loop(loop, shapes, scalars):
    """A loop-carried value has its initial value's shape if every round keeps it (``s = s * 2``),
    else a Shape of its own (found by going round again: each carry gives up at most once).  One
    with no value before the loop (first set inside it) starts as a number: read before it is
    set, it raises; after a round, it has that round's shape, which the join checks."""
    put = _setter(shapes, scalars)
    if loop.iter is not None and loop.iter.kind in RANGES + ("enumerate",):
        put(loop.iter.targets[0], SCALAR)  # an index
    for target, sequence in _items_taken(loop.iter):
        if getattr(shapes.of(sequence), "items", False):
            put(target, SCALAR)  # an item of a sequence of numbers
    for carry in loop.carries:  # one first set in the loop (no value before it): its value's shape, if it keeps one
        put(carry.target, SCALAR if isinstance(carry.init, Undefined) else _side(shapes, carry.init) or Shape())
    given_up = set()
    while True:
        _block(loop.test_body, shapes, scalars)
        _block(loop.body, shapes, scalars)
        changed = [c.target for c in loop.carries if _changes(c, shapes, c.target in given_up)]
        if not changed:
            return
        for carry in loop.carries:  # gives up once to a list of numbers of any length (or unknown), then to unknown
            if carry.target in changed:
                start = numbers_list() if is_empty(carry.init) else shapes[carry.target]  # (): no items yet
                after = _side(shapes, carry.next)
                put(carry.target, Shape(ragged=is_ragged(start) or is_ragged(after)) if carry.target in given_up
                    else join(start, after))
                given_up.add(carry.target)


def _items_taken(it):
    """The ``(target, sequence)`` pairs of a ``for`` whose targets take one item each of a
    sequence: ``for x in xs``, ``reversed(xs)``, ``zip(xs, ys)``, ``enumerate(xs)``'s second."""
    if it is None or it.kind in RANGES:
        return ()
    if it.kind == "enumerate":
        return ((it.targets[1], it.args[0]),)
    if it.kind == "zip" or len(it.targets) == 1:  # a target unpacking an item (for a, b in pairs) is no number
        return tuple(zip(it.targets, it.args))
    return ()


def _changes(carry, shapes, given_up):
    """Whether a round changed what is known of a carried value: its shape, or, once given up to
    a list of numbers of any length (appends of numbers), that it still is one."""
    now, after = shapes[carry.target], _side(shapes, carry.next)
    if given_up:
        return holds_numbers(now) and not holds_numbers(after)
    return join(now, after) is not now


def _side(shapes, operand):
    """The shape of a merged or carried operand; None where the variable is undefined."""
    return None if isinstance(operand, Undefined) else shapes.of(operand)


def _scalar_operands(function, shapes):
    """The result and, transitively, the operands of element-wise statements with a scalar result."""
    scalar = {function.result} if isinstance(function.result, Var) else set()
    for stmt in reversed(assigns(function.body)):
        if stmt.target in scalar and (stmt.op in ELEMENTWISE or stmt.op in ("max", "min") or is_elementwise(stmt.op)):
            scalar.update(a for a in stmt.args if isinstance(a, Var) and shapes.of(a) is not OTHER)
    return scalar


def _shape_of(stmt, args, kwargs):
    op = stmt.op
    if op in SCALAR_OPS or op.startswith("math."):
        return SCALAR
    if op in OTHER_OPS:
        return OTHER
    if op == "copy":
        return args[0]  # the same value under another name (a loop's value copied before it)
    if op == "rt.appended" and args[1] is SCALAR and (args[0] is OTHER or holds_numbers(args[0])):
        return numbers_list()  # a list of numbers, one longer (OTHER: the list is (), or () carried round)
    if op == "[]" and args[0] is OTHER:
        return SCALAR  # an entry of a shape tuple
    if op in ("[]", "field[]") and len(args) == 2 and args[1] is SCALAR and getattr(args[0], "items", False):
        return SCALAR  # xs[i] (xs[0]: field[]) of a sequence of numbers or a 1-D array
    if op == "rt.appended" or op in ("[]", "field[]") and is_ragged(args[0]):
        return Shape(ragged=op == "rt.appended")  # a list of items of any shapes, or one of them: a shape of its own
    if op == "[]" and isinstance(args[0], Shape):
        return read_shape(args[0], stmt.args[1:], Shape)
    if op == "@" and len(args) == 2 and all(getattr(a, "rank", None) == 2 for a in args):
        return Shape(rank=2, dtype=args[0].dtype if args[0].dtype == args[1].dtype else None)
    if op in REDUCTIONS:
        return _reduction(stmt, args, kwargs)
    if op in SHAPED_LIKE_SECOND and len(args) > 1:
        return args[1]
    if op == "rt.index_grads":
        return args[0]
    if op in ELEMENTWISE or op in ("max", "min") or is_elementwise(op):
        return broadcast(*[a for a in args if a is not OTHER])
    return Shape()


def is_elementwise(op):
    """Whether ``np.<f>`` (a ufunc but a generalized one, or one of ``_ELEMENTWISE_FUNCTIONS``) or ``scipy.special.<f>``
    works entry by entry: its result has its operands' broadcast shape, one number for numbers."""
    if op.startswith("np.") and op.count(".") == 1:
        ufunc = getattr(np, op[3:], None)  # a generalized ufunc (np.matmul, np.vecdot) has core dimensions
        return isinstance(ufunc, np.ufunc) and ufunc.signature is None or op in _ELEMENTWISE_FUNCTIONS
    return op.startswith("scipy.special.") and is_ufunc(op)


def is_ufunc(op):
    """Whether ``np.<f>`` or ``scipy.special.<f>`` is element-wise (every elementary ufunc: not a
    reduction, product or shape function)."""
    if op.startswith("scipy.special."):
        return op.count(".") == 2 and op not in _NOT_ELEMENTWISE_SCIPY
    return op.startswith("np.") and op.count(".") == 1 and op not in _NOT_ELEMENTWISE_NP and op not in REDUCTIONS


def _reduction(stmt, args, kwargs):
    axis = kwargs.get("axis", stmt.args[1] if len(stmt.args) > 1 and stmt.op != "np.linalg.norm" else None)
    if stmt.op == "np.linalg.norm":
        axis = kwargs.get("axis", stmt.args[2] if len(stmt.args) > 2 else None)
    keepdims = kwargs.get("keepdims")
    keep = isinstance(keepdims, Const) and keepdims.value is True
    if args[0] is SCALAR:
        return SCALAR
    if keep and isinstance(args[0], Shape):
        return Shape(fits=args[0], rank=args[0].rank, dtype=args[0].dtype,
                     axis=axis.value if isinstance(axis, Const) else None)
    if (axis is None or isinstance(axis, Const) and axis.value is None) and keepdims is None:
        return SCALAR
    return Shape()
