"""Generated code read back as a Source: closure under the transform.

A gradient srcdiff generated is inside the subset srcdiff accepts, so its text can go
through the frontend and lowering again, for a second derivative or for a function
that calls it.  ``GeneratedScope`` resolves the generated text's names: its own aliases
of ``math``, ``np`` and ``rt``, then the user's names.
"""
import ast

from ..emit import module_aliases
from ..frontend import ModuleRef, Source, StaticScope, check_supported, classify, load_function
from ..lower import lower
from .gradient import gradient_source
from .sequence_joins import joins_a_sequence_argument


class GeneratedScope:
    """Resolves the names of generated code: its aliases of ``math``, ``np`` and ``rt``
    (``naming.module_aliases``), the globals its SSA function gave it (a class constant
    ``scale``, a class ``Model``, a renamed constant ``C_1``), then the user's names."""

    def __init__(self, base, aliases, globals_=None):
        self.base = base
        self.own = {alias: ModuleRef(module) for module, alias in aliases.items()}
        self.globals = {name: value for name, value in (globals_ or {}).items() if value is not None}
        self.reads = getattr(base, "reads", None)  # what the user's names were bound to (a ``Reads``)

    def resolve(self, name):
        if name in self.own:
            return self.own[name]
        if name in self.globals:
            return classify(name, self.globals[name])
        return self.base.resolve(name)

    def resolve_attr(self, module, attr):
        return self.base.resolve_attr(module, attr)

    def unusable(self, name, module=None):
        return self.base.unusable(name, module) if hasattr(self.base, "unusable") else None


def generated_source(text, base_scope, aliases, globals_=None):
    """The Source of a function srcdiff generated as ``text``, names resolved as the user's
    (``globals_``: the globals of the SSA function it was printed from)."""
    node = ast.parse(text).body[0]
    filename = f"<srcdiff {node.name}>"
    source = Source(node, filename, text.splitlines(keepends=True), GeneratedScope(base_scope, aliases, globals_),
                    getattr(text, "origins", None))
    check_supported(source)
    return source


def gradient_as_source(source, wrt=None):
    """The Source of the gradient of ``source``'s function, as if its text were a file's
    (how the command line reads ``grad_loss = srcdiff.grad(loss)`` without running it)."""
    function = lower(source)
    _, text = gradient_source(function, source, "grad", wrt)
    return generated_source(text, source.scope, module_aliases(function), function.globals)


def first_gradient(function, source, index, order=0, base=None, kinds=None):
    """The lowered SSA of the gradient of ``function`` with respect to parameter ``index``
    (specialized to the arguments' ``kinds``, by parameter name, when given)."""
    _, text = gradient_source(function, source, "grad", index, order=order + 1, base=base, kinds=kinds, in_place=False,
                              free=False)
    return lower(generated_source(text, source.scope, module_aliases(function), function.globals))


def specialized_gradient_read_back(fn_ref, kind, wrt, owner, kinds):
    """The gradient ``kind`` of ``fn_ref()`` specialized to ``kinds`` (parameter name -> Kind),
    read back as ``(Source, lowered SSA)``: what a derivative of the gradient differentiates
    for arguments of those kinds, since the gradient runs that code for them (a list's
    ``np.arctan`` rule computes with its array, which the generic text would compute with the
    list itself).  None where the gradient runs its generic code for them: the function is
    gone, or it joins or repeats a sequence argument (``sequence_joins``)."""
    fn = fn_ref()
    if fn is None:
        return None
    source = load_function(fn, owner=owner)
    function = lower(source)
    if joins_a_sequence_argument(function, kinds):
        return None
    order = getattr(fn, "__srcdiff_order__", 0)
    base = getattr(fn, "__srcdiff_base__", function.name)
    _, text = gradient_source(function, source, kind, wrt, order=order + 1, base=base, kinds=kinds, in_place=False,
                              free=False)
    read = generated_source(text, source.scope, module_aliases(function), function.globals)
    return read, lower(read, several_results=True)  # (a gradient with respect to several parameters returns a tuple)


def static_scope(filename):
    """The ``StaticScope`` of a file, able to read the gradients it defines with
    ``srcdiff.grad`` (what the command line reads files with)."""
    return StaticScope(filename, gradient_source=gradient_as_source)
