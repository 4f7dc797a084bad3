"""``check_grad`` for users' own test suites: srcdiff's gradient against finite differences.

```python
from srcdiff.testing import check_grad

def test_my_loss():
    check_grad(my_loss, w, x, wrt="w")
```

For every parameter ``wrt`` picks, along a few random directions ``d`` (same shape as
the argument), the directional derivative ``gradient . d`` is compared with the central
difference ``(f(x + eps d) - f(x - eps d)) / (2 eps)``, and the gradient's type and
shape with the argument's.  A float32 (float16) argument's gradient is held to differences
taken in float64 where the function allows it (see ``_PRECISE_RTOL``): the coarse steps of
its own precision alone let a gradient 1% off pass.  On a mismatch it raises ``AssertionError`` with one
readable paragraph per failing argument, so a wrong ``srcdiff.Function.backward`` (or a
wrong rule) shows up in ``pytest`` as a plain test failure.

A container argument (a dict, list, tuple, namedtuple, dataclass or object of numbers and
arrays) is moved along a random direction in every float number and array it holds at
once, and its gradient must have its structure; a bound method (``model.loss``) is checked
with respect to its object too (``wrt="self"``).
"""
import inspect
import types

import numpy as np

from .api import grad
from .runtime.trees import is_container, leaves, replace_leaves

# (eps, relative tolerance) by the precision of the argument
_STEPS = {np.dtype(np.float64): (1e-6, 1e-5), np.dtype(np.float32): (1e-2, 5e-2), np.dtype(np.float16): (1e-1, 2e-1)}
# A float32 or float16 gradient is also held to float64 differences (the argument moved in float64)
# wherever the function computes in float64 given float64 (a move far below float32's resolution
# moves its result) and differences taken with steps 1e-6 and 1e-4 agree; elsewhere (a function
# rounding to float32 inside) the coarse check of the argument's own precision alone runs. The
# bound is relative to the larger side plus the sum of |gradient * direction| (the rounding of
# the gradient's own sum), so a gradient off by 1% no longer passes.
_PRECISE_RTOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}


def check_grad(fn, *args, wrt=None, directions=3, seed=0, eps=None, rtol=None, atol=1e-7):
    """Raise AssertionError unless srcdiff's gradient of ``fn`` at ``args`` agrees with
    finite differences for every parameter ``wrt`` picks (when None: every parameter whose
    argument is not an int or a bool, such as a loop count)."""
    call, shown, bound = fn, args, inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType)
    if bound:  # its object is argument 0
        call, args = fn.__func__, (fn.__self__,) + tuple(args)
    names = list(inspect.signature(call).parameters)
    picked = _positions(names, wrt, int(bound), fn)
    if wrt is None:
        picked = [p for p in picked if p >= len(args) or not isinstance(args[p], (int, bool, np.integer))]
    gradient = grad(fn, wrt=tuple(names[p] for p in picked))(*shown)
    rng = np.random.default_rng(seed)
    problems = []
    for position, g in zip(picked, gradient):
        if is_container(args[position]):
            problem = _check_container(call, args, position, g, rng, directions, atol)
        else:
            problem = _check_argument(call, args, position, g, rng, directions, eps, rtol, atol)
        if problem:
            problems.append(f"  gradient with respect to {names[position]!r}: {problem}")
    if problems:
        raise AssertionError(f"check_grad({getattr(fn, '__name__', fn)}): srcdiff's gradient disagrees with finite differences\n"
                             + "\n".join(problems))


def _positions(names, wrt, offset, fn):
    """The positions in ``names`` that ``wrt`` picks.  A bound method's ints count its own
    parameters, after its object (``offset`` 1), as ``grad`` counts them; a name it does not
    have is refused by ``grad`` itself, with its SrcdiffError."""
    if wrt is None:
        return list(range(len(names)))
    items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
    for item in items:
        if isinstance(item, str) and item not in names:
            grad(fn, wrt=item)  # raises: fn has no parameter of that name
    own = len(names) - offset
    return [names.index(item) if isinstance(item, str) else offset + item % own for item in items]


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
    explicit = eps or rtol
    eps, rtol = eps or default_eps, rtol or default_rtol
    start = x.astype(dtype) if is_array else dtype.type(x) if isinstance(x, np.generic) else x
    precise = dtype in _PRECISE_RTOL and explicit is None
    for _ in range(directions):
        d = rng.standard_normal(np.shape(x))
        d = d.astype(dtype) if is_array else float(d)
        terms = np.asarray(g, dtype=np.float64) * d
        analytic = float(np.sum(terms))
        if precise:  # a float32 gradient against float64 differences, where the function computes in float64

            def value_at(step, d=np.asarray(d, dtype=np.float64)):
                moved = list(args)
                moved[position] = _moved_in_float64(x, step * d)
                return float(np.sum(fn(*moved)))

            wrong = _float64_verdict(value_at, analytic, float(np.sum(np.abs(terms))), dtype, atol)
            if wrong is not _UNTRUSTED:
                if wrong:
                    return wrong
                continue
        plus, minus = list(args), list(args)
        plus[position], minus[position] = start + eps * d, start - eps * d
        wrong = _disagreement(fn, plus, minus, analytic, eps, atol, rtol)
        if wrong:
            return wrong
    return None


