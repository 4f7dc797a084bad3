"""Adjoint expressions (Python ``ast`` trees): numbers read off them, fast walks and copies.

``copy_expr`` copies an expression tree (optionally filling in placeholder names), much
faster than ``copy.deepcopy``: building a gradient copies one rule template per
contribution, so this is on the hot path (``filler`` makes a template's copier once);
``substitute_once`` fills in one name without
copying.  Their algebraic clean-up is ``simplify.simplify_expr``.
"""
import ast


def number(node):
    """The numeric value of a literal node (``2.0``, ``-3``), else None; bools are not numbers."""
    kind = type(node)  # the parser and srcdiff make no subclass of these node classes
    if kind is ast.Constant:
        return node.value if type(node.value) in (int, float) else None
    if kind is ast.UnaryOp and type(node.op) is ast.USub:
        inner = number(node.operand)
        return None if inner is None else -inner
    return None


def literal(value):
    """A literal node for a number, negative ones as unary minus."""
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def is_zero(node):
    return number(node) == 0


# Leaf nodes without fields (Load, Add, USub, ...): the parser shares them between trees too.
_SHARED_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def names_of(expr, found=None):
    """The set of identifiers ``expr`` reads (added to ``found`` when given); a walk spelled
    out for the nodes adjoint expressions are made of, faster than ``ast.walk``."""
    return _names_walked(expr, set() if found is None else found)[0]


def names_and_int_literal(expr):
    """``(names_of(expr), whether expr holds an int literal)``, in one walk (a bool is no int)."""
    return _names_walked(expr, set())


def _names_walked(expr, found):
    has_int = False
    stack = [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            found.add(node.id)
        elif kind is ast.BinOp:
            stack += (node.left, node.right)
        elif kind is ast.UnaryOp:
            stack.append(node.operand)
        elif kind is ast.Constant:
            has_int = has_int or type(node.value) is int
        else:
            stack.extend(children_of(node))
    return found, has_int


def expr_size(expr):
    """How many expression nodes ``expr`` has (names, numbers, operations, calls...)."""
    size, stack = 0, [expr]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.BinOp:
            stack += (node.left, node.right)
        elif kind is ast.UnaryOp:
            stack.append(node.operand)
        elif kind is not ast.Name and kind is not ast.Constant:
            stack.extend(children_of(node))
        size += isinstance(node, ast.expr)
    return size


def children_of(node):
    """The child nodes of ``node`` that may hold expressions: ``ast.iter_child_nodes``, except
    that a call's or an attribute's context leaf (``Load``) is left out, spelled out for speed."""
    kind = type(node)
    if kind is ast.Call:
        return [node.func, *node.args, *node.keywords]
    if kind is ast.Attribute:
        return (node.value,)
    return ast.iter_child_nodes(node)


def copy_expr(node, bindings=None):
    """A deep copy of expression ``node``; a Name whose id is a key of ``bindings`` is
    replaced by a copy of its value (how rule templates are filled in).

    The copy shares no mutable node with ``node`` or ``bindings``, so it can be rewritten
    in place.  Source positions are not copied: generated code is printed, not compiled
    from the tree.
    """
    kind = type(node)  # the nodes adjoint expressions are made of, spelled out for speed (fields in order)
    if kind is ast.Name:
        if bindings is not None and node.id in bindings:
            return copy_expr(bindings[node.id])
        return ast.Name(node.id, node.ctx)
    if kind is ast.BinOp:
        return ast.BinOp(copy_expr(node.left, bindings), node.op, copy_expr(node.right, bindings))
    if kind is ast.Constant:
        return ast.Constant(node.value)
    if kind is ast.Call:
        return ast.Call(copy_expr(node.func, bindings), [copy_expr(a, bindings) for a in node.args],
                        [copy_expr(k, bindings) for k in node.keywords])
    if kind is ast.Attribute:
        return ast.Attribute(copy_expr(node.value, bindings), node.attr, node.ctx)
    if kind is ast.UnaryOp:
        return ast.UnaryOp(node.op, copy_expr(node.operand, bindings))
    if isinstance(node, _SHARED_LEAVES):
        return node
    fields = {}
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            value = copy_expr(value, bindings)
        elif isinstance(value, list):
            value = [copy_expr(v, bindings) if isinstance(v, ast.AST) else v for v in value]
        fields[name] = value
    return type(node)(**fields)


def filler(node, shared=False):
    """A function of ``bindings`` returning ``copy_expr(node, bindings)``, for a tree filled in
    many times (a rule template): the tree is looked at once, here, not at each copy.  With
    ``shared``, a Name (a binding, or one of ``node``'s own, ``math``) goes into the copy
    itself, not a copy of it: for trees in which no Name is changed in place (a Name has no
    children, so the rest of the copy is still the caller's own)."""
    kind = type(node)
    if kind is ast.Name:
        ident, ctx = node.id, node.ctx

        def name(bindings):
            value = bindings.get(ident)
            if value is None:
                return node if shared else ast.Name(ident, ctx)
            if type(value) is ast.Name:
                return value if shared else ast.Name(value.id, value.ctx)
            return copy_expr(value)
        return name
    if kind is ast.BinOp:
        left, op, right = filler(node.left, shared), node.op, filler(node.right, shared)
        return lambda bindings: ast.BinOp(left(bindings), op, right(bindings))
    if kind is ast.Constant:
        value = node.value
        return lambda bindings: ast.Constant(value)
    if kind is ast.Call:
        func, args = filler(node.func, shared), [filler(a, shared) for a in node.args]
        keywords = [filler(k, shared) for k in node.keywords]
        return lambda bindings: ast.Call(func(bindings), [a(bindings) for a in args], [k(bindings) for k in keywords])
    if kind is ast.Attribute:
        value, attr, ctx = filler(node.value, shared), node.attr, node.ctx
        return lambda bindings: ast.Attribute(value(bindings), attr, ctx)
    if kind is ast.UnaryOp:
        op, operand = node.op, filler(node.operand, shared)
        return lambda bindings: ast.UnaryOp(op, operand(bindings))
    return lambda bindings: copy_expr(node, bindings)


def substitute_once(expr, name, value):
    """``expr`` (owned by the caller) with its first read of identifier ``name`` replaced by
    ``value`` itself, not a copy (``value`` then belongs to the tree): for a caller that
    knows ``expr`` reads ``name`` once and owns ``value``.  ``expr`` itself when it is that read."""
    if type(expr) is ast.Name and expr.id == name:
        return value
    stack = [expr]
    while stack:
        node = stack.pop()
        for field in node._fields:
            child = getattr(node, field, None)
            if type(child) is ast.Name and child.id == name:
                setattr(node, field, value)
                return expr
            if isinstance(child, list):
                for i, item in enumerate(child):
                    if type(item) is ast.Name and item.id == name:
                        child[i] = value
                        return expr
                stack.extend(item for item in reversed(child) if isinstance(item, ast.AST))
            elif isinstance(child, ast.AST):
                stack.append(child)
    return expr
