"""Lowering of calls to a ``srcdiff.Function``: ``Cls.apply(args)``.

Becomes ``ctx = rt.Context(*args)`` (it keeps their shapes) and ``y = Cls.forward(ctx, *args)`` (the op
``Cls.forward``, whose rule is the class's own backward: ``rules.custom``).  Generated
code's ``Cls.forward(ctx, ...)`` is read back the same way; calling ``backward`` from a
function being differentiated is refused (higher derivatives cannot go through it).
"""
import ast

from .. import frontend
from ..errors import NoGradientRuleError, UnsupportedSyntaxError


def lower_call(lowerer, node, hint):
    """Lower ``Cls.apply(args)`` (or ``Cls.forward(ctx, args)`` in generated code), or
    return None when ``node`` does not call a srcdiff.Function."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)) or func.value.id in lowerer.env:
        return None
    ref = lowerer.source.scope.resolve(func.value.id)
    if not isinstance(ref, frontend.CustomFunctionRef):
        return None
    generated = func.attr == "forward" and node.args and isinstance(node.args[0], ast.Name) \
        and lowerer.source.filename.startswith("<srcdiff")
    if func.attr == "backward" and lowerer.source.filename.startswith("<srcdiff"):
        raise lowerer.error(NoGradientRuleError, node,
                            f"cannot differentiate {ref.name}.backward: higher derivatives cannot go through a srcdiff.Function",
                            f"write {ref.name} as a plain function of differentiable operations to get higher derivatives")
    if func.attr != "apply" and not generated:
        raise lowerer.error(UnsupportedSyntaxError, node, f"calling {ref.name}.{func.attr} directly is not supported",
                            f"call {ref.name}.apply(...): srcdiff calls forward and backward itself")
    if node.keywords:
        raise lowerer.error(UnsupportedSyntaxError, node, f"keyword arguments to {ref.name}.{func.attr} are not supported",
                            "pass the arguments by position")
    if ref.cls is not None:
        lowerer.shared.globals[ref.name] = ref.cls
    lowerer.shared.reserved.add(ref.name)
    if generated:
        ctx, *args = [lowerer.expr(a) for a in node.args]
    else:
        args = [lowerer.expr(a) for a in node.args]
        ctx = lowerer.emit("rt.Context", tuple(args), node, hint="ctx")
    return lowerer.emit(f"{ref.name}.forward", (ctx, *args), node, hint)
