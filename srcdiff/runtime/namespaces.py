"""Which array library generated code and the runtime helpers compute with.

``namespace(*values)`` is what a gradient of a function written against the Array API
binds as ``xp`` (``xp = rt.namespace(W, X)``), and what the runtime helpers ask for their
operands.  Contract:

- NumPy arrays, NumPy scalars, Python numbers, None, strings and containers of them: the
  module ``numpy`` itself (the fast path: one type check a value; NumPy code runs as before);
- arrays of another library (CuPy, PyTorch, JAX, array-api-strict, ...): a ``Namespace``,
  the NumPy names generated code and the helpers call (``NUMPY_NAMES`` and the methods
  below) over the values' Array API namespace (array-api-compat's ``array_namespace``),
  creating arrays on the values' device and numbers as the values' floating dtype.

array-api-compat is optional: without it, arrays other than NumPy's are refused, saying
what to install.

| NumPy's name | the standard's |
| --- | --- |
| ``arccos`` ... ``arctanh``, ``arctan2`` | ``acos`` ... ``atanh``, ``atan2`` |
| ``power``, ``absolute``, ``amax``, ``amin``, ``concatenate`` | ``pow``, ``abs``, ``max``, ``min``, ``concat`` |
| ``shape``, ``ndim``, ``size`` | the array's ``.shape``, ``.ndim``, their product |
| ``transpose``, ``swapaxes``, ``ravel`` | ``permute_dims``, ``reshape`` |
| ``s_`` | an index maker (``xp.s_[i, j]`` is ``(i, j)``) |
| ``tril`` | ``where`` of a mask of ``arange``s |
| ``zeros``, ``ones``, ``eye``, ``arange``, ``asarray`` | the same, on the arguments' device (numbers as their dtype) |
| ``flip``, ``roll``, ``take_along_axis`` | the same, the axis as a keyword |
| ``sort``, ``argsort`` | the same, stable (NumPy's ``kind`` left out) |
| ``cumprod`` | ``cumulative_prod`` |
| ``diagonal`` (of the last two axes), ``copy`` | ``linalg.diagonal``, ``asarray(x, copy=True)`` |
| ``linalg.svd(a, compute_uv=False)`` | ``linalg.svdvals(a)`` (the other ``linalg`` functions as they are) |
"""
import math

import numpy as np

from .arguments import ArrayGradientError

# Types of the fast path: values NumPy computes with as they are.
_PLAIN = frozenset({np.ndarray, float, int, bool, np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_,
                    type(None), str, slice})

NUMPY_NAMES = {
    "arccos": "acos", "arccosh": "acosh", "arcsin": "asin", "arcsinh": "asinh", "arctan": "atan",
    "arctanh": "atanh", "arctan2": "atan2", "power": "pow", "absolute": "abs", "amax": "max", "amin": "min",
    "concatenate": "concat", "invert": "bitwise_invert", "true_divide": "divide",
}


def namespace(*values):
    """``numpy`` for NumPy values and numbers, else a ``Namespace`` of the values' library."""
    for value in values:
        if value.__class__ not in _PLAIN:
            return _foreign(values)
    return np


def namespace_of(a, b=None, c=None):
    """``namespace(a, b, c)`` for the runtime helpers: the same answer, without a loop on NumPy's path."""
    if a.__class__ in _PLAIN and b.__class__ in _PLAIN and c.__class__ in _PLAIN:
        return np
    return _foreign((a, b, c))


def _leaves(values):
    """The arrays among ``values``, containers (dict, list, tuple) opened."""
    for value in values:
        if isinstance(value, dict):
            yield from _leaves(value.values())
        elif isinstance(value, (list, tuple)):
            yield from _leaves(value)
        elif value.__class__ not in _PLAIN and not isinstance(value, np.generic) and hasattr(value, "shape"):
            yield value


_CACHE = {}  # (namespace, device, dtype) -> Namespace
_SEEN = {}  # (type, dtype, device) of each value not of the fast path -> what ``_found`` answered for them


