"""Forward mode under broadcasting, and every second derivative built on it (issue 11, item 1).

Each element-wise operation (binary operators, NumPy's binary ufuncs, the three-operand
``np.where``/``np.clip``) is taken with a small operand ``a`` (a number, a row (3,), a
column (3, 1)) against a square ``B`` (3, 3), under a non-uniform weight ``W``, with any
subset of the operands carrying a tangent.  Every path is compared with central
differences: ``jvp``; ``hvp`` in its three modes; ``hessian``; ``grad(grad)``; and the
reverse-over-forward paths of functions with loops (the default ``hvp``, ``hessian`` and
``grad(grad)`` of a loop differentiate generated jvp code, ``rt.broadcast_like`` included).
"""
import importlib.util

import numpy as np
import pytest

import srcdiff

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5]])
B = np.array([[1.2, 2.3, 1.7], [2.9, 1.4, 2.2], [1.9, 2.6, 1.1]])  # positive: powers, %, hypot
# the small operand's entries are 0.01 or more away from every kink (ties, clip bounds, jumps of %)
M = np.array([[True, False, True], [False, True, True], [True, True, False]])
SMALL = {
    "number": 0.62,
    "row": np.array([0.62, 0.47, 0.87]),
    "column": np.array([[0.62], [0.47], [0.87]]),
}
TANGENT = {"number": 1.3, "row": np.array([1.0, -2.0, 0.5]), "column": np.array([[1.0], [-2.0], [0.5]])}
TANGENT_B = np.array([[0.3, -1.1, 0.8], [1.4, 0.2, -0.6], [-0.9, 0.5, 1.7]])


def add(a, B):
    return np.sum(np.sin((a + B) @ W))


def radd(a, B):
    return np.sum(np.sin((B + a) @ W))


def sub(a, B):
    return np.sum(np.sin((a - B) @ W))


def rsub(a, B):
    return np.sum(np.sin((B - a) @ W))


def mul(a, B):
    return np.sum(np.sin((a * B) @ W))


def div(a, B):
    return np.sum(np.sin((a / B) @ W))


def rdiv(a, B):
    return np.sum(np.sin((B / a) @ W))


def power(a, B):
    return np.sum(np.sin((B ** a) @ W))


def rpower(a, B):
    return np.sum(np.sin((a ** B) @ W))


def mod(a, B):
    return np.sum(np.sin((B % a) @ W))


def np_add(a, B):
    return np.sum(np.sin(np.add(B, a) @ W))


def np_subtract(a, B):
    return np.sum(np.sin(np.subtract(B, a) @ W))


def np_multiply(a, B):
    return np.sum(np.sin(np.multiply(a, B) @ W))


def np_divide(a, B):
    return np.sum(np.sin(np.divide(B, a) @ W))


def np_power(a, B):
    return np.sum(np.sin(np.power(B, a) @ W))


def maximum(a, B):
    return np.sum(np.sin(np.maximum(a, B) @ W))


def minimum(a, B):
    return np.sum(np.sin(np.minimum(B, a + 1.0) @ W))


def fmax(a, B):
    return np.sum(np.sin(np.fmax(a + 1.0, B) @ W))


def arctan2(a, B):
    return np.sum(np.sin(np.arctan2(a, B) @ W))


def hypot(a, B):
    return np.sum(np.sin(np.hypot(B, a) @ W))


def where_then(a, B):
    return np.sum(np.sin(np.where(M, a, B) @ W))


def where_else(a, B):
    return np.sum(np.sin(np.where(M, B, a) @ W))


def clip_low(a, B):
    return np.sum(np.sin(np.clip(B, a + 1.0, 2.5) @ W))


def clip_high(a, B):
    return np.sum(np.sin(np.clip(B, 1.5, a + 1.5) @ W))


def clip_value(a, B):
    return np.sum(np.sin(np.clip(a * 3.0, B - 0.5, B + 0.3) @ W))


OPS = [add, radd, sub, rsub, mul, div, rdiv, power, rpower, mod, np_add, np_subtract, np_multiply, np_divide,
       np_power, maximum, minimum, fmax, arctan2, hypot, where_then, where_else, clip_low, clip_high, clip_value]
