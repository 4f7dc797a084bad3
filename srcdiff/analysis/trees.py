"""Containers of parameters: which parts of a parameter a function uses as values.

Lowering reads a container parameter's parts at constant paths (``lower.trees``):
``W1 = params['W1']`` is ``field[](params, 'W1')``, ``a, b = p`` reads ``s = rt.unpacked(p, 2)``
then ``field[](s, 0)``.  ``tree_leaves(function, param)`` returns ``(path, Var)`` for each
part the function uses whole (in an operation, a branch, a loop, as its result): those are
differentiated as values of their own, and the container's gradient is built from theirs
(``rt.tree_grad``).  A part read only to read deeper parts is no leaf; a parameter read
through no path is its own only leaf, ``((), param)``.
"""
import weakref

from ..ir import CHECK_OPS, FIELD_OPS, Assign, If, Loop, Var, walk

_PATHS = weakref.WeakKeyDictionary()  # Function -> its tree_paths: asked for each parameter, a Function never changes
_KEYS = weakref.WeakKeyDictionary()  # Function -> keys_walked


def tree_paths(function):
    """``Var -> (parameter, path)`` of every part of a parameter read at a constant path
    (one dict per function: read it, do not change it)."""
    if function not in _PATHS:
        _PATHS[function] = _paths(function)
    return _PATHS[function]


def _paths(function):
    found = {p: (p, ()) for p in function.params}
    for stmt in function.body:
        if not isinstance(stmt, Assign) or not stmt.args or stmt.args[0] not in found:
            continue
        root, path = found[stmt.args[0]]
        if stmt.op in FIELD_OPS:
            found[stmt.target] = (root, path + (stmt.args[1].value,))
        elif stmt.op == "rt.unpacked":
            found[stmt.target] = (root, path)
    return {var: where for var, where in found.items() if var not in function.params}


def is_container(function, param):
    """Whether ``function`` reads parts of ``param`` at constant paths, or walks its keys
    (``rt.keys_of``: ``for k in params: params[k]``, a dict, its gradient one adjoint a key)."""
    return any(root is param for root, _ in tree_paths(function).values()) or param in keys_walked(function)


def keys_walked(function):
    """The values whose keys a loop of ``function`` walks (``rt.keys_of``); one set per function."""
    if function not in _KEYS:
        _KEYS[function] = frozenset(s.args[0] for s in walk(function.body) if isinstance(s, Assign) and s.op == "rt.keys_of")
    return _KEYS[function]


def tree_leaves(function, param):
    """``(path, Var)`` of each part of ``param`` the function uses whole, in the order read."""
    paths = {var: path for var, (root, path) in tree_paths(function).items() if root is param}
    if not paths:
        return [((), param)]
    used = whole_uses(function)
    leaves = [((), param)] if param in used else []
    leaves += [(path, var) for var, path in paths.items() if var in used]
    return leaves or [((), param)]  # parts read but none used: the parameter itself (a zero gradient)


def whole_uses(function):
    """Every Var some statement reads as a value: not the container of a part read, not
    the value a check looks at, not the structure ``rt.tree_grad`` rebuilds."""
    used = set()
    for stmt in walk(function.body):
        if isinstance(stmt, Assign):
            if stmt.op in CHECK_OPS:
                continue
            skip = 1 if stmt.op in FIELD_OPS or stmt.op in ("rt.unpacked", "rt.tree_grad") else 0
            used.update(a for a in stmt.args[skip:] if isinstance(a, Var))
            used.update(v for _, v in stmt.kwargs if isinstance(v, Var))
        elif isinstance(stmt, If):
            used.add(stmt.cond)
            used.update(x for m in stmt.merges for x in (m.then, m.orelse))
        elif isinstance(stmt, Loop):
            used.update(x for c in stmt.carries for x in (c.init, c.next))
            used.update(stmt.iter.args if stmt.iter is not None else ())
            used.add(stmt.test)
    used.add(function.result)
    return {v for v in used if isinstance(v, Var)}
