"""A value set on one side of a branch and read by a later branch on the same condition
(found by the Tangent-style corpus: ``grad(grad(f))`` of ``if a >= 0: r = np.sqrt(a) else:
r = np.sqrt(-a)`` crashed with UnboundLocalError).

The gradient's zero adjoint of such a value on the later branch's other side is
``rt.zeros_like(r)``, which read ``r`` on the path that never set it.  The forward part now
writes a placeholder there, as it does for a value an outer merge passes on.
"""
import numpy as np
import pytest

import srcdiff
from tangent_corpus_checks import along, assert_close, fd_gradient
from trust_helpers import assert_user_error

RNG = np.random.default_rng(17)
WEIGHTS = np.array([0.5, -1.25, 2.0])


def checked_twice(x):
    c = np.sum(x) >= 0
    if c:
        r = np.sqrt(x * x)
    if c:
        y = np.sum(r * WEIGHTS)
    else:
        y = np.sum(x ** 2 * WEIGHTS)
    return y


def same_test_written_twice(x):
    if np.sum(x) >= 0:
        r = np.exp(x)
    if np.sum(x) >= 0:
        y = np.sum(r * x)
    else:
        y = np.sum(x * 3.0)
    return y


def set_in_a_nested_branch(x, a):
    c = a > 0
    if c:
        if a > 1:
            r = np.exp(x)
        else:
            r = np.sin(x)
    if c:
        return np.sum(r * x * WEIGHTS)
    return np.sum(x)


def matrix_product_on_one_side(W, x):
    c = np.sum(x) > 0
    if c:
        h = W @ x
    if c:
        out = np.sum(np.tanh(h) * WEIGHTS)
    else:
        out = np.sum(W * W)
    return out


def number_on_one_side(a):
    c = a >= 0
    if c:
        r = np.sqrt(a)
    if c:
        y = r * r * 2.0 + r
    else:
        y = a * 3.0
    return y


def magnitude_root(a):
    if a >= 0:
        r = np.sqrt(a)
    else:
        r = np.sqrt(-a)
    return r


def _vector(sign):
    return sign * (np.abs(RNG.standard_normal(3)) + 0.2)


CASES = [
    (checked_twice, lambda s: (_vector(s),)),
    (same_test_written_twice, lambda s: (_vector(s),)),
    (set_in_a_nested_branch, lambda s: (_vector(1), 1.5 if s > 0 else -0.5)),
    (set_in_a_nested_branch, lambda s: (_vector(-1), 0.5)),
    (matrix_product_on_one_side, lambda s: (RNG.standard_normal((3, 3)), _vector(s))),
    (number_on_one_side, lambda s: (0.7 * s,)),
]


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("k", range(len(CASES)))
def test_first_and_second_derivatives_through_a_value_set_on_one_side(k, sign):
    f, make = CASES[k]
    args = make(sign)
    assert_close(srcdiff.grad(f, wrt=0)(*args), fd_gradient(f, args, 0), rtol=1e-5, atol=1e-7)
    assert_close(srcdiff.value_and_grad(f, wrt=0)(*args)[1], fd_gradient(f, args, 0), rtol=1e-5, atol=1e-7)
    v = np.ones_like(args[0]) * 0.7 if isinstance(args[0], np.ndarray) else 0.7
    second = along(lambda *xs: fd_gradient(f, xs, 0), args, 0, v, eps=1e-4)
    for mode in ("forward", "reverse"):
        assert_close(srcdiff.hvp(f, wrt=0, mode=mode)(*args, v), second, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("a", [0.63, -1.37])
def test_the_second_derivative_of_a_root_of_either_sign(a):
    second = srcdiff.grad(srcdiff.grad(magnitude_root))(a)
    assert second == pytest.approx(-0.25 * abs(a) ** -1.5, rel=1e-12)
    assert srcdiff.hessian(magnitude_root)(a) == pytest.approx(-0.25 * abs(a) ** -1.5, rel=1e-12)


def test_the_placeholder_is_written_only_where_a_zero_reads_it():
    text = srcdiff.grad(checked_twice).source
    assert "r = 0.0" in text and text.count("= 0.0") == 1


# ---------------------------------------------------------------- refusals read back from generated text

def squares_in_a_for(a, n):
    for i in range(n):
        a = a * a + 0.5
    return a


def shrinks_in_a_while(a):
    while a > 0.1:
        a = a * a * 0.9
    return a


@pytest.mark.parametrize("fn,args,header", [(squares_in_a_for, (0.7, 3), "for i in range(n)"),
                                             (shrinks_in_a_while, (0.7,), "while a > 0.1")])
def test_a_second_derivative_through_a_gradients_loop_is_refused_at_the_users_loop(fn, args, header):
    """Reverse over reverse reads the gradient's text back; its refusal of the tape's loop
    named that text (``<srcdiff grad_f>``) instead of the user's file."""
    with pytest.raises(srcdiff.SrcdiffError, match="second derivative through a loop") as info:
        srcdiff.hvp(fn, mode="reverse")(*args, 1.0)
    assert_user_error(info.value, fn, header)
    if len(args) > 1:  # every parameter's gradient: a tuple, read back as it is
        with pytest.raises(srcdiff.SrcdiffError, match="second derivative through a loop") as info:
            srcdiff.grad(srcdiff.grad(fn), wrt=0)(*args)
        assert_user_error(info.value, fn, header)
