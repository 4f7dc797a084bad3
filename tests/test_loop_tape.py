"""What loops tape (``emit.tape``) and how specialized loops are printed (``emit.fusion``): a
carry's next value copied from the carried value, an item of a list the function only
reads read again, temporaries written into their readers.  Every function is checked
against finite differences through the code each kind of argument runs (list, tuple,
float64 array, and the generic code), with items of different signs."""
import math
import os

import numpy as np
import pytest
from gradcheck import numeric_grad

import srcdiff
from srcdiff.errors import generated_file



def nested_recurrence(w, xs, n):
    """An inner recurrence restarted by each outer iteration: the inner carry's last value is
    read by the outer iteration (the outer tape keeps it for the inner loop's copies)."""
    s = 0.0
    for j in range(n):
        h = s * 0.5
        for i in range(len(xs)):
            h = math.tanh(w * h + xs[i] * (j + 1))
        s = s + h * h
    return s


def breaking(w, xs):
    """A carry whose loop breaks: the value after the loop is the last next value."""
    h = 0.3
    for x in xs:
        h = math.sin(w * h + x)
        if h > 0.9:
            break
    return h * h


def branching(w, xs):
    """Carries changed on one side of a branch; items read on both sides."""
    h = 0.1
    c = 1.0
    for i in range(len(xs)):
        if xs[i] > 0:
            h = math.tanh(w * h + xs[i])
        else:
            c = c * (w - xs[i])
        h = h + 0.1 * c
    return h + c


def over_items(w, xs, ys):
    """Items of ``zip``, ``enumerate`` and ``reversed``."""
    h = 0.2
    for x, y in zip(xs, ys):
        h = math.tanh(w * h + x * y)
    for k, x in enumerate(xs):
        h = h * 0.9 + math.sin(x * k * w)
    for x in reversed(xs):
        h = math.cos(h * x) + w * 0.1
    return h


def while_carries(w, xs):
    """A while loop with two carries, each the other's input."""
    a, b = 0.5, w
    i = 0
    while i < len(xs):
        a, b = b * xs[i] + math.sin(a), a * w - b * b
        i = i + 1
    return a + b


specialized_only = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                      reason="pytest --generic: gradients run their generic code, nothing is specialized")

CASES = [
    (nested_recurrence, lambda xs: (0.6, xs, 3), (0, 1)),
    (breaking, lambda xs: (0.8, xs), (0, 1)),
    (branching, lambda xs: (0.7, xs), (0, 1)),
    (over_items, lambda xs: (0.6, xs, [v * 0.5 - 0.1 for v in xs]), (0, 1, 2)),
    (while_carries, lambda xs: (0.4, xs), (0, 1)),
]
DATA = [0.3, -0.2, 0.5, -0.7, 0.45]


@pytest.mark.parametrize("fn, make, wrt", CASES, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("kind", ["list", "tuple", "f64", "generic"])
def test_loops_against_finite_differences(fn, make, wrt, kind):
    args = make(DATA)
    sequence = {"list": list, "tuple": tuple, "f64": np.array, "generic": list}[kind]
    args = tuple(sequence(a) if isinstance(a, list) else a for a in args)
    g = srcdiff.grad(fn, wrt=wrt)
    run = g.__srcdiff_generic__ if kind == "generic" and hasattr(g, "__srcdiff_generic__") else g
    got = run(*args)
    as_arrays = [np.array(a, float) if isinstance(a, (list, tuple)) else a for a in args]
    for position, grad in zip(wrt, got):
        expected = numeric_grad(fn, as_arrays, position)
        np.testing.assert_allclose(np.asarray(grad, float), expected, rtol=1e-6, atol=1e-7,
                                   err_msg=g.source_for(*args))
        if kind in ("list", "tuple") and position != 0:
            assert type(grad) is type(args[position])


@specialized_only
def test_nested_carry_is_kept_by_the_outer_tape():
    text = srcdiff.grad(nested_recurrence).source_for(0.6, [0.1, 0.2], 3)
    assert "            h_2 = h_1\n            h_1, s3 = tape.pop()\n" in text  # the inner carry's copy, then its pop
    assert "tape.append((s0, h_1))" in text  # the outer iteration keeps the inner carry's last value


@specialized_only
def test_an_array_item_is_taped_a_list_item_read_again():
    g = srcdiff.grad(over_items)
    as_list = g.source_for(0.6, [0.1, 0.2, 0.3], [0.1, 0.2, 0.3])
    assert "x = xs[k_2]\n        y = ys[k_2]\n" in as_list and "x_2 = xs[-1 - k_1]\n" in as_list
    as_array = g.source_for(0.6, np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2, 0.3]))
    assert " = xs[" not in as_array and "tape.append((h, x, y))" in as_array


@specialized_only
def test_a_list_written_or_passed_on_is_taped():
    def writes(w, xs):
        h = 0.0
        ys = xs  # another name for the list: not read item by item only
        for x in xs:
            h = math.tanh(w * h + x)
        return h + ys[0]

    text = srcdiff.grad(writes).source_for(0.5, [0.1, 0.2])
    assert "= xs[k]" not in text


def two_lines(w, xs):
    h = 0.0
    for x in xs:
        a = w * x + math.cos(h) * 0.5
        h = math.tanh(a) - a
    return h


@specialized_only
def test_temporaries_are_written_into_their_readers_in_loops_only():
    g = srcdiff.grad(two_lines)
    text = g.source_for(0.5, [0.1, 0.2])
    assert "        a = w * x + math.cos(h) * 0.5\n        s3 = math.tanh(a)\n        h_1 = s3 - a\n" in text  # s3 is taped
    assert "s0 = w * x" in g.source  # the generic code keeps three-address form


def domain(w, xs):
    h = 1.0
    for x in xs:
        h = math.sqrt(w * h - x)
    return h


@pytest.mark.parametrize("xs", [[0.1, 2.0], (0.1, 2.0), np.array([0.1, 2.0])])
def test_an_error_in_a_fused_line_points_at_the_users_line(xs):
    with pytest.raises(ValueError) as info:
        srcdiff.grad(domain)(0.5, xs)
    last = info.traceback[-1]
    origin = generated_file(str(last.path)).origin(last.lineno + 1)
    assert origin.line_text.strip() == "h = math.sqrt(w * h - x)"
