"""Masks in the adjoints of code written against the Array API: ``g * (x >= 0.0)`` as ``xp.where``.

The rules of ``max``, ``min`` and ``clip`` multiply a gradient by a comparison (NumPy
reads ``True`` as 1); the standard defines no arithmetic between booleans and numbers
(array-api-strict refuses it), so in a function bound to ``xp`` (``naming.namespace_line``)
each product with a comparison ``e * (a < b)`` becomes ``xp.where(a < b, e, 0.0)``.
NumPy code is printed as before.
"""
import ast

from .naming import NAMESPACE_ALIAS, alias_modules


def is_namespace_alias(aliases):
    """Whether ``aliases`` are a function's bound to ``xp`` (its NumPy alias is ``xp``, ``xp_1``...)."""
    return aliases.get("np", "np").startswith(NAMESPACE_ALIAS)


class _Masks(ast.NodeTransformer):
    def __init__(self, namespace):
        self.namespace = namespace

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Mult):
            return node
        for mask, other in ((node.right, node.left), (node.left, node.right)):
            if isinstance(mask, ast.Compare):
                func = ast.Attribute(value=ast.Name(id=self.namespace, ctx=ast.Load()), attr="where", ctx=ast.Load())
                return ast.Call(func=func, args=[mask, other, ast.Constant(0.0)], keywords=[])
        return node


def masks_as_where(expr, aliases):
    """``expr`` with each product by a comparison written ``xp.where(comparison, e, 0.0)`` where
    ``aliases`` bind ``xp`` (``is_namespace_alias``); else ``expr`` unchanged."""
    if not is_namespace_alias(aliases):
        return expr
    return ast.fix_missing_locations(_Masks(aliases["np"]).visit(expr))


def aliased_expr(expr, aliases):
    """``expr`` (owned by the caller) with its modules aliased (``naming.alias_modules``) and, in
    a function bound to ``xp``, its masks as ``xp.where``."""
    if all(alias == module for module, alias in aliases.items()):
        return expr
    return alias_modules(masks_as_where(expr, aliases), aliases)