_UNTRUSTED = object()  # float64 differences that cannot judge: the function rounds to float32 inside


def _float64_verdict(value_at, analytic, spread, dtype, atol):
    """``_verdict`` of ``analytic`` against central differences in float64 (``value_at(step)``:
    the function's result with the argument moved by ``step`` along the direction, in float64),
    or ``_UNTRUSTED`` where a move far below float32's resolution leaves the result unchanged
    or differences with steps 1e-6 and 1e-4 disagree."""
    if value_at(1e-11) == value_at(0.0):
        return _UNTRUSTED
    exact = (value_at(1e-6) - value_at(-1e-6)) / 2e-6
    tight = atol + _PRECISE_RTOL[dtype] * (max(abs(exact), abs(analytic)) + spread)
    if abs(exact - (value_at(1e-4) - value_at(-1e-4)) / 2e-4) > tight / 10:
        return _UNTRUSTED
    return _verdict(analytic, exact, tight)


def _moved_in_float64(x, step):
    moved = np.asarray(x, dtype=np.float64) + step
    return moved if isinstance(x, np.ndarray) else float(moved)


def _central_difference(fn, plus, minus, eps):
    return (float(np.sum(fn(*plus))) - float(np.sum(fn(*minus)))) / (2 * eps)


def _verdict(analytic, numeric, tolerance):
    """None when ``analytic`` and ``numeric`` agree within ``tolerance``, else the sentence saying how not."""
    if abs(numeric - analytic) <= tolerance:
        return None
    return (f"along a random direction srcdiff gives {analytic:.6g}, finite differences give "
            f"{numeric:.6g} (difference {abs(numeric - analytic):.3g}, tolerance {tolerance:.3g})")


def _disagreement(fn, plus, minus, analytic, eps, atol, rtol):
    """A sentence saying that central differences of ``fn`` between the arguments ``plus`` and
    ``minus`` (``2 * eps`` apart along one direction) disagree with ``analytic``, or None."""
    numeric = _central_difference(fn, plus, minus, eps)
    return _verdict(analytic, numeric, atol + rtol * max(abs(numeric), abs(analytic)))


def _check_container(fn, args, position, g, rng, directions, atol):
    """A sentence describing what is wrong with the gradient ``g`` of a container argument, or None."""
    x = args[position]
    parts = [(path, value) for path, value in leaves(x)  # the float numbers and arrays: ints stay (a count)
             if isinstance(value, float) or isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "f"]
    if type(g) is not type(x) or [p for p, _ in leaves(g)] != [p for p, _ in leaves(x)]:
        return f"expected a {type(x).__name__} of the argument's structure, got {_describe(g)}"
    found = dict(leaves(g))
    for path, value in leaves(x):
        wrong = _wrong_type(value, found[path])
        if wrong:
            return f"at {_path_text(path)}: {wrong}"
    least = min((gradient_dtype(v) for _, v in parts), key=lambda d: d.itemsize, default=np.dtype(np.float64))
    eps, rtol = _STEPS.get(least, _STEPS[np.dtype(np.float64)])  # the steps of the least precise part
    for _ in range(directions):
        d = {path: _direction(rng, value) for path, value in parts}
        terms = [np.asarray(found[path], dtype=np.float64) * step for path, step in d.items()]
        analytic = sum(float(np.sum(term)) for term in terms)
        if least in _PRECISE_RTOL:  # as for an argument: float64 differences where the function allows them

            def value_at(step, d=d):
                moved = list(args)
                moved[position] = replace_leaves(x, {path: _moved_in_float64(value, step * np.asarray(d[path], np.float64))
                                                     for path, value in parts})
                return float(np.sum(fn(*moved)))

            wrong = _float64_verdict(value_at, analytic, sum(float(np.sum(np.abs(t))) for t in terms), least, atol)
            if wrong is not _UNTRUSTED:
                if wrong:
                    return wrong
                continue
        plus, minus = list(args), list(args)
        plus[position] = replace_leaves(x, {path: _moved(value, eps * d[path]) for path, value in parts})
        minus[position] = replace_leaves(x, {path: _moved(value, -eps * d[path]) for path, value in parts})
        wrong = _disagreement(fn, plus, minus, analytic, eps, atol, rtol)
        if wrong:
            return wrong
    return None


def _wrong_type(x, g):
    """What is wrong with the type, shape or dtype of the gradient ``g`` of a part ``x``, or None."""
    dtype = gradient_dtype(x)
    if isinstance(x, np.ndarray) and not (isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == dtype):
        return f"expected an array of shape {x.shape} and dtype {dtype}, got {_describe(g)}"
    if not isinstance(x, np.ndarray) and np.ndim(g) != 0:
        return f"expected a number like the argument, got {_describe(g)}"
    return None


def _direction(rng, value):
    step = rng.standard_normal(np.shape(value))
    return step.astype(gradient_dtype(value)) if isinstance(value, np.ndarray) else float(step)


def _moved(value, step):
    return (value + step).astype(value.dtype) if isinstance(value, np.ndarray) else type(value)(value + step)


def _path_text(path):
    return "".join(f".{key}" if isinstance(key, str) and key.isidentifier() else f"[{key!r}]" for key in path)


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