names = pytest.mark.parametrize("f", OPS, ids=lambda f: f.__name__)
kinds = pytest.mark.parametrize("kind", list(SMALL))


def _along(f, args, tangents, eps=1e-6):
    """The derivative of f along ``tangents`` (None: no tangent) by central differences."""
    plus = [x if t is None else x + eps * t for x, t in zip(args, tangents)]
    minus = [x if t is None else x - eps * t for x, t in zip(args, tangents)]
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


def _hvp_by_differences(f, args, v, wrt=0):
    gradient = srcdiff.grad(f, wrt=wrt)  # first order is checked against differences below
    tangents = [v if i == wrt else None for i in range(len(args))]
    return _along(lambda *xs: gradient(*xs), args, tangents, eps=1e-5)


@names
@kinds
def test_reverse_mode_is_right(f, kind):
    a = SMALL[kind]
    g = srcdiff.grad(f, wrt=0)(a, B)
    assert np.shape(g) == np.shape(a)
    np.testing.assert_allclose(np.vdot(g, TANGENT[kind]), _along(f, (a, B), (TANGENT[kind], None)), rtol=1e-6)


@names
@kinds
@pytest.mark.parametrize("wrt", [0, 1, (0, 1)], ids=["small", "large", "both"])
def test_jvp_against_differences(f, kind, wrt):
    a = SMALL[kind]
    picked = (wrt,) if isinstance(wrt, int) else wrt
    tangents = [TANGENT[kind] if 0 in picked else None, TANGENT_B if 1 in picked else None]
    got = srcdiff.jvp(f, wrt=wrt)(a, B, *[t for t in tangents if t is not None])
    np.testing.assert_allclose(got, _along(f, (a, B), tangents), rtol=1e-6, atol=1e-9)


@names
@kinds
@pytest.mark.parametrize("mode", ["forward", "reverse", "reverse-over-forward"])
def test_hvp_of_the_small_operand_in_every_mode(f, kind, mode):
    a, v = SMALL[kind], TANGENT[kind]
    got = srcdiff.hvp(f, wrt=0, mode=mode)(a, B, v)
    assert np.shape(got) == np.shape(a)
    np.testing.assert_allclose(got, _hvp_by_differences(f, (a, B), v), rtol=1e-5, atol=1e-7)


@names
def test_hessian_of_the_small_operand(f):
    a = SMALL["row"]
    expected = np.stack([_hvp_by_differences(f, (a, B), unit) for unit in np.eye(3)])
    np.testing.assert_allclose(srcdiff.hessian(f, wrt=0)(a, B), expected, rtol=1e-5, atol=1e-7)


@names
def test_grad_of_grad_of_a_number_against_an_array(f):
    a = SMALL["number"]
    second = srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(a, B)
    assert second == pytest.approx(_hvp_by_differences(f, (a, B), 1.0), rel=1e-5, abs=1e-7)


# ---------------------------------------------------------------- loops: reverse over generated jvp code

def add_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin((a + B) @ W))


def rsub_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin((B - a) @ W))


def power_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin((B ** a) @ W))


def where_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin(np.where(M, a, B) @ W))


def clip_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin(np.clip(B, a + 1.0, 2.5) @ W))


def accumulate_loop(a, B, n):
    s = B
    for i in range(n):
        s = s + a * s  # the carried value is the larger one; a the smaller, with the tangent
    return np.sum(np.sin(s @ W))


LOOPS = pytest.mark.parametrize("f", [add_loop, rsub_loop, power_loop, where_loop, clip_loop, accumulate_loop],
                                ids=lambda f: f.__name__)


@LOOPS
@kinds
@pytest.mark.parametrize("mode", [None, "forward", "reverse", "reverse-over-forward"])
def test_hvp_through_a_loop(f, kind, mode):
    a, v = SMALL[kind], TANGENT[kind]
    try:
        got = srcdiff.hvp(f, wrt=0, mode=mode)(a, B, 2, v)
    except srcdiff.SrcdiffError:
        if mode in ("forward", "reverse"):  # over a gradient that keeps a tape: refused, not wrong
            return
        raise
    np.testing.assert_allclose(got, _hvp_by_differences(f, (a, B, 2), v), rtol=1e-5, atol=1e-7)


