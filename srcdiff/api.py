"""The public transforms (see API.md): each builds through the pipeline, then caches.

    grad, value_and_grad -> pipeline.build_gradient (array code: lazy.lazy_aware, for Dask arrays)
    export               -> pipeline.export_function (a module, written to a file)
    hvp, hessian         -> pipeline.build_hvp (specialized to the arguments' kinds: pipeline.specialized_hvp)
    jvp                  -> pipeline.build_jvp (dispatched on the arguments' kinds: pipeline.specialized_jvp)
    jacobian             -> pipeline.build_vjp (dispatched the same way: pipeline.specialized_vjp)

A built function is cached per function and arguments (``wrt``, ``mode``) in a cache
keyed weakly by the function, so dropping the function frees it; a later call of a
transform builds again when anything the build read has changed since (a helper or a
constant rebound, a closure cell or the defaults changed: ``frontend.Reads``).

A bound method (``model.loss``) is built from its function with the class of its object
(``frontend.Owner``), cached per class, and bound to the object again: ``wrt`` counts the
parameters the bound method shows (``X`` is 0 in ``model.loss(X, y)``), names ``"self"``
too, and is ``"self"`` by default for ``grad``, ``value_and_grad`` and ``jvp``.
"""
import functools
import inspect
import linecache
import types
import weakref

import numpy as np

from .directions import caller as _caller, checked_directions, directions_last
from .errors import SignatureError, SourceNotFoundError
from .frontend import generic_of, name_of, owner_of_bound
from .lazy import OtherArrays, lazy_aware, marked_lazy, numpy_arrays_only, refuse_other_arrays
from .pipeline import (DEFAULT_MODE, build_gradient, build_hvp, build_jvp, build_vjp, collector_paused, export_function,
                       jacobian_rows, jacobians_of_items, numba_dispatching, specialized, specialized_hvp,
                       specialized_jvp, specialized_vjp)
from .runtime.random_state import random_rewinder
from .runtime.trees import is_container

_CACHE = weakref.WeakKeyDictionary()


def grad(fn=None, *, wrt=None, jit=None, lazy=False):
    """The gradient of ``fn``'s scalar result, as a compiled function (see API.md).

    Each call runs code specialized to its arguments' kinds (``pipeline.specialize``);
    ``jit="numba"`` compiles that code with numba.  Given Dask arrays, the gradient of array
    code is one task graph computed once (``srcdiff.lazy``); ``lazy=True`` returns the lazy
    Dask arrays instead of computing them."""
    if fn is None:
        return functools.partial(grad, wrt=wrt, jit=jit, lazy=lazy)
    if jit is None:
        return _cached_gradient(fn, "grad", wrt, lazy)
    if jit != "numba":
        raise ValueError(f"jit={jit!r}: the one compiler srcdiff knows is jit='numba'")
    if lazy:
        raise ValueError("jit='numba' compiles code for NumPy arrays and numbers; lazy=True is for Dask arrays")
    return _built(fn, "grad", wrt, lambda f, w, owner: numba_dispatching(build_gradient(f, "grad", w, owner),
                                                                         weakref.ref(f), "grad", w, owner), "numba")


def value_and_grad(fn=None, *, wrt=None, lazy=False):
    """Like ``grad``, returning ``(value, gradient)``; on Dask arrays both in one compute."""
    if fn is None:
        return functools.partial(value_and_grad, wrt=wrt, lazy=lazy)
    return _cached_gradient(fn, "value_and_grad", wrt, lazy)


def hvp(fn, *, wrt=0, mode=DEFAULT_MODE):
    """``h(*args, v)``: the Hessian of ``fn`` with respect to one parameter, times ``v``.

    ``mode`` is ``"forward"`` (forward over reverse), ``"reverse"`` (reverse over
    reverse), ``"reverse-over-forward"`` or None: forward over reverse, or reverse over
    forward for a function with loops.
    """
    return _built(fn, "hvp", wrt, lambda f, w, owner: directions_last(_directions_checked(
        build_hvp(f, w, mode, owner), lambda built: numpy_arrays_only(specialized_hvp(built, f, w, mode, owner))), f), mode)


def jvp(fn, *, wrt=None):
    """``j(*args, *tangents)``: the derivative of ``fn`` along the given tangents of the
    parameters ``wrt`` picks (every parameter when None), one tangent per parameter, in
    ``wrt`` order, after ``fn``'s own arguments.  Forward mode, generated as source."""
    return _built(fn, "jvp", wrt, lambda f, w, owner: directions_last(_directions_checked(
        build_jvp(f, w, owner), lambda built: numpy_arrays_only(specialized_jvp(built, f, w, owner))), f))


