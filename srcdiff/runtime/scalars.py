"""Helpers of scalar and sequence gradients: signs, logarithms, zeros, items, ``vdot``, unpacking.

Each works on Python numbers, NumPy scalars (``np.float64``, ``np.float32``), 0-d and
other arrays alike and keeps the type of its input (a float stays a float, a float32 a
float32): the fast path tests for exactly ``int`` and ``float`` (``np.float64`` is a
``float`` subclass whose comparisons give NumPy booleans), everything else goes
through NumPy.  Each has a gradient rule of its own (``srcdiff.rules``) so
generated code can be differentiated again.
"""
import math
import collections.abc as abc

import numpy as np

from .arguments import refuse_if_not_real
from .checks import check_sequence
from .item_adjoints import KeyedAdjoints, is_ragged, item_adjoints_zeros, item_read_grad
from .lazy import array_module, is_lazy
from .namespaces import namespace_of as namespace
from .trees import is_container, tree_zeros

_PLAIN_NUMBERS = (float, int, bool)  # exactly these classes take the fast paths (not np.float64)


def sign(x):
    """-1, 0 or 1 (0 at 0: the subgradient srcdiff uses for abs at its kink)."""
    if x.__class__ in _PLAIN_NUMBERS:
        return float((x > 0) - (x < 0))
    return namespace(x).sign(x)


def log(x):
    """Natural logarithm of a number or an array: -inf at 0 and nan below, as NumPy's."""
    if isinstance(x, (int, float)):
        return math.log(x) if x > 0 else -math.inf if x == 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def xlogy(a, b):
    """``a * log(b)``, and 0 where ``a`` is 0: the exponent's gradient of ``b ** e`` is
    ``y * log(b)``, which is 0 at ``b == 0`` (``y`` is 0 there too), and nan for ``b < 0``
    (no real power is near); never a math domain error."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return 0.0 if a == 0 else a * log(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unwrapped(np.where(np.equal(a, 0), 0.0, np.multiply(a, log(b))))


def _unwrapped(value):
    """A 0-d array as the NumPy scalar it holds (``np.where`` of numbers is 0-d)."""
    return value[()] if value.ndim == 0 else value


def zeros_like(x):
    """A zero adjoint (or tangent) shaped like ``x``: 0.0 for a number, zeros of its dtype for
    an array, and zeros of its shape for a list or tuple of numbers (rows of one length
    included), as an array: adjoints are added with ``+``, which would join two lists.
    ``zero_gradient`` is the zero a gradient returns for a parameter, in its own type.

    Refuses a value that is not real (a str, None, a complex number).
    """
    if x.__class__ in (list, tuple):
        if _numbers_alone(x):
            return np.zeros(np.shape(x))
        if is_ragged(x):  # (a layer's weights and bias) zeros item by item, added item by item
            return item_adjoints_zeros(x, zeros_like)
    return zero_gradient(x)


def zero_gradient(x):
    """The gradient returned for a parameter ``x`` no path reaches, in its own structure:
    0.0 for a number, zeros of its dtype for an array, a list or tuple of zeros item by item,
    a container of zeros (``tree_zeros``).

    Refuses a value that is not real (a str, None, a complex number): it must still be a
    real argument.
    """
    if x.__class__ is float:
        return 0.0
    if x.__class__ is not np.ndarray and hasattr(x, "shape") and namespace(x) is not np:  # another library's array
        xp = namespace(x)
        return xp.zeros(xp.shape(x), dtype=x.dtype if xp.isdtype(x.dtype, "real floating") else xp.float64)
    if is_container(x) and type(x) not in (list, tuple):  # a dict, namedtuple, dataclass, object
        return tree_zeros(x)
    refuse_if_not_real(x)
    if is_lazy(x):
        return array_module(x).zeros_like(x, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    if isinstance(x, np.ndarray):
        return np.zeros_like(x) if np.issubdtype(x.dtype, np.inexact) else np.zeros(x.shape)
    if isinstance(x, np.generic):
        return x.dtype.type(0) if np.issubdtype(x.dtype, np.inexact) else 0.0
    if isinstance(x, (list, tuple)):  # a sequence parameter: zeros item by item, in its own type
        return type(x)(zero_gradient(v) for v in x)
    return 0.0


def _numbers_alone(x):
    """Whether the list or tuple ``x`` holds real numbers alone, or rows of them of one length."""
    if all(v.__class__ in (float, int) for v in x):
        return True
    try:
        return np.asarray(x).dtype.kind in "iuf"
    except ValueError:  # ragged rows
        return False


def items_zeros(xs):
    """The zero gradient of the items of a sequence a loop walks over: an array of zeros
    shaped like an array ``xs`` (float unless it is floating already), else a list with a
    zero per item.  An item that is itself a list or tuple (a row of a list of lists) gets
    an array of zeros of its shape, so that ``grad_xs[k] += g`` adds where a list would be
    joined, or where its items differ in shape (a layer's ``(W, b)``) zeros item by item
    (``item_adjoints``); ``items_like`` gives it back the item's own type.  Of a dict or a set,
    ``KeyedAdjoints`` with no key, which refuses the loop's first item added in (at its line):
    what a loop walks of it (keys, members) has no derivative as values of it."""
    if isinstance(xs, np.ndarray):
        return np.zeros(xs.shape, dtype=_floating(xs))
    if isinstance(xs, (abc.Mapping, abc.Set)):
        return KeyedAdjoints()
    if all(v.__class__ is float for v in xs):  # the usual list of floats: zeros_like of each is 0.0
        return [0.0] * len(xs)
    return [_sequence_zero(v) if type(v) in (list, tuple) else zero_gradient(v) for v in xs]


def _sequence_zero(item):
    if is_ragged(item):  # no array has its shape (a layer's weights and bias): zeros item by item
        return item_adjoints_zeros(item, zeros_like)
    return np.zeros(np.shape(item))


def whole_zeros(xs):
    """The zero gradient of a sequence a loop walks item by item that is also used whole
    (``np.sum(xs)`` beside the loop): one float array of its shape, which the items' and the
    whole's gradients are added into (given back in the sequence's type by ``like``); of a dict
    read at keys known at run time, no key's adjoint yet (``KeyedAdjoints``)."""
    if isinstance(xs, dict):
        return KeyedAdjoints()
    return np.zeros(np.shape(xs), dtype=_floating(xs))


