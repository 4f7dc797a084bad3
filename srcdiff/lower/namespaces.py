"""The array namespace a function written against the Array API standard calls.

``xp = array_namespace(x)`` (array-api-compat) and ``xp = x.__array_namespace__()`` bind
the local ``xp`` to the standard's namespace ``frontend.ModuleRef('xp')``: calls
``xp.<name>`` resolve through ``frontend.standard`` to the NumPy operations the rules know.
In generated code read back (second derivatives), ``xp = rt.namespace(x, y)`` binds ``xp``
to NumPy's names (``ModuleRef('np')``), which is what ``rt.namespace`` gives at run time.
Neither emits a statement; either marks the function (``Function.namespace``) so that its generated code binds ``xp`` to its
arguments' namespace (``rt.namespace``).  ``NamespaceLowering`` is mixed into
``function._Lowerer`` (which supplies ``env``, ``shared``, ``resolve`` and ``is_value``).
"""
import ast

from .. import frontend
from ..errors import NoGradientRuleError, SrcdiffError

# the op a call resolves to -> what the name it is assigned to stands for
NAMESPACES = {"array_api_compat.array_namespace": frontend.ModuleRef("xp"), "rt.namespace": frontend.ModuleRef("np")}


def is_namespace(value):
    """Whether a local's value is an array namespace (not an operand)."""
    return isinstance(value, frontend.ModuleRef)


class NamespaceLowering:
    """Namespace bindings; see the module docstring."""

    def namespace_binding(self, stmt):
        """Bind ``name = array_namespace(...)`` (and its spellings) and return True; else False."""
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):  # every statement asks: a call's value first
            return False
        namespace = self._namespace_called(stmt.value)
        if namespace is None:
            return False
        self.env[stmt.targets[0].id] = namespace
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

    def _namespace_called(self, call):
        """What ``call`` returns when it gives an array namespace (see ``NAMESPACES``), else None."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "__array_namespace__":
            standard = not call.args and not call.keywords and self.is_value(func.value)
            return NAMESPACES["array_api_compat.array_namespace"] if standard else None
        if isinstance(func, ast.Attribute) and self.is_value(func.value):
            return None
        try:
            ref = self.resolve(func)
        except SrcdiffError:
            return None
        return NAMESPACES.get(ref.op) if isinstance(ref, frontend.PrimitiveRef) else None
