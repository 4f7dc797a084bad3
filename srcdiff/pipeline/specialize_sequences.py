"""Forward and vector-Jacobian products dispatched on their arguments' kinds, where they change
their code.

The text of a jvp or a vjp does not depend on the kinds of the arguments but in one place: a
list or tuple parameter that NumPy calls read is read as its array
(``transforms.sequences_read_as_arrays``), so that a rule computing with the operand itself
(``np.arctan``'s tangent ``dot / (1 + x * x)``, its backward ``v / (1 + x * x)``) never meets
Python's ``*`` on a list.  ``specialized_jvp`` and ``specialized_vjp`` (which ``jacobian`` runs)
wrap the generic product like a gradient (``specialize.dispatching``); a call whose kinds change
nothing runs the generic code, built once.
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
from .jacobian import vjp_source
from .specialize import dispatching, runs_generic


def specialized_jvp(generic, fn, wrt, owner):
    """``generic`` (``build_jvp``'s) running, for arguments of new kinds, the jvp built for them."""
    return _specialized(generic, fn, wrt, owner, jvp_source, ("__srcdiff_tangents_of__",))


def specialized_vjp(generic, fn, wrt, owner):
    """``generic`` (``build_vjp``'s) running, for arguments of new kinds, the vjp built for them."""
    return _specialized(generic, fn, wrt, owner, vjp_source, ())


def _specialized(generic, fn, wrt, owner, source_of, carried):
    """``generic`` dispatching on its arguments' kinds to the product ``source_of`` (``jvp_source``
    or ``vjp_source``) prints for them; ``carried`` names the attributes of ``generic`` each
    specialized product keeps."""
    if runs_generic(generic, fn):
        return generic
    return dispatching(generic, functools.partial(_built_for, weakref.ref(fn), wrt, owner, generic, source_of, carried))


def _built_for(fn_ref, wrt, owner, generic, source_of, carried, kinds):
    """The product of ``fn_ref()`` for arguments of ``kinds``; ``generic`` where it is the same
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
        name, text, emitted = source_of(read, source, wrt)
    except SrcdiffError:
        return generic
    compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1],
                                 reads=source.scope.reads, kinds=kinds, **facts_of(function))
    for attribute in carried:
        setattr(compiled, attribute, getattr(generic, attribute))
    return compiled
