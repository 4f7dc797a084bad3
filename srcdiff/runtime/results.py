"""The cotangent of a tuple of gradients, gathered part by part (a gradient penalty through loops).

A function calling ``grad_loss = srcdiff.grad(loss, wrt=("a", "b"))`` of a ``loss`` with loops
keeps the call ``s = grad_loss(...)`` and reads its parts ``g_a = s[0]``, ``g_b = s[1]``
(``lower.gradients``).  The reverse sweep adds the adjoints of the parts into the adjoint of
``s``: ``grad_s = rt.result_grad(grad_g_a, 0) + rt.result_grad(grad_g_b, 1)``, a
``ResultGrad`` holding what it was given by position; the vector-Jacobian product of
``grad_loss`` reads each part back with ``rt.result_part(u, 0, a)``, zeros shaped like ``a``
where no part was given.
"""
import numpy as np


class ResultGrad(dict):
    """``{position: adjoint}`` of a tuple result; ``+`` adds position by position, and a zero
    number (the sweep's zero adjoint) added to it leaves it as it is."""

    __array_ufunc__ = None  # NumPy defers ``zeros + ResultGrad`` to ``__radd__``

    def __add__(self, other):
        if _is_zero(other):
            return self
        if not isinstance(other, ResultGrad):
            return NotImplemented
        total = ResultGrad(self)
        for position, part in other.items():
            total[position] = total[position] + part if position in total else part
        return total

    __radd__ = __add__


def _is_zero(value):
    if isinstance(value, (int, float)):
        return value == 0
    return isinstance(value, np.ndarray) and not value.any()


def result_grad(grad, position):
    """The adjoint of a tuple result whose part ``position`` has adjoint ``grad``."""
    return ResultGrad({position: grad})


def result_part(cotangent, position, like):
    """Part ``position`` of a tuple result's adjoint ``cotangent``; zeros like ``like`` where
    the sweep gave it none."""
    if position in cotangent:
        return cotangent[position]
    return 0.0 if isinstance(like, (int, float)) else np.zeros_like(like, dtype=np.result_type(like, 0.0))
