"""The numbers of the lecture notes, reproduced."""
import math

import pytest

import srcdiff
from conftest import load_sample


def test_mul_add_at_lecture_point():
    f = load_sample("mul_add").f
    assert srcdiff.grad(f)(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)
    value, grads = srcdiff.value_and_grad(f)(-2.0, 5.0, -4.0)
    assert value == -12.0 and grads == (-4.0, -4.0, 3.0)


@pytest.mark.parametrize("sample", ["neuron", "neuron_gate"])
def test_sigmoid_neuron(sample):
    neuron = load_sample(sample).neuron
    point = (2.0, -1.0, -3.0, -2.0, -3.0)  # w0, x0, w1, x1, w2
    value, grads = srcdiff.value_and_grad(neuron)(*point)
    assert value == pytest.approx(0.73, abs=0.005)
    expected = (-0.20, 0.39, -0.39, -0.59, 0.20)
    assert grads == pytest.approx(expected, abs=0.005)
    # the local gradient of the sigmoid gate: (1 - 0.73) * 0.73 = 0.2
    assert grads[4] == pytest.approx((1 - value) * value)


def test_norm2_matches_hand_derivation():
    norm2 = load_sample("norm2").norm2
    x, y = 3.0, 4.0
    gx, gy = srcdiff.grad(norm2)(x, y)
    r = x * x + y * y
    assert gx == pytest.approx(1 / (2 * math.sqrt(r)) * 2 * x)
    assert gy == pytest.approx(1 / (2 * math.sqrt(r)) * 2 * y)


def test_exercise_against_closed_form():
    exercise = load_sample("exercise").exercise

    def sig(t):
        return 1 / (1 + math.exp(-t))

    for x, y in [(3.0, -4.0), (0.5, 0.25), (-1.0, 2.0)]:
        num = x + sig(y)
        den = sig(x) + (x + y) ** 2
        dnum_dx, dnum_dy = 1.0, (1 - sig(y)) * sig(y)
        dden_dx = (1 - sig(x)) * sig(x) + 2 * (x + y)
        dden_dy = 2 * (x + y)
        expected = ((dnum_dx * den - num * dden_dx) / den ** 2, (dnum_dy * den - num * dden_dy) / den ** 2)
        assert srcdiff.grad(exercise)(x, y) == pytest.approx(expected, rel=1e-12)


def test_chain_fork_adds_both_paths():
    chain = load_sample("chain").chain
    x = 0.7
    # u = exp(sin(x) * x): du/dx = u * (cos(x) * x + sin(x))
    expected = math.exp(math.sin(x) * x) * (math.cos(x) * x + math.sin(x))
    assert srcdiff.grad(chain)(x) == pytest.approx(expected, rel=1e-12)
    assert "+=" in srcdiff.grad(chain).source or "grad_x = grad_x +" in srcdiff.grad(chain).source


def test_gate_patterns():
    gates = load_sample("gates").gates
    g = srcdiff.grad(gates)
    # mul swaps: d/dx (x*y) = y ; copy adds: x also feeds the output directly
    # max routes: only the larger of z, w gets the gradient
    assert g(3.0, -4.0, 2.0, -1.0) == (-4.0 * 2.0 + 1.0, 3.0 * 2.0, 2.0, 0.0)
    assert g(3.0, -4.0, -5.0, -1.0) == (-4.0 * 2.0 + 1.0, 3.0 * 2.0, 0.0, 2.0)


def mul_gate(x, y):
    return x * y


def add_gate(x, y):
    return x + y


def max_gate(x, y):
    return max(x, y)


def test_interpreting_the_gradient_at_4_and_minus_3():
    # "Consider a case where x=4 and y=-3": grad of xy is [y, x]; add distributes; max routes
    assert srcdiff.grad(mul_gate)(4.0, -3.0) == (-3.0, 4.0)
    assert srcdiff.grad(add_gate)(4.0, -3.0) == (1.0, 1.0)
    assert srcdiff.grad(max_gate)(4.0, -3.0) == (1.0, 0.0)
    assert srcdiff.grad(max_gate)(-3.0, 4.0) == (0.0, 1.0)


def test_mul_add_intermediate_values():
    # q = x + y = 3, f = q * z = -12; df/dz = q = 3, df/dq = z = -4 = df/dx = df/dy
    source = srcdiff.grad(load_sample("mul_add").f).source
    assert "q = x + y" in source and "grad_q = z" in source and "grad_z = q" in source


def test_norm2_lecture_steps():
    # L = sqrt(x**2 + y**2) at (3, 4): L = 5, dL/dr = 1 / (2 * sqrt(r)) = 0.1, then 2x and 2y
    value, grads = srcdiff.value_and_grad(load_sample("norm2").norm2)(3.0, 4.0)
    assert value == 5.0
    assert grads == pytest.approx((0.6, 0.8), rel=1e-15)


def test_neuron_flat_code_matches_the_lecture():
    source = srcdiff.grad(load_sample("neuron_gate").neuron).source
    for line in ["grad_w2 = grad_s3", "grad_s0 = grad_s2", "grad_s1 = grad_s2", "grad_w1 = grad_s1 * x1",
                 "grad_x1 = grad_s1 * w1", "grad_w0 = grad_s0 * x0", "grad_x0 = grad_s0 * w0"]:
        assert f"    {line}\n" in source
