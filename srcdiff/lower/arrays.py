"""The array part of lowering: attributes, methods, indexing, item writes, tuple arguments.

``ArrayLowering`` is mixed into ``function._Lowerer``; it adds no statement forms beyond
those ``ir`` describes for array code.  Output contract, on top of ``lower``'s:
- ``x.T`` is ``.T``; ``x.sum(axis=0)`` is ``.sum()`` applied to ``x`` (methods and
  attributes are only read from values, never from modules);
- ``x[i, 1:3]`` is ``[]`` with one operand per index part; a constant slice is a
  ``Const(Slice)``, ``None`` (np.newaxis) and ``...`` are constants;
- ``x[i] = v`` and ``x[i] += v`` assign a fresh Var ``rt.setitem(x, v, i)`` (a copy
  with the item set) and rebind ``x``.  ``check_writes`` refuses, after the whole body
  is lowered, every write whose effect a copy would not reproduce: a write into a
  parameter or a view, or one after which the old array is read again (an alias or a
  view of it would have seen the write);
- a tuple passed as an argument is a ``Const`` tuple when all its parts are constants,
  else a ``tuple`` statement; ``np.concatenate([a, b])`` takes ``a, b`` as arguments;
- ``a, b = x`` (``rows, cols = A.shape``) reads ``x[0]``, ``x[1]`` of ``rt.unpacked(x, 2)``,
  which raises Python's ValueError at run time unless ``x`` holds exactly two items.
"""
import ast

from .. import frontend
from ..errors import UnsupportedSyntaxError
from ..ir import SEQUENCE_OPS, Const, Slice
from .binding import KeywordValues
from .calls import TupleValue
from .consumers import list_value
from .displays import is_value_position
from .namespaces import is_namespace
from .numpy_args import RANDOM_METHODS, NumpyArguments
from .numpy_gathers import take_method
from .starred import StarredLowering, starred_position

# Attributes of an array srcdiff reads; everything else is refused by name.
ATTRIBUTES = frozenset({"T", "shape", "ndim", "size", "dtype", "real"})
# Methods srcdiff knows (each has a rule in rules_numpy, or no gradient).
METHODS = frozenset({
    "sum", "mean", "max", "min", "prod", "reshape", "dot", "transpose", "ravel", "flatten",
    "squeeze", "clip", "copy", "argmax", "argmin", "std", "var", "cumsum", "cumprod", "astype", "trace", "diagonal",
    "item", "take", "index", "count",  # a list's position of a value and its count: integers, no gradient
    "startswith", "endswith",  # of a str (a dict's key walked at run time: for k, p in params.items()): flags
}) | RANDOM_METHODS
# Methods that are a NumPy function of the array (``x.repeat(2, axis=0)`` is ``np.repeat(x, 2, axis=0)``),
# lowered as that function, whose rules read the same arguments after the array.
METHOD_FUNCTIONS = {"repeat": "np.repeat", "swapaxes": "np.swapaxes", "argsort": "np.argsort", "round": "np.round",
                 "nonzero": "np.nonzero", "any": "np.any", "all": "np.all", "conj": "np.conjugate",
                 "conjugate": "np.conjugate"}
# Operations whose result may share memory with their first argument: a view of it, the
# array itself when no conversion is needed (np.asarray, np.require), or a list of its views
# (np.split; rt.unpacked: ``a, b = x`` reads rows of x).
VIEW_OPS = frozenset({
    "[]", ".T", ".real", ".reshape()", ".ravel()", ".transpose()", ".squeeze()", ".diagonal()",
    ".swapaxes()", ".conj()", ".conjugate()", "rt.mT", "rt.unpacked",
    "np.reshape", "np.ravel", "np.transpose", "np.squeeze", "np.expand_dims", "np.asarray",
    "np.asanyarray", "np.broadcast_to", "np.swapaxes", "np.moveaxis", "np.rollaxis", "np.atleast_1d",
    "np.atleast_2d", "np.atleast_3d", "np.diagonal", "np.real", "np.real_if_close",
    "np.ascontiguousarray", "np.asfortranarray", "np.asarray_chkfinite", "np.require",
    "np.flip", "np.fliplr", "np.flipud", "np.rot90", "np.matrix_transpose", "np.permute_dims",
    "np.split", "np.array_split", "np.hsplit", "np.vsplit", "np.dsplit", "np.unstack", "np.trim_zeros",
    "field[]", "field.",  # a part of a container parameter: the caller's object
})
# Calls that return their operand itself when told not to copy (``copy=False``, or ``None``:
# only if needed), and the position ``copy`` may be passed at.
_UNLESS_COPIED = {"np.array": None, ".astype()": 5, "np.nan_to_num": 1}


