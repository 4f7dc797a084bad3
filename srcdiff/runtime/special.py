"""The special functions the derivatives of ``gamma``, ``lgamma`` and ``np.sinc`` need.

Accurate to about 1e-12; for numbers and arrays.  ``digamma``'s derivative is
``polygamma(1, x)``, and ``polygamma(n, x)``'s is ``polygamma(n + 1, x)``, so gamma and
lgamma can be differentiated any number of times; likewise ``sinc_derivative(n, x)``,
the n-th derivative of ``np.sinc``, has ``sinc_derivative(n + 1, x)`` as its own.
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


_SINC_TERMS = 26  # sum_k (-1)^k (pi x)^(2k) / (2k + 1)!: the last term is below 1e-40 for |x| <= 1


def sinc_derivative(n, x):
    """The n-th derivative of ``np.sinc(x) = sin(pi x) / (pi x)`` (n >= 0), finite at 0.

    Its Taylor series, differentiated term by term, for ``|x| <= 1``; elsewhere the
    recurrence ``s_n = (pi^(n-1) sin(pi x + n pi / 2) - n s_(n-1)) / x`` (from
    differentiating ``x s(x) = sin(pi x) / pi`` n times), started from ``np.sinc``.
    """
    x = np.asarray(x, dtype=np.result_type(x, 1.0))
    n = int(n)
    near = np.zeros_like(x)
    for k in range(_SINC_TERMS):
        power = 2 * k - n
        if power >= 0:
            coefficient = (-1) ** k * math.pi ** (2 * k) * math.perm(2 * k, n) / math.factorial(2 * k + 1)
            near = near + coefficient * x ** power
    far = np.sinc(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in range(1, n + 1):
            far = (math.pi ** (m - 1) * np.sin(math.pi * x + m * math.pi / 2) - m * far) / x
    out = np.where(np.abs(x) <= 1, near, far)
    return out[()] if out.ndim == 0 else out
