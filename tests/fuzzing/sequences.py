"""The check of lists where a program takes 1-D arrays: ``lists``.

A 1-D float array parameter given as a Python list: where the program computes the same
value from the list (NumPy reads an array_like argument as an array), ``srcdiff.grad``
must too, and give that parameter's gradient as a list of floats equal to the gradient it
gives for the array.  ``n/a`` where the program has no 1-D array parameter, or reads a
list otherwise than NumPy reads an array (its value differs, or it raises: ``x + y`` of two
lists joins them, ``x.shape`` has no list).  A refusal is allowed (``refused``); a crash,
a gradient of another type, or other numbers, is not.
"""
import numpy as np

import srcdiff

from .common import Failure, attempted, describe
from .variants import SAME_RTOL


def check_lists(checker):
    listed = [i for i, p in enumerate(checker.prog.params) if p.kind == "array" and len(p.shape) == 1]
    if not listed:
        return "n/a"
    g, failure = attempted("lists", "building the gradient", lambda: srcdiff.grad(checker.f, wrt=checker.wrt))
    if failure:
        return failure
    for point in range(checker.points):
        args = checker.inputs(point)
        as_lists = [a.tolist() if i in listed else a for i, a in enumerate(args)]
        if not _same_value(checker, args, as_lists):
            return "n/a"
        want, failure = attempted("lists", "calling the gradient with arrays", lambda: checker.call(g, args))
        if failure:
            return "n/a"  # the grad check's own finding
        got, failure = attempted("lists", "calling the gradient with lists", lambda: checker.call(g, as_lists))
        if failure:
            return failure
        problem = _problem(checker, got, want, as_lists)
        if problem:
            return problem
    return "pass"


def _same_value(checker, args, as_lists):
    """Whether the program computes the same number from the lists as from the arrays."""
    try:
        value, expected = float(checker.f(*as_lists)), checker.value(args)
    except Exception:
        return False
    return np.isfinite(expected) and abs(value - expected) <= SAME_RTOL * max(1.0, abs(expected))


def _problem(checker, got, want, as_lists):
    """A Failure where the gradients for the lists are not lists (for the listed parameters)
    or not the gradients for the arrays; else None."""
    if not isinstance(got, tuple) or len(got) != len(checker.wrt):
        return Failure("lists", "wrong", "lists:wrong:structure", f"expected {len(checker.wrt)} gradients, got {describe(got)}")
    for k, i in enumerate(checker.wrt):
        name = checker.names[i]
        if isinstance(as_lists[i], list) and not (type(got[k]) is list and all(type(v) is float for v in got[k])):
            return Failure("lists", "wrong", "lists:wrong:type",
                           f"the gradient of '{name}', given a list, is a {describe(got[k])}, not a list of floats")
        mine, theirs = np.asarray(got[k], np.float64), np.asarray(want[k], np.float64)
        if mine.shape != theirs.shape or not np.allclose(mine, theirs, rtol=SAME_RTOL, atol=1e-12):
            return Failure("lists", "wrong", "lists:wrong:value",
                           f"the gradient of '{name}' given lists {describe(got[k])} is not the one given arrays "
                           f"{describe(want[k])}")
    return None