def vjp(fn, *, wrt=0):
    """``vjp_f(*args, v)``: ``v`` times the Jacobian of ``fn`` with respect to one parameter."""
    return _built(fn, "vjp", wrt, lambda f, w, owner: numpy_arrays_only(specialized_vjp(build_vjp(f, w, owner), f, w, owner)))


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
        x = bound.arguments[picked] if picked in bound.arguments else fn.__self__  # wrt="self" of model.loss
        if is_container(x) and not _array_like(x):
            raise _at_definition(SignatureError, getattr(fn, "__func__", fn), f"the hessian with respect to '{picked}', "
                                 f"a {type(x).__name__} of parameters, is not formed",
                                 f"use srcdiff.hvp(f, wrt={picked!r}) with a direction v of the same structure, "
                                 "or differentiate with respect to one array")
        if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
            return h(*positional, 1.0, **keyword)
        x = np.asarray(x)
        rewind = random_rewinder(positional + list(keyword.values()))
        directions = [unit.reshape(x.shape) for unit in np.eye(x.size, dtype=x.dtype)]
        if isinstance(bound.arguments.get(picked), (list, tuple)):  # a direction of the parameter's own type
            directions = [type(bound.arguments[picked])(d.tolist()) for d in directions]
        rows = [rewind() or h(*positional, d, **keyword) for d in directions]
        return np.stack([np.asarray(r) for r in rows]).reshape(x.shape + x.shape)

    hessian_fn.__name__ = hessian_fn.__qualname__ = f"hessian_{name_of(fn)}"
    del hessian_fn.__wrapped__
    hessian_fn.source = h.source
    return hessian_fn


def jacobian(fn, *, wrt=0):
    """``J(*args)``: the full Jacobian of ``fn``'s result with respect to one parameter
    (or a tuple of Jacobians for a tuple ``wrt``), built row by row from ``vjp``.

    For a result of shape R and a parameter of shape P the Jacobian has shape R + P
    (``J[i, j] = d f(x)[i] / d x[j]``); a float for a float result and a float parameter;
    for a function returning a tuple, a tuple of Jacobians, one per item."""
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
        refuse_other_arrays(product, args, kwargs)  # before fn runs
        positional, keyword, _ = _bind(signature, args, kwargs)
        rewind = random_rewinder(positional + list(keyword.values()))
        result = fn(*args, **kwargs)
        if isinstance(result, tuple):  # several results (vjp takes a tuple of cotangents): a Jacobian each
            return jacobians_of_items(product, positional, keyword, result, rewind)
        if np.ndim(result) == 0 and not isinstance(result, np.ndarray):
            rewind()  # the product draws the noise fn drew
            return product(*positional, 1.0, **keyword)
        result = np.asarray(result)
        dtype = result.dtype if np.issubdtype(result.dtype, np.inexact) else np.float64
        return jacobian_rows(product, positional, keyword, result.shape, dtype, rewind)

    jacobian_fn.__name__ = jacobian_fn.__qualname__ = f"jacobian_{name_of(fn)}"
    del jacobian_fn.__wrapped__
    jacobian_fn.source = product.source
    return jacobian_fn


def export(fn, path, *, wrt=None, kind="grad", mode=DEFAULT_MODE):
    """Write to ``path`` a module holding the generated ``kind`` ('grad', 'value_and_grad',
    'hvp' or 'jvp') of ``fn`` that runs without srcdiff installed (see API.md); returns
    ``path``.  Nothing is cached: the module is written from the function as it is now."""
    _refuse_what_is_not_a_function(fn)
    text = export_function(fn, kind=kind, wrt=wrt, mode=mode)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


# ---------------------------------------------------------------- caching

def _cached_gradient(fn, kind, wrt, lazy=False):
    def build(f, w, owner):
        compiled = build_gradient(f, kind, w, owner)
        if not getattr(compiled, "__srcdiff_arrays__", False):
            return specialized(compiled, f, kind, w, owner)
        others = OtherArrays(compiled, bool(lazy), value_first=kind == "value_and_grad")
        fast = specialized(compiled, f, kind, w, owner, others)
        # not dispatched: the look for Dask and other arrays goes in front of it
        return lazy_aware(others) if fast is compiled else marked_lazy(fast, others)
    return _built(fn, kind, wrt, build, bool(lazy))


def _built(fn, kind, wrt, build, *options):
    """``build(function, wrt, owner)``, cached; a bound method's built from its function with the
    class of its object (``owner``) and bound to that object again.  A specialized gradient
    (``pipeline.specialize``), or one running a tight text (``pipeline.build``), stands for its
    generic function here."""
    fn = generic_of(fn)
    if not (inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType)):
        return _cached(fn, (kind, _wrt_key(wrt), *options), lambda: build(fn, wrt, None))
    owner = owner_of_bound(fn)
    wrt = _method_wrt(fn, wrt, kind in ("grad", "value_and_grad", "jvp") and owner.kind == "self")
    compiled = _cached(fn.__func__, (kind, _wrt_key(wrt), *options, owner), lambda: build(fn.__func__, wrt, owner))
    return types.MethodType(compiled, fn.__self__)