@LOOPS
@kinds
def test_jvp_through_a_loop(f, kind):
    a, v = SMALL[kind], TANGENT[kind]
    got = srcdiff.jvp(f, wrt=0)(a, B, 2, v)
    np.testing.assert_allclose(got, _along(f, (a, B, 2), (v, None, None)), rtol=1e-6, atol=1e-9)


@LOOPS
def test_hessian_through_a_loop(f):
    a = SMALL["row"]
    expected = np.stack([_hvp_by_differences(f, (a, B, 2), unit) for unit in np.eye(3)])
    np.testing.assert_allclose(srcdiff.hessian(f, wrt=0)(a, B, 2), expected, rtol=1e-5, atol=1e-7)


@LOOPS
def test_grad_of_grad_through_a_loop(f):
    a = SMALL["number"]
    second = srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(a, B, 2)
    assert second == pytest.approx(_hvp_by_differences(f, (a, B, 2), 1.0), rel=1e-5, abs=1e-7)


def mixed_loop(a, B, n):
    for i in range(n):
        a = a * 1.1
    return np.sum(np.sin((a * np.sum(B * B) + B) @ W))


def test_mixed_second_partial_through_a_loop():
    a = 0.7  # d/dB of the derivative along a: an array gradient of the number's derivative
    got = srcdiff.grad(srcdiff.grad(mixed_loop, wrt=0), wrt=1)(a, B, 2)
    gradient = srcdiff.grad(mixed_loop, wrt=0)
    expected = np.zeros_like(B)
    for position in np.ndindex(B.shape):
        step = np.zeros_like(B)
        step[position] = 1.0
        expected[position] = _along(lambda b: gradient(a, b, 2), (B,), (step,), eps=1e-5)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_scalar_code_jvp_has_its_results_shape():
    # Code without NumPy syntax given an array: the tangent along a number that meets the
    # array only in an addition is still a number until the result is broadcast.
    def scalar(x, y):
        return x * 2.0 + y

    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = srcdiff.jvp(scalar, wrt=0)(1.5, y, 0.5)
    assert isinstance(got, np.ndarray) and got.shape == (2, 2)
    np.testing.assert_allclose(got, np.full((2, 2), 1.0))
    on_numbers = srcdiff.jvp(scalar, wrt=0)(1.5, 2.0, 0.5)
    assert on_numbers.__class__ is float and on_numbers == 1.0


def test_the_tangent_is_broadcast_only_where_it_may_be_smaller():
    text = srcdiff.jvp(add, wrt=0).source
    assert "rt.broadcast_like(dot_a, " in text
    assert "broadcast_like" not in srcdiff.jvp(mul, wrt=0).source  # dot_a * B has the result's shape
    assert "broadcast_like" not in srcdiff.jvp(add, wrt=(0, 1)).source  # dot_a + dot_B


# ---------------------------------------------------------------- item 6: second derivatives keep the result check

def cube(x):
    return x ** 3  # array-valued for an array x: its "Hessian" is a third-order tensor


def cube_loop(x, n):
    for i in range(n):
        x = x * 1.5
    return x ** 3


def cube_loop_sum(x, n):
    for i in range(n):
        x = x * 1.5
    return np.sum(W * x ** 3)  # x a number or a row


VEC = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("mode", [None, "forward", "reverse", "reverse-over-forward"])
def test_hvp_of_an_array_valued_function_is_refused_in_every_mode(mode):
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.hvp(cube, mode=mode)(VEC, TANGENT["row"])
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.hvp(cube_loop, mode=mode if mode in (None, "reverse-over-forward") else None)(VEC, 2, VEC)


def test_hessian_of_an_array_valued_function_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.hessian(cube)(VEC)
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.hessian(cube_loop)(VEC, 2)


def test_second_derivatives_of_a_number_still_pass_the_check():
    assert srcdiff.hvp(cube)(1.5, 2.0) == pytest.approx(6 * 1.5 * 2.0)
    assert srcdiff.hessian(cube)(np.float64(1.5)) == pytest.approx(9.0)
    assert srcdiff.grad(srcdiff.grad(cube))(1.5) == pytest.approx(9.0)


