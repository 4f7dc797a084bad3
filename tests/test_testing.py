"""srcdiff.testing.check_grad passes on right gradients and fails, readably, on wrong ones."""
import math

import numpy as np
import pytest

import srcdiff
from conftest import load_sample
from srcdiff import rules
from srcdiff.testing import check_grad


def test_sample_usage_passes():
    smooth_hinge = load_sample("check_grad_usage").smooth_hinge
    check_grad(smooth_hinge, 0.3, 1.5)
    check_grad(smooth_hinge, -2.0, 0.5, wrt="w")
    check_grad(smooth_hinge, -2.0, 0.5, wrt=(1,))


def test_fails_on_a_deliberately_wrong_rule(monkeypatch):
    def wave(a, b):
        return math.sin(a) * b + b * b

    check_grad(wave, 0.4, 1.3)  # right with the real rule
    monkeypatch.setitem(rules.RULES, "math.sin", ("g * -math.cos(x)",))  # wrong sign

    def wave2(a, b):  # a fresh function: gradients are cached per function
        return math.sin(a) * b + b * b

    with pytest.raises(AssertionError) as info:
        check_grad(wave2, 0.4, 1.3)
    message = str(info.value)
    assert message.startswith("check_grad(wave2): srcdiff's gradient disagrees with finite differences")
    assert "gradient with respect to 'a': along a random direction srcdiff gives" in message
    assert "'b'" not in message  # b's gradient needs no derivative of sin
    check_grad(wave2, 0.4, 1.3, wrt="b")


class WrongBackward(srcdiff.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return x * grad, y * grad  # swapped: the classic mistake


def test_fails_on_a_wrong_backward_naming_each_argument():
    def f(x, y):
        return WrongBackward.apply(x, y)

    with pytest.raises(AssertionError) as info:
        check_grad(f, 2.0, 3.0)
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("  gradient with respect to 'x':") and lines[2].startswith("  gradient with respect to 'y':")
    check_grad(f, 2.0, 2.0)  # where x == y the swap does no harm


class WrongShape(srcdiff.Function):
    @staticmethod
    def forward(ctx, w):
        return float(np.sum(w))

    @staticmethod
    def backward(ctx, grad):
        return grad  # should be an array shaped like w


def test_fails_on_a_gradient_of_the_wrong_shape():
    def f(w):
        return WrongShape.apply(w)

    # grad itself refuses the backward's scalar for an array, at the apply line, before check_grad compares
    with pytest.raises(srcdiff.SrcdiffError, match=r"returned a gradient of shape \(\) for argument 1 of its forward, "
                                                   r"of shape \(3,\)"):
        check_grad(f, np.ones(3))


def layer(W, x):
    return np.sum(np.tanh(W @ x) ** 2)


def test_arrays_and_float32_pass_and_a_wrong_array_rule_fails(monkeypatch):
    rng = np.random.default_rng(3)
    W, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    check_grad(layer, W, x)
    check_grad(layer, W.astype(np.float32), x.astype(np.float32), wrt="W")
    monkeypatch.setitem(rules.RULES, "np.tanh", ("g * (1 + y ** 2)",))  # wrong sign

    def layer2(W, x):
        return np.sum(np.tanh(W @ x) ** 2)

    with pytest.raises(AssertionError, match=r"'W': along a random direction"):
        check_grad(layer2, W, x, wrt="W")


def power_loop(x, c, n):
    p = c
    for _ in range(n):
        p = p * x
    return p


def test_integer_arguments_are_left_out_when_wrt_is_none(monkeypatch):
    check_grad(power_loop, 0.7, 1.5, 3)
    monkeypatch.setitem(rules.RULES, "math.sin", ("g * -math.cos(x)",))  # wrong sign

    def sine_loop(x, c, n):
        p = c
        for _ in range(n):
            p = math.sin(p) * x
        return p

    with pytest.raises(AssertionError, match="'x'"):
        check_grad(sine_loop, 0.7, 1.5, 3)
