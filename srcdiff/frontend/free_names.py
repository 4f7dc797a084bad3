"""What a free name is bound to, for code srcdiff keeps as the user wrote it.

A ``print``, a logging call, an ``assert`` or a ``raise`` (``ir.EFFECT``) and the types of
``isinstance`` are not differentiated: generated code runs them as written, so it needs
each free name they read bound to the same object.  ``free_binding(scope, name)`` says
what that object is, for both kinds of scope:

| scope | bound name | builtin (``print``, ``ValueError``) | unknown |
| --- | --- | --- | --- |
| ``RuntimeScope`` (a live function) | its object (the function's own imports, closure, then globals; the read is recorded) | ``BUILTIN`` | ``UNBOUND`` |
| ``StaticScope`` (the command line) | None: bound in the file, value unknown (never run) | ``BUILTIN`` | ``UNBOUND`` |
"""
import builtins

from .reads import MISSING

BUILTIN = object()  # the name is Python's builtin of that name
UNBOUND = object()  # the name is bound nowhere


def free_binding(scope, name):
    """The object the free ``name`` of a function is bound to (see the module doc)."""
    scope = _innermost(scope)
    if hasattr(scope, "nonlocals"):  # a RuntimeScope
        if name in scope.imported:  # bound by an import at the top of the function
            return scope.imported[name]
        if name in scope.nonlocals:
            scope.reads.cell(scope.fn, scope.cells[name], scope.nonlocals[name])
            return scope.nonlocals[name]
        scope.reads.global_name(scope.fn, name, scope.globals.get(name, MISSING))
        if name in scope.globals:
            return scope.globals[name]
    elif name in getattr(scope, "bindings", {}):  # a StaticScope
        return None
    return BUILTIN if hasattr(builtins, name) else UNBOUND


def static_module(scope, name):
    """The dotted module name ``name`` is imported as in a file read statically (``logging``), else None."""
    kind, data = getattr(_innermost(scope), "bindings", {}).get(name, (None, None))
    return data if kind == "module" else None


def _innermost(scope):
    """The user's scope under a generated function's (``pipeline.GeneratedScope``, which has a ``base``)."""
    while hasattr(scope, "base"):
        scope = scope.base
    return scope
