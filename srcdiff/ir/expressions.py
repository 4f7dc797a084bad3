"""Adjoint expressions (Python ``ast`` trees): their algebraic clean-up and fast copies.

``simplify_expr`` rewrites an expression AST to a fixed point so that generated code has
no ``* 1.0`` or ``+ 0.0`` leftovers: it folds numeric constants, drops multiplicative and
additive identities, turns a product with zero into zero (the caller drops such
contributions), and reassociates ``g * (a * b)`` into ``g * a * b`` and ``g * (1 / b)``
into ``g / b`` so that an adjoint reads like the lecture's flat code.  It never changes
which values an expression reads, except to stop reading them when multiplied by zero.
``copy_expr`` copies an expression tree (optionally filling in placeholder names), much
faster than ``copy.deepcopy``: building a gradient copies one rule template per
contribution, so this is on the hot path.
"""
import ast


def number(node):
    """The numeric value of a literal node (``2.0``, ``-3``), else None; bools are not numbers."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
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
    found = set() if found is None else found
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
        elif kind is not ast.Constant:
            stack.extend(ast.iter_child_nodes(node))
    return found


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
            stack.extend(ast.iter_child_nodes(node))
        size += isinstance(node, ast.expr)
    return size


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


def simplify_expr(node, copy=True):
    """A simplified copy of ``node``.

    ``copy=False`` simplifies a tree the caller owns (for instance one just made by
    ``copy_expr``) in place, reusing its nodes, and returns the result.
    """
    if copy:
        node = copy_expr(node)
    rewrite = _Rewrite()
    while True:  # to a fixed point: a rewrite can enable another one above it
        rewrite.changed = False
        node = rewrite.visit(node)
        if not rewrite.changed:
            return node


def _without_leading_minus(node):
    """``e * b / c`` for a product or quotient ``-e * b / c`` whose first factor is negated
    (``e`` not a number), else None."""
    if type(node) is ast.UnaryOp and isinstance(node.op, ast.USub) and number(node) is None:
        return node.operand
    if type(node) is ast.BinOp and type(node.op) in (ast.Mult, ast.Div):
        left = _without_leading_minus(node.left)
        if left is not None:
            return ast.BinOp(left=left, op=node.op, right=node.right)
    return None


# runtime helpers linear in their first argument, whose sign can come out of the call
_LINEAR_HELPERS = frozenset({"unbroadcast"})


def _negated(node):
    """Whether ``node`` is ``-e`` for an expression ``e`` that is not a number."""
    return type(node) is ast.UnaryOp and isinstance(node.op, ast.USub) and number(node) is None


def _negated_factor(node):
    """A product or quotient ``e * n / f`` (one factor on its left spine a number ``n``) with
    ``n`` negated, else None: ``-(e * n / f)`` without the unary minus."""
    if type(node) is not ast.BinOp or type(node.op) not in (ast.Mult, ast.Div):
        return None
    if type(node.op) is ast.Mult and number(node.right) is not None:
        return ast.BinOp(left=node.left, op=node.op, right=literal(-number(node.right)))
    if number(node.left) is not None:  # -(2 * g) -> -2 * g ;  -(1.0 / n) -> -1.0 / n
        return ast.BinOp(left=literal(-number(node.left)), op=node.op, right=node.right)
    left = _negated_factor(node.left)
    return None if left is None else ast.BinOp(left=left, op=node.op, right=node.right)


def _neg(node):
    return ast.UnaryOp(op=ast.USub(), operand=node)


_FOLD = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
}


class _Rewrite(ast.NodeTransformer):
    """One bottom-up pass of the rules; ``changed`` records whether any of them fired.

    Every rule that fires returns a node of a different shape, so "no node was replaced"
    is the same test as "the tree did not change".
    """

    changed = False

    def visit(self, node):
        new = super().visit(node)
        if new is not node:
            self.changed = True
        return new

    def visit_Name(self, node):  # leaves: nothing to rewrite (and no walk over their fields)
        return node

    visit_Constant = visit_Name

    def visit_UnaryOp(self, node):
        node.operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            inner = node.operand
            if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub):
                return inner.operand
            if number(inner) == 0:
                return ast.Constant(0)
            positive = _without_leading_minus(inner)
            if positive is not None:  # -(-a / b * c) -> a / b * c  (an inlined negative upstream under a minus)
                return positive
            scaled = _negated_factor(inner)
            if scaled is not None:  # -(g * 2 * s) -> g * -2 * s
                return scaled
        if isinstance(node.op, ast.UAdd):
            return node.operand
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if type(func) is ast.Attribute and func.attr in _LINEAR_HELPERS and type(func.value) is ast.Name \
                and func.value.id == "rt" and node.args and _negated(node.args[0]):
            # rt.unbroadcast(-g, x) -> -rt.unbroadcast(g, x): the sign can then go into a number
            return _neg(ast.Call(func=func, args=[node.args[0].operand, *node.args[1:]], keywords=node.keywords))
        return node

    def visit_BinOp(self, node):
        node.left, node.right = self.visit(node.left), self.visit(node.right)
        left, right, op = node.left, node.right, node.op
        a, b = number(left), number(right)
        if a is not None and b is not None and type(op) in _FOLD:
            return literal(_FOLD[type(op)](a, b))
        if isinstance(op, ast.Mult):
            return self._mult(node, left, right, a, b)
        if isinstance(op, ast.Add):
            if a == 0:
                return right
            if b == 0:
                return left
        if isinstance(op, ast.Sub):
            if b == 0:
                return left
            if a == 0:
                return _neg(right)
        if isinstance(op, ast.Div):
            if b == 1:
                return left
            if a == 0:
                return ast.Constant(0)
        if isinstance(op, ast.Pow) and b == 1:
            return left
        return node

    def _mult(self, node, left, right, a, b):
        if a == 0 or b == 0:
            return ast.Constant(0)
        if a == 1:
            return right
        if b == 1:
            return left
        if a == -1:
            return _neg(right)
        if b == -1:
            return _neg(left)
        if b is not None and type(left) is ast.BinOp and type(left.op) is ast.Mult and number(left.right) is not None:
            # g * 100.0 * 2 -> g * 200.0
            return ast.BinOp(left=left.left, op=ast.Mult(), right=literal(number(left.right) * b))
        if b is not None and type(left) is ast.BinOp and type(left.op) is ast.Mult and number(left.left) is not None:
            # 0.5 * g * 2 -> 1.0 * g -> g
            return ast.BinOp(left=literal(number(left.left) * b), op=ast.Mult(), right=left.right)
        if b is not None and type(left) is ast.UnaryOp and isinstance(left.op, ast.USub):
            # -g * 2 -> g * -2  (the sign goes into the number: one operation fewer)
            return ast.BinOp(left=left.operand, op=ast.Mult(), right=literal(-b))
        if isinstance(right, ast.BinOp) and isinstance(right.op, ast.Mult):
            # g * (a * b) -> g * a * b
            return ast.BinOp(left=ast.BinOp(left=left, op=ast.Mult(), right=right.left), op=ast.Mult(), right=right.right)
        if isinstance(right, ast.BinOp) and isinstance(right.op, ast.Div):
            # g * (1 / b) -> g / b ;  g * (a / b) -> g * a / b
            top = left if number(right.left) == 1 else ast.BinOp(left=left, op=ast.Mult(), right=right.left)
            return ast.BinOp(left=top, op=ast.Div(), right=right.right)
        if isinstance(right, ast.UnaryOp) and isinstance(right.op, ast.USub) and number(right) is None:
            # g * -a -> -g * a  (reads like the lecture's -g * y / x)
            return ast.BinOp(left=_neg(left), op=ast.Mult(), right=right.operand)
        return node
