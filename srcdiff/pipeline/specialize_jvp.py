"""A jvp dispatched on its arguments' kinds, where they change its code.

Forward mode's text does not depend on the kinds of the arguments but in one place: a list
or tuple parameter that NumPy calls read is read as its array
(``transforms.sequences_read_as_arrays``), so that a tangent rule computing with the operand
itself (``np.arctan``'s ``dot / (1 + x * x)``) never meets Python's ``*`` on a list.
``specialized_jvp`` wraps the generic jvp like a gradient (``specialize.dispatching``); a call
whose kinds change nothing runs the generic code, built once.
"""
import functools
import weakref

from ..emit import generated_namespace
from ..errors import SrcdiffError
from ..frontend import defaults_of, load_function
from ..lower import lower
from ..transforms import sequences_read_as_arrays
from .build import compiled_function, facts_of
from .higher import jvp_source
from .specialize import dispatching, runs_generic


def specialized_jvp(generic, fn, wrt, owner):
    """``generic`` (``build_jvp``'s) running, for arguments of new kinds, the jvp built for them."""
    if runs_generic(generic, fn):
        return generic
    return dispatching(generic, functools.partial(_jvp_for, weakref.ref(fn), wrt, owner, generic))


def _jvp_for(fn_ref, wrt, owner, generic, kinds):
    """The jvp of ``fn_ref()`` for arguments of ``kinds``; ``generic`` where it is the same
    text, cannot be built, or the function is gone."""
    fn = fn_ref()
    if fn is None or not any(kind is not None and kind.name in ("list", "tuple") for kind in kinds.values()):
        return generic  # no sequence argument: nothing to read as an array, no need to load and lower again
    try:
        source = load_function(fn, owner=owner)
        function = lower(source, several_results=True)
        read = sequences_read_as_arrays(function, kinds)
        if read is function:
            return generic
        name, text, emitted = jvp_source(read, source, wrt)
    except SrcdiffError:
        return generic
    compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1],
                                 reads=source.scope.reads, kinds=kinds, **facts_of(function))
    compiled.__srcdiff_tangents_of__ = generic.__srcdiff_tangents_of__
    return compiled
