"""The public transforms (see API.md): each builds through the pipeline, then caches.

    grad, value_and_grad -> pipeline.build_gradient
    hvp, hessian         -> pipeline.build_hvp
    jvp                  -> pipeline.build_jvp
    jacobian             -> pipeline.build_vjp

A built function is cached per function and arguments (``wrt``, ``mode``) in a cache
keyed weakly by the function, so dropping the function frees it.
"""
import functools
import inspect
import linecache
import weakref

import numpy as np

from .errors import SignatureError
from .pipeline import DEFAULT_MODE, build_gradient, build_hvp, build_jvp, build_vjp

_CACHE = weakref.WeakKeyDictionary()
_GONE = object()


def grad(fn=None, *, wrt=None):
    """The gradient of ``fn``'s scalar result, as a compiled function (see API.md)."""
    if fn is None:
        return functools.partial(grad, wrt=wrt)
    return _cached_gradient(fn, "grad", wrt)


def value_and_grad(fn=None, *, wrt=None):
    """Like ``grad``, returning ``(value, gradient)``."""
    if fn is None:
        return functools.partial(value_and_grad, wrt=wrt)
    return _cached_gradient(fn, "value_and_grad", wrt)


def hvp(fn, *, wrt=0, mode=DEFAULT_MODE):
    """``h(*args, v)``: the Hessian of ``fn`` with respect to one parameter, times ``v``.

    ``mode`` is ``"forward"`` (forward over reverse), ``"reverse"`` (reverse over
    reverse), ``"reverse-over-forward"`` or None: forward over reverse, or reverse over
    forward for a function with loops.
    """
    return _cached(fn, ("hvp", _wrt_key(wrt), mode), lambda: build_hvp(fn, wrt, mode))


def jvp(fn, *, wrt=None):
    """``j(*args, *tangents)``: the derivative of ``fn`` along the given tangents of the
    parameters ``wrt`` picks (every parameter when None), one tangent per parameter, in
    ``wrt`` order, after ``fn``'s own arguments.  Forward mode, generated as source."""
    return _cached(fn, ("jvp", _wrt_key(wrt)), lambda: build_jvp(fn, wrt))


def vjp(fn, *, wrt=0):
    """``vjp_f(*args, v)``: ``v`` times the Jacobian of ``fn`` with respect to one parameter."""
    return _cached(fn, ("vjp", _wrt_key(wrt)), lambda: build_vjp(fn, wrt))


def hessian(fn, *, wrt=0):
    """``H(*args)``: the full Hessian of ``fn`` with respect to one parameter.

    A float for a float parameter; for an array of shape S, an array of shape S + S,
    built row by row from Hessian-vector products with unit vectors.
    """
    h = hvp(fn, wrt=wrt)
    signature = inspect.signature(fn)
    names = list(signature.parameters)
    picked = wrt if isinstance(wrt, str) else names[wrt]

    @functools.wraps(fn)
    def hessian_fn(*args, **kwargs):
        positional, keyword, bound = _bind(signature, args, kwargs)
        x = bound.arguments[picked]
        if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
            return h(*positional, 1.0, **keyword)
        x = np.asarray(x)
        rows = [h(*positional, unit.reshape(x.shape), **keyword) for unit in np.eye(x.size, dtype=x.dtype)]
        return np.stack([np.asarray(r) for r in rows]).reshape(x.shape + x.shape)

    hessian_fn.__name__ = hessian_fn.__qualname__ = f"hessian_{getattr(fn, '__srcdiff_base__', fn.__name__)}"
    del hessian_fn.__wrapped__
    hessian_fn.source = h.source
    return hessian_fn


def jacobian(fn, *, wrt=0):
    """``J(*args)``: the full Jacobian of ``fn``'s result with respect to one parameter
    (or a tuple of Jacobians for a tuple ``wrt``), built row by row from ``vjp``.

    For a result of shape R and a parameter of shape P the Jacobian has shape R + P
    (``J[i, j] = d f(x)[i] / d x[j]``); a float for a float result and a float parameter.
    """
    if isinstance(wrt, (tuple, list)):
        parts = [jacobian(fn, wrt=w) for w in wrt]

        @functools.wraps(fn)
        def jacobians(*args, **kwargs):
            return tuple(part(*args, **kwargs) for part in parts)
        del jacobians.__wrapped__
        jacobians.source = "\n".join(part.source for part in parts)
        return jacobians

    product = vjp(fn, wrt=wrt)
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def jacobian_fn(*args, **kwargs):
        positional, keyword, _ = _bind(signature, args, kwargs)
        result = fn(*args, **kwargs)
        if np.ndim(result) == 0 and not isinstance(result, np.ndarray):
            return product(*positional, 1.0, **keyword)
        result = np.asarray(result)
        dtype = result.dtype if np.issubdtype(result.dtype, np.inexact) else np.float64
        if result.size == 0:  # no rows: one product with an empty cotangent gives the parameter's shape
            row = np.asarray(product(*positional, np.zeros(result.shape, dtype), **keyword))
            return np.zeros(result.shape + row.shape, row.dtype)
        rows = [np.asarray(product(*positional, unit.reshape(result.shape), **keyword))
                for unit in np.eye(result.size, dtype=dtype)]
        return np.stack(rows).reshape(result.shape + rows[0].shape)

    jacobian_fn.__name__ = jacobian_fn.__qualname__ = f"jacobian_{fn.__name__}"
    del jacobian_fn.__wrapped__
    jacobian_fn.source = product.source
    return jacobian_fn


# ---------------------------------------------------------------- caching

def _cached_gradient(fn, kind, wrt):
    _refuse_bound_method(fn)
    key = (kind, _wrt_key(wrt))
    try:
        hash(key)
    except TypeError:  # a wrt srcdiff refuses (a list inside, an array): building says why
        return build_gradient(fn, kind, wrt)
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function or _constants_changed(fn, per_function[key]):
        per_function[key] = build_gradient(fn, kind, wrt)
    return per_function[key]


def _cached(fn, key, build):
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function:
        per_function[key] = build()
    return per_function[key]


def _constants_changed(fn, compiled):
    """Whether a module-level constant the gradient was built with has been rebound since
    (``LAMBDA = 0.5`` in a notebook): then ``grad(f)`` builds again instead of handing out
    code that still reads the old value."""
    module = getattr(fn, "__globals__", {})
    return any(module.get(name, _GONE) is not value for name, value in compiled.__srcdiff_constants__.items())


def _wrt_key(wrt):
    return tuple(wrt) if isinstance(wrt, list) else wrt


def _refuse_bound_method(fn):
    if inspect.ismethod(fn):
        name = fn.__func__.__qualname__
        raise SignatureError(
            f"cannot differentiate the bound method {name}: its object is not a number",
            fn.__func__.__code__.co_filename, fn.__func__.__code__.co_firstlineno, 0,
            linecache.getline(fn.__func__.__code__.co_filename, fn.__func__.__code__.co_firstlineno),
            f"differentiate the function and pass the object yourself: srcdiff.grad({name}, wrt=...)(obj, ...)")


def _bind(signature, args, kwargs):
    """``(positional, keyword, bound)``: the call's arguments, defaults applied."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    positional = [bound.arguments[n] for n, p in signature.parameters.items() if p.kind != p.KEYWORD_ONLY]
    keyword = {n: bound.arguments[n] for n, p in signature.parameters.items() if p.kind == p.KEYWORD_ONLY}
    return positional, keyword, bound
