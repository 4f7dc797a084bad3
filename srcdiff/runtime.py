"""The few helpers generated code may call, bound to the name ``rt`` in its globals.

Each works on Python numbers and NumPy arrays alike and keeps the type of its input
(a float stays a float).  Each has a gradient rule of its own in ``rules`` so generated
code can be differentiated again.
"""
import math

import numpy as np

from .runtime_numpy import (  # noqa: F401  (the array helpers, called as rt.<name>)
    check_scalar, concatenate_grad, dot_grad_left, dot_grad_right, index_grad, inner_grad_left, inner_grad_right, like,
    matmul_grad_left, matmul_grad_right, max_grad, mean_grad, min_grad, norm_grad, prod_grad, setitem,
    sum_grad, unbroadcast, written_grad)


def sign(x):
    """-1, 0 or 1 (0 at 0: the subgradient srcdiff uses for abs at its kink)."""
    if isinstance(x, (int, float)):
        return float((x > 0) - (x < 0))
    return np.sign(x)


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
        return np.where(np.equal(a, 0), 0.0, np.multiply(a, log(b)))


def zeros_like(x):
    """A zero gradient shaped like ``x``: 0.0 for a number, zeros of its dtype for an array."""
    if isinstance(x, np.ndarray):
        return np.zeros_like(x) if np.issubdtype(x.dtype, np.inexact) else np.zeros(x.shape)
    if isinstance(x, np.generic):
        return x.dtype.type(0) if np.issubdtype(x.dtype, np.inexact) else 0.0
    return 0.0


def vdot(a, b):
    """The sum of the elementwise products of ``a`` and ``b``: ``a * b`` for numbers.

    Hessian-vector products differentiate ``vdot(gradient, v)``; its rule is the mul rule.
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.sum(np.multiply(a, b))
    return a * b


from .custom import Context  # noqa: E402  (generated code makes one per srcdiff.Function call)


def digamma(x):
    """The digamma function psi(x) = d/dx log(gamma(x)), for numbers and arrays.

    Recurrence psi(x) = psi(x + 1) - 1/x up to x >= 6, then the asymptotic series;
    reflection for x < 0.5.  Accurate to about 1e-12.
    """
    if isinstance(x, (int, float)):
        return _digamma_scalar(float(x))
    return np.vectorize(_digamma_scalar, otypes=[float])(x)


def _digamma_scalar(x):
    if x < 0.5:
        return _digamma_scalar(1.0 - x) - math.pi / math.tan(math.pi * x)
    shift = 0.0
    while x < 6.0:
        shift -= 1.0 / x
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
    return shift + math.log(x) - 0.5 * inv - series
