"""Gradients specialized to the kinds of their arguments, chosen at each call.

``dispatching(generic, build_for)`` wraps the generic gradient ``generic`` (what
``build_gradient`` compiled) in a plain function (``dispatch.Dispatcher``) that, at each
call, tests its arguments against the signatures it has seen (one test written out per
signature: a class look per argument, and ``ndim`` and dtype for an array), and runs the
code built for that signature, built once by ``build_for(kinds)`` and kept in a table per
key (``analysis.call_key``).  What the table holds per key:

| arguments | runs |
| --- | --- |
| at least one has a kind (``analysis.kind_of``) | the specialized code (``specialized_gradient``), or the generic code where the text is the same |
| none has a kind (dicts, objects, int arrays...) | the generic code itself, nothing built |
| a signature with ``*args``, ``**kwargs`` or keyword-only parameters | the generic code |

Arguments bind to the parameters as the generic code binds them: a call by keyword, or
leaving a default out, runs what the call passing every argument by position runs.

A function of numbers alone (``rules.computes_with_numbers_alone``: scalar code made only
of number operations and ``range`` loops) has one text for every kind of argument, so its
gradient is the function ``build_gradient`` compiled, with no dispatch in front of it: on a
function of a few operations the dispatch would cost more than the gradient.  For
straight-line code that function runs a tight text (``emit.runs``: temporaries fused, copies
propagated), its ``source`` the generic text; ``source_for`` shows the tight one.

``specialized_hvp`` does the same for a Hessian-vector product: its code is built from the
gradient specialized to the arguments' kinds.

The wrapper carries the generic function's attributes (``source`` is the generic text,
``__srcdiff_*__`` for the cache and for derivatives of derivatives, which transform the
generic function: ``__srcdiff_generic__``), and adds ``source_for(*args)``: the text of
the code that runs for those arguments.

``numba_dispatching`` is the same with ``jit="numba"``: each signature's specialized text
is compiled by numba (``jit``); a statement numba mode cannot compile is refused when the
gradient is built, an argument of another kind when it is first called with it.
"""
import functools
import inspect
import weakref

from ..analysis import call_key, infer_shapes, kind_of
from ..emit import generated_namespace
from ..errors import SourceNotFoundError, SrcdiffError
from ..runtime.arguments import complex_argument_error, holds_complex
from ..runtime.lazy import is_other_array_class
from ..frontend import defaults_of, load_function
from ..lower import lower
from ..rules import computes_with_numbers_alone
from ..transforms import sequences_read_as_arrays
from .build import compiled_function, generic_only
from .dispatch import Dispatcher, signature_comment
from .generated import specialized_gradient_read_back
from .gradient import gradient_source, specialized_kinds
from .higher import hvp_source
from .jit import check_kinds, check_numba, check_shapes, compile_numba, global_number_kinds, numba_module
from .numba_text import numba_text
from .sequence_joins import joins_a_sequence_argument, refuse_a_certain_join
from .taken_sides import taken_sides

_PLAIN = ~(inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)


def specializable(generic):
    """Whether calls of ``generic`` can be dispatched: it has no ``*args``, ``**kwargs`` or
    keyword-only parameters, so its arguments bind to its parameters one to one."""
    code = generic.__code__
    return code.co_flags == code.co_flags & _PLAIN and code.co_kwonlyargcount == 0


