"""Lowering of a call of a generated gradient that keeps a tape (a gradient penalty through loops).

A penalty ``R(w) = |grad_loss(w, x)|^2`` calls ``grad_loss = srcdiff.grad(loss, wrt=...)``.
Where ``loss`` has no loops the gradient's code is inlined and differentiated like the
user's own (``calls.inline``).  Where its code keeps a tape (``frontend.GradientRef``) it is
not differentiated again: the call stays a call,

| source | SSA | printed |
| --- | --- | --- |
| ``g = grad_loss(w, x)`` | ``g = gradient()(grad_loss, vjp_grad_loss, w, x)`` | ``g = grad_loss(w, x)`` |
| ``ga, gb = grad_loss(a, b, x)`` | ``s = gradient()(...)``, ``ga = gradient[](s, 0)``, ``gb = gradient[](s, 1)`` | ``s = grad_loss(a, b, x)``, ``ga = s[0]``... |

and its backward is one call of the vector-Jacobian product the pipeline generates for it
(``GradientRef.vjp``: reverse over forward, ``rules.custom``, ``transforms.custom``).  Every
parameter of the gradient is passed by position: keywords are put in their places and left-out
parameters take their defaults (numbers and None only).  A call of that product itself is
refused: a third derivative through loops.
"""
import inspect

from .. import frontend
from ..errors import NoGradientRuleError, UnsupportedSyntaxError
from ..ir import GRADIENT_CALL, GRADIENT_PART, Const


def lower_call(lowerer, ref, node, hint):
    """The operand (or tuple of operands) of the call ``node`` of ``ref``, a
    ``frontend.GradientRef`` or a ``frontend.GradientVjpRef`` (refused)."""
    if isinstance(ref, frontend.GradientVjpRef):
        raise lowerer.error(NoGradientRuleError, node,
                            f"cannot differentiate {ref.name}, the vector-Jacobian product of {ref.gradient}: a third "
                            "derivative through a loop is not supported (the gradient of a gradient penalty through loops "
                            "is as far as srcdiff goes)",
                            "differentiate a loop-free version of the function, or use finite differences of this gradient")
    operands = _operands(lowerer, ref, node)
    gradient = lowerer.global_operand(frontend.ConstantRef(ref.name, ref.value))
    vjp = ref.vjp()
    product = lowerer.global_operand(frontend.ConstantRef(vjp.__name__, vjp))
    if ref.single:
        return lowerer.emit(GRADIENT_CALL, (gradient, product, *operands), node, hint)
    result = lowerer.emit(GRADIENT_CALL, (gradient, product, *operands), node)
    return tuple(lowerer.emit(GRADIENT_PART, (result, Const(i)), node) for i in range(ref.count))


def _operands(lowerer, ref, node):
    """One operand per parameter of the gradient, in order."""
    params = list(inspect.signature(ref.value).parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params) or len(node.args) > len(params):
        raise lowerer.error(UnsupportedSyntaxError, node, f"this call of {ref.name} is not supported",
                            f"pass each parameter of {ref.name} once")
    given = dict(zip((p.name for p in params), node.args))
    for keyword in node.keywords:
        if keyword.arg not in {p.name for p in params} or keyword.arg in given:
            raise lowerer.error(UnsupportedSyntaxError, keyword.value, f"{ref.name} has no parameter {keyword.arg!r} "
                                "to pass here", f"pass each parameter of {ref.name} once")
        given[keyword.arg] = keyword.value
    operands = []
    for param in params:
        if param.name in given:
            operands.append(lowerer.expr(given[param.name]))
        elif param.default is not param.empty and isinstance(param.default, (int, float, type(None))):
            operands.append(Const(param.default))
        else:
            raise lowerer.error(UnsupportedSyntaxError, node, f"{ref.name} is called without its parameter {param.name!r}",
                                f"pass {param.name} (a default that is not a number is not read)")
    return operands
