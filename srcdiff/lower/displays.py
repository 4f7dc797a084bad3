"""List and tuple displays given to NumPy, and the index tricks ``np.r_`` and ``np.c_``.

``DisplayLowering`` is mixed into ``function._Lowerer``.  Output contract:
- a display passed to NumPy as an array of values (``np.sum([x, 2 * x])``,
  ``np.array([[x, 1.0], [y, 2.0]])``, the parts of ``np.concatenate``, ``v.dot([a, b])``)
  is the array NumPy makes of it: ``np.stack`` of its parts, nested displays stacked
  first; a display of constants stays one ``Const`` tuple.  ``np.array`` and ``np.asarray``
  of a display are that stack itself;
- only a display in a position that holds a shape, axes, repetitions or a count
  (``np.zeros((n, 3))``, ``x.reshape(n, 2)``, ``axis=(0, 1)``) stays a ``tuple``
  statement: a ``tuple`` never holds values that carry a gradient (it has no gradient
  rule, so one that did would be refused, never zero);
- ``np.r_[a, b]`` is ``np.concatenate([np.atleast_1d(a), np.atleast_1d(b)])`` (numbers
  become one-entry constants); ``np.c_[a, b]`` joins along the last axis the parts NumPy
  makes columns of, ``np.transpose(np.atleast_2d(np.transpose(a)))`` (a vector becomes a
  column, a number a 1 x 1 array, other arrays stay).  Slices and string directives in
  them are refused by name;
- ``d.values()``, ``d.keys()``, ``d.items()`` of a dict built here are tuples known when
  compiling (``dict_view``), and ``d[k]`` reads an entry at a name bound to a constant key.
"""
import ast

import numpy as np

from .. import frontend
from ..analysis import REDUCTIONS
from ..errors import UnsupportedSyntaxError
from ..ir import Const
from .binding import KeywordValues
from .calls import TupleValue

# Arguments of NumPy functions that hold a shape, axes, repetitions or a count: a display
# there stays a tuple.  Every other argument of a NumPy function is an array of values.
_SHAPE_POSITIONS = {
    **dict.fromkeys(("np.zeros", "np.ones", "np.empty", "np.full"), (0,)),
    **dict.fromkeys(("np.reshape", "np.transpose", "np.broadcast_to", "np.tile", "np.repeat", "np.expand_dims",
                     "np.squeeze", "np.pad", "np.flip", "np.cumsum", "np.cumprod", "np.sort", "np.argsort",
                     "np.argmax", "np.argmin"), (1,)),
    **dict.fromkeys(REDUCTIONS, (1,)),
    **dict.fromkeys(("np.moveaxis", "np.swapaxes", "np.roll", "np.diff", "np.linalg.norm"), (1, 2)),
    "np.tensordot": (2,), "np.einsum": (0,), "np.average": (1,),
}
_SHAPE_KEYWORDS = frozenset({
    "axis", "axes", "shape", "newshape", "reps", "repeats", "source", "destination", "axis1", "axis2", "dtype",
    "order", "ndmin", "pad_width", "shift", "n", "ord", "keepdims", "ddof", "kind",
})
# Methods whose arguments are arrays of values (the others take axes and shapes).
_METHOD_VALUES = frozenset({".dot()", ".clip()"})
_TRICKS = {"np.r_": np.r_, "np.c_": np.c_}
# d.values(), d.keys(), d.items() of a dict built here: the item of each entry (a key a Const str)
_DICT_VIEWS = {"values": lambda key, value: value, "keys": lambda key, value: key,
               "items": lambda key, value: TupleValue((key, value))}


def is_value_position(op, position):
    """Whether argument ``position`` (an index, or a keyword's name) of a call to ``op`` is an array of values."""
    if op.startswith("."):
        return op in _METHOD_VALUES and isinstance(position, int)
    if isinstance(position, str):
        return position not in _SHAPE_KEYWORDS
    return position not in _SHAPE_POSITIONS.get(op, ())


