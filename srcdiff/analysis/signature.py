"""Argument signatures: the kind of each argument a gradient is specialized to.

A ``Kind`` is what specialized code may assume about one argument, decided from the
value at call time (``kind_of``) or from the ``--sig`` text (``parse_signature``):

| kind | values | text | what the emitter may assume |
| --- | --- | --- | --- |
| ``float`` | a Python float (not a NumPy scalar) | ``float`` | one number |
| ``int`` | a Python int | ``int`` | one number |
| ``bool`` | a Python bool | ``bool`` | one number |
| ``list`` / ``tuple`` | a list (tuple) of Python floats and ints (``numbers_alone``), or empty | ``list`` / ``tuple`` | a sequence whose items, read at one position, are numbers |
| ``array`` | an ndarray of dtype float64 or float32 with ``ndim`` >= 1 | ``f64[N]`` / ``f32[N]`` | an array of that rank and dtype |

Anything else (a dict, an int array, a NumPy scalar, a 0-d array) has no kind (None):
the code built for it treats that argument as the generic code does.  A list is judged
by every item (``numbers_alone``: one pass of C's float sum, a few ns an item), never by
its first: ``[0.5, W, 0.3]`` would otherwise run code that adds ``W``'s gradient up to one
number.

``call_key(args)`` is the dispatch key of one call: equal keys get the same kinds.  It
costs one class look per argument (and a dtype and ``ndim`` read for an array).
"""
import re
from dataclasses import dataclass

import numpy as np

from ..runtime.arguments import numbers_alone


@dataclass(frozen=True)
class Kind:
    """The kind of one argument: ``name`` is float, int, bool, list, tuple or array;
    an array has its ``ndim`` and its ``dtype`` ('f64' or 'f32')."""

    name: str
    ndim: int = 0
    dtype: str = ""

    @property
    def scalar(self):
        return self.name in ("float", "int", "bool")

    @property
    def sequence(self):
        """Whether the argument is a list or a tuple."""
        return self.name in ("list", "tuple")

    @property
    def items(self):
        """Whether ``x[i]`` at one integer position is one number: a sequence or a 1-D array."""
        return self.sequence or self.name == "array" and self.ndim == 1

    def __str__(self):
        return f"{self.dtype}[{self.ndim}]" if self.name == "array" else self.name


_SCALARS = {float: Kind("float"), int: Kind("int"), bool: Kind("bool")}
_SEQUENCES = {list: Kind("list"), tuple: Kind("tuple")}
_DTYPES = {"d": "f64", "f": "f32"}  # dtype.char of the floating dtypes specialized
_NUMBER_ITEMS = (float, int)


def kind_of(value):
    """The Kind of one argument value, or None (see the module table)."""
    cls = value.__class__
    if cls in _SCALARS:
        return _SCALARS[cls]
    if cls in _SEQUENCES:
        return _SEQUENCES[cls] if numbers_alone(value) else None
    if cls is np.ndarray and value.ndim >= 1 and value.dtype.char in _DTYPES:
        return Kind("array", value.ndim, _DTYPES[value.dtype.char])
    return None


def call_key(args):
    """The dispatch key of positional ``args``: two calls with equal keys have equal kinds
    (an array's ``ndim`` and dtype, a sequence's class and whether it holds numbers alone,
    else the class).  Written as one comprehension: a function call per argument would
    double its cost (a sequence's look is one)."""
    return tuple([(v.ndim, v.dtype) if v.__class__ is _NDARRAY
                  else (v.__class__, numbers_alone(v)) if v.__class__ is list or v.__class__ is tuple
                  else v.__class__ for v in args])


_NDARRAY = np.ndarray


# ---------------------------------------------------------------- the --sig text

_ARRAY = re.compile(r"(f64|f32)\[(\d+)\]")
_NAMED = {"float": Kind("float"), "int": Kind("int"), "bool": Kind("bool"), "list": Kind("list"),
          "tuple": Kind("tuple")}
GRAMMAR = "NAME=KIND[,NAME=KIND...] with KIND one of float, int, bool, list, tuple, f64[N], f32[N] (N: the ndim, >= 1)"


def parse_kind(text):
    """The Kind a ``--sig`` entry names; ValueError naming the grammar otherwise."""
    text = text.strip()
    if text in _NAMED:
        return _NAMED[text]
    match = _ARRAY.fullmatch(text)
    if match is None or int(match.group(2)) < 1:
        raise ValueError(f"unknown kind {text!r}: {GRAMMAR}")
    return Kind("array", int(match.group(2)), match.group(1))


def parse_signature(text):
    """``{name: Kind}`` of a ``--sig`` text such as ``x=float,xs=list,W=f32[2]``."""
    kinds = {}
    for entry in re.split(r",(?![^\[]*\])", text):
        name, eq, kind = entry.partition("=")
        if not eq or not name.strip().isidentifier():
            raise ValueError(f"cannot read {entry!r}: {GRAMMAR}")
        if name.strip() in kinds:
            raise ValueError(f"{name.strip()!r} is given twice in --sig")
        kinds[name.strip()] = parse_kind(kind)
    return kinds
