"""Second derivatives by transforming srcdiff's own output: Hessian-vector products, Hessians.

The seeds' recipe: H v = d/dx [ (dL/dx) . v ] when v does not depend on x.  srcdiff
generates the gradient ``grad_f`` as source, reads that source back through the same
frontend (it is inside the accepted subset: closure under the transform), lowers it to
SSA and transforms it a second time.  Two ways, same numbers:

| mode        | second transform of ``grad_f``                         | result read from        |
| ----------- | ------------------------------------------------------ | ----------------------- |
| ``forward`` | forward mode (``forward``) with tangent ``v`` of ``x`` | ``dot_grad_x``          |
| ``reverse`` | append ``s = rt.vdot(grad_x, v)``, reverse sweep on x   | ``grad2_x``             |

and, for a function with loops, whose gradient keeps a tape that is not differentiated
again, ``reverse-over-forward``: the gradient with respect to x of ``jvp_f(x, v)``, the
forward-mode directional derivative along v (it has loops but no tape), read from ``grad_x``.

Forward over reverse is the default: it is one pass instead of two and measured faster
(``benchmarks/bench_higher.py``); for a function with loops the default is reverse over
forward.  Output contract: ``hvp_source`` returns the text of
one function ``hvp_<f>(<f's parameters>, v)`` (``v`` renamed if ``f`` uses that name;
positional defaults dropped, since ``v`` follows them) that never forms the Hessian.
``hessian`` builds the full matrix from Hessian-vector products with unit vectors.
``jvp`` is forward mode on its own: ``jvp_<f>(<f's parameters>, dot_<p>...)``.
"""
import ast
import dataclasses
import functools
import inspect
import weakref

import numpy as np

from .api import generated_namespace, gradient_source, rules_of, select_wrt
from .emit import compile_source, emit_gradient
from .errors import SignatureError
from .frontend import ModuleRef, Source, check_supported, load_function
from .flow import Loop, walk
from .forward import fresh_name, with_extra_parameter
from .forward_emit import tangent_source
from .ir import Assign, Const, Var
from .lower import lower
from .naming import adjoint_prefix, derivative_name, module_aliases
from .reverse import reverse
from .rules_numpy import uses_arrays

MODES = ("forward", "reverse", "reverse-over-forward")
DEFAULT_MODE = None  # forward over reverse; reverse over forward for a function with loops

_CACHE = weakref.WeakKeyDictionary()


class GeneratedScope:
    """Resolves the names of generated code: its aliases of ``math``, ``np`` and ``rt``
    (``naming.module_aliases``), then the user's names."""

    def __init__(self, base, aliases):
        self.base = base
        self.own = {alias: ModuleRef(module) for module, alias in aliases.items()}

    def resolve(self, name):
        return self.own.get(name) or self.base.resolve(name)

    def resolve_attr(self, module, attr):
        return self.base.resolve_attr(module, attr)


def generated_source(text, base_scope, aliases):
    """The Source of a function srcdiff generated as ``text``, names resolved as the user's."""
    node = ast.parse(text).body[0]
    filename = f"<srcdiff {node.name}>"
    source = Source(node, filename, text.splitlines(keepends=True), GeneratedScope(base_scope, aliases))
    check_supported(source)
    return source


def gradient_as_source(source, wrt=None):
    """The Source of the gradient of ``source``'s function, as if its text were a file's
    (how the command line reads ``grad_loss = srcdiff.grad(loss)`` without running it)."""
    function = lower(source)
    _, text = gradient_source(function, source, "grad", wrt)
    return generated_source(text, source.scope, module_aliases(function))


def first_gradient(function, source, index, order=0, base=None):
    """The lowered SSA of the gradient of ``function`` with respect to parameter ``index``."""
    _, text = gradient_source(function, source, "grad", index, order=order + 1, base=base)
    return lower(generated_source(text, source.scope, module_aliases(function)))


