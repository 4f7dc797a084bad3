"""Issue 11: ``srcdiff.testing.check_grad`` on float32 arguments catches a gradient 1% off (its
own-precision differences alone let it pass) and still passes right float32 gradients,
also of functions that compute in float32 whatever they are given."""
import numpy as np
import pytest

import srcdiff
from srcdiff.testing import check_grad

WEIGHTS = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5], [2.5, -0.5, 1.0]], dtype=np.float32)
X = np.array([[0.1, 0.7, -0.4], [1.2, -0.3, 0.5], [0.9, 0.2, -1.1]], dtype=np.float32)


class SinOffByOnePercent(srcdiff.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.cos(x) * grad * 1.01


class SinOneEntryLost(srcdiff.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        out = np.cos(x) * grad
        out[1, 1] = 0.0
        return out


def off_by_one_percent(x):
    return np.sum(SinOffByOnePercent.apply(x) * WEIGHTS)


def one_entry_lost(x):
    return np.sum(SinOneEntryLost.apply(x @ x) * WEIGHTS)


@pytest.mark.parametrize("f", [off_by_one_percent, one_entry_lost])
def test_a_wrong_float32_gradient_fails(f):
    with pytest.raises(AssertionError, match="'x': along a random direction"):
        check_grad(f, X)


def tanh_square(x):
    return np.sum(np.tanh(x @ x) * WEIGHTS)


def exp_large(x):
    return np.sum(np.exp(3 * x) * WEIGHTS) * 100.0


def sums_of_squares(x):
    return np.sum((x @ x.T) ** 2 * WEIGHTS)


def in_float32_always(x):
    return np.sum(np.sin(x.astype(np.float32) * np.float32(3.0)) * WEIGHTS)


def scalar(x):
    return np.float32(x) ** 3 + np.sin(np.float32(x))


@pytest.mark.parametrize("f, x", [(tanh_square, X), (exp_large, X), (sums_of_squares, X * 10),
                                  (in_float32_always, X), (scalar, np.float32(0.7))])
def test_right_float32_gradients_pass(f, x):
    check_grad(f, x)


def test_large_float32_matrix_passes():
    x = np.random.default_rng(5).standard_normal((30, 30)).astype(np.float32)
    check_grad(lambda a: np.sum(np.tanh(a @ a)), x)


def in_a_dict(p):
    return np.sum(SinOffByOnePercent.apply(p["W"]) * WEIGHTS) + np.sum(np.tanh(p["b"]))


def right_in_a_dict(p):
    return np.sum(np.sin(p["W"] @ p["W"]) * WEIGHTS) + np.sum(np.tanh(p["b"]) * p["s"])


def test_float32_parts_of_a_container_are_held_to_float64_differences_too():
    params = {"W": X, "b": np.array([0.3, -0.2], dtype=np.float32), "s": 1.5}
    with pytest.raises(AssertionError, match="'p': along a random direction"):
        check_grad(in_a_dict, params)
    check_grad(right_in_a_dict, params)
