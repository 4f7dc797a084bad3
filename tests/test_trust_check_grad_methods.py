"""Issue 11: ``check_grad`` of a bound method counted ``wrt`` positions from the object
(``wrt=0`` checked ``self``, not the method's first parameter as ``grad`` counts), so a wrong
gradient of that parameter passed unseen; and a ``wrt`` name the method lacks ended in a raw
ValueError.  Positions now count the method's own parameters and a missing name is grad's
SrcdiffError."""
import numpy as np
import pytest

import srcdiff
from srcdiff.testing import check_grad


class SquareOffByHalf(srcdiff.Function):  # wrong: 1.5 times the derivative
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return 2 * z * grad * 1.5


class Model:
    def __init__(me, a, W):
        me.a = a
        me.W = W

    def f(me, x, y):
        return me.a * SquareOffByHalf.apply(x) + np.sum(me.W * y)


MODEL = Model(1.3, np.array([[0.5, -0.3], [0.2, 0.9]]))
Y = np.array([[1.0, -2.0], [0.5, 3.0]])


@pytest.mark.parametrize("wrt", [0, "x", (0,), [0, 1], -2, None])
def test_a_wrong_gradient_of_the_first_parameter_is_caught(wrt):
    with pytest.raises(AssertionError, match="'x': along a random direction"):
        check_grad(MODEL.f, 0.7, Y, wrt=wrt)


@pytest.mark.parametrize("wrt", [1, "y", -1, "me", (1, "me")])
def test_the_right_parameters_pass(wrt):
    check_grad(MODEL.f, 0.7, Y, wrt=wrt)


def test_a_name_the_method_lacks_is_refused_by_grad():
    with pytest.raises(srcdiff.SrcdiffError, match="f has no parameter named 'self'"):
        check_grad(MODEL.f, 0.7, Y, wrt="self")


def test_plain_functions_count_from_their_first_parameter():
    def g(x, y):
        return SquareOffByHalf.apply(x) + np.sum(y * y)
    with pytest.raises(AssertionError, match="'x'"):
        check_grad(g, 0.7, Y, wrt=0)
    check_grad(g, 0.7, Y, wrt=1)