def shared_operand(stmt):
    """The operand whose memory the result of ``stmt`` (an ``Assign``) may share, or None: the
    first, or the one array of ``np.einsum('ii->i', y)`` (a diagonal or a transpose of one operand
    is a writeable view of it)."""
    if not stmt.args:
        return None
    if stmt.op == "np.einsum":
        return stmt.args[1] if len(stmt.args) == 2 else None
    if stmt.op in VIEW_OPS:
        return stmt.args[0]
    if stmt.op not in _UNLESS_COPIED:
        return None
    position = _UNLESS_COPIED[stmt.op]
    copy = stmt.args[position] if position is not None and len(stmt.args) > position else dict(stmt.kwargs).get("copy")
    return stmt.args[0] if copy is not None and not (isinstance(copy, Const) and copy.value is True) else None

# Keyword arguments passed by position when the ones before them are given (the rules read positions).
_KEYWORD_POSITIONS = {("np.full", "fill_value"): 1, ("np.full_like", "fill_value"): 1, ("np.linspace", "start"): 0,
                      ("np.linspace", "stop"): 1, ("np.linspace", "num"): 2, ("np.take", "indices"): 1}


def _keyword_position(op, name):
    """The position the rules read keyword ``name`` of ``op`` at, or None: NumPy names the array a
    function works on ``a`` (``np.sum(a=x)``), always its first parameter."""
    return _KEYWORD_POSITIONS.get((op, name), 0 if name == "a" and op.startswith("np.") else None)


