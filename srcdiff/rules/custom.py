"""The rule of a ``srcdiff.Function``'s forward call: its gradients come from its backward.

A statement ``y = Cls.forward(ctx, a, b)`` (see ``lower.custom``) has a ``CustomRule``:
every argument may receive a gradient, through one call of ``Cls.backward(ctx, g)``
(``transforms.custom``), never through templates.  ``backward_templates`` spells that
call per argument for explain mode.

A call of a generated gradient that keeps a tape, ``y = grad_f(a, b)`` (``ir.GRADIENT_CALL``,
see ``lower.gradients``), is one too: its backward is one call of its vector-Jacobian product
``vjp_grad_f(a, b, g)``.
"""
from ..ir import GRADIENT_CALL


class CustomRule(tuple):
    """The rule of a Function's forward: every argument may receive a gradient, through
    the backward call (never through templates)."""


def is_custom_op(op):
    """Whether an IR operation is a Function's forward call (``Multiply.forward``) or a call of a
    generated gradient that keeps a tape (``ir.GRADIENT_CALL``)."""
    return op.endswith(".forward") or op == GRADIENT_CALL


def custom_rule(nargs):
    return CustomRule(("backward",) * nargs)


def backward_templates(stmt):
    """Per-argument templates calling the Function's backward (``x0`` is ctx), for explain mode:
    ``rt.function_gradient(x0, Multiply.backward(x0, g), 1)`` is the gradient of the second
    argument after ctx, checked as the generated code checks it (its count and shape)."""
    if stmt.op == GRADIENT_CALL:  # vjp_grad_f(a, b, g)[i]: x0 and x1 name the gradient and its product
        count = len(stmt.args) - 2
        operands = ", ".join(f"x{i + 2}" for i in range(count))
        return (None, None) + tuple(f"x1({operands}, g)[{i}]" for i in range(count))
    cls_name = stmt.op[: -len(".forward")]
    count = len(stmt.args) - 1
    call = f"{cls_name}.backward(x0, g)"
    return (None,) + tuple(f"rt.function_gradient(x0, {call}, {i})" for i in range(count))
