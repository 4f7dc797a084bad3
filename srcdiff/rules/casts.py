"""Calls whose ``dtype`` argument makes their result integers or booleans.

``np.sum(x, dtype=int)``, ``np.array(x, int)``, ``np.cumsum(x, dtype=np.int32)``: NumPy
casts the values to that dtype, and a result of integers or booleans is piecewise constant
in ``x`` (its derivative is zero wherever it has one), whatever the call: ``ZERO`` in the
reverse rules and no tangent in forward mode.  A dtype computed at run time
(``dtype=y.dtype``) may be either: the call has no rule, and is refused where it needs one.
Lowering writes a dtype given as a type as the constant string of its name (``'int64'``).
"""
import numpy as np

from ..ir import Const

# the calls whose rules would ignore their dtype, and where each takes it by position (a method's
# object is position 0); ``.astype()``, ``np.full_like``, the makers and draws read it in their own rules
DTYPE_POSITIONS = {
    **dict.fromkeys(("np.array", "np.asarray", "np.asanyarray", "np.ascontiguousarray", "np.asfortranarray"), 1),
    **dict.fromkeys(("np.sum", ".sum()", "np.mean", ".mean()", "np.prod", ".prod()", "np.cumsum", ".cumsum()",
                     "np.cumprod", ".cumprod()", "np.var", ".var()", "np.std", ".std()", "np.nansum", "np.nanmean",
                     "np.nanprod", "np.nancumsum", "np.nancumprod", "np.nanvar", "np.nanstd"), 2),
    **dict.fromkeys(("np.trace", ".trace()"), 4),
    "np.linspace": 5,
}
EXACT, INEXACT, COMPUTED = "exact", "inexact", "computed"


def dtype_of_result(stmt):
    """``EXACT`` when the call's dtype argument is an integer or boolean dtype, ``INEXACT``
    for a floating or complex one, ``COMPUTED`` for one computed at run time, None for a call
    without one (or not in ``DTYPE_POSITIONS``)."""
    position = DTYPE_POSITIONS.get(stmt.op)
    if position is None:
        return None
    given = dict(stmt.kwargs).get("dtype", stmt.args[position] if position < len(stmt.args) else None)
    if given is None or (isinstance(given, Const) and given.value is None):
        return None
    if not isinstance(given, Const):
        return COMPUTED
    try:
        kind = np.dtype(given.value).kind
    except TypeError:
        return COMPUTED
    return EXACT if kind in "iub" else INEXACT
