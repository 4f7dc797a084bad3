"""``d.values()``, ``d.keys()``, ``d.items()`` of a dict known only at run time: a parameter,
a part or an item of one.

A dict built here has views known when compiling (``displays``).  Another dict's keys are
known only when it runs, so a loop over one of its views walks the dict itself (its keys, in
its order, as the views do) and reads each value at its key:

| written | lowered as |
| --- | --- |
| ``for v in d.values(): body`` | ``for key in rt.keys_of(d): v = d[key]; body`` (``key`` a name the function does not use) |
| ``for k, v in d.items(): body`` | ``for k in rt.keys_of(d): v = d[k]; body`` (another target: ``target = (key, d[key])``) |
| ``for k in d: body`` reading ``d[k]`` | ``for k in rt.keys_of(d): body`` (``own_keys_loop``) |
| ``for k in d.keys(): body`` | ``for k in rt.keys_of(d): body`` |
| a comprehension's ``for`` over a view, ``sum(d.values())``, ``max``, ``list``... | the same loop, inside the comprehension (``comprehensions``, ``consumers``) |

The dict is checked first, ``if d.__class__ is not dict: rt.check_mapping(d)``: another
object with such methods (a pandas Series) iterates otherwise.  A read ``d[key]`` at a key
known at run time has an adjoint of its own, one per key (``runtime.KeyedAdjoints``), which
``rt.tree_grad`` puts together with the parts read at constant keys.  The keys carry no
derivative: the loop walks ``rt.keys_of(d)`` (``list(d)``, no gradient), not ``d``, so no
transform takes its items for items of ``d`` with derivatives of their own.
"""
import ast

from ..ir import Var
from .binding import KeywordValues
from .scopes import unused_name

VIEWS = ("values", "keys", "items")


def view_call(node):
    """``(receiver node, view name)`` of ``node`` when it is ``X.values()``, ``X.keys()`` or
    ``X.items()`` with no arguments, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in VIEWS \
            and not node.args and not node.keywords:
        return node.func.value, node.func.attr
    return None


def of_a_display(lw, node):
    """Whether ``node`` is a view of a dict built here named by a plain name (``displays`` reads it)."""
    view = view_call(node)
    return view is not None and isinstance(view[0], ast.Name) and isinstance(lw.env.get(view[0].id), KeywordValues)


def keyed_loop(lw, stmt):
    """``stmt`` (a ``for``) over a view of a dict known at run time as the loop over the dict
    itself (see the module doc), its receiver lowered once and checked; over a view of a dict
    built here, as the loop over the tuple of its items; any other loop as it is."""
    view = view_call(stmt.iter)
    if view is None or of_a_display(lw, stmt.iter):
        return stmt
    receiver, name = view
    dict_name = receiver.id if isinstance(receiver, ast.Name) else f"<dict {id(stmt)}>"
    operand = lw.expr(receiver)
    if dict_name != getattr(receiver, "id", None):  # an expression, lowered once: read by the new loop's name
        lw.env[dict_name] = operand
    if isinstance(operand, KeywordValues):  # d["inner"].items() of a dict built here: its items, known now
        lw.env[dict_name] = lw.dict_view(operand, stmt.iter)
        return _loop(stmt, stmt.target, _read(dict_name, stmt), [])
    if not lw.from_arguments(operand):
        return stmt  # (refused by name where the call is lowered)
    lw.check_mapping(operand, receiver)
    keys = _keys_walked(lw, operand, stmt)
    if name == "keys":
        return _loop(stmt, stmt.target, keys, [])
    target = stmt.target
    named = name == "items" and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
        and isinstance(target.elts[0], ast.Name)
    key = target.elts[0].id if named else unused_name(lw.source, "key")
    value = ast.Subscript(value=_read(dict_name, stmt), slice=_read(key, stmt), ctx=ast.Load())
    if name == "items" and not named:
        value = ast.Tuple(elts=[_read(key, stmt), value], ctx=ast.Load())
    bound = target.elts[1] if named else target
    first = ast.copy_location(ast.Assign(targets=[bound], value=value), stmt)
    return _loop(stmt, ast.Name(id=key, ctx=ast.Store()), keys, [first], {key})


def own_keys_loop(lw, stmt):
    """``for k in d:`` whose body reads ``d[k]`` as the loop over ``rt.keys_of(d)``: ``k`` walks
    keys (of a dict, or of a list of ints indexing itself), which carry no derivative, so the
    loop's items are not differentiated as items of ``d``; any other loop as it is."""
    it, target = stmt.iter, stmt.target
    if not reads_at_own_keys(stmt.body, it, target):
        return stmt
    operand = lw.expr(it)
    if not isinstance(operand, Var):
        return stmt  # (a display, a dict built here: unrolled)
    return _loop(stmt, target, _keys_walked(lw, operand, stmt), [])


def reads_at_own_keys(nodes, sequence, item):
    """Whether the statements (or expressions) ``nodes`` read ``sequence[item]`` (two names)."""
    if not (isinstance(sequence, ast.Name) and isinstance(item, ast.Name)):
        return False
    return any(isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == sequence.id
               and isinstance(n.slice, ast.Name) and n.slice.id == item.id for node in nodes for n in ast.walk(node))


def _keys_walked(lw, operand, stmt):
    """A name bound to ``rt.keys_of(operand)``, the keys a loop over it walks."""
    name = f"<keys {id(stmt)}>"
    lw.env[name] = lw.emit("rt.keys_of", (operand,), stmt.iter, "keys")
    return _read(name, stmt)


def _loop(stmt, target, iterated, first, names=frozenset()):
    """The ``for`` over ``iterated`` into ``target``, ``first`` before ``stmt``'s body; a comprehension's
    loop keeps its names its own (``names`` added)."""
    loop = ast.fix_missing_locations(ast.copy_location(
        ast.For(target=ast.copy_location(target, stmt.target), iter=iterated, body=first + stmt.body,
                orelse=stmt.orelse), stmt))
    if hasattr(stmt, "srcdiff_locals"):
        loop.srcdiff_locals = frozenset(stmt.srcdiff_locals) | set(names)
    return loop


def _read(name, where):
    return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), where)