def _method_wrt(method, wrt, self_by_default):
    """``wrt`` of a bound method in terms of its function's parameters (see the module doc)."""
    names = list(inspect.signature(method.__func__).parameters)
    shown = names[1:]
    if wrt is None:
        return names[0] if self_by_default else (shown[0] if len(shown) == 1 else tuple(shown))
    if isinstance(wrt, (tuple, list)):
        return type(wrt)(_method_wrt(method, item, self_by_default) for item in wrt)
    if isinstance(wrt, (int, np.integer)) and not isinstance(wrt, bool) and -len(shown) <= wrt < len(shown):
        return shown[wrt]
    return wrt


def _cached(fn, key, build):
    """The function ``build()`` makes for ``fn``, built again when what the last build read
    has changed since (``__srcdiff_reads__``: helpers, constants, closure cells, defaults,
    code): every transform goes through here, and the check costs one look per read."""
    _refuse_what_is_not_a_function(fn)
    try:
        hash(key)
    except TypeError:  # a wrt srcdiff refuses (a list inside, an array): building says why
        return collector_paused(build)
    per_function = _CACHE.setdefault(fn, {})
    compiled = per_function.get(key)
    if compiled is None or compiled.__srcdiff_reads__.changed():
        compiled = per_function[key] = collector_paused(build)
    return compiled


def _wrt_key(wrt):
    return tuple(wrt) if isinstance(wrt, list) else wrt


def _refuse_what_is_not_a_function(fn):
    """A SrcdiffError for anything but a function defined with ``def``, pointing at its
    definition where it has one, else at the caller's line."""
    if isinstance(fn, types.FunctionType):
        return
    if isinstance(fn, functools.partial) and isinstance(fn.func, types.FunctionType):
        return  # the function of the parameters it leaves (frontend.callables)
    filename, lineno, line = _caller()
    if isinstance(fn, functools.partial):
        raise SourceNotFoundError(f"cannot differentiate functools.partial({fn.func!r}, ...): it binds arguments of "
                                  "something that is not a Python function defined with def", filename, lineno,
                                  len(line) - len(line.lstrip()), line,
                                  "bind the arguments of a function of your own that calls it")
    if inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType):  # reached by export alone
        what, hint = "a bound method", "an exported module cannot hold the method's class: write the loss as a " \
            "module-level function taking the parameters"
    elif isinstance(getattr(type(fn), "__call__", None), types.FunctionType):
        what, hint = f"a {type(fn).__name__} object, called through its __call__ method", \
            "differentiate the method: srcdiff.grad(obj.__call__)"
    elif callable(fn):
        what, hint = "a built-in or NumPy function", "differentiate a function of your own that calls it: def f(x): return np.sin(x)"
    else:
        what, hint = f"an object of type {type(fn).__name__}", "pass the function itself: srcdiff.grad(f), not a value"
    raise SourceNotFoundError(f"cannot differentiate {fn!r}: it is {what}, not a Python function defined with def",
                              filename, lineno, len(line) - len(line.lstrip()), line, hint)


def _at_definition(cls, fn, message, hint):
    code = fn.__code__
    line = linecache.getline(code.co_filename, code.co_firstlineno)
    return cls(message, code.co_filename, code.co_firstlineno, len(line) - len(line.lstrip()), line, hint)


def _directions_checked(built, wrap):
    """``wrap(built)`` (a jvp or hvp) behind the look at its directions' shapes (``directions``),
    but for a function of numbers alone: no sequence to pair, nothing a direction could misread
    without showing it in its result's shape, and no look to pay for on every call."""
    wrapped = wrap(built)
    return wrapped if built.__srcdiff_numbers_alone__ else checked_directions(wrapped, built.__srcdiff_tangents_of__)


def _array_like(x):
    """Whether a list or tuple is one array of numbers (its Hessian is a matrix)."""
    try:
        return type(x) in (list, tuple) and np.asarray(x, dtype=float) is not None
    except (TypeError, ValueError):
        return False


def _bind(signature, args, kwargs):
    """``(positional, keyword, bound)``: the call's arguments, defaults applied."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    positional = [bound.arguments[n] for n, p in signature.parameters.items() if p.kind != p.KEYWORD_ONLY]
    keyword = {n: bound.arguments[n] for n, p in signature.parameters.items() if p.kind == p.KEYWORD_ONLY}
    return positional, keyword, bound
