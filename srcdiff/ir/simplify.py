"""The algebraic clean-up of adjoint expressions (Python ``ast`` trees).

``simplify_expr`` rewrites an expression AST to a fixed point so that generated code has
no ``* 1.0`` or ``+ 0.0`` leftovers: it folds numeric constants, drops multiplicative and
additive identities, turns a product with zero into zero (the caller drops such
contributions), and reassociates ``g * (a * b)`` into ``g * a * b`` and ``g * (1 / b)``
into ``g / b`` so that an adjoint reads like the lecture's flat code.  A number
indexed is that number: an adjoint that is a number stands for an array of it (the seed
``1.0`` read back by a second derivative's index rule), and Python refuses to index a
number.  It never changes which values an expression reads, except to stop reading them
when multiplied by zero or indexing a number, and never makes an expression larger (``expr_size``): every rule keeps or lowers the
count of operands and operations, which lets the sweep fuse adjoints in place.
"""
import ast

from .expressions import children_of, copy_expr, literal, number, substitute_once


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


def simplify_substituted(expr, name, value):
    """``simplify_expr(substitute_once(expr, name, value), copy=False)``, for an ``expr`` that
    reads ``name`` once, where ``expr`` and ``value`` (owned by the caller) are trees no rule
    rewrites, nor any of their subtrees: what ``simplify_expr`` returns, for one.  After the
    substitution only the operations above the read may then be rewritten: those alone are
    looked at, and the whole tree is simplified as before where one of them would be."""
    above = _above_read(expr, name)
    expr = substitute_once(expr, name, value)
    if any(_rewritten(node) for node in reversed(above)):
        return simplify_expr(expr, copy=False)
    return expr


def simplify_substituted_along(expr, path, value):
    """``simplify_substituted(expr, name, value)`` where the one read of ``name`` is found by
    following ``path`` from the root of ``expr``: the fields (``left``, ``right``, ``operand``)
    down to it, known from the shape of the tree (a rule template's), so that no walk looks for it."""
    if not path:
        return value
    above = [expr]
    for field in path[:-1]:
        above.append(getattr(above[-1], field))
    setattr(above[-1], path[-1], value)
    if any(_rewritten(node) for node in reversed(above)):
        return simplify_expr(expr, copy=False)
    return expr


def _above_read(expr, name):
    """The nodes of ``expr`` above its read of identifier ``name``, the root first."""
    stack = [(expr, ())]
    while stack:
        node, above = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id == name:
                return above
        elif kind is not ast.Constant:
            above += (node,)
            if kind is ast.BinOp:
                stack += ((node.right, above), (node.left, above))  # the left first: where g usually is
            else:
                stack += [(child, above) for child in children_of(node)]
    return ()


def _rewritten(node):
    """Whether a rule rewrites ``node`` itself, its children left as they are (nothing is changed)."""
    return _VISITS.get(type(node), _Rewrite.generic_visit)(_AT_NODE, node) is not node


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
    if _truth(node):  # -(x <= c) raises for a NumPy bool (NumPy has no minus of one): -1.0 * (x <= c)
        return ast.BinOp(left=ast.Constant(-1.0), op=ast.Mult(), right=node)
    return ast.UnaryOp(op=ast.USub(), operand=node)


def _truth(node):
    """Whether ``node`` is a comparison or a ``not``: a bool, a NumPy bool for NumPy operands."""
    return type(node) is ast.Compare or type(node) is ast.UnaryOp and isinstance(node.op, ast.Not)


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
        # NodeVisitor.visit's dispatch by class name, from a table (a build visits many nodes)
        method = _VISITS.get(type(node))
        new = method(self, node) if method is not None else self.generic_visit(node)
        if new is not node:
            self.changed = True
        return new

    def visit_Name(self, node):  # leaves: nothing to rewrite (and no walk over their fields)
        return node

    visit_Constant = visit_Name

    def visit_Attribute(self, node):  # generic_visit, spelled out: its ctx is a leaf
        node.value = self.visit(node.value)
        return node

    def visit_Subscript(self, node):
        node.value, node.slice = self.visit(node.value), self.visit(node.slice)
        if number(node.value) is not None:  # (1.0)[i] -> 1.0: a number standing for an array of it
            return node.value
        return node

    def visit_keyword(self, node):
        node.value = self.visit(node.value)
        return node

    def _visit_call_parts(self, node):  # generic_visit of a Call, spelled out
        node.func = self.visit(node.func)
        node.args[:] = [self.visit(arg) for arg in node.args]
        node.keywords[:] = [self.visit(keyword) for keyword in node.keywords]

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
        self._visit_call_parts(node)
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
        if a == -1 and not _truth(right):  # -1.0 * (x <= c) stays: _neg would give it back
            return _neg(right)
        if b == -1 and not _truth(left):
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


_VISITS = {getattr(ast, name[len("visit_"):]): method for name, method in vars(_Rewrite).items()
           if name.startswith("visit_")}


class _RulesAtNode(_Rewrite):
    """The rules applied at one node, to its children as they are (``_rewritten``)."""

    def visit(self, node):
        return node


_AT_NODE = _RulesAtNode()
