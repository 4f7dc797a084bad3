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
  ``a`` is 0, so their gradients are too (``rt.xlogy``, ``xlog1py`` itself, ``rt.scaled_pow``);
- ``scipy.special.polygamma(n, x)``: ``polygamma(n + 1, x)``;
- the Bessel functions ``j0 j1 jv (jn) y0 y1 yv yn i0 i1 iv ive``: the recurrences
  ``J_v' = (J_{v-1} - J_{v+1}) / 2`` (the same for ``Y``), ``I_v' = (I_{v-1} + I_{v+1}) / 2``,
  ``ive = iv exp(-|x|)``; the order gets no gradient.
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
    "scipy.special.polygamma": (None, "g * scipy.special.polygamma(x0 + 1, x1)"),  # the order n is not differentiated
    # Bessel functions: each derivative is a Bessel function again (the order is not differentiated)
    "scipy.special.j0": ("-g * scipy.special.j1(x)",),
    "scipy.special.j1": ("g * (scipy.special.jv(0, x) - scipy.special.jv(2, x)) / 2",),
    "scipy.special.jv": (None, "g * (scipy.special.jv(x0 - 1, x1) - scipy.special.jv(x0 + 1, x1)) / 2"),
    "scipy.special.y0": ("-g * scipy.special.y1(x)",),
    "scipy.special.y1": ("g * (scipy.special.yv(0, x) - scipy.special.yv(2, x)) / 2",),
    "scipy.special.yv": (None, "g * (scipy.special.yv(x0 - 1, x1) - scipy.special.yv(x0 + 1, x1)) / 2"),
    "scipy.special.yn": (None, "g * (scipy.special.yn(x0 - 1, x1) - scipy.special.yn(x0 + 1, x1)) / 2"),
    "scipy.special.i0": ("g * scipy.special.i1(x)",),
    "scipy.special.i1": ("g * (scipy.special.iv(0, x) + scipy.special.iv(2, x)) / 2",),
    "scipy.special.iv": (None, "g * (scipy.special.iv(x0 - 1, x1) + scipy.special.iv(x0 + 1, x1)) / 2"),
    "scipy.special.ive": (None, "g * ((scipy.special.ive(x0 - 1, x1) + scipy.special.ive(x0 + 1, x1)) / 2 "
                                "- rt.sign(x1) * y)"),  # ive(v, x) = iv(v, x) exp(-|x|)
}