def test_grad_of_grad_along_an_array_parameter_of_a_loop_is_refused():
    inner = srcdiff.grad(cube_loop_sum, wrt=0)
    with pytest.raises(srcdiff.SrcdiffError, match="grad\\(grad\\(f, wrt=i\\)\\)"):
        srcdiff.grad(inner, wrt=0)(VEC, 2)
    assert "rt.check_direction(x)" in srcdiff.grad(inner, wrt=0).source
    # along a number, the same function is differentiated: the check passes
    assert srcdiff.grad(inner, wrt=0)(0.7, 2) == pytest.approx(_hvp_by_differences(cube_loop_sum, (0.7, 2), 1.0))


def test_grad_of_grad_of_an_array_parameter_without_loops_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.grad(srcdiff.grad(lambda_free_sum, wrt=0), wrt=0)(VEC)


def lambda_free_sum(x):
    return np.sum(W @ x ** 3)


grad_cube = srcdiff.grad(cube)


def uses_a_gradient(x):
    return np.sum(W * grad_cube(x))  # grad_cube refuses an array x: so must every derivative of this


def test_a_generated_gradient_called_by_user_code_keeps_its_check():
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        uses_a_gradient(VEC)
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.grad(uses_a_gradient)(VEC)
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.jvp(uses_a_gradient)(VEC, VEC)
    assert srcdiff.grad(uses_a_gradient)(0.5) == pytest.approx(np.sum(W) * 6 * 0.5)


def test_jacobian_of_a_gradient_is_the_hessian():
    x = np.array([0.7, -0.4, 1.1])
    gradient = srcdiff.grad(lambda_free_sum)
    np.testing.assert_allclose(srcdiff.jacobian(gradient)(x), srcdiff.hessian(lambda_free_sum)(x), rtol=1e-10)


def scalar_loss(w, x):
    return (w * x - 1.0) ** 2


grad_scalar_loss = srcdiff.grad(scalar_loss, wrt=0)


def penalty(w, x):
    g = grad_scalar_loss(w, x)
    return g * g


def test_explain_runs_the_kept_check_without_a_row_for_it():
    table = str(srcdiff.explain(penalty, 0.7, 2.0))
    assert "check_scalar" not in table and "_checked" not in table
    assert srcdiff.grad(penalty, wrt=0)(0.7, 2.0) == pytest.approx(_along(penalty, (0.7, 2.0), (1.0, None)))
    with pytest.raises(srcdiff.SrcdiffError, match="one number"):
        srcdiff.grad(penalty, wrt=0)(0.7, VEC)


# ---------------------------------------------------------------- found here: a zero adjoint in rt.unbroadcast

def carried_unread(a, B, n):
    s = B
    t = 0.0
    for i in range(n):
        t = t + np.sum(np.sin(a * s @ W))
        s = s + a * s  # carried, but read after the loop by nothing: its adjoint starts as 0.0
    return t


@kinds
def test_gradient_of_a_loop_carried_array_unread_after_the_loop(kind):
    # the carried s starts the reversed loop with the adjoint 0.0: rt.unbroadcast(0.0, s)
    a, v = SMALL[kind], TANGENT[kind]
    got = srcdiff.grad(carried_unread, wrt=0)(a, B, 2)
    np.testing.assert_allclose(np.vdot(got, v), _along(carried_unread, (a, B, 2), (v, None, None)), rtol=1e-6)
    for mode in (None, "reverse-over-forward"):
        got = srcdiff.hvp(carried_unread, wrt=0, mode=mode)(a, B, 2, v)
        np.testing.assert_allclose(got, _hvp_by_differences(carried_unread, (a, B, 2), v), rtol=1e-5, atol=1e-7)


def test_the_same_text_from_two_files_keeps_each_files_location(tmp_path):
    # two files defining the same function generate the same text: each error still
    # points at its own file (the generated file's name depends on the lines' origins too)
    functions = []
    for name in ("first_copy", "second_copy"):
        path = tmp_path / f"{name}.py"
        path.write_text("def twin(x):\n    return x ** 3\n")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        functions.append(module.twin)
    for fn in functions:
        for build in (srcdiff.grad, srcdiff.hvp):
            with pytest.raises(srcdiff.SrcdiffError) as info:
                build(fn)(VEC) if build is srcdiff.grad else build(fn)(VEC, VEC)
            assert info.value.filename == fn.__code__.co_filename and info.value.lineno == 2
