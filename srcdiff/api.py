"""The public transforms: each a straight list of stage calls, cached per function and wrt.

    source --frontend--> Source --lower--> SSA Function --reverse--> Backward --emit--> text --compile--> function
"""
import functools
import inspect
import linecache
import math
import weakref

import numpy as np

from . import runtime
from .emit import compile_source, emit_gradient
from .errors import SignatureError
from .frontend import load_function
from .flow import Loop, walk
from .lower import lower
from .naming import adjoint_prefix, derivative_name, module_aliases
from .reverse import reverse, scalar_rule
from .rules_numpy import rules_of

_CACHE = weakref.WeakKeyDictionary()


def grad(fn=None, *, wrt=None):
    """The gradient of ``fn``'s scalar result, as a compiled function (see API.md)."""
    if fn is None:
        return functools.partial(grad, wrt=wrt)
    return _cached(fn, "grad", wrt)


def value_and_grad(fn=None, *, wrt=None):
    """Like ``grad``, returning ``(value, gradient)``."""
    if fn is None:
        return functools.partial(value_and_grad, wrt=wrt)
    return _cached(fn, "value_and_grad", wrt)


def _refuse_bound_method(fn):
    if inspect.ismethod(fn):
        name = fn.__func__.__qualname__
        raise SignatureError(
            f"cannot differentiate the bound method {name}: its object is not a number",
            fn.__func__.__code__.co_filename, fn.__func__.__code__.co_firstlineno, 0,
            linecache.getline(fn.__func__.__code__.co_filename, fn.__func__.__code__.co_firstlineno),
            f"differentiate the function and pass the object yourself: srcdiff.grad({name}, wrt=...)(obj, ...)")


def _cached(fn, kind, wrt):
    _refuse_bound_method(fn)
    key = (kind, _wrt_key(wrt))
    try:
        hash(key)
    except TypeError:  # a wrt srcdiff refuses (a list inside, an array): build says why
        return build(fn, kind, wrt)
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function or _constants_changed(fn, per_function[key]):
        per_function[key] = build(fn, kind, wrt)
    return per_function[key]


def _constants_changed(fn, compiled):
    """Whether a module-level constant the gradient was built with has been rebound since
    (``LAMBDA = 0.5`` in a notebook): then ``grad(f)`` builds again instead of handing out
    code that still reads the old value."""
    module = getattr(fn, "__globals__", {})
    return any(module.get(name, _GONE) is not value for name, value in compiled.__srcdiff_constants__.items())


_GONE = object()


def _wrt_key(wrt):
    return tuple(wrt) if isinstance(wrt, list) else wrt


def build(fn, kind, wrt):
    """Run the pipeline on a live function and compile the result (uncached)."""
    directions = getattr(fn, "__srcdiff_directions__", None)
    if directions is not None and kind == "grad":  # a gradient of a function with loops: see higher
        from .higher import build_through_loops
        return build_through_loops(fn, directions, wrt)
    source = load_function(fn)
    function = lower(source)
    # a gradient of srcdiff's own output is a higher derivative: grad2_f, not grad_grad_f
    order = getattr(fn, "__srcdiff_order__", 0) + 1
    base = getattr(fn, "__srcdiff_base__", function.name)
    name, text = gradient_source(function, source, kind, wrt, order=order, base=base)
    namespace = generated_namespace(function)
    compiled = compile_source(text, name, namespace, fn.__defaults__, fn.__kwdefaults__)
    compiled.source = text
    compiled.__srcdiff_source__ = text
    compiled.__qualname__ = name
    compiled.__srcdiff_order__ = order
    compiled.__srcdiff_base__ = base
    module = getattr(fn, "__globals__", {})
    compiled.__srcdiff_constants__ = {
        name: value for name, value in function.globals.items() if module.get(name, _GONE) is value}
    params, single = select_wrt(function, wrt, source)
    if kind == "grad" and single and any(isinstance(s, Loop) for s in walk(function.body)):
        # its own code keeps a tape; a gradient of it is built from fn along this parameter
        compiled.__srcdiff_directions__ = (fn, (function.params.index(params[0]),))
    return compiled


def generated_namespace(function):
    """The globals generated code for ``function`` runs in: its module aliases and constants."""
    aliases = module_aliases(function)
    modules = {aliases["math"]: math, aliases["np"]: np, aliases["rt"]: runtime}
    return {"__name__": "srcdiff.generated", **modules, **function.globals}


def gradient_source(function, source, kind="grad", wrt=None, comments=False, order=1, base=None, name=None,
                    docstring=None):
    """``(name, text)`` of the generated ``kind`` function ('grad' or 'value_and_grad').

    ``order`` is 2 when ``function`` is itself a gradient srcdiff generated (3 for the
    gradient of that, ...); ``base`` is the name of the user's original function;
    ``name`` and ``docstring`` replace the usual ones (a Hessian-vector product's).
    """
    params, single = select_wrt(function, wrt, source)
    rules = rules_of(function)
    arrays = rules is not scalar_rule
    backward = reverse(function, params, rules=rules)
    name = name or derivative_name(kind, base or function.name, order)
    names = ", ".join(p.hint for p in params)
    doc = docstring or f"{'Value and gradient' if kind == 'value_and_grad' else 'Gradient'} of {function.name} with respect to {names}; generated by srcdiff."
    text = emit_gradient(function, backward, name=name, returns=kind, single=single, docstring=doc, comments=comments,
                         prefix=adjoint_prefix(order), like=arrays, check_scalar=needs_result_check(rules, arrays))
    return name, text


def needs_result_check(rules, arrays):
    """Whether generated code must check at run time that the result is one number.

    Array code checks unless its shapes prove a scalar result.  Scalar code always checks:
    NumPy arrays passed to a function without NumPy syntax would otherwise give gradients
    of a non-scalar result.
    """
    return rules.check_result if arrays else True


def select_wrt(function, wrt, source):
    """The parameter Vars picked by ``wrt`` and whether one gradient is returned bare."""
    params = function.params
    by_name = {p.hint: p for p in params}

    def pick(item):
        if isinstance(item, np.integer):  # a position computed with NumPy
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise _wrt_error(source, f"wrt entries must be parameter positions or names, not {item!r}")
        if isinstance(item, int):
            if not -len(params) <= item < len(params):
                raise _wrt_error(source, f"wrt={item} is out of range: {function.name} has {len(params)} parameter(s)")
            return params[item]
        if item not in by_name:
            raise _wrt_error(source, f"{function.name} has no parameter named {item!r}")
        return by_name[item]

    if wrt is None:
        if not params:
            raise _wrt_error(source, f"{function.name} has no parameters to differentiate with respect to")
        return tuple(params), len(params) == 1
    if isinstance(wrt, (tuple, list)):
        picked = tuple(pick(item) for item in wrt)
        if len(set(picked)) != len(picked):
            raise _wrt_error(source, f"wrt={wrt!r} names a parameter twice")
        return picked, False
    return (pick(wrt),), True


def _wrt_error(source, message):
    return source.error(SignatureError, source.node, message, "pass wrt as a position, a name, or a tuple of them")
