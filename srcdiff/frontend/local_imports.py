"""Imports at the top of a function's own body: ``import numpy as np`` inside ``f``.

Python binds an imported name as a local of ``f`` each time ``f`` runs.  Where the import is
a statement of ``f``'s body itself (not inside a branch, a loop or a nested function), the
name is bound nowhere else in ``f``, and nothing reads it before the import, every read of
the name in ``f`` sees the object the import binds, exactly as a module-level import would
be seen.  Then srcdiff reads the name as that object: ``local_imports(source)`` lists the
imports, and each scope resolves them its own way (``RuntimeScope.with_imports`` imports
the module as the call would, ``StaticScope.with_imports`` reads it as the file's own
imports).  Anything else is refused at the import, with the reason.

| inside ``f`` | binds | resolved as |
| --- | --- | --- |
| ``import numpy as np`` | ``np`` | the module ``numpy`` |
| ``import numpy.linalg`` | ``numpy`` | the module ``numpy`` (``numpy.linalg`` imported) |
| ``import numpy.linalg as la`` | ``la`` | the module ``numpy.linalg`` |
| ``from math import sin as s`` | ``s`` | ``math.sin`` (a submodule where there is no such attribute) |

The fence (``fence._check_imports``) has already refused imports elsewhere in ``f`` and
relative ones.
"""
import ast
from dataclasses import dataclass

from ..errors import UnsupportedSyntaxError


@dataclass(frozen=True)
class LocalImport:
    """One name a ``def``'s own import binds: ``name`` is the module ``module`` (after importing
    ``load``), or its attribute ``attr``; ``node`` is the import statement."""

    name: str
    module: str
    load: str
    attr: object  # str, or None for the module itself
    node: ast.stmt


def local_imports(source):
    """The ``LocalImport`` of each name the imports at the top level of ``source``'s function bind,
    checked (see the module doc): refused with UnsupportedSyntaxError at the import otherwise."""
    found = {}
    if not (source.nodes(ast.Import) or source.nodes(ast.ImportFrom)):  # the usual function: no walk of its body
        return []
    for position, stmt in enumerate(source.node.body):
        if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        for made in _bindings(stmt):
            before = found.get(made.name)
            if before is not None and (before.module, before.attr) != (made.module, made.attr):
                raise source.error(UnsupportedSyntaxError, stmt, f"'{made.name}' is imported twice, as two "
                                   "different objects", "import each object under a name of its own")
            if before is None:
                _check_read_before(source, made.name, position, stmt)
            found[made.name] = made
    if found:
        _check_not_rebound(source, found)
    return list(found.values())


def _bindings(stmt):
    """The LocalImports of one ``import`` or ``from ... import`` statement."""
    if isinstance(stmt, ast.Import):
        return [LocalImport(alias.asname, alias.name, alias.name, None, stmt) if alias.asname else
                LocalImport(alias.name.split(".")[0], alias.name.split(".")[0], alias.name, None, stmt)
                for alias in stmt.names]
    return [LocalImport(alias.asname or alias.name, stmt.module, stmt.module, alias.name, stmt) for alias in stmt.names]


def _check_read_before(source, name, position, stmt):
    """Refuse a read of ``name`` in the statements before the import at ``position`` (Python
    would raise UnboundLocalError there: the name is a local of the whole function)."""
    for earlier in source.node.body[:position]:
        for node in ast.walk(earlier):
            if isinstance(node, ast.Name) and node.id == name:
                raise source.error(UnsupportedSyntaxError, node, f"'{name}' is read before the import that binds "
                                   f"it (line {stmt.lineno}): Python raises UnboundLocalError there",
                                   "import at the top of the function, or at module level")


def _check_not_rebound(source, found):
    """Refuse a name an import binds that the function also binds otherwise (a parameter, an
    assignment, a loop target, a nested def or class): the name would not always be the import's."""
    bound = [(n.arg, n) for n in source.nodes(ast.arg)]
    bound += [(n.id, n) for n in source.nodes(ast.Name) if not isinstance(n.ctx, ast.Load)]
    bound += [(n.name, n) for kind in (ast.FunctionDef, ast.ClassDef) for n in source.nodes(kind) if n is not source.node]
    for name, node in bound:
        if name in found:
            raise source.error(UnsupportedSyntaxError, node, f"'{name}' is imported at line {found[name].node.lineno} "
                               "and bound again here", "give the imported object and this value different names")