def _foreign(values):
    """``namespace`` off the fast path: looked up by the values' types, dtypes and devices, else found."""
    try:
        key = tuple((v.__class__, v.dtype, v.device) for v in values if v.__class__ not in _PLAIN)
        found = _SEEN.get(key)
    except Exception:  # a container, a value without a dtype or a device, unhashable ones: found each time
        key = found = None
    if found is not None:
        return found
    found = _found(values)
    if key is not None:
        _SEEN[key] = found
    return found


def _found(values):
    arrays = [v for v in _leaves(values) if not isinstance(v, np.ndarray)]
    if not arrays:
        return np
    array_api_compat = _compat()
    if array_api_compat is None:
        raise ArrayGradientError(f"an argument is a {type(arrays[0]).__module__}.{type(arrays[0]).__name__}; "
                                 "arrays other than NumPy's need array-api-compat",
                                 hint="pip install 'srcdiff[array-api]'")
    xp = array_api_compat.array_namespace(*arrays)
    device = array_api_compat.device(arrays[0])
    floating = [a.dtype for a in arrays if xp.isdtype(a.dtype, "real floating")]
    dtype = floating[0] if floating else xp.float64
    key = (id(xp), str(device), str(dtype))
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = Namespace(xp, device, dtype)
    return found


def _compat():
    """array-api-compat, imported on first use (an optional dependency NumPy code never needs), or None."""
    try:
        import array_api_compat
    except ImportError:  # pragma: no cover - exercised where it is not installed
        return None
    return array_api_compat


class _IndexMaker:
    """``s_[i, j]`` is ``(i, j)``: NumPy's ``np.s_`` for any library."""

    def __getitem__(self, index):
        return index


# Libraries whose eigh, eigvalsh and cholesky read (a + a.T) / 2, where NumPy (and srcdiff's
# rules) read the lower triangle: the two agree on symmetric matrices only.
_SYMMETRIZING = ("jax",)


class _Linalg:
    """NumPy's ``np.linalg`` names over the standard's ``xp.linalg`` (``xp`` its namespace)."""

    def __init__(self, linalg, xp):
        self.linalg = linalg
        if xp.__name__.split(".")[0] in _SYMMETRIZING:
            for name in ("eigh", "eigvalsh", "cholesky"):
                setattr(self, name, _symmetric_only(getattr(linalg, name), name, xp))

    def __getattr__(self, name):
        value = getattr(self.linalg, name)
        setattr(self, name, value)
        return value

    def svd(self, a, full_matrices=True, compute_uv=True):
        """``np.linalg.svd``: the singular values alone (``svdvals``) when ``compute_uv`` is false."""
        if not compute_uv:
            return self.linalg.svdvals(a)
        return self.linalg.svd(a, full_matrices=full_matrices)


def _symmetric_only(decompose, name, xp):
    """``decompose`` refused for a matrix that is not symmetric (to within rounding): this
    library symmetrizes it, so srcdiff's gradient, which reads its lower triangle as NumPy
    does, would not be the gradient of what the library computes."""
    def checked(a, *args, **kwargs):
        scale = float(xp.max(xp.abs(a))) if math.prod(a.shape) else 0.0
        gap = float(xp.max(xp.abs(a - xp.matrix_transpose(a)))) if math.prod(a.shape) else 0.0
        if gap > 8 * a.shape[-1] * xp.finfo(a.dtype).eps * scale:
            raise ArrayGradientError(f"{xp.__name__}.linalg.{name} reads (a + a.T) / 2 of a matrix that is not "
                                     "symmetric, where srcdiff differentiates it as NumPy computes it, from the "
                                     "lower triangle", hint=f"pass a symmetric matrix to {name}")
        return decompose(a, *args, **kwargs)
    return checked


