"""The rewrites that make generated code read like hand-written code (transforms.straight,
ir.expressions): each checked on the text it produces and on the numbers, through every
transform that reads the rewritten forms again (grad of grad, jvp, hvp, hessian)."""
import math

import numpy as np
import pytest

import srcdiff
from conftest import load_sample
from gradcheck import check_grad, numeric_grad
from srcdiff.ir import simplify_expr
from srcdiff.transforms.straight import combined

RNG = np.random.default_rng(13)
WEIGHTS = RNG.uniform(0.5, 2.0, (3, 3))  # a non-uniform upstream weight


def square(x):
    return x * x


def cube(x):
    return x * x * x


def shared(x, y):
    t = x * y
    u = t * t + t
    return u * x


def quotient_of_itself(x, y):
    r = x / x
    return r * y + x ** x


def norm(x, y):
    return math.sqrt(x**2 + y**2)


def half_norm(a, b):
    r = math.sqrt(a * a + b)
    return r * a


def powers(x, n):
    return x ** 2 + x ** 2.0 * n ** 2


def folded(x):
    return 3.0 * (2.0 * (x * 5.0))


def signs(x, y):
    s = -x
    return 1.0 / (1.0 + math.exp(s * y))


def weighted_square(W):
    return np.sum(WEIGHTS * (W * W))


def weighted_products(W, V):
    A = W * W
    B = A * V + W
    return np.sum(WEIGHTS * (B * W)) + np.sum(W @ V * WEIGHTS)


def sliced(x):
    return np.sum(WEIGHTS[0] * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def backward_lines(fn, **options):
    source = srcdiff.grad(fn, **options).source
    return [line.strip() for line in source.split("# backward\n", 1)[1].splitlines()]


# ---------------------------------------------------------------- the text

def test_x_times_x_is_one_contribution():
    assert backward_lines(square) == ["grad_x = 2.0 * x", "return grad_x"]
    assert srcdiff.grad(square)(3.0) == 6.0


def test_x_times_x_times_x_has_no_copies_of_temporaries():
    lines = backward_lines(cube)
    assert not any(line.startswith("grad_s") for line in lines), lines
    assert srcdiff.grad(cube)(2.0) == pytest.approx(12.0, rel=1e-15)


def test_constants_are_folded():
    lines = backward_lines(folded)
    assert lines[0] == "grad_x = 30.0", lines
    assert srcdiff.grad(folded)(7.0) == 30.0


def test_a_number_moves_where_it_folds():
    # g * (1 / (2 * r)) * 2 * x -> x / r: the 2s cancel once the adjoint of r**2 is written 1 / r
    assert backward_lines(norm) == ["grad_s2 = 1 / s3", "grad_y = grad_s2 * y", "grad_x = grad_s2 * x",
                                    "return (grad_x, grad_y)"]
    assert srcdiff.grad(norm)(3.0, 4.0) == pytest.approx((0.6, 0.8), rel=1e-15)


def test_a_copy_merges_into_the_next_write():
    lines = backward_lines(load_sample("exercise").exercise)
    assert "grad_y = grad_s8" not in lines and "grad_x = grad_s8" not in lines, lines
    assert any(line.startswith("grad_y = grad_s8 + ") for line in lines), lines
    check_grad(load_sample("exercise").exercise, 3.0, -4.0)


def test_an_int_square_is_printed_as_a_product():
    source = srcdiff.grad(powers, wrt=0).source
    assert "s0 = x * x" in source and "x ** 2.0" in source and "n * n" in source  # 2.0 keeps its pow
    assert srcdiff.grad(powers, wrt=0)(1.5, 3) == pytest.approx(3.0 + 2 * 1.5 * 9, rel=1e-15)
    assert srcdiff.hvp(powers, wrt=0)(1.5, 3, 1.0) == pytest.approx(2.0 + 2 * 9, rel=1e-15)


def test_a_minus_under_a_minus_cancels():
    lines = backward_lines(load_sample("neuron_gate").neuron)
    assert lines[0] == "grad_s3 = L / s6 * s5", lines
    assert not any("- -" in line or "-(-" in line for line in lines)


def test_every_name_the_user_wrote_keeps_its_line():
    lines = backward_lines(load_sample("neuron_gate").neuron)
    for name in ("s3", "s2", "s1", "s0", "w0", "x0", "w1", "x1", "w2"):
        assert any(line.startswith(f"grad_{name} = ") for line in lines), (name, lines)


def test_numbers_fold_through_a_product_and_take_the_sign():
    lines = " ".join(backward_lines(load_sample("rosenbrock_nd").rosenbrock_nd))
    assert "200.0" in lines and "100.0 * 2" not in lines
    assert "-rt." not in lines and "(-" not in lines


@pytest.mark.parametrize("expr, want", [
    ("g * 100.0 * 2", "g * 200.0"),
    ("-(g * 2 * s)", "g * -2 * s"),
    ("-(-a / b * c)", "a / b * c"),
    ("-a * 2", "a * -2"),
    ("rt.unbroadcast(-g, x) * 2", "rt.unbroadcast(g, x) * -2"),
    ("-(2 * g)", "-2 * g"),
    ("-(1.0 / n)", "-1.0 / n"),
    ("-(g / 2)", "-(g / 2)"),  # a divisor keeps its sign
    ("g * a", "g * a"),  # nothing to do
    ("(1.0)[s13] * a", "a"),  # a number indexed: the number (it stands for an array of it)
    ("(2.0)[i] * g", "2.0 * g"),
    ("g[s13] * a", "g[s13] * a"),
])
def test_simplifier_rules(expr, want):
    import ast
    assert ast.unparse(simplify_expr(ast.parse(expr, mode="eval").body)) == want


def test_combined_contributions():
    import ast
    x = ast.parse("g * x", mode="eval").body
    y = ast.parse("g * y", mode="eval").body
    assert ast.unparse(combined([x, x])) == "2.0 * g * x"
    assert ast.unparse(combined([x, y])) == "g * x + g * y"


# ---------------------------------------------------------------- the numbers

@pytest.mark.parametrize("fn, args", [
    (square, (1.7,)), (cube, (-1.3,)), (shared, (0.7, -1.2)), (quotient_of_itself, (1.3, 0.4)),
    (folded, (0.3,)), (signs, (0.4, -0.8)), (norm, (0.3, -1.1)), (half_norm, (0.7, 2.0)),
])
def test_scalar_gradients_match_finite_differences(fn, args):
    check_grad(fn, *args)


@pytest.mark.parametrize("fn, args", [
    (weighted_square, (RNG.standard_normal((3, 3)),)),
    (weighted_products, (RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3)))),
    (sliced, (RNG.standard_normal(4),)),
])
def test_array_gradients_match_and_leave_the_arguments_alone(fn, args):
    before = [a.copy() for a in args]
    check_grad(fn, *args)
    got = srcdiff.grad(fn, wrt=tuple(range(len(args))))(*args)
    for arg, old, gradient in zip(args, before, got):
        assert np.array_equal(arg, old)  # never written into
        assert not np.shares_memory(gradient, arg)


