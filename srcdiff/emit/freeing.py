"""``del`` of the arrays a generated function no longer needs, where it last needs them.

A local array of generated code lives until the function returns unless its name is
deleted: the forward values the backward sweep never reads, and the adjoints it has
passed on, would all be held at once, which sets the peak memory of a gradient.
``freed(text, names)`` inserts ``del a, b`` after the top-level statement of the function
that mentions each of ``names`` (the names of arrays) for the last time:

| a name | deleted |
| --- | --- |
| bound by a top-level assignment (``=``, ``+=``, a tuple target) at or before its last mention | after the statement of that mention (the whole ``if`` or ``for`` where that is one) |
| bound only inside a branch or a loop, a parameter, or mentioned by the ``return`` | never |

``sunk(statements, params, tokens)`` orders a straight-line backward sweep for the same
end: a term added to a parameter's adjoint that reads no adjoint (``2.0 * reg * W1``, the
derivative of a penalty) moves after the last other term of that adjoint, so the adjoint
is made by the sweep's last product rather than held, full size, through all of it.

A function with a nested scope (a lambda, a ``def``, a class) or a ``global`` /
``nonlocal`` statement is returned as it is: a closure may read a name after its last
mention.  The inserted lines have the ``def``'s origin; the others keep theirs.
"""
import ast
import dataclasses

from ..ir import names_of
from ..transforms import Accumulate
from .printer import GeneratedText

_NESTED = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal)


def freed(text, names):
    """``text`` (a ``GeneratedText`` of one function) with ``del`` lines inserted (see the module doc)."""
    function = ast.parse(text).body[0]
    if not names or any(isinstance(node, _NESTED) for node in ast.walk(function) if node is not function):
        return text
    names = set(names) - {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}
    body = function.body
    last, bound = {}, {}
    for i, stmt in enumerate(body):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in names:
                last[node.id] = i
        for name in _bound_by(stmt):
            bound.setdefault(name, i)
    after = {}  # the last line of a statement -> the names deleted after it, in the order they were bound
    for name in sorted(last, key=lambda n: bound.get(n, -1)):
        i = last[name]
        if name in bound and bound[name] <= i and i < len(body) - 1 and not isinstance(body[i], ast.Return):
            after.setdefault(body[i].end_lineno, (body[i].col_offset, []))[1].append(name)
    if not after:
        return text
    lines, origins = [], []
    for number, line in enumerate(text.splitlines(), 1):
        lines.append(line)
        origins.append(text.origins[number - 1])
        if number in after:
            indent, deleted = after[number]
            lines.append(" " * indent + "del " + ", ".join(deleted))
            origins.append(text.default)
    return GeneratedText("\n".join(lines) + "\n", origins, text.default)


def _bound_by(stmt):
    """The names a top-level statement binds on every path: its own assignment targets."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AugAssign):
        targets = [stmt.target]
    else:
        return []
    found = []
    for target in targets:
        parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        found += [part.id for part in parts if isinstance(part, ast.Name)]
    return found


def sunk(statements, params, tokens):
    """``statements`` (backward records) with the terms of ``params``' adjoints that read no
    adjoint placed after the last other term of the same adjoint, ``first`` marking the new
    first write; as they are unless every record is an ``Accumulate`` (no branch, no loop)."""
    if not all(isinstance(s, Accumulate) for s in statements):
        return statements
    last = {s.var: i for i, s in enumerate(statements)}
    moved = [s for i, s in enumerate(statements)
             if s.var in params and i < last[s.var] and not _reads_an_adjoint(s.expr, tokens)]
    if not moved:
        return statements
    ids = {id(s) for s in moved}
    order = []
    for i, stmt in enumerate(statements):
        if id(stmt) not in ids:
            order.append(stmt)
        if i == last[stmt.var]:
            order += [s for s in moved if s.var is stmt.var]
    seen = set()
    result = []
    for stmt in order:
        result.append(dataclasses.replace(stmt, first=stmt.var not in seen))
        seen.add(stmt.var)
    return result


def _reads_an_adjoint(expr, tokens):
    return any(tokens.by_token.get(name, ("", None))[0] == "adjoint" for name in names_of(expr))
