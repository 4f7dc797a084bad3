"""The runtime helpers of indexing and joining: an item read's gradient (``index_grad``), item
writes as copies (``setitem``) and their value's gradient (``written_grad``), the gradients of
the joins (``concatenate_grad``, ``hstack_grad``, ``vstack_grad``); forward mode's
``tangent_like`` (a list parameter's tangent as a list) and ``if_inexact`` (nothing flows
through a value stored into an array of integers).
"""
import numpy as np

from .arguments import ArrayGradientError, as_array, numbers_alone
from .arrays import unbroadcast
from .item_adjoints import KeyedAdjoints, is_ragged, item_read_grad
from .lazy import ONE_HOT, index_grad_lazily, is_lazy, refuse_lazy
from .namespaces import namespace_of as namespace
from .scalars import zeros_like
from .scatter import scatter_add

def index_grad(g, x, index, distinct=None):
    """The gradient of ``x[index]``: ``g`` put back where it was read, added up where read twice.

    ``distinct``: the position in the tuple ``index`` of an ``np.arange(n)`` (n entries,
    each once, none negative), as specialized code proves it; where ``g`` has that part's
    shape (one read per entry: no other part broadcasts it further), no position was read
    twice, and ``g`` is written without ``np.add.at``."""
    if x.__class__ is np.ndarray and x.dtype.kind == "f" and g.__class__ in _NUMPY:  # settled before the checks below
        twice = (distinct is None or np.shape(g) != np.shape(index[distinct])) and _reads_twice(index)
        return _put(np.zeros(x.shape, x.dtype), index, g, twice)
    if x.__class__ is list and g.__class__ in _NUMBERS and numbers_alone(x):  # every item looked at, in C
        return _put(np.zeros(len(x)), index, g, _reads_twice(index))
    if is_lazy(x) or is_lazy(g):
        return index_grad_lazily(g, x, index, _reads_twice(index))
    if x.__class__ in (list, tuple) and is_ragged(x):  # (W, b): no array holds it, its adjoint is one per item
        read = item_read_grad(g, x, index, zeros_like)
        if read is not None:
            return read
    if isinstance(x, dict):  # d[k] at a key known at run time: the adjoint of that key alone
        return KeyedAdjoints({index: g})
    if namespace(g, x) is not np:
        return scatter_add(g, x, index, namespace(g, x))
    x = as_array(x)
    out = np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else np.float64)
    return _put(out, index, g, _reads_twice(index))


def _put(out, index, g, twice):
    """``out`` with ``g`` put at ``index``: added up with ``np.add.at`` where a position may be
    read ``twice``, written at once where none is."""
    if twice:
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def index_grads(x, *pairs):
    """The gradient of several reads ``x[index]`` of one ``x`` by basic indexes (constant ints
    and slices, which never read one position twice): ``pairs`` is ``g0, index0, g1, index1...``,
    each ``g`` added where its index read, into one array of zeros (one allocation for all the
    reads, where ``index_grad`` makes one per read)."""
    if x.__class__ is np.ndarray and x.dtype.kind == "f":
        out = np.zeros(x.shape, x.dtype)
        for at in range(0, len(pairs), 2):
            g = pairs[at]
            if g.__class__ not in _NUMPY:  # a lazy or foreign array: the general way
                return _index_grads_summed(x, pairs)
            out[pairs[at + 1]] += g
        return out
    return _index_grads_summed(x, pairs)


def _index_grads_summed(x, pairs):
    """``index_grads`` as the sum of one ``index_grad`` per read (lazy and foreign arrays, ints)."""
    total = index_grad(pairs[0], x, pairs[1])
    for at in range(2, len(pairs), 2):
        total = total + index_grad(pairs[at], x, pairs[at + 1])
    return total


# arrays._NUMPY_VALUES, defined again here: an exported module copies a helper's constants
# from the helper's own module only (pipeline.runtime_copy)
_NUMPY = frozenset({np.ndarray, float, int, np.float64, np.float32})
_NUMBERS = frozenset({float, int, np.float64})


def setitem(x, index, value):
    """A copy of ``x`` with ``x[index] = value``: an item write without changing ``x``.  A list
    stays a list (an array made of it would truncate what is written into one of ints, and
    ``+`` and ``*`` would mean other things), and so does a tuple: ``list(t)`` of a tuple is
    lowered as its slice, a tuple (``lower.consumers.call_list``); a tuple display is refused
    where it is written."""
    if x.__class__ is np.ndarray:
        out = np.array(x, copy=True)
    elif x.__class__ is list or x.__class__ is tuple:
        out = list(x)
    elif is_lazy(x):
        out = x.copy()
    elif hasattr(x, "shape") and namespace(x) is not np:
        return _written_copy(x, index, value)
    else:  # a list, a number, a subclass of ndarray
        out = np.array(x, copy=True)
    out[index] = value
    return out


def _written_copy(x, index, value):
    """``setitem`` of another library's array: a copy written in place, or JAX's ``x.at[index].set(value)``
    (its arrays cannot be written)."""
    if hasattr(x, "at"):
        return x.at[index].set(value)
    out = namespace(x).copy(x)
    out[index] = value
    return out