def owned_whole(g, xs):
    """The first gradient ``g`` that reaches a sequence also walked item by item, as a new
    float array of its shape (never a view or another adjoint: the items add into it in place).
    An empty list has no shape of its items (``()`` a list of rows starts from): ``g``'s is kept."""
    shape = np.shape(g) if np.size(xs) == 0 and np.size(g) == 0 else np.shape(xs)
    return np.array(np.broadcast_to(g, shape), dtype=np.result_type(_floating(xs), np.asarray(g).dtype))


def _floating(xs):
    """The dtype of ``xs``'s gradient: its own where it is an inexact array, else float64."""
    return xs.dtype if isinstance(xs, np.ndarray) and np.issubdtype(xs.dtype, np.inexact) else np.float64


def item_grad(g, xs, k):
    """The gradient ``g`` of item ``xs[k]`` as a gradient of all of ``xs`` (explain mode): a
    float array, zero but at position ``k`` (a row there for a sequence of rows); for a list
    or tuple whose items differ in shape, an adjoint per item (``item_adjoints``)."""
    if xs.__class__ in (list, tuple) and is_ragged(xs):
        return item_read_grad(g, xs, k, zeros_like)
    shape = xs.shape if isinstance(xs, np.ndarray) else (len(xs),) + np.shape(g)
    grad = np.zeros(shape, dtype=np.result_type(float, np.asarray(g).dtype))
    grad[k] = g
    return grad


def items_like(g, xs):
    """An items gradient in its sequence's own type: a tuple for a tuple, each item that is a
    list or tuple (an array of its gradients: ``items_zeros``) in that item's type, and each
    item that is a Python number a float (array code adds NumPy scalars into the list)."""
    if not isinstance(xs, np.ndarray):
        if any(type(x) in (list, tuple) for x in xs):
            g = [_in_type_of(gi, x) for gi, x in zip(g, xs)]
        elif any(gi.__class__ is not float and type(x) in _PLAIN_NUMBERS for gi, x in zip(g, xs)):
            g = [float(gi) if type(x) in _PLAIN_NUMBERS else gi for gi, x in zip(g, xs)]
    return tuple(g) if isinstance(xs, tuple) else g


def _in_type_of(g, x):
    """The gradient ``g`` (an array, or a nested sequence) in the structure and kinds of ``x``."""
    if type(x) in (list, tuple):
        return type(x)(_in_type_of(gi, xi) for gi, xi in zip(g, x))
    if isinstance(x, np.ndarray):
        return np.asarray(g, dtype=_floating(x))
    return float(g)


def unpacked(x, n):
    """``x`` itself, once checked to hold exactly ``n`` items as ``a, b = x`` needs; otherwise
    the error Python raises for that line (ValueError, TypeError for a number).  A dict or a set
    is refused (``check_sequence``): Python unpacks its keys or members, read here by position."""
    if isinstance(x, (abc.Mapping, abc.Set)):
        check_sequence(x)
    try:
        count = len(x)
    except TypeError:
        raise TypeError(f"cannot unpack non-iterable {type(x).__name__} object") from None
    if count > n:
        raise ValueError(f"too many values to unpack (expected {n})")
    if count < n:
        raise ValueError(f"not enough values to unpack (expected {n}, got {count})")
    return x


def unpacked_at_least(x, n):
    """``x`` itself, once checked to hold at least ``n`` items as ``a, *rest, b = x`` needs
    (``n`` is 2 there); otherwise the error Python raises for that line; a dict or a set refused."""
    if isinstance(x, (abc.Mapping, abc.Set)):
        check_sequence(x)
    try:
        count = len(x)
    except TypeError:
        raise TypeError(f"cannot unpack non-iterable {type(x).__name__} object") from None
    if count < n:
        raise ValueError(f"not enough values to unpack (expected at least {n}, got {count})")
    return x


def vdot(a, b):
    """The sum of the elementwise products of ``a`` and ``b``: ``a * b`` for numbers.

    Hessian-vector products differentiate ``vdot(gradient, v)``; its rule is the mul rule.
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.sum(np.multiply(a, b))
    return a * b


def div_or_zero(a, b):
    """``a / b``, and 0 where ``b`` is 0: the convention of ``abs`` and ``np.linalg.norm``
    at their kinks, used by ``hypot``'s gradient ``x / hypot(x, y)`` at the origin."""
    if a.__class__ in _PLAIN_NUMBERS and b.__class__ in _PLAIN_NUMBERS:
        return a / b if b != 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unwrapped(np.where(np.equal(b, 0), 0.0, np.divide(a, b)))


def scaled_pow(s, x, p):
    """``s * x ** p``, and 0 where ``s`` is 0 even if ``x ** p`` is not finite there: the
    base's gradient ``e * x ** (e - 1)`` of ``x ** e`` is 0 where ``e`` is 0 (``0 ** 0``)."""
    if s.__class__ in _PLAIN_NUMBERS and x.__class__ in _PLAIN_NUMBERS and p.__class__ in _PLAIN_NUMBERS:
        return s * x ** p if s != 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unwrapped(np.where(np.equal(s, 0), 0.0, np.multiply(s, np.power(x, p))))
