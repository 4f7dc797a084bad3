"""Compiled functions from live ones: each derived function the API hands out, built.

Each ``build_*`` takes a live Python function, runs the whole pipeline on it
(``frontend.load_function`` -> ``lower`` -> transform -> emit) and returns the compiled
result, with ``source`` (the generated text) and the ``__srcdiff_*__`` attributes a
later transform of it reads: ``order`` (how many sweeps made it: ``grad2_f`` is the
gradient of ``grad_f``), ``base`` (the user's function's name), ``reads`` (what the
build read from live objects, ``frontend.Reads``: the API builds again when it changed)
``arrays`` (whether it is array code, which the API lets take Dask arrays), ``wrt`` (the
positions of the parameters whose gradients it returns, and whether one is returned bare)
and, for the gradient of straight-line code of numbers alone, ``make_generic`` (its ``source``
is the generic text, but it runs a tight one: ``runs_tight_text``) and, for the
gradient of a function with loops, ``directions`` (what to build its own
gradient from, since its tape is not differentiated again; the function is held by weak
reference, so that a cached gradient does not keep it alive) and, where its code keeps a
tape, ``vjp`` (a ``GradientVjp``: the vector-Jacobian product a function calling it is
differentiated through, ``gradient_vjp``).  Nothing is cached here:
that is the API's business.
"""
import ast
import functools
import gc
import inspect
import os
import weakref
from typing import NamedTuple

from ..emit import compile_source, generated_namespace
from ..errors import SourceNotFoundError
from ..frontend import defaults_of, keep_parsed_within_budget, keeps_a_tape, load_function, name_of
from ..analysis import uses_arrays
from ..ir import Loop, walk
from ..lower import lower
from ..transforms import item_sources
from ..rules import computes_with_numbers_alone
from .gradient import gradient_source, select_wrt
from .gradient_vjp import gradient_vjp_source
from .higher import directional_gradient, hvp_source, jvp_source, single_parameter
from .jacobian import vjp_source


def compiled_function(text, name, namespace, defaults=None, kwdefaults=None, **srcdiff_attributes):
    """Compile generated ``text`` (defining ``name``) in ``namespace``, the ``generated_namespace``
    of the SSA function it was printed from; ``srcdiff_attributes`` become ``__srcdiff_<key>__``
    attributes.  It takes the namespace rather than the function, so that a caller may let go of
    the function (and all it holds) before the text is compiled."""
    compiled = compile_source(text, name, namespace, defaults, kwdefaults, srcdiff_attributes.get("reads"))
    compiled.source = compiled.__srcdiff_source__ = str(text)
    compiled.__qualname__ = name
    for key, value in srcdiff_attributes.items():
        setattr(compiled, f"__srcdiff_{key}__", value)
    return compiled


def build_gradient(fn, kind, wrt, owner=None):
    """``grad`` (``kind='grad'``) or ``value_and_grad`` of a live function, compiled; ``owner``
    (a ``frontend.Owner``) is the class of a method's first parameter when it is bound."""
    directions = getattr(fn, "__srcdiff_directions__", None)
    if directions is not None and kind == "grad":  # a gradient of a function with loops
        return build_through_loops(fn, directions, wrt)
    made = gradient_made(fn, kind, wrt, owner)
    compiled = compiled_function(made.text if made.run_text is None else made.run_text, made.name, made.namespace,
                                 *defaults_of(fn), **made.attributes)
    compiled.__srcdiff_wrt__ = made.wrt
    if made.keeps_a_tape:
        # its own code keeps a tape; a gradient of it is built from fn along this parameter
        compiled.__srcdiff_directions__ = (weakref.ref(fn), made.wrt[0][:1])
    if made.tape:  # a function calling it is differentiated through its vector-Jacobian product
        compiled.__srcdiff_vjp__ = GradientVjp(fn, made.name, made.wrt[0], made.wrt[1], made.attributes["base"])
    if made.run_text is not None:
        runs_tight_text(compiled, made.text)
    return compiled


class GradientMade(NamedTuple):
    """What ``build_gradient`` compiles and notes of a gradient's text (``gradient_made``)."""

    name: str
    text: str  # the generic text (an ``emit.GeneratedText``)
    run_text: str  # the text that runs (``emit.runs``), or None: the generic text runs
    namespace: dict  # the globals the text runs in (``emit.generated_namespace``)
    attributes: dict  # ``compiled_function``'s keywords: order, base, reads and ``facts_of``
    wrt: tuple  # ``__srcdiff_wrt__``: the positions of the parameters, and whether one is returned bare
    keeps_a_tape: bool  # a gradient along one parameter of a function with loops
    tape: bool  # a gradient whose code keeps a tape (a function with loops)


