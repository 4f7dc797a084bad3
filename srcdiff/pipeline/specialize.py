"""Gradients specialized to the kinds of their arguments, chosen at each call.

``dispatching(generic, build_for)`` wraps the generic gradient ``generic`` (what
``build_gradient`` compiled) in a plain function that, at each call, reads the kinds of
the positional arguments (``analysis.call_key``: one class look per argument), and runs
the code built for that signature, built once by ``build_for(kinds)`` and kept in a
table per signature.  What the table holds per key:

| arguments | runs |
| --- | --- |
| at least one has a kind (``analysis.kind_of``) | the specialized code (``specialized_gradient``) |
| none has a kind (dicts, objects, int arrays...) | the generic code itself, nothing built |
| keyword arguments, or a signature with ``*args``, ``**kwargs`` or keyword-only parameters | the generic code |

The wrapper carries the generic function's attributes (``source`` is the generic text,
``__srcdiff_*__`` for the cache and for derivatives of derivatives, which transform the
generic function: ``__srcdiff_generic__``), and adds ``source_for(*args)``: the text of
the code that runs for those arguments.
"""
import functools
import inspect

from ..analysis import call_key, kind_of
from ..errors import SrcdiffError
from ..frontend import defaults_of, load_function
from ..lower import lower
from .build import compiled_function
from .gradient import gradient_source

_PLAIN = ~(inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)


def specializable(generic):
    """Whether calls of ``generic`` can be dispatched on positional arguments alone."""
    code = generic.__code__
    return code.co_flags == code.co_flags & _PLAIN and code.co_kwonlyargcount == 0


def dispatching(generic, build_for):
    """A function running, for each call, the code built for its arguments' kinds (see the
    module doc); ``build_for(kinds)`` builds it from ``{parameter name: Kind or None}``."""
    names = generic.__code__.co_varnames[:generic.__code__.co_argcount]
    table = {}

    def compiled_for(args):
        key = call_key(args)
        compiled = table.get(key)
        if compiled is None:
            kinds = {name: kind_of(value) for name, value in zip(names, args)}
            compiled = table[key] = generic if not any(kinds.values()) else build_for(kinds)
        return compiled

    def dispatch(*args, **kwargs):
        if kwargs:
            return generic(*args, **kwargs)
        compiled = table.get(call_key(args))
        return (compiled or compiled_for(args))(*args)

    functools.update_wrapper(dispatch, generic)
    dispatch.__srcdiff_generic__ = generic
    dispatch.source_for = lambda *args: compiled_for(args).source
    dispatch.__srcdiff_table__ = table
    return dispatch


def specialized_gradient(fn, kind, wrt, owner, kinds, generic):
    """The gradient ``kind`` of ``fn`` for arguments of ``kinds`` (names -> Kind), compiled;
    ``generic`` itself when specialized code cannot be built (the generic code stands)."""
    try:
        source = load_function(fn, owner=owner)
        function = lower(source)
        order = getattr(fn, "__srcdiff_order__", 0) + 1
        base = getattr(fn, "__srcdiff_base__", function.name)
        name, text = gradient_source(function, source, kind, wrt, order=order, base=base, kinds=kinds)
    except SrcdiffError:
        return generic
    return compiled_function(text, name, function, *defaults_of(fn), order=order, base=base,
                             reads=source.scope.reads, kinds=kinds)