def test_grad_of_grad_through_combined_forms():
    second = srcdiff.grad(srcdiff.grad(cube))
    assert second(1.5) == pytest.approx(9.0, rel=1e-14)
    mixed = srcdiff.grad(srcdiff.grad(shared, wrt=0), wrt=1)
    h = 1e-6
    want = (srcdiff.grad(shared, wrt=0)(0.7, -1.2 + h) - srcdiff.grad(shared, wrt=0)(0.7, -1.2 - h)) / (2 * h)
    assert mixed(0.7, -1.2) == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("fn, args", [(norm, (0.3, -1.1)), (half_norm, (0.7, 2.0)), (shared, (0.7, -1.2))])
def test_scalar_hessians_match_finite_differences_of_the_gradient(fn, args):
    for wrt in range(2):
        gradient = srcdiff.grad(fn)
        step = [0.0, 0.0]
        step[wrt] = 1e-6
        plus = gradient(*(a + s for a, s in zip(args, step)))
        minus = gradient(*(a - s for a, s in zip(args, step)))
        column = [(p - m) / 2e-6 for p, m in zip(plus, minus)]
        assert srcdiff.hvp(fn, wrt=wrt)(*args, 1.0) == pytest.approx(column[wrt], rel=1e-5, abs=1e-7)
        assert srcdiff.grad(srcdiff.grad(fn, wrt=wrt), wrt=wrt)(*args) == pytest.approx(column[wrt], rel=1e-5, abs=1e-7)
        assert srcdiff.jvp(fn, wrt=wrt)(*args, 1.0) == pytest.approx(gradient(*args)[wrt], rel=1e-12)


def test_jvp_hvp_and_hessian_through_combined_forms():
    W, V = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))
    gradient = srcdiff.grad(weighted_products, wrt=0)
    hessian = srcdiff.hessian(weighted_products, wrt=0)(W, V)
    flat = np.zeros((9, 9))
    for k in range(9):
        e = np.zeros(9)
        e[k] = 1e-6
        flat[:, k] = ((gradient(W + e.reshape(3, 3), V) - gradient(W - e.reshape(3, 3), V)) / 2e-6).ravel()
    np.testing.assert_allclose(hessian.reshape(9, 9), flat, rtol=1e-5, atol=1e-6)
    direction = RNG.standard_normal((3, 3))
    np.testing.assert_allclose(srcdiff.hvp(weighted_products, wrt=0)(W, V, direction),
                               (flat @ direction.ravel()).reshape(3, 3), rtol=1e-5, atol=1e-6)
    along = srcdiff.jvp(weighted_products, wrt=0)(W, V, direction)
    assert along == pytest.approx(float(np.sum(gradient(W, V) * direction)), rel=1e-12)


def test_hvp_of_the_sliced_sum_matches_finite_differences():
    x, v = RNG.standard_normal(4), RNG.standard_normal(4)
    gradient = srcdiff.grad(sliced)
    want = (gradient(x + 1e-6 * v) - gradient(x - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(srcdiff.hvp(sliced)(x, v), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gradient(x), numeric_grad(sliced, (x,), 0), rtol=1e-5, atol=1e-6)


def test_a_second_derivative_through_an_index_rule_prints_no_indexed_number():
    """``grad(grad(rosenbrock_nd))``: the index rule read its seed ``1.0`` back as
    ``(1.0)[s13]``, which Python warned about when compiling (and refused, had it run)."""
    import warnings
    rosenbrock_nd = load_sample("rosenbrock_nd").rosenbrock_nd
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        text = srcdiff.grad(srcdiff.grad(rosenbrock_nd)).source
    assert "(1.0)[" not in text and "grad2_grad_s3 = 1.0" in text
