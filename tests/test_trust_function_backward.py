"""Issue 11: what a ``srcdiff.Function``'s backward returns is checked, never trusted into a
wrong gradient: a gradient of another shape (a scalar NumPy broadcasts), a count that does
not match forward's arguments, or None for an argument whose gradient is needed is refused at
the ``apply`` line, by grad, value_and_grad, check_grad and explain mode alike, also in loops;
a float64 gradient of a float32 argument comes back float32."""
import numpy as np
import pytest

import srcdiff
from srcdiff.testing import check_grad
from trust_helpers import assert_user_error, fd_grad

WEIGHTS = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5], [2.5, -0.5, 1.0]])


class SumScalarGradient(srcdiff.Function):  # wrong: a scalar for an array argument
    @staticmethod
    def forward(ctx, x):
        return np.sum(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class SinFirstColumn(srcdiff.Function):  # wrong: a (3, 1) gradient NumPy broadcasts over (3, 3)
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (np.cos(x) * grad)[:, :1]


class OneForTwo(srcdiff.Function):  # wrong: one gradient for two arguments
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad


class PowerNoExponentGradient(srcdiff.Function):  # None for the exponent
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x, n)
        return x ** n

    @staticmethod
    def backward(ctx, grad):
        x, n = ctx.saved_tensors
        return n * x ** (n - 1) * grad, None


class SquareInFloat64(srcdiff.Function):  # right, but its gradient is float64 whatever x is
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2.0 * x.astype(np.float64) * grad


def scalar_for_array(x):
    return SumScalarGradient.apply(x) * 2.0


def broadcast_column(x):
    return np.sum(SinFirstColumn.apply(x) * WEIGHTS)


def in_a_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(SinFirstColumn.apply(x * (i + 1.0)) * WEIGHTS)
    return s


def count_mismatch(x, y):
    return OneForTwo.apply(x, y) * 3.0


def power(x, n):
    return PowerNoExponentGradient.apply(x, n) * 2.0


def power_literal(x):
    return PowerNoExponentGradient.apply(x, 3.0) * 2.0


X = np.array([[0.1, 0.7, -0.4], [1.2, -0.3, 0.5], [0.9, 0.2, -1.1]])


@pytest.mark.parametrize("make", [srcdiff.grad, srcdiff.value_and_grad])
@pytest.mark.parametrize("f, args, line", [
    (scalar_for_array, (X,), "SumScalarGradient.apply(x)"),
    (broadcast_column, (X,), "SinFirstColumn.apply(x)"),
    (in_a_loop, (X, 3), "SinFirstColumn.apply(x * (i + 1.0))"),
    (count_mismatch, (0.5, 1.5), "OneForTwo.apply(x, y)"),
    (power, (0.5, 3.0), "PowerNoExponentGradient.apply(x, n)"),
])
def test_a_wrong_backward_is_refused_at_the_apply_line(make, f, args, line):
    wrt = 0 if len(args) > 1 and isinstance(args[1], int) else None
    with pytest.raises(srcdiff.SrcdiffError) as info:
        make(f, wrt=wrt)(*args)
    assert_user_error(info.value, f, line)


def test_the_messages_say_what_backward_returned():
    with pytest.raises(srcdiff.SrcdiffError, match=r"shape \(\) for argument 1 of its forward, of shape \(3, 3\)"):
        srcdiff.grad(scalar_for_array)(X)
    with pytest.raises(srcdiff.SrcdiffError, match=r"shape \(3, 1\) for argument 1 of its forward, of shape \(3, 3\)"):
        srcdiff.grad(broadcast_column)(X)
    with pytest.raises(srcdiff.SrcdiffError, match="returned 1 value for the 2 arguments"):
        srcdiff.grad(count_mismatch)(0.5, 1.5)
    with pytest.raises(srcdiff.SrcdiffError, match="returned None for argument 2 of its forward"):
        srcdiff.grad(power)(0.5, 3.0)


def test_none_is_fine_where_no_gradient_is_needed():
    assert srcdiff.grad(power_literal)(0.5) == pytest.approx(2.0 * 3.0 * 0.25)
    assert srcdiff.grad(power, wrt=0)(0.5, 3.0) == pytest.approx(2.0 * 3.0 * 0.25)


def test_explain_and_check_grad_refuse_too():
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.explain(broadcast_column, X)
    assert_user_error(info.value, broadcast_column, "SinFirstColumn.apply(x)")
    with pytest.raises(srcdiff.SrcdiffError) as info:
        check_grad(scalar_for_array, X)
    assert_user_error(info.value, scalar_for_array, "SumScalarGradient.apply(x)")


def square_sum(x):
    return np.sum(SquareInFloat64.apply(x) * WEIGHTS)


def square_sum_scaled(x, c):
    return np.sum(SquareInFloat64.apply(x * c) * WEIGHTS)


def test_a_float32_argument_gets_a_float32_gradient():
    x32 = X.astype(np.float32)
    g = srcdiff.grad(square_sum)(x32)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * X * WEIGHTS, rtol=1e-6)
    g = srcdiff.grad(square_sum_scaled, wrt=0)(x32, np.float32(1.5))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * 1.5 * 1.5 * X * WEIGHTS, rtol=1e-6)
    check_grad(square_sum, x32)


def test_a_right_backward_still_matches_differences():
    class SinRight(srcdiff.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return np.cos(x) * grad

    def loop(x, n):
        s = 0.0
        for i in range(n):
            s = s + np.sum(SinRight.apply(x * (i + 1.0)) * WEIGHTS)
        return s

    np.testing.assert_allclose(srcdiff.grad(loop, wrt=0)(X, 3), fd_grad(loop, (X, 3), 0), rtol=1e-6, atol=1e-8)


class SquareZeroDimensional(srcdiff.Function):  # right, but its gradient is a 0-d array
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.asarray(2.0 * x * grad)


class SquareOneTuple(srcdiff.Function):  # right, returning a 1-tuple for its one argument
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (2.0 * x * grad,)


def zero_dimensional(x, y):
    return SquareZeroDimensional.apply(x) * y


def one_tuple(x):
    return np.sum(SquareOneTuple.apply(x) * WEIGHTS)


def test_a_number_gets_a_number_from_a_zero_dimensional_array():
    gx, gy = srcdiff.grad(zero_dimensional)(0.5, 3.0)
    assert type(gx) is float and gx == pytest.approx(3.0)
    value, (gx, gy) = srcdiff.value_and_grad(zero_dimensional)(0.5, 3.0)
    assert type(gx) is float
    gx = srcdiff.grad(zero_dimensional, wrt=0)(np.float32(0.5), np.float32(3.0))
    assert type(gx) is np.float32 and gx == pytest.approx(3.0)


def test_a_one_tuple_for_one_argument_is_its_gradient():
    np.testing.assert_allclose(srcdiff.grad(one_tuple)(X), 2 * X * WEIGHTS, rtol=1e-12)
    table = srcdiff.explain(one_tuple, X)
    np.testing.assert_allclose(next(row.gradient for row in table.rows if row.name == "x"), 2 * X * WEIGHTS, rtol=1e-12)
