"""What the shape of a read ``x[index]`` depends on, for the basic indexes whose reads can share a shape.

``kinds`` gives ``x[1:]`` and ``x[:-1]`` one Shape (both keep ``n - 1`` of ``n`` entries),
so the rules know their element-wise products and sums need no ``rt.unbroadcast``.
"""
from ..ir import Const, Slice


def read_shape(base, index, new_shape):
    """The Shape of ``x[index]`` for ``x`` of Shape ``base``: for an index of constant slices
    and ints, one Shape per ``read_key`` (kept in ``base.parts``), so reads of the same
    length share it; else a new one (``new_shape``: the Shape class, which lives in ``kinds``)."""
    key = read_key(index)
    if key is None:
        return new_shape()
    if base.parts is None:
        base.parts = {}
    if key not in base.parts:
        rank = None if base.rank is None else base.rank - sum(part == ("int",) for part in key)
        slices_only = all(part[0] in ("drop", "slice") for part in key)
        base.parts[key] = new_shape(rank=rank, dtype=base.dtype, items=base.items and slices_only)
    return base.parts[key]


def read_key(index):
    """What the shape of ``x[index]`` depends on, for an index of constant ints and slices of
    step 1 or none (None for anything else).  A slice ``lo:hi`` with ``lo >= 0`` (or none) and
    ``hi < 0`` (or none) keeps ``max(0, n - lo + hi)`` of ``n`` entries: its key is
    ``("drop", lo - hi)``, so ``x[1:]`` and ``x[:-1]`` have the same shape; an int drops its
    axis, whichever it is (``("int",)``)."""
    key = []
    for part in index:
        value = part.value if isinstance(part, Const) else Ellipsis
        if type(value) is int:
            key.append(("int",))
        elif isinstance(value, Slice) and all(b is None or type(b) is int for b in (value.lo, value.hi, value.step)):
            lo, hi = value.lo or 0, value.hi or 0  # hi 0 keeps nothing: only a missing hi drops none
            dropping = value.step in (None, 1) and lo >= 0 and (value.hi is None or hi < 0)
            key.append(("drop", lo - hi) if dropping else ("slice", value.lo, value.hi, value.step))
        else:
            return None
    return tuple(key)
