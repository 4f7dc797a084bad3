"""The few helpers generated code may call, bound to the name ``rt`` in its globals.

Each works on Python numbers and NumPy arrays alike and keeps the type of its input
(a float stays a float).  Each has a gradient rule of its own in ``rules`` so generated
code can be differentiated again.
"""
import math

import numpy as np

s_ = np.s_  # the index maker of item writes when generated code calls the runtime by another name

from .runtime_numpy import (  # noqa: F401  (the array helpers, called as rt.<name>)
    check_scalar, concatenate_grad, cumsum_grad, hstack_grad, std_grad, var_grad, vstack_grad, dot_grad_left, dot_grad_right, index_grad, inner_grad_left, inner_grad_right, like,
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
    if isinstance(x, (list, tuple)):  # a sequence parameter: zeros item by item, in its own type
        return type(x)(zeros_like(v) for v in x)
    return 0.0


def items_zeros(xs):
    """The zero gradient of the items of a sequence a loop walks over: an array of zeros
    shaped like an array ``xs`` (float unless it is floating already), else a list of zeros."""
    if isinstance(xs, np.ndarray):
        return np.zeros(xs.shape, dtype=xs.dtype if np.issubdtype(xs.dtype, np.inexact) else np.float64)
    return [zeros_like(v) for v in xs]


def item_grad(g, xs, k):
    """The gradient ``g`` of item ``xs[k]`` as a gradient of all of ``xs`` (explain mode): a
    float array, zero but at position ``k``."""
    shape = xs.shape if isinstance(xs, np.ndarray) else (len(xs),)
    grad = np.zeros(shape, dtype=np.result_type(float, np.asarray(g).dtype))
    grad[k] = g
    return grad


def items_like(g, xs):
    """An items gradient in its sequence's own type: a tuple for a tuple."""
    return tuple(g) if isinstance(xs, tuple) else g


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


def polygamma(n, x):
    """The n-th derivative of the digamma function, n >= 1 (trigamma for n = 1), for
    numbers and arrays: the derivatives of ``digamma``, so gamma and lgamma can be
    differentiated any number of times.

    Recurrence psi_n(x) = psi_n(x + 1) - (-1)**n n! / x**(n + 1) up to x >= 12, then the
    asymptotic series; accurate to about 1e-12 relative for n <= 4.
    """
    if isinstance(x, (int, float)):
        return _polygamma_scalar(int(n), float(x))
    return np.vectorize(lambda t: _polygamma_scalar(int(n), t), otypes=[float])(x)


# Bernoulli numbers B2, B4, ..., B16
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _polygamma_scalar(n, x):
    sign = 1.0 if n % 2 else -1.0  # (-1) ** (n + 1)
    shift = 0.0
    while x < 12.0:
        shift -= sign * math.factorial(n) / x ** (n + 1)
        x += 1.0
    series = math.factorial(n - 1) / x ** n + math.factorial(n) / (2 * x ** (n + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        series += b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * x ** (2 * k + n))
    return sign * series - shift


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
