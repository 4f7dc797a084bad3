"""The checks generated code makes on values (their own value is None and never read):
``check_scalar`` refuses a result that is not one real number, ``check_direction`` an array
parameter that ``grad(grad(f, wrt=i))`` of a function with loops would differentiate along,
``check_number_update`` an ``x += v`` that NumPy would make in place where another name reads ``x``.
"""
import numpy as np

from .arguments import ArrayGradientError, refuse_if_not_real
from .lazy import in_lazy_sweep, is_lazy
from .trees import is_container


def check_scalar(value):
    """Refuse a result that is not one real number: ``grad`` differentiates a scalar result."""
    if value.__class__ is float:  # the common case, checked first: it costs a few ns
        return
    if is_container(value):  # a dict, a list, an object (the gradient of a method with respect to self)...
        raise ArrayGradientError(f"the function returned a {type(value).__name__}, not one number; "
                                 "srcdiff.grad differentiates a function returning one number",
                                 hint="return a number; for second derivatives with respect to a container of "
                                      "parameters use srcdiff.hvp(f, wrt=...) with a direction of its structure")
    refuse_if_not_real(value, "result")
    if is_lazy(value) and not in_lazy_sweep():
        raise ArrayGradientError("the function returned a Dask array, but it is written without NumPy (plain "
                                 "arithmetic and math), which computes Dask arrays one number at a time",
                                 hint="write it with NumPy (np.exp, np.sum, ...): srcdiff then keeps its gradient "
                                      "one lazy task graph, computed once")
    if is_lazy(value) and value.dtype.kind not in "biuf":
        raise ArrayGradientError(f"the function returned a Dask array of dtype {value.dtype}, not a real number",
                                 hint="srcdiff differentiates functions of real numbers and arrays returning one number")
    if np.ndim(value) != 0:
        raise ArrayGradientError(f"the function returned an array of shape {np.shape(value)}; "
                           "srcdiff.grad differentiates a function returning one number",
                           hint="return a number (np.sum(...), a mean, a loss), or use srcdiff.jacobian for arrays")


def check_direction(value):
    """Refuse an array parameter that ``grad(grad(f, wrt=i))`` of a function with loops
    differentiates along: it is built from the derivative of ``f`` along ``x_i``, which is
    ``f``'s gradient only when ``x_i`` is one number."""
    if np.ndim(value) != 0:
        raise ArrayGradientError(f"grad(grad(f, wrt=i)) needs the gradient of f with respect to parameter i to be "
                                 f"one number, but that parameter is an array of shape {np.shape(value)}",
                                 hint="use srcdiff.hessian or srcdiff.hvp for second derivatives of an array parameter")


def check_number_update(value):
    """Refuse ``x += v`` (or ``-=``, ``*=``, ...) where ``x`` is an array (or another mutable
    value) that another name or a list reads again: NumPy updates it in place, where the
    gradient, built from ``x = x + v``, makes a new value.  A number is rebound, as the
    gradient has it (the running total ``t += x; out.append(t)`` of a list of numbers)."""
    if value.__class__ in (float, int) or isinstance(value, np.generic):
        return
    raise ArrayGradientError(f"this in-place update changes a {type(value).__name__} that is read again through another "
                             "name or a list: NumPy writes it in place, which the gradient does not model",
                             hint="write 'x = x + v' for a new value (or copy it before: 'x = x.copy()')")