def tangent_like(t, x):
    """The tangent ``t`` of a list or tuple parameter ``x``, given as an array, as a sequence of
    ``x``'s type (Python's ``+`` and ``*`` join and repeat sequences, and the tangent must go
    through them as ``x`` does); any other tangent as it is."""
    if t.__class__ is not np.ndarray or x.__class__ not in (list, tuple):
        return t
    if t.shape != np.shape(x):
        raise ArrayGradientError(f"a tangent of shape {t.shape} for a {type(x).__name__} of shape {np.shape(x)}",
                                 hint="give each parameter a tangent of its own shape")
    return type(x)(t)


def if_inexact(t, y):
    """``t``, the gradient or tangent of what was stored into ``y`` (``np.full_like``, an item
    write), or zeros of ``t``'s shape where ``y`` holds integers or booleans: NumPy truncates
    what it stores there, and a truncated value is piecewise constant in what was stored."""
    dtype = getattr(y, "dtype", None)
    if dtype is None:
        return t
    if isinstance(y, (np.ndarray, np.generic)) or is_lazy(y):
        return t if dtype.kind in "fc" else np.zeros(np.shape(t))  # NumPy's inexact kinds: floating, complex
    xp = namespace(y)
    return t if xp.isdtype(dtype, ("real floating", "complex floating")) else xp.zeros(xp.shape(t))


def written_grad(g, index, value):
    """The gradient of ``value`` in ``x[index] = value``: the part of ``g`` that was written."""
    if g.__class__ is not np.ndarray and hasattr(g, "shape") and not is_lazy(g) and namespace(g) is not np:
        return _written_part(g, index, value, namespace(g))
    if _reads_twice(index):
        refuse_lazy("an item write at an array of integers", ONE_HOT, g, value)
        counts = np.zeros(np.shape(g), dtype=np.intp)
        np.add.at(counts, index, 1)
        if np.any(counts[index] > 1):
            raise _repeated_write()
    written = (g if is_lazy(g) else np.asarray(g))[index]
    extra = np.ndim(value) - written.ndim
    if extra > 0:  # NumPy drops a value's leading 1-axes when writing it (a[0] = v with v of shape (1, 3))
        written = np.reshape(written, (1,) * extra + written.shape)
    return unbroadcast(written, value)


def _written_part(g, index, value, xp):
    """``written_grad`` of another library's arrays: a position written twice is found by
    counting the writes with ``scatter_add`` (the standard has no ``np.add.at``)."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, list) or hasattr(p, "dtype") and xp.isdtype(p.dtype, "integral") for p in parts):
        counts = scatter_add(xp.ones(tuple(g[index].shape)), g, index, xp)
        if xp.any(counts[index] > 1):
            raise _repeated_write()
    written = g[index]
    extra = xp.ndim(value) - written.ndim
    if extra > 0:  # NumPy drops a value's leading 1-axes when writing it (a[0] = v with v of shape (1, 3))
        written = xp.reshape(written, (1,) * extra + tuple(written.shape))
    return unbroadcast(written, value)


def _repeated_write():
    return ArrayGradientError("an item write repeats an index, so one of the written values is lost; "
                              "srcdiff cannot differentiate with respect to that value",
                              hint="write each position once (np.unique), or add with np.add.at semantics explicitly")


def _reads_twice(index):
    """Whether an index may name one position twice (it holds an array of integers)."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, (list, np.ndarray)) and np.asarray(part).dtype.kind in "iu":
            return True
        if is_lazy(part) and part.dtype.kind in "iu":
            return True
    return False


def concatenate_grad(g, i, parts, axis=0):
    """The gradient of ``parts[i]`` in ``np.concatenate(parts, axis)``."""
    axis = axis % np.ndim(g)
    start = sum(np.shape(p)[axis] for p in parts[:i])
    return g[(slice(None),) * axis + (slice(start, start + np.shape(parts[i])[axis]),)]


def hstack_grad(g, i, parts):
    """The gradient of ``parts[i]`` in ``np.hstack(parts)`` (joined along axis 0 for vectors, else 1)."""
    axis = 0 if np.ndim(parts[0]) <= 1 else 1
    return np.reshape(concatenate_grad(g, i, [np.atleast_1d(p) for p in parts], axis), np.shape(parts[i]))


def vstack_grad(g, i, parts):
    """The gradient of ``parts[i]`` in ``np.vstack(parts)`` (vectors become rows)."""
    return np.reshape(concatenate_grad(g, i, [np.atleast_2d(p) for p in parts], 0), np.shape(parts[i]))


def concatenate_place(G, i, parts, axis=0):
    """The adjoint of ``concatenate_grad``: ``G`` where part ``i`` lies in
    ``np.concatenate(parts, axis)``, zeros elsewhere."""
    dtype = np.result_type(G, 1.0)
    return np.concatenate([G if k == i else np.zeros(np.shape(p), dtype) for k, p in enumerate(parts)], axis)


def hstack_place(G, i, parts):
    """The adjoint of ``hstack_grad``: ``G`` where part ``i`` lies in ``np.hstack(parts)``, zeros elsewhere."""
    dtype = np.result_type(G, 1.0)
    return np.hstack([np.reshape(G, np.shape(p)) if k == i else np.zeros(np.shape(p), dtype) for k, p in enumerate(parts)])


def vstack_place(G, i, parts):
    """The adjoint of ``vstack_grad``: ``G`` where part ``i`` lies in ``np.vstack(parts)``, zeros elsewhere."""
    dtype = np.result_type(G, 1.0)
    return np.vstack([np.reshape(G, np.shape(p)) if k == i else np.zeros(np.shape(p), dtype) for k, p in enumerate(parts)])
