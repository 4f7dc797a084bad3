"""One case of the autograd corpus: srcdiff's derivatives of one function at one point,
checked against central finite differences.

``check_case(fun, args, kwargs, positions, modes, order)`` returns cases
``(label, status, detail, order)`` with ``status`` one of

========  ==================================================================
pass      every derivative asked for agrees with finite differences
refused   srcdiff raised a ``SrcdiffError`` (what it does not support yet)
wrong     srcdiff gave a number that disagrees (a bug)
crash     srcdiff raised anything else, building or running (a bug)
skip      out of scope by design: complex numbers, no float argument, or a
          function that fails under plain NumPy (it needs autograd itself)
========  ==================================================================

Reverse mode ("rev"): ``srcdiff.value_and_grad`` for a scalar result (its value must be
the function's), otherwise srcdiff's
vector-Jacobian product with a random, non-uniform cotangent ``v``; compared entry by
entry with finite differences of ``sum(v * f)``.  Forward mode ("fwd"): ``srcdiff.jvp``
along random tangents, compared with the same finite-difference gradient.  Second order
(autograd's default ``order=2``, scalar results whose first derivatives pass): ``srcdiff.hvp``
along a random direction against central differences of srcdiff's gradient.  A function
without Python source (``np.sum``, a ufunc, ``scipy.special.gammaln``, a ``partial`` of
one) is first written out as the one-line function a user would write
(``autograd_wrap.wrapped``).
"""
import inspect
import os
import traceback
import warnings
import zlib

import numpy as np

import srcdiff
import srcdiff.api
from autograd_wrap import needs_wrapping, wrapped

SEVERITY = {"pass": 0, "skip": 1, "refused": 2, "wrong": 3, "crash": 4}
EPS = 1e-6
SRCDIFF_DIR = os.path.dirname(os.path.abspath(srcdiff.__file__))


class WrongValue(Exception):
    """srcdiff's value of the function differs from the function's own."""


class Skip(Exception):
    """The case is out of srcdiff's scope by design; the message says why."""


# ---------------------------------------------------------------- values as lists of float leaves