def hvp_source(function, source, wrt=0, mode=DEFAULT_MODE, order=0, base=None):
    """``(name, text, emitted)`` of the Hessian-vector product of ``function`` with respect
    to ``wrt``; ``emitted`` is the SSA function the text was printed from (its module
    aliases and constants make the namespace the text runs in)."""
    index = single_parameter(function, source, wrt, "hvp")
    base = base or function.name
    name = f"hvp_{base}"
    if mode is None:
        mode = "reverse-over-forward" if any(isinstance(s, Loop) for s in walk(function.body)) else "forward"
    if mode == "reverse-over-forward":
        return _reverse_over_forward(function, source, index, name, base, order)
    inner = first_gradient(function, source, index, order, base)
    param = inner.params[index]
    v = Var(fresh_name("v", inner.reserved), user_named=True)
    inner = with_extra_parameter(inner, v)
    doc = f"Hessian of {base} with respect to {param.hint} times {v.hint} ({mode} over reverse); generated by srcdiff."
    if mode == "forward":
        return name, tangent_source(inner, {param: v}, name=name, docstring=doc), inner
    if mode != "reverse":
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    dot = Var("s")
    composed = dataclasses.replace(inner, body=inner.body + (Assign(dot, "rt.vdot", (inner.result, v)),), result=dot)
    backward = reverse(composed, (param,), rules=rules_of(composed))
    text = emit_gradient(composed, backward, name=name, returns="grad", single=True, docstring=doc,
                         prefix=adjoint_prefix(order + 2), like=uses_arrays(composed))
    return name, text, composed


def _reverse_over_forward(function, source, index, name, base, order):
    """The gradient with respect to x of the directional derivative along v: for a function
    with loops, whose gradient (it keeps a tape) is not differentiated again."""
    param = function.params[index]
    v = Var(fresh_name("v", function.reserved), user_named=True)
    extended = with_extra_parameter(function, v)
    jvp_text = tangent_source(extended, {param: v}, name=f"jvp_{base}")
    jvp_source_ = generated_source(jvp_text, source.scope, module_aliases(extended))
    jvp_function = lower(jvp_source_)
    doc = f"Hessian of {base} with respect to {param.hint} times {v.hint} (reverse over forward); generated by srcdiff."
    _, text = gradient_source(jvp_function, jvp_source_, "grad", extended.params.index(param), order=order + 1,
                              base=base, name=name, docstring=doc)
    return name, text, jvp_function


def directional_gradient(primal, directions, wrt, order, base):
    """``(name, text, emitted)``: the gradient with respect to ``wrt`` of the derivative of
    ``primal`` along its parameters ``directions`` (positions), taken one after another in
    forward mode (``jvp`` with tangent 1.0).  The derivatives of a function with loops,
    whose gradients keep a tape: ``grad(grad(f, wrt=i), wrt=j)`` is ``d/dx_j`` of the
    derivative of ``f`` along ``x_i``."""
    source = load_function(primal)
    function = lower(source)
    for position in directions:
        text = tangent_source(function, {function.params[position]: Const(1.0)}, name=f"jvp_{base}")
        source = generated_source(text, source.scope, module_aliases(function))
        function = lower(source)
    along = ", ".join(function.params[p].hint for p in directions)
    name = derivative_name("grad", base, order)
    doc = (f"Derivative of {base} of order {order}: the gradient of its derivative along {along} "
           f"(reverse over forward: {base} has loops); generated by srcdiff.")
    _, text = gradient_source(function, source, "grad", wrt, order=order, base=base, name=name, docstring=doc)
    return name, text, function, source


def build_through_loops(fn, directions, wrt):
    """``srcdiff.grad(fn, wrt)`` of a gradient ``fn`` of a function with loops (see api.build):
    ``directions`` is ``(primal, positions)``, the function and the parameters ``fn``
    differentiated it along."""
    primal, positions = directions
    order = getattr(fn, "__srcdiff_order__", len(positions)) + 1
    base = getattr(fn, "__srcdiff_base__", primal.__name__)
    name, text, emitted, source = directional_gradient(primal, positions, wrt, order, base)
    compiled = compile_source(text, name, generated_namespace(emitted), primal.__defaults__, primal.__kwdefaults__)
    compiled.source = compiled.__srcdiff_source__ = text
    compiled.__qualname__ = name
    compiled.__srcdiff_order__ = order
    compiled.__srcdiff_base__ = base
    compiled.__srcdiff_constants__ = {}
    params, single = select_wrt(emitted, wrt, source)
    if single:
        compiled.__srcdiff_directions__ = (primal, positions + (emitted.params.index(params[0]),))
    return compiled


