"""``x[index]``'s gradient for arrays of any library: ``g`` added back where it was read.

The standard has no scatter-add (NumPy's ``np.add.at``), so ``scatter_add`` picks, in order:

| index | library | how |
| --- | --- | --- |
| ints and slices (no position read twice) | mutable arrays | ``out[index] = g`` |
| ints and slices | JAX (immutable) | ``out.at[index].set(g)`` |
| integer arrays | PyTorch | ``out.index_put_(index, g, accumulate=True)`` |
| integer arrays | JAX | ``out.at[index].add(g)`` |
| integer arrays | CuPy | ``cupyx.scatter_add`` |
| integer arrays, one per leading axis | any other (array-api-strict) | a one-hot matrix times ``g``: ``O(rows x reads)`` |

Anything else (integer arrays mixed with slices on a library without a scatter of its own)
is refused with an ``ArrayGradientError``.
"""
import math
import sys

from .arguments import ArrayGradientError


def scatter_add(g, x, index, xp):
    """The gradient of ``x[index]`` for the upstream ``g``: zeros like ``x`` (floating) with ``g`` added at ``index``."""
    dtype = x.dtype if xp.isdtype(x.dtype, "real floating") else xp.float64
    out = xp.zeros(tuple(x.shape), dtype=dtype)
    parts = index if isinstance(index, tuple) else (index,)
    g = xp.astype(xp.broadcast_to(xp.asarray(g, dtype=dtype), tuple(x[index].shape)), dtype)
    if any(p is None for p in parts):  # x[:, None]: the new axes dropped from g and from the index
        parts = tuple(p for p in parts if p is not None)
        index = parts
        g = xp.reshape(g, tuple(x[index].shape))
    while parts and (parts[-1] is Ellipsis or isinstance(parts[-1], slice) and parts[-1] == slice(None)):
        parts = parts[:-1]  # x[i, :] and x[i, ...] are x[i]
    index = parts if any(p is Ellipsis for p in parts) else parts + (Ellipsis,)  # the other axes whole, said as the standard wants
    arrays = [p for p in parts if hasattr(p, "shape") and p.ndim > 0 or isinstance(p, list)]
    if not arrays:
        if hasattr(out, "at"):
            return out.at[index].set(g)
        out[index] = g
        return out
    if hasattr(out, "index_put_") and len(arrays) == len(parts):
        return out.index_put_(tuple(parts), g, accumulate=True)
    if hasattr(out, "at"):
        return out.at[index].add(g)
    if type(out).__module__.startswith("cupy") and "cupyx" in sys.modules:
        sys.modules["cupyx"].scatter_add(out, index, g)
        return out
    if len(arrays) != len(parts):
        raise ArrayGradientError(f"the gradient of indexing with integer arrays mixed with slices needs a scatter-add, "
                                 f"which {xp.__name__} has not", hint="index with integer arrays only, or use NumPy")
    return _one_hot_add(g, x, parts, out, xp)


def _one_hot_add(g, x, parts, out, xp):
    """``out`` plus ``g`` at the positions the integer arrays ``parts`` (one per leading axis) read."""
    lead = tuple(x.shape[:len(parts)])
    linear = 0
    for part, n in zip(parts, lead):
        linear = linear * n + (xp.asarray(part) % n)
    linear = xp.reshape(linear, (-1,))
    trailing = math.prod(x.shape[len(parts):])
    hot = xp.astype(xp.arange(math.prod(lead))[:, None] == linear[None, :], out.dtype)
    added = hot @ xp.reshape(g, (linear.shape[0], trailing))
    return out + xp.reshape(added, tuple(x.shape))
