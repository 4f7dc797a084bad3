"""srcdiff.Function: generated code calls the user's forward and backward."""
import math

import numpy as np
import pytest

import srcdiff
from conftest import central_difference, load_sample


class Square(srcdiff.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x

    @staticmethod
    def backward(ctx, grad_y):
        return 2.0 * ctx.x * grad_y


class Affine(srcdiff.Function):
    """Three arguments; the gradient of ``b`` is just the upstream gradient."""

    @staticmethod
    def forward(ctx, w, x, b):
        ctx.save_for_backward(w, x)
        return w * x + b

    @staticmethod
    def backward(ctx, grad_out):
        w, x = ctx.saved_tensors
        return x * grad_out, w * grad_out, grad_out


def test_seeds_multiply_sample():
    sample = load_sample("multiply_function")
    assert sample.f(-2.0, 5.0, -4.0) == -12.0  # apply runs forward outside srcdiff
    g = srcdiff.grad(sample.f)
    assert g(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)
    assert "Multiply.forward(ctx, s0, z)" in g.source
    assert "ctx = rt.Context(s0, z)" in g.source
    assert "grad_s0, grad_z = rt.function_gradients(ctx, Multiply.backward(ctx, 1.0), (0, 1))" in g.source


def test_backward_is_called_not_differentiated():
    calls = []

    class Spy(srcdiff.Function):
        @staticmethod
        def forward(ctx, x):
            calls.append("forward")
            return math.sin(x)

        @staticmethod
        def backward(ctx, grad):
            calls.append("backward")
            return 42.0 * grad  # deliberately not cos(x): srcdiff must use it as written

    def f(x):
        return Spy.apply(x) * 2.0

    assert srcdiff.grad(f)(0.3) == 84.0
    assert calls == ["forward", "backward"]


def test_forks_and_repeated_arguments_accumulate():
    def f(x, y):
        a = Square.apply(x)
        b = Affine.apply(a, x, y) + a * y
        return Affine.apply(b, b, x)

    g = srcdiff.grad(f)
    for point in [(0.5, 1.5), (-1.2, 0.3)]:
        for i in range(2):
            assert g(*point)[i] == pytest.approx(central_difference(f, point, i), rel=1e-7)
    assert "Affine.backward(" in g.source and "Square.backward(" in g.source


def test_arguments_without_gradient_unpack_into_underscore():
    def f(x, c):
        return Affine.apply(x, 3.0, c)

    g = srcdiff.grad(f, wrt="x")
    assert g(2.0, 1.0) == 3.0
    assert "grad_x, _, _ = rt.function_gradients(ctx, Affine.backward(ctx, 1.0), (0,))" in g.source


def test_functions_on_arrays():
    w, x = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    # the Function itself works on arrays: its backward is plain NumPy
    g = srcdiff.grad(affine_sum, wrt=(0, 1))
    gw, gx = g(w, x)
    np.testing.assert_allclose(gw, x)
    np.testing.assert_allclose(gx, w)


class Total(srcdiff.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = np.shape(a)
        return float(np.sum(a))

    @staticmethod
    def backward(ctx, grad):
        return np.full(ctx.shape, grad)


def affine_sum(w, x):
    return Total.apply(Affine.apply(w, x, 1.0))


def test_calling_forward_directly_is_refused():
    def f(x):
        return Square.forward(None, x)

    with pytest.raises(srcdiff.SrcdiffError, match=r"calling Square.forward directly is not supported") as info:
        srcdiff.grad(f)
    assert "Square.apply" in str(info.value)


def test_higher_order_and_forward_mode_through_a_function_are_refused_clearly():
    def f(x):
        return Square.apply(x) * x

    with pytest.raises(srcdiff.SrcdiffError, match="higher derivatives cannot go through a srcdiff.Function"):
        srcdiff.hvp(f)
    with pytest.raises(srcdiff.SrcdiffError, match="forward mode cannot go through the srcdiff.Function 'Square'"):
        srcdiff.jvp(f)


def test_cli_prints_the_calls(tmp_path):
    import subprocess
    import sys
    from conftest import ROOT
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), str(ROOT / "samples" / "multiply_function.py")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "s1 = Multiply.forward(ctx, s0, z)" in out.stdout


def test_explain_calls_the_backward():
    sample = load_sample("multiply_function")
    explanation = str(srcdiff.explain(sample.f, -2.0, 5.0, -4.0))
    assert "Context(2 saved)" in explanation
    assert "grad_s0 = -4  rt.function_gradient(ctx, Multiply.backward(ctx, g), 0) = -4" in explanation
    assert "grad_z = 3    rt.function_gradient(ctx, Multiply.backward(ctx, g), 1) = 3" in explanation


def test_explain_from_the_command_line_refuses_to_run_the_class():
    import subprocess
    import sys
    from conftest import ROOT
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/multiply_function.py", "--at", "x=1", "y=2",
                          "z=3"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.strip().endswith("error: cannot run the srcdiff.Function 'Multiply': the file is read, never run")
