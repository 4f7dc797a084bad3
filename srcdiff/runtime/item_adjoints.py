"""The adjoint of a list or tuple whose items differ in shape: one adjoint per item.

A network's layer kept as a pair ``(W, b)`` and read ``W, b = layer`` (or ``for W, b in
params``) has no array of its shape, so its adjoint cannot be one array as a list of numbers'
is.  ``ItemAdjoints`` holds one adjoint per item and adds item by item: generated code adds
adjoints with ``+``, which would join two tuples, and scales them with ``*``, which would
repeat one.  ``index_grad`` (``indexing``) gives it for a read of one item, ``zeros_like`` and
``items_zeros`` (``scalars``) for a zero one; ``items_like`` gives each back in its item's type.
"""


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
