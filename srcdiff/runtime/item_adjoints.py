"""Adjoints of containers item by item: a list or tuple whose items differ in shape, a dict
read at keys known only at run time.

A network's layer kept as a pair ``(W, b)`` and read ``W, b = layer`` (or ``for W, b in
params``) has no array of its shape, so its adjoint cannot be one array as a list of numbers'
is.  ``ItemAdjoints`` holds one adjoint per item and adds item by item: generated code adds
adjoints with ``+``, which would join two tuples, and scales them with ``*``, which would
repeat one.  ``index_grad`` (``indexing``) gives it for a read of one item, ``zeros_like`` and
``items_zeros`` (``scalars``) for a zero one; ``items_like`` gives each back in its item's type.

A dict read at keys the build cannot know (``for k in params: params[k]``, ``params.values()``)
has ``KeyedAdjoints``: the adjoint of each key read so far, a key not in it having a zero one,
added key by key.  ``index_grad`` gives it for a read ``d[k]``, ``whole_zeros`` an empty one;
``rt.tree_grad`` gives the gradient back in the dict's structure, zeros at the keys not read.
"""
from .arguments import ArrayGradientError


class ItemAdjoints(tuple):
    """One adjoint per item of a list or tuple whose items differ in shape; ``+`` adds item
    by item (a number 0 standing for a zero adjoint adds nothing), ``*`` and ``-`` scale
    each item.  Anything else is no adjoint of the same value: ``NotImplemented``."""

    __slots__ = ()

    def __add__(self, other):
        if isinstance(other, ItemAdjoints) and len(other) == len(self):
            return ItemAdjoints(a + b for a, b in zip(self, other))
        if _is_zero_number(other):
            return self
        return NotImplemented

    __radd__ = __add__

    def __mul__(self, other):
        if _is_real_scalar(other):
            return ItemAdjoints(a * other for a in self)
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self):
        return ItemAdjoints(-a for a in self)

    def __sub__(self, other):
        if isinstance(other, ItemAdjoints) or _is_zero_number(other):
            return self + -other
        return NotImplemented

    def __repr__(self):  # shown as the tuple of adjoints it is (explain's rows print it)
        return repr(tuple(self))


class KeyedAdjoints(dict):
    """The adjoints of a dict's values at the keys read (see the module doc); ``+`` adds key by
    key (a dict of adjoints, or a number 0 adding nothing), ``*`` and ``-`` scale each."""

    __slots__ = ()

    def __add__(self, other):
        if isinstance(other, dict):
            out = KeyedAdjoints(self)
            for key, value in other.items():
                dict.__setitem__(out, key, out[key] + value if key in out else value)
            return out
        if _is_zero_number(other):
            return self
        return NotImplemented

    __radd__ = __add__  # (key by key: the order of the two does not matter)

    def __mul__(self, other):
        if _is_real_scalar(other):
            return KeyedAdjoints((key, value * other) for key, value in self.items())
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self):
        return KeyedAdjoints((key, -value) for key, value in self.items())

    def __sub__(self, other):
        if isinstance(other, dict):
            return self + KeyedAdjoints((key, -value) for key, value in other.items())
        return self + -other if _is_zero_number(other) else NotImplemented

    def __rsub__(self, other):
        return -self + other

    def __missing__(self, key):  # ``grad_d[k] += g`` of a loop's item: a key walked as a value
        raise keys_walked_as_values()

    def __setitem__(self, key, value):
        raise keys_walked_as_values()

    def __repr__(self):  # shown as the dict of adjoints it is (explain's rows print it)
        return repr(dict(self))


def keyed_like(g, x, like):
    """The gradient of a dict ``x`` from ``g``, its adjoints by key (``KeyedAdjoints``, a dict, or a
    zero number): each key's given back by ``like`` in its value's type, zeros where none was read;
    a value that is not a number (a str, None, a bool) kept, as ``rt.tree_grad`` keeps it."""
    parts = g if isinstance(g, dict) else {}
    return {key: like(parts[key], value) if key in parts else value if _kept(value) else like(0.0, value)
            for key, value in x.items()}


def _kept(value):
    return value is None or value.__class__ in (str, bytes, bool)


def keys_walked_as_values():
    """The refusal of a loop over a dict (or a set) whose items the gradient would differentiate
    as values of it: a dict's loop walks its keys, which are no values of it."""
    return ArrayGradientError("this loop walks a dict (or a set) and computes with what it walks (its keys, its "
                              "members) as numbers; srcdiff differentiates a loop's items as values of the sequence, "
                              "and a dict's keys are none", hint="read the values at their keys (for k in d: ... "
                              "d[k]), or loop over d.values() or d.items()")


def is_ragged(x):
    """Whether the list or tuple ``x`` holds items of different shapes (no array has its shape)."""
    shapes = set()
    for item in x:
        shape = _shape_of(item)
        if shape is None:
            return True
        shapes.add(shape)
        if len(shapes) > 1:
            return True
    return False


def _shape_of(item):
    """The shape of a number, an array, or a rectangular list or tuple; None where there is none."""
    if item.__class__ in (float, int, bool) or hasattr(item, "shape"):
        return getattr(item, "shape", ())
    if item.__class__ in (list, tuple):
        return None if is_ragged(item) else (len(item),) + (_shape_of(item[0]) if item else ())
    return ()


def item_adjoints_zeros(x, zeros_like):
    """The zero adjoint of the ragged list or tuple ``x``: ``zeros_like`` of each item."""
    return ItemAdjoints(zeros_like(item) for item in x)


def item_read_grad(g, x, index, zeros_like):
    """The gradient ``g`` of ``x[index]`` of a ragged ``x``, as an adjoint of ``x``: zeros
    (``zeros_like``) but at the item read, or at the items a slice read (``g`` then holds one
    adjoint per item read, or is a zero number).  None for any other index."""
    parts = [zeros_like(item) for item in x]
    if isinstance(index, slice):
        if _is_zero_number(g):
            return ItemAdjoints(parts)
        positions = range(len(x))[index]
        if not hasattr(g, "__len__") or len(g) != len(positions):
            return None
        for position, part in zip(positions, g):
            parts[position] = part
        return ItemAdjoints(parts)
    if not isinstance(index, int) and not hasattr(index, "__index__"):
        return None
    parts[index] = g
    return ItemAdjoints(parts)


def _is_real_scalar(value):
    return value.__class__ in (float, int) or (hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0)


def _is_zero_number(value):
    return _is_real_scalar(value) and value == 0
