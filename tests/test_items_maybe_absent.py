"""An item of a sequence parameter read only on a path that checks it is there:
``if len(xs) > 1: d = xs[1] - xs[0]``, ``if xs: xs[0]``, a read inside a loop that may not run.

Every part of a parameter is read once, at the start of the function (``lower.trees``).  Read
there unconditionally, ``xs[1]`` of a shorter list raised Python's IndexError on calls that
never take the path reading it: a raw traceback where the function itself returns a value.
Such an item is now read ``rt.item_or_absent(xs, 1)``, absent where the list is shorter, its
gradient then zero and left out of the list's gradient.  An item read on every path prints as
before.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_first_parameter_paths

SOURCE = '''
import numpy as np


def first_if_any(xs, w):
    if len(xs) > 0:
        return w * xs[0]
    return w


def truthy(xs, w):
    if xs:
        return w * xs[0] * xs[0]
    return w


def step_if_two(xs, w):
    total = w * w
    if len(xs) > 1:
        total = total + w * (xs[1] - xs[0]) ** 2
    return total


def read_in_a_loop(xs, w, n):
    total = w
    for i in range(n):
        total = total + np.sin(xs[0] * w) * (i + 1)
    return total


def read_first_everywhere(xs, w):
    first = xs[0]
    if len(xs) > 1:
        return w * first * xs[1]
    return w * first
'''

SHORT = {"first_if_any": ([], 0.5), "truthy": ([], 0.5), "step_if_two": ([0.7], 0.5),
         "read_in_a_loop": ([], 0.5, 0), "read_first_everywhere": ([0.7], 0.5)}
LONG = {"first_if_any": ([0.3, 1.2], 0.5), "step_if_two": ([0.3, 1.2, -0.4], 0.5),  # (truthy: `if xs` of an array raises)
        "read_in_a_loop": ([0.3, 1.2], 0.5, 3), "read_first_everywhere": ([0.3, 1.2], 0.5)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("items_maybe_absent"), SOURCE)


@pytest.mark.parametrize("name", list(SHORT))
def test_a_call_whose_list_lacks_the_item(module, name):
    """The path reading the item is not taken: the gradient of the list has its own length
    (the items read elsewhere get theirs), the other parameter's is the function's derivative."""
    f = getattr(module, name)
    args = SHORT[name]
    gradient = srcdiff.grad(f, wrt=(0, 1))(*args)
    h = 1e-6
    along_items = [(f([x + h * (j == k) for j, x in enumerate(args[0])], *args[1:])
                    - f([x - h * (j == k) for j, x in enumerate(args[0])], *args[1:])) / (2 * h) for k in range(len(args[0]))]
    assert isinstance(gradient[0], list) and gradient[0] == pytest.approx(along_items, rel=1e-6)
    expected = (f(args[0], args[1] + h, *args[2:]) - f(args[0], args[1] - h, *args[2:])) / (2 * h)
    assert gradient[1] == pytest.approx(expected, rel=1e-6)
    assert srcdiff.value_and_grad(f, wrt=1)(*args)[0] == f(*args)
    assert srcdiff.jvp(f, wrt=1)(*args, 1.0) == pytest.approx(expected, rel=1e-6)
    assert srcdiff.explain(f, *args).value == pytest.approx(f(*args))
    second = srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=1)(*args)
    assert second == pytest.approx(srcdiff.hessian(f, wrt=1)(*args), abs=1e-12)


@pytest.mark.parametrize("name", list(LONG))
def test_a_call_whose_list_has_it(module, name):
    assert_first_parameter_paths(getattr(module, name), LONG[name])


def test_only_an_item_read_on_some_paths_may_be_absent(module):
    text = srcdiff.grad(module.step_if_two).source
    assert "xs_1 = rt.item_or_absent(xs, 1)" in text and "xs_0 = rt.item_or_absent(xs, 0)" in text
    text = srcdiff.grad(module.read_first_everywhere).source
    assert "first = xs[0]" in text and "xs_1 = rt.item_or_absent(xs, 1)" in text


def test_a_tuple_and_an_array(module):
    assert srcdiff.grad(module.step_if_two, wrt=0)((0.7,), 0.5) == (0.0,)
    np.testing.assert_array_equal(srcdiff.grad(module.step_if_two, wrt=0)(np.array([0.7]), 0.5), [0.0])


def test_numba_mode_reads_an_absent_entry_as_zero_and_leaves_its_gradient_out(module):
    """numba checks no bounds: an entry read only on some paths is read behind a length test,
    and its gradient is added only where the array has it."""
    pytest.importorskip("numba")
    for xs in (np.array([]), np.array([0.7]), np.array([0.3, 1.2, -0.4])):
        got = srcdiff.grad(module.step_if_two, wrt=(0, 1), jit="numba")(xs, 0.5)
        want = srcdiff.grad(module.step_if_two, wrt=(0, 1))(xs, 0.5)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        assert got[1] == pytest.approx(want[1], rel=1e-12)


def test_numba_mode_raises_where_an_entry_read_on_every_path_is_missing(tmp_path):
    """Python raises IndexError for ``xs[5]`` of a shorter array; numba, which checks no bounds,
    read past the end and returned a number made of it.  The text numba compiles checks first."""
    pytest.importorskip("numba")
    module = import_text(tmp_path, "def f(xs, w):\n    return w * xs[5] + w * w\n")
    gradient = srcdiff.grad(module.f, jit="numba")
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        gradient(np.array([0.1, 0.2, 0.3]), 0.5)
    xs = np.arange(7.0)
    got, want = gradient(xs, 0.5), srcdiff.grad(module.f)(xs, 0.5)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1]