def single_parameter(function, source, wrt, what):
    """The position of the one parameter ``wrt`` picks (a position or a name)."""
    if isinstance(wrt, (tuple, list)) or wrt is None:
        raise source.error(SignatureError, source.node, f"{what} takes one parameter, not wrt={wrt!r}",
                           f"pass wrt as one position or name; call {what} once per parameter")
    params, _ = select_wrt(function, wrt, source)
    return function.params.index(params[0])


# ---------------------------------------------------------------- public API

def hvp(fn, *, wrt=0, mode=DEFAULT_MODE):
    """``h(*args, v)``: the Hessian of ``fn`` with respect to one parameter, times ``v``.

    ``mode`` is ``"forward"`` (forward over reverse), ``"reverse"`` (reverse over
    reverse), ``"reverse-over-forward"`` or None: forward over reverse, or reverse over
    forward for a function with loops.
    """
    key = ("hvp", tuple(wrt) if isinstance(wrt, list) else wrt, mode)
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function:
        per_function[key] = _build_hvp(fn, wrt, mode)
    return per_function[key]


def _build_hvp(fn, wrt, mode):
    source = load_function(fn)
    function = lower(source)
    order = getattr(fn, "__srcdiff_order__", 0)
    base = getattr(fn, "__srcdiff_base__", function.name)
    name, text, emitted = hvp_source(function, source, wrt, mode, order, base)
    compiled = compile_source(text, name, generated_namespace(emitted), None, fn.__kwdefaults__)
    compiled.source = compiled.__srcdiff_source__ = text
    compiled.__qualname__ = name
    compiled.__srcdiff_order__ = order + 2
    compiled.__srcdiff_base__ = base
    return compiled


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
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        positional = [bound.arguments[n] for n, p in signature.parameters.items() if p.kind != p.KEYWORD_ONLY]
        keyword = {n: bound.arguments[n] for n, p in signature.parameters.items() if p.kind == p.KEYWORD_ONLY}
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


# ---------------------------------------------------------------- forward mode

def jvp_source(function, source, wrt=None):
    """``(name, text, emitted)`` of ``jvp_<f>(<f's parameters>, dot_<p>...)``: the tangent
    of the result along the tangents ``dot_<p>`` of the parameters ``wrt`` picks;
    ``emitted`` is the SSA function the text was printed from."""
    params, _ = select_wrt(function, wrt, source)
    seeds = {}
    extended = function
    for param in params:
        dot = Var(fresh_name("dot_" + param.hint, extended.reserved), user_named=True)
        extended = with_extra_parameter(extended, dot)
        seeds[param] = dot
    name = f"jvp_{function.name}"
    along = ", ".join(f"{d.hint} of {p.hint}" for p, d in seeds.items())
    doc = f"Directional derivative of {function.name} along the tangents {along}; generated by srcdiff."
    return name, tangent_source(extended, seeds, name=name, docstring=doc), extended


def jvp(fn, *, wrt=None):
    """``j(*args, *tangents)``: the derivative of ``fn`` along the given tangents of the
    parameters ``wrt`` picks (every parameter when None), one tangent per parameter, in
    ``wrt`` order, after ``fn``'s own arguments.  Forward mode, generated as source."""
    key = ("jvp", tuple(wrt) if isinstance(wrt, list) else wrt)
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function:
        source = load_function(fn)
        function = lower(source)
        name, text, emitted = jvp_source(function, source, wrt)
        compiled = compile_source(text, name, generated_namespace(emitted), None, fn.__kwdefaults__)
        compiled.source = compiled.__srcdiff_source__ = text
        compiled.__qualname__ = name
        per_function[key] = compiled
    return per_function[key]
