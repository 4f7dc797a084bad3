"""The values ``analysis.kinds`` gives each SSA value, and how they combine.

``SCALAR`` (one number), ``OTHER`` (not an array of numbers), or a ``Shape``: an array whose
shape is unknown but named (two values with the same Shape object have the same shape at run
time).  ``broadcast`` is the Shape of an element-wise result; ``join`` that of a value that is
one of two (a branch's merge, a loop's carry); ``numbers_list`` a sequence of numbers of
unknown length (a list grown by appends of numbers: ``xs[i]`` is a number).
"""
from ..ir import Const


class Shape:
    """An unknown array shape, equal to itself only; ``fits`` is a Shape it broadcasts into.
    ``ragged``: a list grown by appends of values not all known to be numbers, whose items may
    differ in shape (``[h0]`` then ``np.tanh(...)``): each read of one item is a Shape of its own."""

    def __init__(self, fits=None, rank=None, dtype=None, items=False, axis=None, ragged=False):
        self.fits, self.rank, self.dtype, self.items, self.axis = fits, rank, dtype, items, axis
        self.ragged = ragged
        self.parts = None  # the Shapes of its basic-index reads, by ``read_key``: x[1:] and x[:-1] share one

    def __repr__(self):
        return f"Shape#{id(self) % 10000}"


SCALAR = "scalar"
OTHER = "other"


def join(a, b):
    """The shape of a value that is one of two: theirs if they agree, a sequence of numbers of
    unknown length if both are one (``items``, rank 1: lists grown by appends), else unknown."""
    if a is None or b is None or a is b:
        return b if a is None else a
    if holds_numbers(a) and holds_numbers(b):
        return numbers_list()
    return Shape(ragged=is_ragged(a) or is_ragged(b))


def is_ragged(shape):
    """Whether ``shape`` is a list whose items may differ in shape (``Shape.ragged``)."""
    return isinstance(shape, Shape) and shape.ragged


def numbers_list():
    """A sequence of numbers of unknown length: ``xs[i]`` is a number."""
    return Shape(rank=1, items=True)


def holds_numbers(shape):
    """Whether ``shape`` is a sequence of numbers (or a 1-D array): its entry at one position is a number."""
    return isinstance(shape, Shape) and shape.items and shape.rank == 1


def is_empty(operand):
    """Whether ``operand`` is ``()``, the list a comprehension or ``out = []`` starts from."""
    return isinstance(operand, Const) and operand.value.__class__ is tuple and not operand.value


def broadcast(*shapes):
    """The Shape of an element-wise result of operands of these shapes."""
    result = SCALAR
    for shape in shapes:
        if shape is SCALAR or shape is result:
            continue
        if result is SCALAR or _fits(result, shape):
            result = shape
        elif not _fits(shape, result):
            result = Shape(rank=_larger(result.rank, shape.rank), dtype=result.dtype if result.dtype == shape.dtype else None)
    return result


def _larger(a, b):
    """The rank of a broadcast of ranks ``a`` and ``b``; None when either is unknown."""
    return None if a is None or b is None else max(a, b)


def _fits(small, big):
    """Whether Shape ``small`` provably broadcasts into Shape ``big`` without growing it."""
    while isinstance(small, Shape):
        if small is big:
            return True
        small = small.fits
    return False