def dispatching(generic, build_for, unknown_runs_generic=True, others=None):
    """A function running, for each call, the code built for its arguments' kinds (see the
    module doc); ``build_for(kinds)`` builds it from ``{parameter name: Kind or None}``,
    also for arguments of no kind at all unless ``unknown_runs_generic``.  ``others``
    (``lazy.OtherArrays``) runs the calls holding Dask or other libraries' arrays: such a
    call's key never enters the table (``plain``) nor the dispatcher's text, so neither
    looks for them and every call that may hold one goes through ``slow``."""
    code = generic.__code__
    names = code.co_varnames[:code.co_argcount]
    table, aside = {}, {}  # aside: the keys of calls that may hold Dask or other arrays

    def compiled_for(args, key=None):
        """The code for ``args``, built on the first call of their signature (``key``: their
        ``call_key``, where the caller has it)."""
        key = call_key(args) if key is None else key
        compiled = table.get(key) or aside.get(key)
        if compiled is None:
            if any(holds_complex(value) for value in args):  # never built, so every such call comes back here
                raise complex_argument_error(generic, args, {})
            kinds = {name: kind_of(value) for name, value in zip(names, args)}
            unknown = unknown_runs_generic and not any(kinds.values())
            compiled = generic if unknown else build_for(kinds)
            if others is None or plain(key):
                table[key] = compiled
                held = dispatcher()  # held weakly: the dispatcher holds this function (through slow)
                if held is not None:
                    held.add(key, compiled, signature_comment(kinds, args))
            else:
                aside[key] = compiled
        return compiled

    def slow(args):
        """A call no written-out test passed, every argument by position."""
        key = call_key(args)
        compiled = table.get(key)
        if compiled is not None:  # a signature past those written out
            return compiled(*args)
        if others is not None:
            found = others.find(args, {})
            if found is not None:
                return others.call(found, args, {})
        return compiled_for(args, key)(*args)

    made = Dispatcher(names, generic.__defaults__, code.co_posonlyargcount, slow)
    dispatcher = weakref.ref(made)
    dispatch = made.new_function()
    functools.update_wrapper(dispatch, generic)
    dispatch.__srcdiff_generic__ = generic
    dispatch.source_for = lambda *args: compiled_for(_with_defaults(args, generic)).source
    dispatch.__srcdiff_table__ = table
    dispatch.__srcdiff_dispatcher__ = made
    return dispatch


def _with_defaults(args, generic):
    """``args``, the first positional arguments of a call of ``generic``, followed by the
    defaults of the parameters they leave out: what the call passes on."""
    defaults = generic.__defaults__ or ()
    left_out = generic.__code__.co_argcount - len(args)
    return args + defaults[len(defaults) - left_out:] if 0 < left_out <= len(defaults) else args


def plain(key):
    """Whether calls of dispatch key ``key`` (``call_key``) can hold no Dask array and no
    other library's array: NumPy arrays, numbers, sequences of numbers alone (as ``kind_of``
    judges them) and objects of other classes, but no dict, no sequence of something else,
    no other library's array."""
    for part in key:
        if part.__class__ is tuple:  # (ndim, dtype) of an ndarray, or (list or tuple, whether it holds numbers alone)
            if part[0].__class__ is not int and part[1] is not True:
                return False
        elif part is dict or is_other_array_class(part):
            return False
    return True



def specialized(generic, fn, kind, wrt, owner, others=None):
    """``generic`` wrapped to run code specialized to each call's argument kinds; ``generic``
    itself for a derivative of generated code, a signature that cannot be dispatched on, or
    when ``SRCDIFF_GENERIC=1`` is set (which runs every gradient through the generic code:
    ``pytest --generic``).  ``fn`` is held weakly: the API's cache is keyed by it.
    ``others``: see ``dispatching``; None where ``generic`` is returned."""
    if runs_generic(generic, fn):
        return generic
    # a derivative of the gradient (which transforms ``generic``) reads back the code run for its arguments' kinds
    generic.__srcdiff_read_back__ = functools.partial(specialized_gradient_read_back, weakref.ref(fn), kind, wrt, owner)
    return dispatching(generic, functools.partial(_specialized_for, weakref.ref(fn), kind, wrt, owner, generic),
                       others=others)


def runs_generic(generic, fn, read_back=False):
    """Whether ``generic`` (built from ``fn``) runs as it is, whatever the arguments (see
    ``specialized``), and if so gives it the ``source_for`` of the code that runs.  A function
    of numbers alone (``numbers_alone``: ``pipeline.build.facts_of``) has one text for every
    kind of argument.  ``read_back``: a derivative of a gradient that reads back its specialized
    code (``specialized_gradient_read_back``) is dispatched too."""
    generated = hasattr(fn, "__srcdiff_order__") and not (read_back and hasattr(fn, "__srcdiff_read_back__"))
    if (generic_only() or generated or not specializable(generic)
            or getattr(generic, "__srcdiff_numbers_alone__", False)):
        # the code that runs, whatever the arguments: its generic text, or the tight one it was compiled from
        generic.source_for = _showing(generic.__srcdiff_source__)
        return True
    return False


def _showing(text):
    """A ``source_for`` showing ``text`` whatever the arguments (it holds the text, not the
    function it is set on: a cycle would keep a dropped gradient alive until the collector runs)."""
    return lambda *args: text


def specialized_hvp(generic, fn, wrt, mode, owner):
    """``generic``, a Hessian-vector product, wrapped like a gradient (``specialized``) to run
    code built from the gradient specialized to each call's argument kinds (``v`` has none
    of its own there: the first gradient does not read it)."""
    if runs_generic(generic, fn):
        return generic
    return dispatching(generic, functools.partial(_specialized_hvp_for, weakref.ref(fn), wrt, mode, owner, generic))


