"""Gradient rules of the NumPy functions that make arrays from numbers: ``np.full``,
``np.full_like``, ``np.arange``, ``np.linspace``, and of ``np.heaviside``.

Each builder takes an ``ir.Assign`` and the placeholder names of its positional
arguments and returns one template per argument, ``ZERO`` or None (see ``rules.scalar``).
``ELEMENTWISE_MAKERS`` are wrapped by ``arrays.ArrayRules`` like element-wise rules
(each contribution summed down to its argument's shape) and read by forward mode as
tangent templates too, so their templates give a value of the result's shape
(``g * np.ones_like(y)``, not ``g``).  What only sets a length or a shape (``stop`` of
``np.arange``, ``num``, the shape of ``np.full``) gets no gradient: the values are
piecewise constant in it.  ``np.full_like`` of an integer array truncates the fill value,
which is piecewise constant too: ``rt.if_inexact(g, y)`` is zero there.
"""
from ..ir import Const
from .scalar import ZERO


def _fill(stmt, names):
    """``np.full(shape, v)``, ``np.full_like(a, v)``: ``v`` is every entry."""
    return (None, "rt.if_inexact(g, y)") if len(names) == 2 else None


def _arange(stmt, names):
    """``np.arange(start, stop, step)[k] = start + k * step``: ``stop`` only sets the length,
    as does the one argument of ``np.arange(n)``."""
    if len(names) == 1:
        return ZERO
    return ("g * np.ones_like(y)", None, "g * np.arange(np.size(y))")[:len(names)] if len(names) <= 3 else None


def _heaviside(stmt, names):
    """``np.heaviside(x1, x2)`` is ``x2`` where ``x1 == 0`` (0 or 1 elsewhere)."""
    return (None, "g * (x0 == 0)") if len(names) == 2 else None


def linspace_rule(stmt, names):
    """``y = np.linspace(a, b, num)`` is ``a * (1 - t) + b * t`` with ``t = np.linspace(0, 1, num)``
    along a new first axis (``a``, ``b`` may be arrays): each end gets ``g`` times its weight,
    summed over that axis and down to the end's shape."""
    endpoint = dict(stmt.kwargs).get("endpoint", Const(True))
    if len(names) not in (2, 3) or not isinstance(endpoint, Const):
        return None
    flag = "" if endpoint.value else ", endpoint=False"
    num = names[2] if len(names) == 3 else "50"
    one, zero = "np.ones_like(x0 + x1)", "np.zeros_like(x0 + x1)"
    weights = (f"np.linspace({one}, {zero}, {num}{flag})", f"np.linspace({zero}, {one}, {num}{flag})")
    ends = tuple(f"rt.unbroadcast(np.sum(g * {w}, axis=0), {name})" for w, name in zip(weights, names))
    return ends + (None,) * (len(names) - 2)


ELEMENTWISE_MAKERS = {"np.full": _fill, "np.full_like": _fill, "np.arange": _arange, "np.heaviside": _heaviside}
