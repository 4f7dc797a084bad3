"""The runtime: what generated code calls, bound to the name ``rt`` in its globals.

Contract: every public name here is a plain function (or ``Context``) that works on
Python numbers, NumPy scalars and NumPy arrays, keeps its input's type (a float stays a
float) and has a gradient rule of its own in ``srcdiff.rules``, so that generated code
can be differentiated again.  Imports only ``errors``: it is the bottom layer, small
enough to be copied next to generated code.

| module | helpers |
| --- | --- |
| ``scalars`` | ``sign``, ``log``, ``xlogy``, ``div_or_zero``, ``scaled_pow``, ``zeros_like``, ``items_zeros``, ``item_grad``, ``items_like``, ``vdot``, ``unpacked`` |
| ``special`` | ``digamma``, ``polygamma`` |
| ``sequences`` | ``appended`` (lists built by comprehensions), ``argmax_item``, ``argmin_item`` |
| ``arrays`` | the array gradients: ``unbroadcast``, ``like``, ``check_scalar``, the reductions' ``*_grad``, indexing, joins |
| ``arrays`` | forward mode's ``broadcast_like`` (a tangent broadcast to its result's shape); ``check_direction`` (grad(grad) through loops) |
| ``products`` | the gradients of ``@``, ``np.dot`` and ``np.inner`` for every operand rank |
| ``arguments`` | ``ArrayGradientError``; ``not_real`` (used off the fast paths, and by explain mode; no rule) |
| ``custom`` | ``Context`` and the ``srcdiff.Function`` base class |
"""
import numpy as np

from .arguments import ArrayGradientError, not_real
from .arrays import (
    check_scalar, concatenate_grad, cumsum_grad, hstack_grad, index_grad, like, max_grad, mean_grad, min_grad,
    norm_grad, prod_grad, setitem, std_grad, sum_grad, unbroadcast, var_grad, vstack_grad, written_grad)
from .arrays import broadcast_like, check_direction
from .custom import Context, Function
from .products import (dot_grad_left, dot_grad_right, inner_grad_left, inner_grad_right, matmul_grad_left,
                       matmul_grad_right)
from .scalars import (div_or_zero, item_grad, items_like, items_zeros, log, scaled_pow, sign, unpacked, vdot, xlogy,
                      zeros_like)
from .sequences import appended, argmax_item, argmin_item
from .special import digamma, polygamma

s_ = np.s_  # the index maker of item writes when generated code calls the runtime by another name

__all__ = [
    "ArrayGradientError", "check_scalar", "concatenate_grad", "cumsum_grad", "dot_grad_left", "dot_grad_right",
    "hstack_grad", "index_grad", "inner_grad_left", "inner_grad_right", "like", "matmul_grad_left",
    "matmul_grad_right", "max_grad", "mean_grad", "min_grad", "norm_grad", "prod_grad", "setitem", "std_grad",
    "sum_grad", "unbroadcast", "var_grad", "vstack_grad", "written_grad", "Context", "Function", "div_or_zero",
    "item_grad", "items_like", "items_zeros", "log", "scaled_pow", "sign", "unpacked", "vdot", "xlogy", "zeros_like",
    "digamma", "polygamma", "s_", "not_real", "broadcast_like", "check_direction",
    "appended", "argmax_item", "argmin_item",
]
