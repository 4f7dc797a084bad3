"""Writing into a list the function makes: ``sums = [0.0, 0.0]; sums[0] += x``.

A display bound to a name the function writes items of is a list value (``lower.appends``),
each write a copy with the item set (``rt.setitem``, which keeps a list a list: it made an
array of it, so that a float written into a list of ints was truncated, silently), and every
read of the list after a write through another name is refused (``lower.writes``).  Python's
``*`` and ``+`` repeat and join a list the function makes, which srcdiff read as arithmetic
(silently wrong gradients): refused now (``lower.list_values``).  A gradient that reads an item
of such a list holds floats (its adjoint is an array: ``pipeline.gradient.numpy_scalars_reach``).
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from fuzzing.check import check_program
from fuzzing.generate import GROUPS, generate
from trust_helpers import assert_first_parameter_paths, assert_user_error, fd_grad


def running_moments(xs):
    sums = [0.0, 0.0]
    for x in xs:
        sums[0] += x
        sums[1] += x * x
    n = len(xs)
    return sums[1] / n - (sums[0] / n) ** 2


def written_in_a_branch(x):
    vals = [x, x * x, 1.0]
    if x > 0:
        vals[2] = x ** 3
    else:
        vals[0] = -x
    return vals[0] + vals[1] * vals[2]


def swapped(x):
    a = [x, 1.5]
    a[0], a[1] = a[1] * x, a[0] * 2.0
    return a[0] * a[1] + a[1]


def negative_index(x):
    v = [x, 2.0, 3.0]
    v[-1] = v[-1] * x
    return v[0] * v[-1]


def appended_then_written(x):
    out = [x]
    out.append(2.0 * x)
    out[0] = out[0] * out[1]
    return sum(out)


def read_whole_after(x):
    v = [x, 1.0]
    v[1] = x * x
    return sum(v) * np.sum(np.array(v))


def accumulated_by_index(xs):
    acc = [0.0, 0.0]
    for i in range(len(xs)):
        acc[i % 2] += xs[i] * (i + 1)
    return acc[0] * acc[1]


def ints_written(x):
    ys = [0, 0]
    ys[0] = x
    return ys[0] * x + ys[1]


def comprehension_of_ints_written(x):
    ys = [0 for _ in range(3)]
    ys[1] = x * x
    return ys[1] * x + ys[0]


def list_of_arrays(W, x):
    layers = [W, W.T]
    layers[1] = layers[1] * 2.0
    return float(np.sum(layers[0] @ x) + np.sum(layers[1] @ x ** 2))


def an_array_of_it(x):
    ys = [x * i for i in range(3)]
    ys[0] = 1.0
    return float(np.sum(np.asarray(ys) * 2 + ys[2]))


SCALAR = [written_in_a_branch, swapped, negative_index, appended_then_written, read_whole_after, ints_written,
          comprehension_of_ints_written, an_array_of_it]


@pytest.mark.parametrize("f", SCALAR, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [0.7, -1.3])
def test_a_written_list_of_numbers(f, x):
    assert_first_parameter_paths(f, (x,))
    hessian = srcdiff.hessian(f)(x)
    grad = srcdiff.grad(f)
    assert hessian == pytest.approx((grad(x + 1e-5) - grad(x - 1e-5)) / 2e-5, rel=1e-5, abs=1e-7)
    assert srcdiff.grad(srcdiff.grad(f))(x) == pytest.approx(hessian, rel=1e-10)


@pytest.mark.parametrize("f", [running_moments, accumulated_by_index], ids=lambda f: f.__name__)
def test_running_sums_in_a_loop(f):
    xs = [1.0, 2.0, 4.5, -0.5, 3.0]
    gradient = srcdiff.grad(f)(xs)
    assert type(gradient) is list and all(type(g) is float for g in gradient)
    np.testing.assert_allclose(gradient, fd_grad(f, (np.array(xs),), 0), rtol=1e-6, atol=1e-8)
    assert srcdiff.value_and_grad(f)(xs)[0] == f(xs)
    assert_first_parameter_paths(f, (np.array(xs),))


def test_a_float_written_into_a_list_of_ints_is_not_truncated():
    """``rt.setitem`` made an array of ints of the list, so ``ys[0] = x`` stored ``int(x)``."""
    value, gradient = srcdiff.value_and_grad(ints_written)(0.7)
    assert value == pytest.approx(0.49) and gradient == pytest.approx(1.4)


def test_a_list_of_arrays_written():
    W = np.array([[1.0, 2.0], [0.5, -1.0]])
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(srcdiff.grad(list_of_arrays, wrt=0)(W, x), fd_grad(list_of_arrays, (W, x), 0), rtol=1e-6)
    np.testing.assert_allclose(srcdiff.grad(list_of_arrays, wrt=1)(W, x), fd_grad(list_of_arrays, (W, x), 1), rtol=1e-6)


def test_the_generated_code_writes_a_copy():
    source = srcdiff.grad(swapped).source
    assert "rt.setitem(" in source and "rt.appended(" in source


# ---------------------------------------------------------------- the gradient's type

def comprehension_indexed(xs):
    ys = [x * 2 for x in xs]
    return ys[0] * ys[1]


def appended_indexed(xs):
    out = []
    for x in xs:
        out.append(x * x)
    return out[0] + out[-1] * 2.0


@pytest.mark.parametrize("f", [comprehension_indexed, appended_indexed, running_moments], ids=lambda f: f.__name__)
def test_a_list_read_by_item_gives_a_list_of_floats(f):
    xs = [1.0, 2.0, 3.0]
    gradient = srcdiff.grad(f)(xs)
    assert type(gradient) is list and [type(g) for g in gradient] == [float] * 3
    np.testing.assert_allclose(gradient, fd_grad(f, (np.array(xs),), 0), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- refused

def tuple_written(x):
    t = (x, x)
    t[0] = 1.0
    return t[0] * t[1]


def read_through_another_name(x):
    sums = [x, 2.0 * x]
    b = sums
    sums[0] = 1.0
    return b[0] * x


def held_across_a_loop(xs):
    acc = [0.0]
    keep = acc
    for x in xs:
        acc[0] += x
    return keep[0]


@pytest.mark.parametrize("f, line, message", [
    (tuple_written, "t[0] = 1.0", "cannot write into 't'"),
    (read_through_another_name, "sums[0] = 1.0", "the list written here is read again afterwards through another name"),
    (held_across_a_loop, "acc[0] += x", "the list written here is read again afterwards through another name"),
], ids=lambda v: getattr(v, "__name__", None))
def test_what_a_rebinding_would_get_wrong_is_refused(f, line, message):
    arg = [1.0, 2.0] if f is held_across_a_loop else 0.7
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(f)(arg)
    assert_user_error(err.value, f, line)


def repeated_by_a_constant(x):
    ys = [x * i for i in range(2)]
    zs = ys * 2
    return zs[0] + 5.0 * zs[3]


def repeated_constant_first(x):
    ys = [x * i for i in range(2)]
    zs = 2 * ys
    return zs[1] + 5.0 * zs[2]


def repeated_by_its_length(x):
    ys = [x * i for i in range(2)]
    zs = ys * len(ys)
    return zs[0] + 5.0 * zs[3]


def repeated_by_a_parameter(x, n):
    ys = [x * i for i in range(2)]
    zs = ys * n
    return zs[0] + 5.0 * zs[3]


def appended_repeated(x):
    ys = []
    ys.append(x)
    ys.append(2.0 * x)
    zs = ys * 2
    return zs[0] + 5.0 * zs[3]


def written_repeated(x):
    ys = [x, 1.0]
    ys[0] = 2 * x
    return sum(ys * 2)


def joined(x):
    ys = [x * i for i in range(2)]
    zs = [x * x for _ in range(1)]
    return sum(ys + zs)


@pytest.mark.parametrize("f", [repeated_by_a_constant, repeated_constant_first, repeated_by_its_length,
                               repeated_by_a_parameter, appended_repeated, written_repeated, joined],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("generic", [False, True])
def test_python_repeating_or_joining_a_list_is_refused(f, generic, monkeypatch):
    """These gave silently wrong gradients (``repeated_by_a_constant``: 10 where Python's is 5):
    the repetition read as arithmetic, which no shape check catches."""
    if generic:
        monkeypatch.setenv("SRCDIFF_GENERIC", "1")
    args = (0.7, 2) if f is repeated_by_a_parameter else (0.7,)
    with pytest.raises(srcdiff.SrcdiffError, match="this is a list here") as err:
        srcdiff.value_and_grad(f, wrt=0)(*args)
    assert_user_error(err.value, f)


# ---------------------------------------------------------------- a gradient penalty through a list's gradient

PENALTY = '''
import numpy as np
import srcdiff


def f(xs, w):
    s = 0.0
    for x in xs:
        s = s + w * x * x
    return s


grad_f = srcdiff.grad(f, wrt=(0, 1))


def penalty(xs, w):
    g_xs, g_w = grad_f(xs, w)
    return np.sum(np.array([1.0, -2.0, 0.5]) * np.asarray(g_xs)) + g_w * w
'''


def test_a_gradient_penalty_through_a_lists_gradient(tmp_path):
    """A function calling the gradient of a function with loops and a list parameter."""
    module = import_text(tmp_path, PENALTY)
    xs, w = [0.3, -1.2, 0.7], 0.9
    assert srcdiff.grad(module.penalty, wrt=1)(xs, w) == pytest.approx(fd_grad(module.penalty, (xs, w), 1), rel=1e-6)
    expected = [2 * w * c + 2 * w * x for c, x in zip([1.0, -2.0, 0.5], xs)]
    assert srcdiff.grad(module.penalty, wrt=0)(xs, w) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [784115, 784122, 784149])
def test_a_gradient_penalty_through_items_like(seed, tmp_path):
    """Where a gradient's text is differentiated again, ``rt.items_like(grad_xs, xs)`` and
    ``rt.items_zeros(xs)`` had no rules: refused ("no gradient rule for 'rt.items_like'"), found
    by the fuzzer's penalty check on its ``containers`` family."""
    result = check_program(generate(seed, GROUPS["containers"]), folder=tmp_path, timeout=120, checks=("grad", "penalty"))
    assert result.checks["penalty"] == "pass", [f.message for f in result.failures]


def written_through_a_conditional_in_nested_loops(xs, w):
    acc = 0.0
    for a in xs:
        for b in xs:
            row = [a * w, b]
            row[0] = 0.5 * row[0] + (row[1] if row[0] >= 0.1 else a * b)
            acc = acc + row[0] * w
    return acc


def test_a_merge_of_an_item_and_a_number_is_no_alias():
    """Refused before as "read again afterwards through another name": the conditional merges
    an item of the list with a number from outside the inner loop, and the check followed the
    number's path too, which names no list (fuzzer seeds 784110, 785020, 785091, 785139)."""
    f = written_through_a_conditional_in_nested_loops
    xs, w = [0.3, -1.2, 0.7], 0.9
    grad_xs, grad_w = srcdiff.grad(f, wrt=(0, 1))(xs, w)
    np.testing.assert_allclose(grad_xs, fd_grad(f, (np.array(xs), w), 0), rtol=1e-6, atol=1e-9)
    assert grad_w == pytest.approx(fd_grad(f, (xs, w), 1), rel=1e-6)
    assert_first_parameter_paths(f, (np.array(xs), w))


@pytest.mark.parametrize("seed, group, generic", [(784110, "containers", False), (785020, "containers", False),
                                                  (785091, "containers", False), (785139, "containers", False),
                                                  (786113, "all", True)])
def test_fuzzer_programs_refused_as_read_through_another_name(seed, group, generic, tmp_path, monkeypatch):
    """The same family in array code (786113: ``r = (0.75 * y) if c else (g * g[3, 0])`` after
    ``y`` was written in place), refused in generic code."""
    if generic:
        monkeypatch.setenv("SRCDIFF_GENERIC", "1")
    result = check_program(generate(seed, GROUPS[group]), folder=tmp_path, timeout=120, checks=("grad", "jvp"))
    assert result.kind == "pass", [f.message for f in result.failures]
