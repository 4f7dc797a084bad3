"""``for`` statements rewritten, before ``loops`` lowers them, into the forms it lowers.

| written | lowered as |
| --- | --- |
| ``for i, (W, b) in enumerate(xs)`` | ``for i, item in enumerate(xs): W, b = item`` |
| ``for a, b in reversed(pairs)`` | ``for item in reversed(pairs): a, b = item`` |
| ``for i, t in enumerate(xs, start)`` | ``for i0, t in enumerate(xs): i = i0 + start``, ``start`` lowered once, before |

Each returns a new synthetic ``ast.For`` (the user's nodes unchanged), or the loop as it is.
"""
import ast

from .comprehensions import enumerate_start
from .scopes import unused_name


def items_unpacked_in_body(lw, stmt):
    """``for i, (W, b) in enumerate(xs)`` as ``for i, item in enumerate(xs): W, b = item``, and
    ``for a, b in reversed(pairs)`` as ``for item in reversed(pairs): a, b = item``: the loop
    names each item whole and unpacks it first thing in its body (``item`` a name the function
    does not use); any other loop as it is."""
    target, it = stmt.target, stmt.iter
    if not isinstance(target, ast.Tuple):
        return stmt
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed" and len(it.args) == 1 \
            and not (isinstance(it.args[0], ast.Call) and getattr(it.args[0].func, "id", None) == "range"):
        nested = [target]  # reversed(pairs): the whole item
    else:
        nested = [e for e in target.elts if isinstance(e, (ast.Tuple, ast.List))]
    if not nested:
        return stmt
    names = [unused_name(lw.source, "item" if k == 0 else f"item{k}") for k in range(len(nested))]
    loaded = {id(part): ast.copy_location(ast.Name(id=name, ctx=ast.Store()), part) for part, name in zip(nested, names)}
    new_target = loaded[id(target)] if id(target) in loaded else ast.copy_location(
        ast.Tuple(elts=[loaded.get(id(e), e) for e in target.elts], ctx=ast.Store()), target)
    unpacking = [ast.copy_location(ast.Assign(targets=[part], value=ast.Name(id=name, ctx=ast.Load())), part)
                 for part, name in zip(nested, names)]
    loop = ast.fix_missing_locations(ast.copy_location(
        ast.For(target=new_target, iter=it, body=unpacking + stmt.body, orelse=stmt.orelse), stmt))
    if hasattr(stmt, "srcdiff_locals"):  # a comprehension's loop: its names stay its own
        loop.srcdiff_locals = frozenset(stmt.srcdiff_locals) | set(names)
    return loop


def counted_from_zero(lw, stmt):
    """``for i, t in enumerate(xs, start): body`` as ``for i0, t in enumerate(xs): i = i0 + start;
    body``, with ``start`` lowered once, before the loop, as Python evaluates it (``i0`` a name the
    function does not use); any other loop as it is."""
    it, target = stmt.iter, stmt.target
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate"
            and "enumerate" not in lw.env and lw.source.scope.resolve("enumerate") is not None):
        return stmt
    start = enumerate_start(it)
    if start is None or not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name)):
        return stmt  # enumerate(xs), or a shape _iteration refuses by name
    start_name = f"<start {id(stmt)}>"
    lw.env[start_name] = lw.expr(start)
    taken = {node.id for node in lw.source.nodes(ast.Name)} | set(lw.env)
    index = target.elts[0]
    counter = next(name for name in (f"{index.id}0", f"{index.id}_0", *(f"{index.id}_{n}" for n in range(1, 10 ** 6)))
                   if name not in taken)
    count = ast.copy_location(ast.Assign(targets=[index], value=ast.BinOp(
        left=ast.Name(id=counter, ctx=ast.Load()), op=ast.Add(), right=ast.Name(id=start_name, ctx=ast.Load()))), index)
    loop = ast.For(target=ast.Tuple(elts=[ast.Name(id=counter, ctx=ast.Store()), target.elts[1]], ctx=ast.Store()),
                   iter=ast.Call(func=it.func, args=it.args[:1], keywords=[]), body=[count] + stmt.body,
                   orelse=stmt.orelse)
    return ast.fix_missing_locations(ast.copy_location(loop, stmt))
