"""``check_grad`` for users' own test suites: srcdiff's gradient against finite differences.

```python
from srcdiff.testing import check_grad

def test_my_loss():
    check_grad(my_loss, w, x, wrt="w")
```

For every parameter ``wrt`` picks, along a few random directions ``d`` (same shape as
the argument), the directional derivative ``gradient . d`` is compared with the central
difference ``(f(x + eps d) - f(x - eps d)) / (2 eps)``, and the gradient's type and
shape with the argument's.  On a mismatch it raises ``AssertionError`` with one
readable paragraph per failing argument, so a wrong ``srcdiff.Function.backward`` (or a
wrong rule) shows up in ``pytest`` as a plain test failure.
"""
import inspect

import numpy as np

from .api import grad

# (eps, relative tolerance) by the precision of the argument
_STEPS = {np.dtype(np.float64): (1e-6, 1e-5), np.dtype(np.float32): (1e-2, 5e-2), np.dtype(np.float16): (1e-1, 2e-1)}


def check_grad(fn, *args, wrt=None, directions=3, seed=0, eps=None, rtol=None, atol=1e-7):
    """Raise AssertionError unless srcdiff's gradient of ``fn`` at ``args`` agrees with
    finite differences for every parameter ``wrt`` picks (when None: every parameter whose
    argument is not an int or a bool, such as a loop count)."""
    names = list(inspect.signature(fn).parameters)
    picked = _positions(names, wrt)
    if wrt is None:
        picked = [p for p in picked if p >= len(args) or not isinstance(args[p], (int, bool, np.integer))]
    gradient = grad(fn, wrt=tuple(picked))(*args)
    rng = np.random.default_rng(seed)
    problems = []
    for position, g in zip(picked, gradient):
        problem = _check_argument(fn, args, position, g, rng, directions, eps, rtol, atol)
        if problem:
            problems.append(f"  gradient with respect to {names[position]!r}: {problem}")
    if problems:
        raise AssertionError(f"check_grad({getattr(fn, '__name__', fn)}): srcdiff's gradient disagrees with finite differences\n"
                             + "\n".join(problems))


def _positions(names, wrt):
    items = range(len(names)) if wrt is None else wrt if isinstance(wrt, (tuple, list)) else [wrt]
    return [names.index(item) if isinstance(item, str) else item % len(names) for item in items]


def _check_argument(fn, args, position, g, rng, directions, eps, rtol, atol):
    """A sentence describing what is wrong with gradient ``g`` of argument ``position``, or None."""
    x = args[position]
    is_array = isinstance(x, np.ndarray)
    dtype = gradient_dtype(x)
    if is_array and not (isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == dtype):
        return f"expected an array of shape {x.shape} and dtype {dtype}, got {_describe(g)}"
    if not is_array and np.ndim(g) != 0:
        return f"expected a number like the argument, got {_describe(g)}"
    default_eps, default_rtol = _STEPS.get(dtype, _STEPS[np.dtype(np.float64)])
    eps, rtol = eps or default_eps, rtol or default_rtol
    start = x.astype(dtype) if is_array else dtype.type(x) if isinstance(x, np.generic) else x
    for _ in range(directions):
        d = rng.standard_normal(np.shape(x))
        d = d.astype(dtype) if is_array else float(d)
        analytic = float(np.sum(np.asarray(g, dtype=np.float64) * d))
        plus, minus = list(args), list(args)
        plus[position], minus[position] = start + eps * d, start - eps * d
        numeric = (float(np.sum(fn(*plus))) - float(np.sum(fn(*minus)))) / (2 * eps)
        tolerance = atol + rtol * max(abs(numeric), abs(analytic))
        if not abs(numeric - analytic) <= tolerance:
            return (f"along a random direction srcdiff gives {analytic:.6g}, finite differences give "
                    f"{numeric:.6g} (difference {abs(numeric - analytic):.3g}, tolerance {tolerance:.3g})")
    return None


def gradient_dtype(x):
    """The dtype of the gradient of argument ``x``, as ``grad`` promises (``rt.like``): an
    array's or a NumPy number's own floating dtype (float32 stays float32), else float64
    (int arrays and Python numbers).  Steps and tolerances follow it."""
    dtype = getattr(x, "dtype", None)
    return dtype if isinstance(x, (np.ndarray, np.generic)) and np.issubdtype(dtype, np.inexact) \
        else np.dtype(np.float64)


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"
