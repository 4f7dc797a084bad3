"""Lists and tuples of numbers given to NumPy calls, read as the arrays NumPy makes of them.

``np.arctan(xs)`` of a list ``xs`` is ``np.arctan(np.asarray(xs))``: NumPy reads an array_like
argument as an array.  A rule's backward code computes with the operand itself (the
derivative of ``np.arctan`` is ``g / (1 + x * x)``), which for a Python list is Python's own
``*`` and raises.  Code specialized to its arguments knows which parameters are lists or tuples
of numbers (``kinds``): ``sequences_read_as_arrays`` gives each such parameter one array, made
first, ``xs_1 = np.asarray(xs)``, and every NumPy call reads it where it read the parameter.
Only the arguments NumPy reads as data are read so: every operand of a ufunc (``np.arctan``,
``np.power``), the first argument of any other NumPy call (a tuple given as ``np.sum``'s axis or
``np.expand_dims``' axes stays a tuple).  Other reads of the parameter (its items, its length, a
loop over it) are unchanged, and the gradient of the array reaches the parameter through
``np.asarray``, returned in its type.

``settled_checks_dropped`` takes out the checks the kinds settle: ``rt.check_sequence(xs)``
(``lower.positions``) of a list, tuple or array parameter, or of a part or an item of an
array parameter (an array or a number, read by position as iterating it reads it).
"""
import dataclasses

import numpy as np

from ..ir import Assign, ForIter, Loop, Var, with_blocks


def sequences_read_as_arrays(function, kinds):
    """``function`` with its list and tuple parameters (by ``kinds``: name -> ``analysis.Kind``)
    read through one ``np.asarray`` each by its NumPy calls (see the module doc); itself when no
    NumPy call reads one."""
    arrays = {p: Var(p.hint) for p in function.params
              if (kinds or {}).get(p.hint) is not None and kinds[p.hint].sequence}
    if not arrays:
        return function
    used = set()
    body = _rewritten(function.body, arrays, used)
    if not used:
        return function
    made = tuple(Assign(arrays[p], "np.asarray", (p,), (), function.loc) for p in function.params if p in used)
    return dataclasses.replace(function, body=made + tuple(body))


def _rewritten(body, arrays, used):
    """The statements of ``body`` (blocks included) with ``arrays``' parameters read as their arrays
    by NumPy calls; the parameters so read are added to ``used``."""
    out = []
    for stmt in body:
        if type(stmt) is Assign:
            if stmt.op.startswith("np.") and any(a in arrays for a in stmt.args if type(a) is Var):
                data = len(stmt.args) if _is_ufunc(stmt.op) else 1
                args = tuple(arrays.get(a, a) if k < data and type(a) is Var else a for k, a in enumerate(stmt.args))
                if args != stmt.args:  # (a parameter read as an axis or a shape alone: the statement as it is)
                    used.update(a for a, read in zip(stmt.args, args) if read is not a)
                    stmt = dataclasses.replace(stmt, args=args)
        else:
            stmt = with_blocks(stmt, lambda block: _rewritten(block, arrays, used))
        out.append(stmt)
    return tuple(out)


def _is_ufunc(op):
    """Whether ``np.<f>`` is a NumPy ufunc, whose positional arguments are all data."""
    return isinstance(getattr(np, op[3:], None), np.ufunc)


def settled_checks_dropped(function, kinds):
    """``function`` without the ``rt.check_sequence`` statements ``kinds`` (parameter name ->
    ``analysis.Kind``) settle (see the module doc); itself when there are none."""
    given = {p: kinds[p.hint] for p in function.params if (kinds or {}).get(p.hint) is not None}
    settled = {p for p, kind in given.items() if kind.sequence or kind.name == "array"}
    arrays = {p for p, kind in given.items() if kind.name == "array"}
    if not settled:
        return function
    body = _unchecked(function.body, settled, arrays)
    return function if body == function.body else dataclasses.replace(function, body=body)


def _unchecked(body, settled, arrays):
    out = []
    for stmt in body:
        if type(stmt) is Assign:
            if stmt.op == "rt.check_sequence" and stmt.args[0] in settled:
                continue
            if stmt.op in ("[]", "field[]") and stmt.args[0] in arrays:  # a part of an array: an array or a number
                settled.add(stmt.target)
                arrays.add(stmt.target)
        else:
            if isinstance(stmt, Loop) and isinstance(stmt.iter, ForIter) and stmt.iter.kind == "iter" \
                    and stmt.iter.args[0] in arrays:  # for row in X: rows of an array
                settled.update(stmt.iter.targets)
                arrays.update(stmt.iter.targets)
            stmt = with_blocks(stmt, lambda block: _unchecked(block, settled, arrays))
        out.append(stmt)
    return tuple(out)
