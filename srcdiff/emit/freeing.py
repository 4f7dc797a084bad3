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

With ``adjoints`` (an adjoint's name -> its value's name), a ReLU-like mask applied to an
adjoint the sweep no longer reads is applied in place (``in_place_masks``): ``grad_s2 =
grad_hidden * (0.0 < hidden)`` becomes ``grad_hidden *= 0.0 < hidden`` and ``grad_s2 =
grad_hidden``, one pass over the array and no new one, where ``grad_hidden`` is an array of
its own (made by arithmetic, then only read by arithmetic or added to in place).

A function with a nested scope (a lambda, a ``def``, a class) or a ``global`` /
``nonlocal`` statement is returned as it is: a closure may read a name after its last
mention.  The inserted lines have the ``def``'s origin; the others keep theirs.
"""
import ast
import dataclasses

from ..ir import names_of
from ..transforms import Accumulate
from .marks import GeneratedText

_NESTED = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal)


def freed(text, names, adjoints=None):
    """``text`` (a ``GeneratedText`` of one function) with ``del`` lines inserted, and masks
    applied in place where ``adjoints`` is given (see the module doc)."""
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
    rewritten = in_place_masks(body, last, bound, names, adjoints or {})
    if not after and not rewritten:
        return text
    lines, origins = [], []
    skipped = set()
    for number, line in enumerate(text.splitlines(), 1):
        if number in rewritten:
            statement, replacement = rewritten[number]
            skipped.update(range(number + 1, statement.end_lineno + 1))
            lines += [" " * statement.col_offset + part for part in replacement]
            origins += [text.origins[number - 1]] * len(replacement)
        elif number not in skipped:
            lines.append(line)
            origins.append(text.origins[number - 1])
        if number in after:
            indent, deleted = after[number]
            lines.append(" " * indent + "del " + ", ".join(deleted))
            origins.append(text.default)
    return GeneratedText("\n".join(lines) + "\n", origins, text.default)


def in_place_masks(body, last, bound, names, adjoints):
    """``{first line: (statement, its new lines)}`` for each top-level ``A = G * (c < Y)`` (any
    comparison of ``Y`` with a number, either side of ``*``) where ``G`` is the adjoint of
    ``Y`` (``adjoints``), so the product has ``G``'s shape and dtype, read for the last time
    here, and an array of its own: bound once, at the top level, by arithmetic (a new
    array), and otherwise only an operand of arithmetic or the target of ``G op= e``, never
    passed to a call that may return it (``rt.unbroadcast``) nor bound to another name."""
    found = {}
    for i, stmt in enumerate(body):
        masked = _masked_adjoint(stmt, adjoints)
        if masked is None:
            continue
        adjoint, mask = masked
        if adjoint in names and last.get(adjoint) == i and adjoint in bound and _own_array(body[:i], adjoint):
            target = stmt.targets[0].id
            found[stmt.lineno] = (stmt, [f"{adjoint} *= {ast.unparse(mask)}", f"{target} = {adjoint}"])
    return found


def _masked_adjoint(stmt, adjoints):
    """``(G, mask)`` of ``A = G * mask`` (or ``mask * G``), ``mask`` comparing ``adjoints[G]``
    with a number; else None."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.Mult)):
        return None
    for adjoint, mask in ((stmt.value.left, stmt.value.right), (stmt.value.right, stmt.value.left)):
        if isinstance(adjoint, ast.Name) and adjoint.id in adjoints and adjoint.id != stmt.targets[0].id \
                and isinstance(mask, ast.Compare) and len(mask.ops) == 1:
            sides = (mask.left, mask.comparators[0])
            value = [side.id for side in sides if isinstance(side, ast.Name)]
            number = [side for side in sides if isinstance(side, ast.Constant) and type(side.value) in (int, float)]
            if value == [adjoints[adjoint.id]] and len(number) == 1:
                return adjoint.id, mask
    return None


def _own_array(body, name):
    """Whether ``name``, bound in ``body`` (top-level statements), holds an array no other
    name holds: one ``name = <arithmetic>``, then ``name op= e`` and arithmetic reads only."""
    bindings = 0
    for stmt in body:
        mentions = [node for node in ast.walk(stmt) if isinstance(node, ast.Name) and node.id == name]
        if not mentions:
            continue
        if isinstance(stmt, ast.Assign) and [t.id for t in stmt.targets if isinstance(t, ast.Name)] == [name]:
            if len(stmt.targets) != 1 or not isinstance(stmt.value, (ast.BinOp, ast.UnaryOp)) or bindings:
                return False
            bindings += 1
            reads = stmt.value
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            reads = stmt.value
        elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
            reads = stmt
        else:
            return False  # a branch, a loop, a del, an expression statement: not followed here
        if not _read_by_arithmetic_only(reads, name):
            return False
    return bindings == 1


def _read_by_arithmetic_only(tree, name):
    """Whether every mention of ``name`` in ``tree`` is an operand of arithmetic or a comparison
    (which make new values), not a call's argument, an item, an attribute or a value bound as it is."""
    arithmetic = (ast.BinOp, ast.UnaryOp, ast.Compare)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(parents.get(node), arithmetic):
            return False
    return True


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