class ArrayLowering(NumpyArguments, StarredLowering):
    """Lowering of array syntax; relies on ``expr``, ``emit``, ``env`` and ``error``."""

    # ------------------------------------------------------------ reading

    def is_value(self, node):
        """Whether ``node`` computes a value (as opposed to naming a module)."""
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name) or node.id in self.env:
            return not is_namespace(self.env.get(getattr(node, "id", None)))
        return isinstance(self.source.scope.resolve(node.id), (frontend.ConstantRef, frontend.ClassRef))

    def attribute(self, node, hint):
        value = self.expr(node.value)
        part = self.tree_attribute(value, node, hint)  # self.W, params.W, Model.K (methods)
        if part is not None:
            return part
        if node.attr == "mT":  # the Array API's matrix transpose
            return self.emit("rt.mT", (value,), node, hint)
        if node.attr not in ATTRIBUTES:
            raise self.error(UnsupportedSyntaxError, node, f"the attribute '.{node.attr}' is not supported",
                             "use " + ", ".join(f".{a}" for a in sorted(ATTRIBUTES)) + " or a numpy function")
        return self.emit("." + node.attr, (value,), node, hint)

    def method_call(self, node, hint, receiver=None):
        name = node.func.attr
        if name not in METHODS and name not in METHOD_FUNCTIONS:
            raise self.error(UnsupportedSyntaxError, node, f"the method '.{name}()' is not supported",
                             "call the numpy function instead (np.f(x) for x.f())")
        receiver = self.expr(node.func.value) if receiver is None else receiver
        if name == "item":
            return self.item(receiver, node, hint)
        if name == "take":
            return self._take(receiver, node, hint)
        args = [self.argument(a, is_value_position(f".{name}()", i + 1)) for i, a in enumerate(node.args)]
        if name in METHOD_FUNCTIONS:
            return self.emit(METHOD_FUNCTIONS[name], (receiver, *args), node, hint,
                             tuple((k.arg, self.argument(k.value)) for k in node.keywords))
        if name in ("reshape", "transpose") and len(args) > 1:
            args = [self.argument(ast.Tuple(elts=node.args, ctx=ast.Load()))]
        kwargs = [(k.arg, self.argument(k.value)) for k in node.keywords]
        if name == "clip":
            args, kwargs = self.clip_bounds([receiver, *args], kwargs)
            args = args[1:]
        return self.emit(f".{name}()", (receiver, *args), node, hint, tuple(kwargs))

    def item(self, receiver, node, hint):
        """``x.item()`` of a one-entry array: ``rt.item(x)``; ``x.item(k)`` is refused (index ``x`` instead)."""
        if node.args or node.keywords:
            raise self.error(UnsupportedSyntaxError, node, "x.item(...) with arguments is not supported",
                             "index the array instead: x[k], or x.ravel()[k]")
        return self.emit("rt.item", (receiver,), node, hint)

    def _take(self, receiver, node, hint):
        """``x.take(...)``: ``np.take(x, ...)`` written out (``numpy_gathers``); other options refused."""
        made = take_method(self, receiver, node, hint)
        if made is None:
            raise self.error(UnsupportedSyntaxError, node, "x.take(...) is differentiated with indices, axis= (a constant) "
                             "and mode=", "leave out= out: write y = x.take(indices, axis=0)")
        return made

    def call_arguments(self, op, node):
        """Positional and keyword operands of a call to the primitive ``op``."""
        nodes = list(node.args)
        if op in SEQUENCE_OPS and nodes and isinstance(nodes[0], (ast.List, ast.Tuple)):
            if len(nodes) > 1:
                raise self.error(UnsupportedSyntaxError, node, f"pass the axis of {op} as axis=...")
            nodes = list(nodes[0].elts)
        elif op in SEQUENCE_OPS:
            raise self.error(UnsupportedSyntaxError, node, f"{op} needs the arrays written out as a list",
                             f"write {op}([a, b], axis=...)")
        parts = op in SEQUENCE_OPS
        args = [self.argument(a, parts or is_value_position(op, i)) for i, a in enumerate(nodes)]
        kwargs = [(k.arg, self.argument(k.value, is_value_position(op, k.arg))) for k in node.keywords]
        placed = sorted(kwargs, key=lambda item: (_keyword_position(op, item[0]) is None, _keyword_position(op, item[0])))
        for name, value in placed:  # np.full(s, fill_value=v) as np.full(s, v): the rules read positions
            if _keyword_position(op, name) == len(args):
                args.append(value)
                kwargs.remove((name, value))
        if op == "np.clip":
            args, kwargs = self.clip_bounds(args, kwargs)
        return args, tuple(kwargs)

    def argument(self, node, value=False):
        """The operand of a call argument: numbers, None, strings, tuples and values.

        A display (or a tuple a name or a call holds) is an array where ``value`` says
        the argument is one, else a shape tuple (``joined``)."""
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return Const(node.value)
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
                and type(node.operand.value) is int):
            return Const(-node.operand.value)  # axis=-1, x[-1]: a constant, not a computation
        if isinstance(node, (ast.Tuple, ast.List)):
            return self.joined([self.argument(e, value) for e in node.elts], node, value)
        dtype = self.dtype_constant(node)  # x.astype(np.float32): the dtype's name
        if dtype is not None:
            return dtype
        operand = self.expr(node)
        if isinstance(operand, tuple):
            return self.joined(operand, node, value)
        return operand

    def subscript(self, node, hint):
        trick = self.index_trick(node.value)
        if trick is not None:
            return self.index_trick_call(trick, node, hint)
        value = self.expr(node.value)
        if isinstance(value, tuple):
            return self.tuple_item(value, node)
        if isinstance(value, KeywordValues):  # a dict display, a helper's **kwargs
            return self.entry(value, node)
        part = self.tree_subscript(value, node, hint)  # params['W1'], params[0] (trees)
        if part is not None:
            return part
        index = self.index(node.slice)
        if any(isinstance(part, Const) and isinstance(part.value, str) for part in index):
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' reads an entry of '{ast.unparse(node.value)}', "
                             "which is not a parameter read through constant keys",
                             "srcdiff reads containers of parameters at constant paths (params['layers'][0]['W']); "
                             "a container iterated at run time (for layer in params['layers']) or chosen at run time is not supported")
        return self.emit("[]", (value, *index), node, hint)

    def tuple_item(self, items, node):
        """``t[1]`` or ``t[:2]`` of a tuple display or a helper's tuple result, picked while lowering."""
        index = self.index_part(node.slice) if not isinstance(node.slice, ast.Tuple) else None
        if isinstance(index, Const) and type(index.value) is int and -len(items) <= index.value < len(items):
            return items[index.value]
        if isinstance(index, Const) and isinstance(index.value, Slice):
            part = index.value
            return type(items)(items[slice(part.lo, part.hi, part.step)])
        if index is not None and not isinstance(index, Const) and not any(isinstance(i, tuple) for i in items):
            # an index known at run time (ys[i] in a loop): the display as a list value, indexed
            return self.emit("[]", (list_value(self, items, node), index), node)
        raise self.error(UnsupportedSyntaxError, node, "a tuple can be indexed only by a constant in range here",
                         "index an array instead (np.array([...])[i]), or use a constant index")

    def index(self, node):
        """The operands of an index: one per comma-separated part; ``x[()]`` is ``x[...]`` (the whole
        array, or a 0-d array's number as a 0-d array: the same value)."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        return [self.index_part(p) for p in parts] or [Const(Ellipsis)]

    def index_part(self, node):
        if isinstance(node, ast.Slice):
            bounds = [None if b is None else self.expr(b) for b in (node.lower, node.upper, node.step)]
            if all(b is None or isinstance(b, Const) for b in bounds):
                return Const(Slice(*(None if b is None else b.value for b in bounds)))
            return self.emit("slice", [Const(None) if b is None else b for b in bounds], node)
        if isinstance(node, ast.Constant) and (node.value is None or node.value is Ellipsis):
            return Const(node.value)
        if isinstance(node, ast.Attribute) and node.attr == "newaxis" and not self.is_value(node):
            return Const(None)
        if isinstance(node, ast.List):  # x[[0, 2]] picks rows; x[(0, 2)] would be x[0, 2]
            rows = self.display(node)
            return self.emit("np.array", (rows,), node) if isinstance(rows, Const) else rows
        return self.argument(node)

    # ------------------------------------------------------------ writing

    def store_item(self, target, value, stmt):
        """``x[i] = value``: rebind ``x`` to a copy with the item set (a dict built here: ``item_writes``)."""
        if self.entry_written(target, value):
            return
        self.writable(target)
        if isinstance(value, tuple):
            raise self.error(UnsupportedSyntaxError, target, "assigning a tuple into an array is not supported")
        name = target.value.id
        array = self.env[name]
        self.refuse_tree_write(array, target)  # params['W'] = v (trees)
        self.env[name] = self.emit("rt.setitem", (array, value, *self.index(target.slice)), stmt, hint=name)

    def augmented_item(self, stmt, symbol):
        """``x[i] op= v`` as ``x[i] = x[i] op v`` (NumPy's own meaning, repeated indices included)."""
        target = stmt.target
        if self.entry_updated(stmt, symbol):
            return
        self.writable(target)
        old = self.emit("[]", (self.env[target.value.id], *self.index(target.slice)), target)
        new = self.emit(symbol, (old, self.expr(stmt.value)), stmt)
        self.store_item(target, new, stmt)

    def unpack(self, target, value):
        """``a, b = x`` for a value ``x`` (not a tuple display): ``s = rt.unpacked(x, 2)`` (which
        raises Python's ValueError unless ``x`` holds two items), then ``a = s[0]; b = s[1]``;
        ``a, *rest = x`` (of a display too): ``starred``."""
        star = starred_position(target)
        if star is not None:
            return self.unpack_starred(target, value, star)
        if isinstance(value, TupleValue):
            raise self.error(UnsupportedSyntaxError, target, f"cannot unpack {len(value)} values into "
                             f"{len(target.elts)} names", "use as many names as values")
        if self.tree_unpack(target, value):  # W, b = params: parts of a parameter (trees)
            return
        checked = self.emit("rt.unpacked", (value, Const(len(target.elts))), target)
        for i, element in enumerate(target.elts):
            hint = element.id if isinstance(element, ast.Name) else None
            self.bind(element, self.emit("[]", (checked, Const(i)), element, hint))
