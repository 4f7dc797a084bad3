"""Python's scopes, read from the AST: the names a function binds, and the names it reads
from the functions around it (what a nested ``def`` or a lambda closes over).

A nested function, lambda, class or comprehension is a scope of its own: its parameters,
targets and assignments are not its enclosing function's, while its defaults, decorators
and (for a comprehension) first iterable are evaluated in the enclosing one.

    >>> import ast
    >>> outer = ast.parse("def f(x):\\n    k = 2.0\\n    g = lambda z: k * z + x\\n    return g(x)\\n").body[0]
    >>> sorted(local_names(outer)), sorted(free_names(outer.body[1].value))
    (['g', 'k', 'x'], ['k', 'x'])
"""
import ast
import collections

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
SCOPES = FUNCTIONS + (ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def walk_scope(node, nested=FUNCTIONS):
    """``ast.walk`` (in its order) that does not enter the insides of the ``nested`` scopes it
    meets, ``node`` itself included: it yields each such scope node and the parts of it
    evaluated outside."""
    todo = collections.deque([node])
    while todo:
        current = todo.popleft()
        todo.extend(_outer_parts(current) if isinstance(current, nested) else ast.iter_child_nodes(current))
        yield current


def own_nodes(function):
    """The nodes of ``function``'s body in its own scope (``walk_scope``: the insides of the
    functions and lambdas nested in it left out; comprehensions in)."""
    return [n for stmt in function.body for n in walk_scope(stmt, FUNCTIONS)]


def parents_of(own):
    """Each node of ``own`` (``own_nodes``) -> the node holding it."""
    return {child: n for n in own if not isinstance(n, FUNCTIONS) for child in ast.iter_child_nodes(n)}


def local_names(scope):
    """The names ``scope`` (a function, lambda or comprehension node) binds: parameters,
    assignment and loop targets, nested ``def``s and classes."""
    params, inner = _parts(scope)
    names = set(params)
    for node in _own_nodes(inner):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def free_names(scope):
    """The names ``scope`` (or a scope nested in it) reads without binding them: its
    enclosing functions' variables, globals and builtins."""
    _, inner = _parts(scope)
    read = set()
    for node in _own_nodes(inner):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.add(node.id)
        elif isinstance(node, SCOPES):
            read |= free_names(node)
    return read - local_names(scope)


def _own_nodes(inner):
    for node in inner:
        yield from walk_scope(node, SCOPES)


def _parts(scope):
    """``(parameter names, nodes evaluated inside)`` of a scope node."""
    if isinstance(scope, FUNCTIONS):
        a = scope.args
        params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] + [p.arg for p in (a.vararg, a.kwarg) if p]
        return params, scope.body if isinstance(scope.body, list) else [scope.body]
    if isinstance(scope, ast.ClassDef):
        return [], scope.body
    generators = scope.generators
    inner = [g.target for g in generators] + [c for g in generators for c in g.ifs] + [g.iter for g in generators[1:]]
    return [], inner + ([scope.key, scope.value] if isinstance(scope, ast.DictComp) else [scope.elt])


def _outer_parts(scope):
    """The parts of a nested scope evaluated in the scope around it."""
    if isinstance(scope, FUNCTIONS):
        a = scope.args
        return list(a.defaults) + [d for d in a.kw_defaults if d is not None] + list(getattr(scope, "decorator_list", []))
    if isinstance(scope, ast.ClassDef):
        return list(scope.bases) + [k.value for k in scope.keywords] + list(scope.decorator_list)
    return [scope.generators[0].iter]


def unused_name(source, base):
    """``base``, or ``base`` followed by as few underscores as make a name the function of
    ``source`` does not use (``item``, ``item_``...): a variable lowering adds to it."""
    taken = {node.id for node in source.nodes(ast.Name)}
    return next(base + "_" * n for n in range(len(taken) + 1) if base + "_" * n not in taken)
