"""Hand-written element-wise rules of NumPy and SciPy functions sympy cannot derive as wanted.

Merged into the scalar table (``scalar.RULES``), so forward mode and the array rules
(which sum each contribution down to its operand's shape) read them like the derived ones.

- ``np.sinc``: its derivative ``(cos(pi x) - sinc(x)) / x`` is 0/0 at 0, so it is
  ``rt.sinc_derivative(1, x)`` (a series near 0), whose own derivative is the next one;
- ``np.copysign(a, b) = |a| sign(b)``: ``sign(a)`` times the sign bit of ``b`` (``+0.0``
  counts as positive, as in copysign itself), 0 at ``a = 0``; no gradient to ``b``
  (piecewise constant);
- ``np.fmod(a, b) = a - b trunc(a / b)``, and ``math.fmod`` alike;
- ``scipy.special.expit``: ``y (1 - y)`` (finite for every ``x``; sympy's form overflows);
- ``scipy.special.xlogy(a, b) = a log b`` and ``xlog1py(a, b) = a log(1 + b)``: 0 where
  ``a`` is 0, so their gradients are too (``rt.xlogy``, ``xlog1py`` itself, ``rt.scaled_pow``).
"""

ELEMENTWISE_RULES = {
    "np.sinc": ("g * rt.sinc_derivative(1, x)",),
    "rt.sinc_derivative": (None, "g * rt.sinc_derivative(x0 + 1, x1)"),
    "np.copysign": ("g * rt.sign(x0) * np.copysign(1.0, x1)", None),
    "np.fmod": ("g", "-g * np.trunc(x0 / x1)"),
    "math.fmod": ("g", "-g * float(math.trunc(x0 / x1))"),
    "scipy.special.expit": ("g * y * (1 - y)",),
    "scipy.special.xlogy": ("rt.xlogy(g, x1)", "rt.scaled_pow(g * x0, x1, -1)"),
    "scipy.special.xlog1py": ("scipy.special.xlog1py(g, x1)", "rt.scaled_pow(g * x0, x1 + 1, -1)"),
}