class Namespace:
    """NumPy's names over an Array API namespace ``xp``: arrays made on ``device``, Python
    numbers made arrays of ``dtype`` (the floating dtype of the arguments)."""

    def __init__(self, xp, device, dtype):
        self.xp, self.device, self.dtype = xp, device, dtype
        self.s_ = _IndexMaker()
        self.linalg = _Linalg(xp.linalg, xp)

    def __getattr__(self, name):
        """The standard's function for NumPy's ``name``, kept on the instance: the next lookup finds it directly."""
        value = getattr(self.xp, NUMPY_NAMES.get(name, name))
        setattr(self, name, value)
        return value

    def __repr__(self):
        return f"<srcdiff namespace {self.xp.__name__} on {self.device}, numbers as {self.dtype}>"

    def asarray(self, x, dtype=None):
        """``x`` as an array of this library on this device (a number as ``dtype``, or the arguments' dtype)."""
        if dtype is None and isinstance(x, (int, float, np.generic)) and not isinstance(x, bool):
            dtype = self.dtype if isinstance(x, (float, np.floating)) else None
        return self.xp.asarray(x, dtype=dtype, device=self.device)

    def shape(self, x):
        return tuple(x.shape) if hasattr(x, "shape") else ()

    def ndim(self, x):
        return len(self.shape(x))

    def size(self, x):
        return math.prod(self.shape(x))

    def reshape(self, x, shape):
        return self.xp.reshape(self.asarray(x), (shape,) if isinstance(shape, int) else tuple(shape))

    def ravel(self, x):
        return self.reshape(x, (-1,))

    def transpose(self, x, axes=None):
        x = self.asarray(x)
        return self.xp.permute_dims(x, tuple(reversed(range(x.ndim))) if axes is None else tuple(axes))

    def swapaxes(self, x, a, b):
        axes = list(range(x.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.xp.permute_dims(x, tuple(axes))

    def expand_dims(self, x, axis):
        x = self.asarray(x)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        rank = x.ndim + len(axes)
        for a in sorted(a % rank for a in axes):
            x = self.xp.expand_dims(x, axis=a)
        return x

    def broadcast_to(self, x, shape):
        return self.xp.broadcast_to(self.asarray(x), tuple(shape))

    def zeros(self, shape, dtype=None):
        return self.xp.zeros(shape, dtype=self.dtype if dtype is None else dtype, device=self.device)

    def ones(self, shape, dtype=None):
        return self.xp.ones(shape, dtype=self.dtype if dtype is None else dtype, device=self.device)

    def arange(self, *args, **kwargs):
        return self.xp.arange(*args, device=self.device, **kwargs)

    def eye(self, n, dtype=None):
        return self.xp.eye(n, dtype=self.dtype if dtype is None else dtype, device=self.device)

    def tril(self, x, k=0):
        """The lower triangle of each matrix of ``x`` from diagonal ``k`` (the standard has no ``tril``)."""
        rows, cols = x.shape[-2], x.shape[-1]
        keep = self.xp.arange(rows, device=self.device)[:, None] + k >= self.xp.arange(cols, device=self.device)[None, :]
        return self.xp.where(keep, x, 0.0)

    def flip(self, x, axis=None):
        return self.xp.flip(x, axis=axis)

    def roll(self, x, shift, axis=None):
        return self.xp.roll(x, shift=shift, axis=axis)

    def argmax(self, x, axis=None):
        return self.xp.argmax(x, axis=axis)

    def argmin(self, x, axis=None):
        return self.xp.argmin(x, axis=axis)

    def take_along_axis(self, x, indices, axis=-1):
        return self.xp.take_along_axis(x, indices, axis=axis)

    def sort(self, x, axis=-1, kind=None):
        return self.xp.sort(x, axis=axis, stable=True)

    def argsort(self, x, axis=-1, kind=None):
        return self.xp.argsort(x, axis=axis, stable=True)

    def cumprod(self, x, axis=None):
        return self.xp.cumulative_prod(x, axis=axis)

    def diagonal(self, x, offset=0, axis1=0, axis2=1):
        """The diagonals of the matrices of ``x`` (its last two axes: the standard's ``linalg.diagonal``)."""
        if (axis1 % x.ndim, axis2 % x.ndim) != (x.ndim - 2, x.ndim - 1):
            raise ArrayGradientError(f"internal error: a diagonal of the axes {axis1}, {axis2} of another library's array",
                                     hint="please report this function to the srcdiff maintainers")
        return self.xp.linalg.diagonal(x, offset=offset)

    def copy(self, x):
        return self.xp.asarray(x, copy=True)
