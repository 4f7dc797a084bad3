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
    return _specialized(generic, fn, wrt, owner, _jvp_for, ("__srcdiff_tangents_of__",))


def specialized_vjp(generic, fn, wrt, owner):
    """``generic`` (``build_vjp``'s) running, for arguments of new kinds, the vjp built for them."""
    return _specialized(generic, fn, wrt, owner, _vjp_for, ())


def _vjp_for(function, source, wrt, kinds):
    """``vjp_source`` for arguments of ``kinds``, the cotangent last among them."""
    cotangent = list(kinds.values())[-1]
    return vjp_source(function, source, wrt, sequence_cotangent=cotangent is not None and cotangent.sequence)


def _jvp_for(function, source, wrt, kinds):
    """``jvp_source`` (its tangents read as arrays where they come as lists: ``rt.broadcast_like``)."""
    return jvp_source(function, source, wrt)



def _specialized(generic, fn, wrt, owner, source_of, carried):
    """``generic`` dispatching on its arguments' kinds to the product ``source_of`` (``jvp_source``
    or ``vjp_source``) prints for them; ``carried`` names the attributes of ``generic`` each
    specialized product keeps."""
    if runs_generic(generic, fn, read_back=True):
        return generic
    return dispatching(generic, functools.partial(_built_for, weakref.ref(fn), wrt, owner, generic, source_of, carried))


def _built_for(fn_ref, wrt, owner, generic, source_of, carried, kinds):
    """The product of ``fn_ref()`` for arguments of ``kinds``; ``generic`` where it is the same
    text, cannot be built, or the function is gone."""
    fn = fn_ref()
    if fn is None or not any(kind is not None and kind.sequence for kind in kinds.values()):
        return generic  # no sequence argument: nothing to read as an array, no need to load and lower again
    try:
        source, read = _read_for(fn, owner, kinds)
        name, text, emitted = source_of(read, source, wrt, kinds)
    except SrcdiffError:
        return generic
    if text == generic.source:  # the kinds change nothing
        return generic
    compiled = compiled_function(text, name, generated_namespace(emitted), None, defaults_of(fn)[1],
                                 reads=source.scope.reads, kinds=kinds, **facts_of(read))
    for attribute in carried:
        setattr(compiled, attribute, getattr(generic, attribute))
    return compiled


def _read_for(fn, owner, kinds):
    """``(Source, SSA)`` of ``fn`` for arguments of ``kinds``: lowered, then read with its list and
    tuple parameters as their arrays; for a gradient dispatching on its arguments' kinds
    (``__srcdiff_read_back__``: ``specialize.specialized``), the specialized code it runs for them,
    which reads them so already (its generic code where it runs that)."""
    read_back = getattr(fn, "__srcdiff_read_back__", None)
    made = read_back(kinds) if read_back is not None else None
    if made is not None:
        return made
    source = load_function(fn, owner=owner)
    return source, sequences_read_as_arrays(lower(source, several_results=True), kinds)
