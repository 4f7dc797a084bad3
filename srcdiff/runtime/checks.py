"""The checks generated code makes on values (their own value is None and never read):
``check_scalar`` refuses a result that is not one real number, ``check_direction`` an array
parameter that ``grad(grad(f, wrt=i))`` of a function with loops would differentiate along,
``check_number_update`` an ``x += v`` that NumPy would make in place where another name reads ``x``,
``check_sequence`` a value from the arguments that the code reads by position where Python iterates it,
``check_mapping`` one whose views (``d.values()``) a loop walks as a dict's.
"""
import collections.abc as abc

import numpy as np

from .arguments import ArrayGradientError, argument_named, refuse_if_not_real
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


def check_sequence(value):
    """Refuse a value the generated code reads by position (``xs[0]``, ``xs[1]``...) where the
    user's code iterates it (a comprehension, ``sum``, ``max``, ``list``, unpacking), unless
    its items by position are what iterating gives: a dict iterates its keys, a set its
    members in no order, an iterator or a view has no positions."""
    cls = value.__class__
    if cls is tuple or cls is np.ndarray:  # (a list passes before the call: ``emit.printer``)
        return
    if isinstance(value, (abc.Mapping, abc.Set)) or not (hasattr(cls, "__getitem__") and hasattr(cls, "__len__")):
        raise _iterated_without_positions(value)


def _iterated_without_positions(value):
    subject = argument_named(value)  # (outside the f-strings: an exported copy renames names, not text)
    if isinstance(value, (abc.Mapping, abc.Set)):
        what = "a dict" if isinstance(value, dict) else f"a {type(value).__name__}"
        order = "its keys" if isinstance(value, abc.Mapping) else "its members, in an order of its own"
        return ArrayGradientError(f"{subject} is {what}, which this line iterates: Python goes through "
                                  f"{order}, where srcdiff reads a sequence by position",
                                  hint="pass a list, a tuple or an array; to loop over a dict's keys write "
                                       "'for k in d:' as a for statement")
    return ArrayGradientError(f"{subject} is a {type(value).__name__}, which this line iterates: srcdiff reads a "
                              "sequence by position, and this value has none (a number, an iterator, a generator, "
                              "a dict view)", hint="pass a list, a tuple or an array (list(...) of it, outside the function)")


def check_mapping(value):
    """Refuse a value whose ``.values()``, ``.keys()`` or ``.items()`` the code loops over when it is
    not a mapping: the loop walks its keys and reads each value at its key, as a dict's views do."""
    if not isinstance(value, abc.Mapping):
        subject = argument_named(value)  # (outside the f-string: an exported copy renames names, not text)
        raise ArrayGradientError(f"{subject} is a {type(value).__name__}, not a dict: srcdiff loops over the views "
                                 "of a dict (d.values(), d.items()) as over its keys, reading each value at its key",
                                 hint="pass a dict, or loop over the values as a list")