def leaves(value):
    """The float arrays and floats inside ``value`` (nested tuples, lists, dicts), in order."""
    if isinstance(value, dict):
        return [leaf for key in value for leaf in leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    if isinstance(value, (float, np.floating)) or isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return [value]
    return []


def rebuilt(value, new, _at=None):
    """``value`` with its float leaves replaced, in order, by the items of list ``new``."""
    at = [0] if _at is None else _at
    if isinstance(value, dict):
        return {key: rebuilt(value[key], new, at) for key in value}
    if isinstance(value, (list, tuple)):
        items = [rebuilt(item, new, at) for item in value]
        return items if isinstance(value, list) else type(value)(items) if type(value) is tuple else type(value)(*items)
    if leaves(value):
        at[0] += 1
        return new[at[0] - 1]
    return value


def is_complex(value):
    """Whether a complex number hides in ``value``."""
    if isinstance(value, dict):
        return any(is_complex(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_complex(v) for v in value)
    return np.iscomplexobj(value) and not isinstance(value, str)


def random_like(value, rng):
    """A random, non-uniform value of ``value``'s structure, shapes and float dtypes."""
    return rebuilt(value, [_random_leaf(leaf, rng) for leaf in leaves(value)])


def _random_leaf(leaf, rng):
    if isinstance(leaf, np.ndarray):
        return (rng.standard_normal(leaf.shape) + 0.5).astype(leaf.dtype)
    return float(rng.standard_normal() + 0.5)


def inner(a, b):
    """The sum of the products of matching float leaves of ``a`` and ``b``."""
    return float(sum(np.sum(np.asarray(x, dtype=float) * np.asarray(y, dtype=float))
                     for x, y in zip(leaves(a), leaves(b))))


def inside_srcdiff(err):
    """Whether ``err`` was raised by srcdiff's own code or by code it generated."""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and (frames[-1].filename.startswith(SRCDIFF_DIR) or frames[-1].filename.startswith("<"))


# ---------------------------------------------------------------- finite differences

def numeric_gradient(scalar, args, position):
    """Central differences of ``scalar(args)`` for every float entry of ``args[position]``:
    a list of float arrays, one per leaf."""
    parts = leaves(args[position])
    out = []
    for k, leaf in enumerate(parts):
        base = np.array(leaf, dtype=float)
        grad = np.zeros(base.shape)
        for index in np.ndindex(base.shape):
            values = []
            for step in (EPS, -EPS):
                moved = base.copy()
                moved[index] += step
                new = list(parts)
                new[k] = moved.astype(leaf.dtype) if isinstance(leaf, np.ndarray) else float(moved)
                values.append(scalar(args[:position] + (rebuilt(args[position], new),) + args[position + 1:]))
            grad[index] = (values[0] - values[1]) / (2 * EPS)
        out.append(grad)
    return out


def agrees(got, expected):
    """Whether a gradient leaf matches finite differences (tolerance scaled by their size)."""
    got = np.asarray(got, dtype=float)
    if got.shape != np.shape(expected):
        return False
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return bool(np.allclose(got, expected, rtol=1e-4, atol=1e-5 * scale))


# ---------------------------------------------------------------- the case

def label_of(fun, args, kwargs):
    """``name(shapes, key=value)`` for the report."""
    def shape(a):
        if isinstance(a, np.ndarray):
            return "x".join(map(str, a.shape)) or "0d"
        return type(a).__name__ if not isinstance(a, (float, int)) else repr(a)[:8]
    name = getattr(fun, "__name__", None) or getattr(getattr(fun, "func", None), "__name__", type(fun).__name__)
    parts = [shape(a) for a in args] + [f"{k}={v!r}"[:20] for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def check_case(fun, args, kwargs, positions, modes, order=1):
    """``[(label, status, detail, 1)]`` for srcdiff's first derivatives of ``fun`` at
    ``args``, followed, when ``order`` is 2 and they passed for a scalar result, by
    ``(label + " hvp", status, detail, 2)`` for its Hessian-vector products."""
    label = label_of(fun, args, kwargs)
    rng = np.random.default_rng(zlib.crc32(label.encode()))
    try:
        if is_complex(args) or is_complex(kwargs):
            raise Skip("complex numbers")
        positions = [p for p in positions if p < len(args) and leaves(args[p])]
        if not positions:
            raise Skip("no float argument to differentiate")
        if needs_wrapping(fun):
            try:
                fun, args, kwargs, positions = wrapped(fun, args, kwargs, positions)
            except LookupError as err:
                raise Skip(str(err)) from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = _plain(fun, args, kwargs)
            if not leaves(result):
                raise Skip("the result has no float part")
            scalar = isinstance(result, (float, np.floating)) or isinstance(result, np.ndarray) and result.ndim == 0
            weight = 1.0 if scalar else random_like(result, rng)
            expected = {p: numeric_gradient(lambda a: inner(weight, fun(*a, **kwargs)), args, p) for p in positions}
            results = [_mode(mode, fun, args, kwargs, positions, weight, expected, rng) for mode in modes]
            worst = max(results, key=lambda r: SEVERITY[r[0]])
            cases = [(label, worst[0], worst[1], 1)]
            if order > 1 and scalar and worst[0] == "pass":
                cases.append((label + " hvp",) + _second(fun, args, kwargs, positions, rng) + (2,))
            return cases
    except Skip as why:
        return [(label, "skip", str(why), 1)]
    except srcdiff.SrcdiffError as err:  # calling a function srcdiff made (a gradient of a gradient)
        return [(label, "refused", err.one_line().split("error: ", 1)[-1][:200], 1)]
    except Exception as err:  # noqa: BLE001  (raised inside srcdiff: see _plain)
        return [(label, "crash", f"{type(err).__name__}: {err}"[:240], 1)]


def _second(fun, args, kwargs, positions, rng, eps=1e-5):
    """``(status, detail)`` of ``srcdiff.hvp`` with respect to each position, along a
    random direction, against central differences of srcdiff's (checked) gradient."""
    try:
        for p in positions:
            v = random_like(args[p], rng)
            call, keywords = _positional(fun, args, kwargs)
            got = srcdiff.hvp(fun, wrt=p)(*call, v, **keywords)
            gradient = srcdiff.grad(fun, wrt=p)
            ends = [gradient(*args[:p], rebuilt(args[p], [x + s * eps * d for x, d in zip(leaves(args[p]), leaves(v))]),
                             *args[p + 1:], **kwargs) for s in (1, -1)]
            for k, (g, a, b) in enumerate(zip(leaves(got) or [got], leaves(ends[0]) or [ends[0]],
                                              leaves(ends[1]) or [ends[1]])):
                if not agrees(g, (np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) / (2 * eps)):
                    return "wrong", f"hvp: d/d arg {p} (part {k}) disagrees with differences of the gradient"
        return "pass", ""
    except srcdiff.SrcdiffError as err:
        return "refused", "hvp: " + err.one_line().split("error: ", 1)[-1][:200]
    except Exception as err:  # noqa: BLE001  (anything else is a bug in srcdiff)
        return "crash", f"hvp: {type(err).__name__}: {err}"[:240]


def _plain(fun, args, kwargs):
    try:
        result = fun(*args, **kwargs)
    except srcdiff.SrcdiffError:
        raise
    except Exception as err:  # noqa: BLE001  (the function itself needs autograd, unless srcdiff raised it)
        if inside_srcdiff(err):
            raise
        raise Skip(f"fails under plain NumPy: {type(err).__name__}: {err}"[:160]) from None
    if is_complex(result):
        raise Skip("complex result")
    return result


def _mode(mode, fun, args, kwargs, positions, weight, expected, rng):
    """``(status, detail)`` of one mode ('rev' or 'fwd')."""
    try:
        if mode == "rev":
            got = _reverse(fun, args, kwargs, positions, weight)
            for p in positions:
                for k, (g, e) in enumerate(zip(leaves(got[p]) or [got[p]], expected[p])):
                    if not agrees(g, e):
                        return "wrong", f"rev: d/d arg {p} (part {k}) disagrees with finite differences"
            return "pass", ""
        tangents = [random_like(args[p], rng) for p in positions]
        derivative = _forward(fun, args, kwargs, positions, tangents)
        predicted = sum(inner(t, rebuilt(args[p], expected[p])) for p, t in zip(positions, tangents))
        got = inner(weight, derivative) if not isinstance(weight, float) else float(np.sum(derivative))
        if not np.isclose(got, predicted, rtol=1e-4, atol=1e-5 * max(1.0, abs(predicted))):
            return "wrong", f"fwd: jvp gives {got:.6g}, finite differences {predicted:.6g}"
        return "pass", ""
    except srcdiff.SrcdiffError as err:
        return "refused", f"{mode}: " + err.one_line().split("error: ", 1)[-1][:200]
    except WrongValue as err:
        return "wrong", f"{mode}: {err}"[:240]
    except Exception as err:  # noqa: BLE001  (anything else is a bug in srcdiff)
        return "crash", f"{mode}: {type(err).__name__}: {err}"[:240]


def _positional(fun, args, kwargs):
    """``args`` and ``kwargs`` bound to ``fun``'s parameters as one positional list, so
    that a trailing ``v`` or tangents follow every parameter (defaults written out)."""
    try:
        bound = inspect.signature(fun).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return list(args), kwargs
    bound.apply_defaults()
    kinds = [p.kind for p in inspect.signature(fun).parameters.values()]
    if any(k in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
           for k in kinds):
        return list(args), kwargs
    return list(bound.args), {}


def _reverse(fun, args, kwargs, positions, weight):
    """{position: srcdiff's gradient of sum(weight * fun) with respect to it}."""
    if isinstance(weight, float):
        value, got = srcdiff.value_and_grad(fun, wrt=tuple(positions))(*args, **kwargs)
        if not np.allclose(value, fun(*args, **kwargs), rtol=1e-12, atol=0, equal_nan=True):
            raise WrongValue(f"value_and_grad gives the value {value!r}, the function {fun(*args, **kwargs)!r}")
        return dict(zip(positions, got))
    call, keywords = _positional(fun, args, kwargs)
    return {p: srcdiff.api.vjp(fun, wrt=p)(*call, weight, **keywords) for p in positions}


def _forward(fun, args, kwargs, positions, tangents):
    call, keywords = _positional(fun, args, kwargs)
    return srcdiff.jvp(fun, wrt=tuple(positions))(*call, *tangents, **keywords)