def _specialized_hvp_for(fn_ref, wrt, mode, owner, generic, kinds):
    """The Hessian-vector product of ``fn_ref()`` built from its gradient specialized to
    ``kinds``; ``generic`` itself where that cannot be built or changes nothing."""
    fn = fn_ref()
    if fn is None:
        return generic
    try:
        source = load_function(fn, owner=owner)
        function = lower(source)
        function = sequences_read_as_arrays(function, kinds)  # NumPy calls read a list as its array
    except SrcdiffError:
        return generic
    if joins_a_sequence_argument(function, kinds):
        if mode == "reverse":  # the generic code never forms the first gradient, whose shape would refuse it
            refuse_a_certain_join(function, kinds)
        return generic
    try:
        order = getattr(fn, "__srcdiff_order__", 0)
        base = getattr(fn, "__srcdiff_base__", function.name)
        name, text, emitted = hvp_source(function, source, wrt, mode, order, base, kinds=kinds)
    except SrcdiffError:
        return generic
    if text == generic.source:
        return generic
    return compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1], order=order + 2,
                             base=base,
                             reads=source.scope.reads, kinds=kinds)


def _specialized_for(fn_ref, kind, wrt, owner, generic, kinds):
    """The code specialized to ``kinds``; the generic code once the function is gone."""
    fn = fn_ref()
    return generic if fn is None else specialized_gradient(fn, kind, wrt, owner, kinds, generic)


def specialized_gradient(fn, kind, wrt, owner, kinds, generic):
    """The gradient ``kind`` of ``fn`` for arguments of ``kinds`` (names -> Kind), compiled;
    ``generic`` itself when specialized code cannot be built (the generic code stands)."""
    try:
        source = load_function(fn, owner=owner)
        function = lower(source)
        if joins_a_sequence_argument(function, kinds):
            return generic  # Python joins or repeats it: the generic code refuses that at run time
        order = getattr(fn, "__srcdiff_order__", 0) + 1
        base = getattr(fn, "__srcdiff_base__", function.name)
        name, text = gradient_source(function, source, kind, wrt, order=order, base=base, kinds=kinds)
    except SrcdiffError:
        return generic
    if text == generic.source:  # scalar code: the kinds change nothing
        return generic
    return compiled_function(text, name, generated_namespace(function), *defaults_of(fn), order=order, base=base,
                             reads=source.scope.reads, kinds=kinds)


def numba_dispatching(generic, fn_ref, kind, wrt, owner):
    """The gradient ``kind`` of the function ``fn_ref`` refers to (weakly: the API's cache is
    keyed by it) compiled with numba per signature (see the module doc)."""
    check_numba(lower(load_function(fn_ref(), owner=owner)))  # what cannot compile is said with or without numba
    numba_module()
    build = functools.partial(numba_gradient, fn_ref, kind, wrt, owner)
    return dispatching(generic, build, unknown_runs_generic=False)


def numba_gradient(fn_ref, kind, wrt, owner, kinds):
    """The specialized gradient of ``fn_ref()`` for ``kinds``, compiled by numba (NumbaError where it cannot)."""
    fn = fn_ref()
    if fn is None:
        raise SourceNotFoundError("cannot compile the gradient: the function it is the gradient of was deleted",
                                  hint="keep the function alive while its gradient is used")
    source = load_function(fn, owner=owner)
    function = lower(source)
    check_kinds(function, kinds)
    function = taken_sides(function, function.globals)  # the sides numba drops (a list of the tape each push)
    known = {**kinds, **global_number_kinds(function, function.globals)}  # and the module's numbers, as numba reads them
    check_shapes(function, infer_shapes(function, True, specialized_kinds(function, known)))
    order = getattr(fn, "__srcdiff_order__", 0) + 1
    base = getattr(fn, "__srcdiff_base__", function.name)
    tight = computes_with_numbers_alone(function)  # numba compiles the tight text (``emit.runs``) srcdiff.grad runs
    name, text = gradient_source(function, source, kind, wrt, order=order, base=base, kinds=known, free=False,
                                 runs=tight, tape_per_site=True)
    text = numba_text(getattr(text, "runs", text), function, kinds)
    python = compiled_function(text, name, generated_namespace(function), *defaults_of(fn), order=order, base=base,
                               reads=source.scope.reads, kinds=kinds)
    jitted = compile_numba(python, function, kinds)
    jitted.source = text
    return jitted