def gradient_made(fn, kind, wrt, owner):
    """The gradient ``kind`` of ``fn`` as a ``GradientMade``: text and what it is compiled with,
    read off the lowered function here, so that the function and its ``Source`` (with the
    lowering's indexes) are freed before ``compile()`` of the text, the build's largest step."""
    source = load_function(fn, owner=owner)
    function = lower(source)
    # a gradient of srcdiff's own output is a higher derivative: grad2_f, not grad_grad_f
    order = getattr(fn, "__srcdiff_order__", 0) + 1
    base = getattr(fn, "__srcdiff_base__", function.name)
    facts = facts_of(function)
    runs = facts["numbers_alone"] and order == 1 and not generic_only()
    name, text = gradient_source(function, source, kind, wrt, order=order, base=base, runs=runs)
    params, single = select_wrt(function, wrt, source)
    loops = kind == "grad" and any(isinstance(s, Loop) for s in walk(function.body))
    return GradientMade(name, text, getattr(text, "runs", None), generated_namespace(function),
                        dict(order=order, base=base, reads=source.scope.reads, **facts),
                        (tuple(function.params.index(p) for p in params), single), loops and single,
                        loops and keeps_a_tape(ast.parse(str(text)).body[0]))


def generic_only():
    """Whether every gradient runs its generic code (``SRCDIFF_GENERIC=1``: ``pytest --generic``)."""
    return os.environ.get("SRCDIFF_GENERIC") == "1"


def runs_tight_text(compiled, text):
    """``compiled``, compiled from the text that runs (``emit.runs``), made to show the generic
    ``text`` as its ``source`` and to compile it when a derivative of it first asks for its
    generic function (``frontend.generic_of``): most gradients are never differentiated
    again, and compiling a text costs about a fifth of a build."""
    attributes = {key: value for key, value in vars(compiled).items()
                  if key.startswith("__srcdiff_") and key not in ("__srcdiff_source__", "__srcdiff_file__")}
    compiled.source = str(text)
    # its namespace without the compiled function itself: a cycle through it would keep every
    # gradient alive until the collector runs, where its count of references frees it now
    namespace = {key: value for key, value in compiled.__globals__.items() if value is not compiled}
    compiled.__srcdiff_make_generic__ = functools.partial(
        _generic_function, text, compiled.__name__, namespace, compiled.__defaults__, compiled.__kwdefaults__,
        attributes)


def _generic_function(text, name, namespace, defaults, kwdefaults, attributes):
    """The generic function of a gradient running a tight text (``runs_tight_text``)."""
    generic = compile_source(text, name, namespace, defaults, kwdefaults)
    generic.source = generic.__srcdiff_source__ = str(text)
    generic.__qualname__ = name
    for key, value in attributes.items():
        setattr(generic, key, value)
    return generic


def build_through_loops(fn, directions, wrt):
    """The gradient of a gradient ``fn`` of a function with loops: ``directions`` is
    ``(primal, positions)``, (a weak reference to) the function and the parameters ``fn``
    differentiated it along."""
    primal_ref, positions = directions
    primal = primal_ref()
    if primal is None:  # where it was defined: the user's def the gradient's lines came from
        loc = fn.__srcdiff_file__.default
        raise SourceNotFoundError(f"cannot differentiate {fn.__name__}: the function it is the gradient of was deleted",
                                  loc.filename, loc.lineno, loc.col, loc.line_text,
                                  "keep the function alive, or differentiate it again: srcdiff.grad(srcdiff.grad(f))")
    order = getattr(fn, "__srcdiff_order__", len(positions)) + 1
    base = getattr(fn, "__srcdiff_base__", None) or name_of(primal)
    name, text, emitted, source = directional_gradient(primal, positions, wrt, order, base)
    compiled = compiled_function(text, name, generated_namespace(emitted), *defaults_of(primal),
                                 order=order, base=base, reads=source.scope.reads)
    params, single = select_wrt(emitted, wrt, source)
    if single:
        compiled.__srcdiff_directions__ = (primal_ref, positions + (emitted.params.index(params[0]),))
    return compiled


