"""A tuple or list display bound in each round of a loop, or on one path of a branch, and read
only there: ``for x in xs: pair = [x * w, x * x]; s += pair[0] * pair[1]``.

Refused before ("'pair' becomes a tuple in the loop", "'p' is a tuple on one path and not on
the other"), although nothing needs the display carried round or merged: it needs no carry
(``lower.loop_locals``), and a read after the loop or the branch is refused at that read.
Found by the fuzzer's ``containers`` family.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_grad


def pair_per_round(xs, w):
    s = 0.0
    for x in xs:
        pair = [x * w, x * x]
        s += pair[0] * pair[1]
    return s


def tuple_in_nested_loops(xs, w):
    s = 0.0
    for i in range(2):
        for x in xs:
            pair = (x * w, i * x)
            s += pair[0] - pair[1] * w
    return s


def in_a_while_loop(xs, w):
    s, k = 0.0, 0
    while k < len(xs):
        triple = [xs[k], w, xs[k] * w]
        s += triple[0] * triple[2] + triple[1]
        k += 1
    return s


def dict_per_round(xs, w):
    s = 0.0
    for x in xs:
        d = {"a": x * w}
        s += d["a"] ** 2
    return s


def on_one_path(x, w):
    if x > 0:
        p = (x * w, x)
        s = p[0] * p[1]
    else:
        s = w * w
    return s


@pytest.mark.parametrize("f", [pair_per_round, tuple_in_nested_loops, in_a_while_loop, dict_per_round],
                         ids=lambda f: f.__name__)
def test_a_display_bound_in_each_round(f):
    xs, w = [1.0, -2.0, 0.5], 0.7
    grad_xs, grad_w = srcdiff.grad(f, wrt=(0, 1))(xs, w)
    np.testing.assert_allclose(grad_xs, fd_grad(f, (np.array(xs), w), 0), rtol=1e-6)
    assert grad_w == pytest.approx(fd_grad(f, (xs, w), 1), rel=1e-6)
    assert srcdiff.value_and_grad(f)(xs, w)[0] == pytest.approx(f(xs, w))
    assert srcdiff.jvp(f, wrt=1)(xs, w, 1.0) == pytest.approx(grad_w, rel=1e-12)
    second = (srcdiff.grad(f, wrt=1)(xs, w + 1e-5) - srcdiff.grad(f, wrt=1)(xs, w - 1e-5)) / 2e-5
    assert srcdiff.hessian(f, wrt=1)(xs, w) == pytest.approx(second, rel=1e-5, abs=1e-8)
    assert srcdiff.explain(f, xs, w).value == pytest.approx(f(xs, w))


@pytest.mark.parametrize("x", [0.7, -0.7])
def test_a_display_on_one_path(x):
    for position in (0, 1):
        assert srcdiff.grad(on_one_path, wrt=position)(x, 0.5) == pytest.approx(fd_grad(on_one_path, (x, 0.5), position),
                                                                                rel=1e-6)


def read_after_the_loop(xs, w):
    s = 0.0
    for x in xs:
        pair = [x * w, x * x]
        s += pair[0]
    return s + pair[1]


def read_after_the_branch(x, w):
    if x > 0:
        p = (x * w, x)
    else:
        p = w
    return p[0] if x > 0 else p


def carried_round(xs, w):
    s = 0.0
    pair = [0.0, 0.0]
    for x in xs:
        s += pair[0]
        pair = [x * w, x]
    return s


@pytest.mark.parametrize("f, line, message", [
    (read_after_the_loop, "return s + pair[1]", "bound in each round of the loop on line"),
    (read_after_the_branch, "return p[0] if x > 0 else p", "is a tuple on one path through the branch on line"),
    (carried_round, "for x in xs", "is changed in a loop"),
], ids=lambda v: getattr(v, "__name__", None))
def test_a_display_read_where_it_was_not_bound_is_refused(f, line, message):
    args = ([1.0, 2.0], 0.5) if f is not read_after_the_branch else (0.7, 0.5)
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(f, wrt=1)(*args)
    assert_user_error(err.value, f, line)
