"""``reversed(xs)`` read twice.

Found by probing: lowering reads ``reversed(xs)`` as the sequence it walks (``xs[::-1]``),
which stays whole however often it is read, where Python's iterator is spent by its first use.
``r = reversed(xs); sum(r) + 10 * sum(r)`` is ``sum(xs)`` in Python; srcdiff differentiated
``11 * sum(xs)`` (gradient 11 where 1 is right, and the value of ``value_and_grad`` too), and so
for a helper walking its parameter twice, given ``reversed(xs)``.  Now a name (a helper's
parameter too) holding it must be read once, where the read runs once; ``list(reversed(xs))``
is a list, read as often as wanted.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_directional, fd_grad

XS = [0.5, 1.5, -0.7]


def twice(xs):
    r = reversed(xs)
    return sum(r) + 10.0 * sum(r)


def in_a_loop(xs):
    r = reversed(xs)
    total = 0.0
    for k in range(2):
        total = total + sum(r) * (k + 1)
    return total


def in_a_comprehension_body(xs):
    r = reversed(xs)
    return sum(a * b for a in xs for b in r)


def walks_twice(seq):
    total = 0.0
    for a in seq:
        total = total + a
    for a in seq:
        total = total + 10.0 * a
    return total


def helper_walks_twice(xs):
    return walks_twice(reversed(xs)) * 2.0


def backwards(xs):
    return reversed(xs)


def returned_by_a_helper(xs):
    r = backwards(xs)
    return sum(r) + sum(r)


def of_a_display(x, y):
    r = reversed((x, y * y))
    return sum(r) + sum(r)


REFUSED = [(twice, (XS,)), (in_a_loop, (XS,)), (in_a_comprehension_body, (XS,)), (helper_walks_twice, (XS,)),
           (returned_by_a_helper, (XS,)), (of_a_display, (0.5, 1.5))]


@pytest.mark.parametrize("f, args", REFUSED, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("path", ["grad", "value_and_grad", "jvp", "hvp"])
def test_an_iterator_read_twice_is_refused(f, args, path):
    with pytest.raises(srcdiff.SrcdiffError, match="iterator") as caught:
        if path == "grad":
            srcdiff.grad(f, wrt=0)(*args)
        elif path == "value_and_grad":
            srcdiff.value_and_grad(f, wrt=0)(*args)
        elif path == "jvp":
            srcdiff.jvp(f, wrt=0)(*args, 0.3 if not isinstance(args[0], list) else [0.3] * len(args[0]))
        else:
            srcdiff.hvp(f, wrt=0)(*args, 0.3 if not isinstance(args[0], list) else [0.3] * len(args[0]))
    assert_user_error(caught.value, f)


# ---- read once, or made a list: differentiated

def once_in_a_loop(xs):
    r = reversed(xs)
    total = 0.0
    for k, a in enumerate(r):
        total = total + a * a * (k + 1)
    return total


def fresh_each_time(xs):
    total = 0.0
    for k in range(2):
        r = reversed(xs)
        total = total + sum(r) * (k + 1.0)
    return total


def made_a_list(xs):
    r = list(reversed(xs))
    return sum(r) + 10.0 * r[0] * r[1]


def helper_walks_once(xs):
    return sum(a * (k + 1.0) for k, a in enumerate(backwards(xs)))


def display_made_a_list(x, y):
    r = list(reversed((x, y * y)))
    return r[0] * r[1] + sum(r)


ACCEPTED = [(once_in_a_loop, (XS,)), (fresh_each_time, (XS,)), (made_a_list, (XS,)), (helper_walks_once, (XS,)),
            (display_made_a_list, (0.5, 1.5))]


def _as_list_args(f, args):
    if isinstance(args[0], list):
        return (lambda a, *rest: f(list(a), *rest)), (np.array(args[0]), *args[1:])
    return f, args


@pytest.mark.parametrize("f, args", ACCEPTED, ids=lambda c: getattr(c, "__name__", ""))
def test_an_iterator_read_once_is_differentiated(f, args):
    value, gradient = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args))
    plain, numeric = _as_list_args(f, args)
    np.testing.assert_allclose(np.asarray(gradient, float), fd_grad(plain, numeric, 0), rtol=1e-6)
    if not isinstance(args[0], list):
        assert srcdiff.jvp(f, wrt=0)(*args, 0.3) == pytest.approx(fd_directional(f, args, 0, 0.3), rel=1e-6)
        assert srcdiff.hvp(f, wrt=0)(*args, 0.3) == pytest.approx(
            fd_directional(srcdiff.grad(f, wrt=0), args, 0, 0.3), rel=1e-4)