class GradientVjp:
    """``vjp_grad_f``, the vector-Jacobian product of the gradient ``grad_f`` of ``primal`` with
    respect to its parameters at ``positions`` (``single``: ``grad_f`` returns one gradient),
    compiled when first called for and kept; ``primal`` is held by weak reference."""

    def __init__(self, primal, gradient_name, positions, single, base):
        self.primal = weakref.ref(primal)
        self.gradient_name, self.positions, self.single, self.base = gradient_name, positions, single, base
        self.built = None

    def __call__(self):
        if self.built is None:
            self.built = self._build()
        return self.built

    def _build(self):
        primal = self.primal()
        if primal is None:
            raise SourceNotFoundError(f"cannot differentiate a call of {self.gradient_name}: the function it is the "
                                      "gradient of was deleted", hint="keep the function alive")
        name = f"vjp_{self.gradient_name}"
        text, emitted, source = gradient_vjp_source(primal, self.positions, self.single, name, self.base)
        compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(primal)[1],
                                     order=2, base=self.base, reads=source.scope.reads)
        compiled.__srcdiff_vjp_of__ = self.gradient_name
        return compiled


def build_hvp(fn, wrt, mode, owner=None):
    """``hvp_f(*args, v)`` of a live function, compiled (``mode``: see ``higher.MODES``)."""
    source = load_function(fn, owner=owner)
    function = lower(source)
    order = getattr(fn, "__srcdiff_order__", 0)
    base = getattr(fn, "__srcdiff_base__", function.name)
    name, text, emitted = hvp_source(function, source, wrt, mode, order, base)
    compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1], order=order + 2,
                                 base=base, reads=source.scope.reads, **facts_of(function))
    compiled.__srcdiff_tangents_of__ = _directions_of(compiled, function, [function.params[
        single_parameter(function, source, wrt, "hvp")]])
    return compiled


def build_jvp(fn, wrt, owner=None):
    """``jvp_f(*args, *tangents)`` of a live function, compiled."""
    source = load_function(fn, owner=owner)
    function = lower(source, several_results=True)
    name, text, emitted = jvp_source(function, source, wrt)
    compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1],
                                 reads=source.scope.reads, **facts_of(function))
    compiled.__srcdiff_tangents_of__ = _directions_of(compiled, function, select_wrt(function, wrt, source)[0])
    return compiled


def _directions_of(compiled, function, params):
    """``((parameter, its direction, walked)...)`` by name for a jvp or hvp ``compiled`` of
    ``function`` along the ``params`` (``directions.checked_directions``): its parameters that are
    not ``function``'s are the directions, in the order of ``params``; ``walked``: whether a loop
    walks the parameter's items with their tangents (a dict's keys have none)."""
    own = {p.hint for p in function.params}
    directions = [name for name in inspect.signature(compiled).parameters if name not in own]
    walked = {seq for s in walk(function.body) if isinstance(s, Loop) for seq, _, _ in item_sources(s)}
    return tuple((p.hint, d, p in walked) for p, d in zip(params, directions))


def build_vjp(fn, wrt, owner=None):
    """``vjp_f(*args, v)`` of a live function, compiled."""
    source = load_function(fn, owner=owner)
    function = lower(source, several_results=True)
    name, text, emitted = vjp_source(function, source, wrt)
    return compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1],
                             reads=source.scope.reads,
                             **facts_of(function))


def facts_of(function):
    """What the API reads of the function a derivative was built from, as attributes of the
    compiled derivative (``compiled_function``'s keywords): ``arrays``, whether it is array
    code; ``numpy_code``, where it is defined (its ``ir.Loc``) when it is array code written
    with NumPy (``np.*``) rather than against the Array API standard, so that its derivatives
    run on NumPy arrays only (None otherwise); ``numbers_alone``, whether it computes with
    numbers alone (``rules.computes_with_numbers_alone``), so that the kinds of its arguments
    cannot change its code; ``array_code``, where array code (either kind) is defined, else None:
    its derivatives refuse NumPy arrays of a subclass whose operators NumPy's own arrays do not
    share (``np.matrix``, masked arrays)."""
    arrays = uses_arrays(function)
    standard = getattr(function, "namespace", False)
    return {"arrays": arrays, "numpy_code": function.loc if arrays and not standard else None,
            "array_code": function.loc if arrays else None,
            "numbers_alone": not arrays and computes_with_numbers_alone(function)}


def collector_paused(build):
    """``build()`` with the cyclic garbage collector paused (as it was before, after); when
    the outermost build ends, the parsed files kept are cut to their budget
    (``frontend.keep_parsed_within_budget``).

    A build makes many small objects that live until it ends (syntax trees, records);
    each automatic collection scans all of them, so with the collector running a build
    of 30,000 operations took 1.6 times as long as ten of 3,000.  Cycles a build leaves
    are collected by the next automatic collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    _BUILDS_RUNNING[0] += 1
    try:
        return build()
    finally:
        _BUILDS_RUNNING[0] -= 1
        if not _BUILDS_RUNNING[0]:
            keep_parsed_within_budget()
        if was_enabled:
            gc.enable()


_BUILDS_RUNNING = [0]  # how many builds are under way, one inside another (a helper's gradient)
