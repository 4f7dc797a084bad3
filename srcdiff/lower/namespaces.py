"""The array namespace a function written against the Array API standard calls.

``xp = array_namespace(x)`` (array-api-compat), ``xp = x.__array_namespace__()`` and, in
generated code read back, ``xp = rt.namespace(x, y)`` bind the local ``xp`` to the
namespace ``frontend.ModuleRef('xp')``; they emit nothing.  Calls ``xp.<name>`` then
resolve through ``frontend.standard`` to the NumPy operations the rules know, and the
function is marked (``Function.namespace``) so that its generated code binds ``xp`` to its
arguments' namespace (``rt.namespace``).  ``NamespaceLowering`` is mixed into
``function._Lowerer`` (which supplies ``env``, ``shared``, ``resolve`` and ``is_value``).
"""
import ast

from .. import frontend
from ..errors import NoGradientRuleError, SrcdiffError

NAMESPACE = frontend.ModuleRef("xp")


def is_namespace(value):
    """Whether a local's value is an array namespace (not an operand)."""
    return isinstance(value, frontend.ModuleRef)


class NamespaceLowering:
    """Namespace bindings; see the module docstring."""

    def namespace_binding(self, stmt):
        """Bind ``name = array_namespace(...)`` (and its spellings) and return True; else False."""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call) and self._is_namespace_call(stmt.value)):
            return False
        self.env[stmt.targets[0].id] = NAMESPACE
        self.shared.namespace = True
        return True

    def uses_namespace_module(self, ref):
        """Note a module-level standard namespace (``import array_api_strict as xp``) being called."""
        if isinstance(ref, frontend.ModuleRef) and ref.canonical in ("xp", "xp.linalg"):
            self.shared.namespace = True
        return ref

    def not_in_standard(self, node):
        """The error for ``xp.<name>`` that is not a function of the standard srcdiff has a rule for."""
        return self.error(NoGradientRuleError, node,
                          f"'{ast.unparse(node)}' is not a function of the Array API standard that srcdiff has a rule for",
                          "use the standard's functions (xp.sum, xp.exp, xp.matmul or @, xp.maximum, xp.where, "
                          "xp.reshape, xp.matrix_transpose, xp.linalg.solve...); NumPy-only functions (einsum, "
                          "pad, median) are for NumPy code (np.*)")

    def _is_namespace_call(self, call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "__array_namespace__":
            return not call.args and not call.keywords and self.is_value(func.value)
        if isinstance(func, ast.Attribute) and self.is_value(func.value):
            return False
        try:
            ref = self.resolve(func)
        except SrcdiffError:
            return False
        return isinstance(ref, frontend.PrimitiveRef) and ref.op == "rt.namespace"
