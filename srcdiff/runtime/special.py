"""The special functions the derivatives of ``gamma`` and ``lgamma`` need: digamma, polygamma.

Accurate to about 1e-12; for numbers and arrays.  ``digamma``'s derivative is
``polygamma(1, x)``, and ``polygamma(n, x)``'s is ``polygamma(n + 1, x)``, so gamma and
lgamma can be differentiated any number of times.
"""
import math

import numpy as np


def digamma(x):
    """The digamma function psi(x) = d/dx log(gamma(x)), for numbers and arrays.

    Recurrence psi(x) = psi(x + 1) - 1/x up to x >= 6, then the asymptotic series;
    reflection for x < 0.5.  Accurate to about 1e-12.
    """
    if isinstance(x, (int, float)):
        return _digamma_scalar(float(x))
    return _like_input(np.vectorize(_digamma_scalar, otypes=[float])(x), x)


def polygamma(n, x):
    """The n-th derivative of the digamma function, n >= 1 (trigamma for n = 1), for
    numbers and arrays: the derivatives of ``digamma``, so gamma and lgamma can be
    differentiated any number of times.

    Recurrence psi_n(x) = psi_n(x + 1) - (-1)**n n! / x**(n + 1) up to x >= 12, then the
    asymptotic series; accurate to about 1e-12 relative for n <= 4.
    """
    if isinstance(x, (int, float)):
        return _polygamma_scalar(int(n), float(x))
    return _like_input(np.vectorize(lambda t: _polygamma_scalar(int(n), t), otypes=[float])(x), x)


def _like_input(out, x):
    """``out`` in the floating dtype of ``x`` (float32 stays float32), a NumPy scalar when 0-d."""
    out = out.astype(np.result_type(x, 1.0), copy=False)
    return out[()] if out.ndim == 0 else out


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
