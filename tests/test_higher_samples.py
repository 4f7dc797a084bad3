"""The higher-order samples: Newton step, Rosenbrock, the gradient-norm penalty.

Each checked against finite differences (or closed forms), with the generated
second-order code kept as golden files.
"""
import math

import pytest

import srcdiff
from conftest import central_difference, check_golden, load_sample
from srcdiff import hvp as hvp_mode


def test_newton_second_derivative_and_step(update_golden):
    cost = load_sample("newton").cost
    d1 = srcdiff.grad(cost)
    d2 = srcdiff.grad(d1)
    check_golden("newton.grad2_cost", d2.source, update_golden)
    for x in (-1.3, 0.2, 1.7):
        assert d2(x) == pytest.approx(central_difference(d1, (x,), 0), rel=1e-7)
        assert d2(x) == pytest.approx(12 * x * x - 6.0 + 0.25 * math.exp(0.5 * x), rel=1e-12)
    x, steps = 1.5, []
    for _ in range(6):
        x = x - d1(x) / d2(x)
        steps.append(abs(d1(x)))
    assert steps[-1] < 1e-12 and d2(x) > 0  # a minimum, reached quadratically
    assert steps[2] < steps[1] ** 1.5


def test_rosenbrock_hvp_and_hessian(update_golden):
    rosenbrock = load_sample("rosenbrock").rosenbrock
    for mode in ("forward", "reverse"):
        h = hvp_mode(rosenbrock, wrt="x", mode=mode)
        check_golden(f"rosenbrock.hvp_{mode}", h.source, update_golden)
        for x, y in [(-1.2, 1.0), (1.0, 1.0), (0.3, -0.5)]:
            gx = srcdiff.grad(rosenbrock, wrt="x")
            fd = central_difference(gx, (x, y), 0)
            assert h(x, y, 0.5) == pytest.approx(0.5 * fd, rel=1e-6)
            assert h(x, y, 0.5) == pytest.approx(0.5 * (2 - 400 * (y - x * x) + 800 * x * x), rel=1e-12)
    dxy = srcdiff.grad(srcdiff.grad(rosenbrock, wrt="x"), wrt="y")
    assert dxy(0.3, -0.5) == pytest.approx(-400 * 0.3)
    assert srcdiff.hessian(rosenbrock, wrt="y")(0.3, -0.5) == 200.0


PENALTY_POINT = (0.3, -0.8, 0.5, 0.2, 1.1, -0.7, 0.9, -0.4, 0.25)  # W, v, x, t


def test_gradient_penalty_against_finite_differences(update_golden):
    sample = load_sample("gradient_penalty")
    grad_r = srcdiff.grad(sample.penalty, wrt=(0, 1, 2, 3))
    check_golden("gradient_penalty.grad_penalty", grad_r.source, update_golden)
    analytic = grad_r(*PENALTY_POINT)
    for i in range(4):
        assert analytic[i] == pytest.approx(central_difference(sample.penalty, PENALTY_POINT, i), rel=1e-6)
    # the seeds' identity: dR/dW = 2 H dL/dW, with H from mixed second partials
    g = srcdiff.grad(sample.loss, wrt=(0, 1, 2, 3))(*PENALTY_POINT)
    for i in range(4):
        row = [srcdiff.grad(srcdiff.grad(sample.loss, wrt=j), wrt=i)(*PENALTY_POINT) for j in range(4)]
        assert analytic[i] == pytest.approx(2 * sum(h * gj for h, gj in zip(row, g)), rel=1e-10)


def test_gradient_penalty_from_the_command_line():
    import subprocess
    import sys
    from conftest import ROOT
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/gradient_penalty.py:penalty", "--wrt", "w11,w22"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    namespace = {"math": math, "rt": srcdiff.runtime}
    exec(out.stdout, namespace)
    sample = load_sample("gradient_penalty")
    expected = srcdiff.grad(sample.penalty, wrt=("w11", "w22"))(*PENALTY_POINT)
    assert namespace["grad_penalty"](*PENALTY_POINT) == pytest.approx(expected, rel=1e-12)


def test_seeds_neuron_second_derivative_by_hand(update_golden):
    """d2L/dw0^2 of the sigmoid neuron is sigma'' (s) x0^2 with sigma'' = L (1 - L) (1 - 2 L)."""
    neuron = load_sample("neuron").neuron
    h = srcdiff.hvp(neuron, wrt="w0")
    check_golden("neuron.hvp_forward", h.source, update_golden)
    point = (2.0, -1.0, -3.0, -2.0, -3.0)
    L = neuron(*point)
    expected = L * (1 - L) * (1 - 2 * L) * point[1] ** 2
    assert h(*point, 1.0) == pytest.approx(expected, rel=1e-12)
    assert h(*point, 1.0) == pytest.approx(-0.0907, abs=5e-4)  # 0.73 * 0.27 * (1 - 1.46) * 1
