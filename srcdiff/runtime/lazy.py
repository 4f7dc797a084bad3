"""Lazy arrays (Dask) in the runtime, recognised without importing Dask.

Dask is optional: srcdiff never imports it to ask whether a value is a Dask array.  A
value is lazy when its class is defined in a ``dask`` module (``dask.array.core.Array``);
such a value exists only once its program imported ``dask.array``, so ``array_module``
finds that module in ``sys.modules``.  The helpers of ``arrays`` and ``scalars`` build
what they make "shaped like ``x``" with ``x``'s own namespace, so a gradient of a Dask
array stays one lazy task graph (NumPy's ``np.zeros(x.shape)`` would hold it in the
client's memory instead).

Computing is the API's business (``srcdiff.lazy``, which the API calls): nothing
here computes.  A helper that could only answer by computing (an index read twice,
which needs ``np.add.at``) refuses a lazy value with ``ArrayGradientError``.
"""
import sys

import numpy as np

from .arguments import ArrayGradientError


def is_lazy(x):
    """Whether ``x`` is a Dask collection (its class comes from a ``dask`` module)."""
    return type(x).__module__.startswith("dask.")


def is_other_array_class(kind):
    """Whether values of class ``kind`` are Dask arrays or arrays of a library other than
    NumPy: it comes from a ``dask`` module, or speaks the Array API (``__array_namespace__``)
    or DLPack (``__dlpack__``: PyTorch) without being NumPy's."""
    module = kind.__module__
    return module.startswith("dask.") or (not module.startswith("numpy") and (
        hasattr(kind, "__array_namespace__") or hasattr(kind, "__dlpack__")))


def array_module(*values):
    """``dask.array`` when any of ``values`` is a Dask array, else ``numpy``."""
    for value in values:
        if is_lazy(value):
            return sys.modules["dask.array"]
    return np


def known_shape(x):
    """``np.shape(x)``, refusing a Dask array whose chunk sizes are unknown (its shape holds
    nan): a gradient spread back over it cannot know how many entries it has."""
    shape = np.shape(x)
    if any(n != n for n in shape):
        raise ArrayGradientError(f"a Dask array of unknown chunk sizes (shape {shape}), as boolean indexing or a "
                                 "DataFrame without lengths makes, cannot take a gradient back",
                                 hint="call .compute_chunk_sizes() on the data first (to_dask_array(lengths=True)), "
                                      "or write np.where(mask, x, 0.0) instead of x[mask]")
    return shape


def spread_to(g, x):
    """``g`` broadcast to the shape of ``x`` (``np.broadcast_to``) by their array module; a
    NumPy ``g`` spread over a Dask ``x`` is chunked as ``x`` along the axes it is spread on
    (Dask would make one chunk of the whole shape, then cut it again to meet ``x``)."""
    if not is_lazy(x) and not is_lazy(g):  # NumPy's: nothing more to ask
        return np.broadcast_to(g, np.shape(x))
    shape, _ = known_shape(x), known_shape(g)
    if is_lazy(g):
        return array_module(g).broadcast_to(g, shape)
    lead = len(shape) - np.ndim(g)
    chunks = tuple(x.chunks[i] if i < lead or np.shape(g)[i - lead] == 1 else (shape[i],) for i in range(len(shape)))
    return array_module(x).broadcast_to(g, shape, chunks=chunks)


def entries(x):
    """The number of entries of ``x`` (``np.size``, which Dask would answer by computing)."""
    return int(np.prod(known_shape(x))) if is_lazy(x) else np.size(x)


def refuse_lazy(what, hint, *values):
    """Refuse a lazy value among ``values`` where the gradient of ``what`` cannot stay lazy."""
    if any(is_lazy(v) for v in values):
        raise ArrayGradientError(f"the gradient of {what} cannot be built lazily on a Dask array", hint=hint)


def in_lazy_sweep():
    """Whether a gradient runs under ``srcdiff.lazy``'s refusal of computes: the scheduler it
    installs in Dask's settings is marked ``srcdiff_sweep``."""
    dask = sys.modules.get("dask")
    return dask is not None and getattr(dask.config.get("scheduler", None), "srcdiff_sweep", False)


ONE_HOT = ("Dask has no np.add.at; for labels y write np.sum(Y * scores, axis=1) with one-hot labels "
           "Y (np.eye(C)[y]), or index with slices")


def like_lazily(g, x):
    """``rt.like`` where the gradient or the parameter is a Dask array: the gradient stays
    lazy, of the parameter's shape and floating dtype (``srcdiff.lazy`` computes it and makes
    a 0-d result a number)."""
    shape = known_shape(x)
    dtype = np.result_type(x) if np.result_type(x).kind == "f" else np.dtype(np.float64)
    if not is_lazy(g) and np.shape(g) == () and shape != () and not g:  # a parameter no path reached
        return array_module(x).zeros_like(x, dtype=dtype)
    if known_shape(g) != shape:
        raise ArrayGradientError(f"internal error: a gradient of shape {np.shape(g)} for a parameter of shape {shape}",
                                 hint="please report this function to the srcdiff maintainers")
    return g.astype(dtype) if is_lazy(g) else np.asarray(g, dtype=dtype)


def index_grad_lazily(g, x, index, reads_twice):
    """``rt.index_grad`` of Dask arrays: zeros with ``g`` written where ``x[index]`` read;
    refused where the index may read one position twice (``reads_twice``: Dask has no
    ``np.add.at``)."""
    if reads_twice:
        refuse_lazy("an index that may read one position twice (an array of integers)", ONE_HOT, x, g)
    xp = array_module(x, g)
    dtype = np.result_type(x) if np.result_type(x).kind in "fc" else np.dtype(np.float64)
    out = xp.zeros(known_shape(x), dtype=dtype)
    where = tuple(part for part in (index if isinstance(index, tuple) else (index,)) if part is not None)
    out[where] = xp.reshape(g, out[where].shape)  # Dask writes at no new axis: g without them
    return out