class DisplayLowering:
    """Displays as arrays and the index tricks; relies on ``argument``, ``emit``, ``resolve``, ``error``."""

    def display(self, node, hint=None):
        """The array NumPy makes of the display ``node``: a Const tuple, or ``np.stack`` of its parts."""
        return self.joined([self.argument(e, True) for e in node.elts], node, True, hint)

    def dict_display(self, node, hint=None):
        """A dict display with constant string keys, ``{"a": a, "b": b}``: its values by key,
        known when compiling (a ``KeywordValues``, as a helper's ``**kwargs``), read at
        constant keys (``entry``) or passed on (``**d``, a helper's parameter)."""
        if not all(isinstance(k, ast.Constant) and type(k.value) is str for k in node.keys):
            raise self.error(UnsupportedSyntaxError, node, "a dict display whose keys are not all constant strings "
                             "is not supported", "write its keys as strings, {'a': a}, or pass arrays")
        return KeywordValues((k.value, self.operand(v)) for k, v in zip(node.keys, node.values))

    def entry(self, values, node):
        """``d["a"]`` of a dict display (or ``**kwargs``): the operand stored at a constant key
        (or at a name bound to one: ``for k in d.keys(): d[k]``)."""
        key = self.entry_key(node)
        if type(key) is not str or key not in values:
            raise self.error(UnsupportedSyntaxError, node, f"'{ast.unparse(node)}' is not an entry of the dict "
                             "built here read at a constant key", "read it as d['name'] with a key it has")
        return values[key]

    def entry_key(self, node):
        """The key of ``d[key]`` (``node``) where it is a constant, or a name bound to one; else None."""
        if isinstance(node.slice, ast.Constant):
            return node.slice.value
        value = self.env.get(node.slice.id) if isinstance(node.slice, ast.Name) else None
        return value.value if isinstance(value, Const) else None

    def dict_view(self, values, node):
        """``d.values()``, ``d.keys()`` or ``d.items()`` of a dict built here (or ``**kwargs``):
        a tuple known when compiling, in the dict's order (keys are constant strings), which
        a ``for`` unrolls and ``sum``, ``list``, ``np.array`` take as a display."""
        name = node.func.attr
        if name not in _DICT_VIEWS or node.args or node.keywords:
            raise self.error(UnsupportedSyntaxError, node, f"the method '.{name}()' of a dict built here is not supported",
                             "read it at constant keys (d['a']), or loop over d.items(), d.values() or d.keys()")
        items = [_DICT_VIEWS[name](Const(key), value) for key, value in values.items()]
        return TupleValue(items) if items else Const(())

    def joined(self, parts, node, value, hint=None):
        """The operand of a tuple of operands: a Const tuple if all are constants, else
        ``np.stack`` of them where ``value`` says it is an array, else a ``tuple`` statement."""
        parts = [self.joined(p, node, value) if isinstance(p, tuple) else p for p in parts]
        if all(isinstance(p, Const) for p in parts):
            return Const(tuple(p.value for p in parts))
        return self.emit("np.stack" if value else "tuple", parts, node, hint)

    def array_of_display(self, op, node, hint):
        """``np.array([x, y])`` (or ``np.asarray``) as the stack of ``x, y``; None for any other call."""
        if op not in ("np.array", "np.asarray") or node.keywords or len(node.args) != 1:
            return None
        if not isinstance(node.args[0], (ast.Tuple, ast.List)):
            return None
        array = self.display(node.args[0], hint)
        return None if isinstance(array, Const) else array

    def index_trick(self, node):
        """``'np.r_'`` or ``'np.c_'`` when ``node`` names NumPy's index trick, else None."""
        if not isinstance(node, (ast.Name, ast.Attribute)) or isinstance(node, ast.Name) and node.id in self.env:
            return None
        try:
            ref = self.resolve(node)
        except UnsupportedSyntaxError:
            return None
        if not isinstance(ref, frontend.ConstantRef):
            return None
        return next((name for name, trick in _TRICKS.items() if ref.value is trick or ref.name == name), None)

    def index_trick_call(self, trick, node, hint):
        """``np.r_[...]`` or ``np.c_[...]`` (``node`` the subscript) as an ``np.concatenate``."""
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        parts = []
        for item in items:
            if isinstance(item, ast.Slice) or isinstance(item, ast.Constant) and isinstance(item.value, str):
                raise self.error(UnsupportedSyntaxError, item, f"a slice or a string inside {trick}[...] is not supported",
                                 "write np.concatenate([...]) with np.arange(...) for the ranges")
            value = self.argument(item, True)
            parts.append(self._row_part(value, item) if trick == "np.r_" else self._column_part(value, item))
        if trick == "np.r_":
            return self.emit("np.concatenate", parts, node, hint)
        return self.emit("np.concatenate", parts, node, hint, (("axis", Const(-1)),))

    def _row_part(self, value, node):
        if isinstance(value, Const) and isinstance(value.value, (int, float)):
            return Const((value.value,))
        return self.emit("np.atleast_1d", (value,), node)

    def _column_part(self, value, node):
        if isinstance(value, Const) and isinstance(value.value, (int, float)):
            return Const(((value.value,),))
        turned = self.emit("np.transpose", (value,), node)
        return self.emit("np.transpose", (self.emit("np.atleast_2d", (turned,), node),), node)
