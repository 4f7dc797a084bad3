"""``enumerate(xs, start)`` and ``enumerate(xs, start=...)``, in a for loop and in a comprehension:
the index counted from ``start`` (``lower.loops`` and ``lower.comprehensions``), ``start``
evaluated once, before the loop.  Before, both were refused (the keyword with a message naming
an internal variable).  Checked on every path against central differences, with the weights
the index gives making a wrong position visible."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text, printed_gradient
from trust_helpers import assert_first_parameter_paths

SOURCE = '''
import math
import numpy as np

W = np.array([0.5, -1.0, 2.0])


def loop_positional(xs):
    total = 0.0
    for i, x in enumerate(xs, 1):
        total += i * x ** 2
    return total


def loop_keyword(xs, w):
    total = 0.0
    for i, x in enumerate(xs, start=2):
        total = total + w ** i * math.sin(x)
    return total


def index_after_the_loop(xs):
    total = 0.0
    for i, x in enumerate(xs, 10):
        total += x * i
    return total * i


def nested(xs, ys):
    total = 0.0
    for i, x in enumerate(xs, 1):
        for j, y in enumerate(ys, start=i):
            total += j * x * y
    return total


def start_from_a_parameter(xs, n):
    total = 0.0
    for i, x in enumerate(xs, -n):
        total += i * x * x
    return total


def comprehension(xs):
    return sum(i * x * x for i, x in enumerate(xs, 1))


def comprehension_keyword(xs, w):
    return sum([w ** i * x for i, x in enumerate(xs, start=2)])


def inner_comprehension(xs):
    return sum(sum(j * x * y for j, y in enumerate(xs, start=i)) for i, x in enumerate(xs, 1))


def tuple_unrolled(a, b):
    return sum(k * v for k, v in enumerate((a, b, a * b), 1))


def loop_over_a_tuple(a, b):
    t = 0.0
    for k, v in enumerate((a, b), start=3):
        t = t + k * v ** 2
    return t


def rows(x):
    t = 0.0
    for i, row in enumerate(x, 1):
        t = t + i * np.sum(np.tanh(row) * W)
    return t
'''

XS = [0.3, -1.2, 0.8]
CASES = {
    "loop_positional": (XS,), "loop_keyword": (XS, 0.7), "index_after_the_loop": (XS,),
    "nested": (XS, [0.5, -1.0]), "start_from_a_parameter": (XS, 2), "comprehension": (XS,),
    "comprehension_keyword": (XS, 0.7), "inner_comprehension": (XS,), "tuple_unrolled": (1.5, -0.5),
    "loop_over_a_tuple": (1.5, -0.5), "rows": (np.arange(6.0).reshape(2, 3) / 5,),
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("enumerate_start"), SOURCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


def test_hessian_and_the_gradient_of_the_gradient(module):
    f = module.loop_keyword
    w = 0.7
    second = srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=1)(np.array(XS), w)
    expected = (srcdiff.grad(f, wrt=1)(np.array(XS), w + 1e-6) - srcdiff.grad(f, wrt=1)(np.array(XS), w - 1e-6)) / 2e-6
    assert second == pytest.approx(expected, rel=1e-6)
    hessian = srcdiff.hessian(module.comprehension)(np.array(XS))
    np.testing.assert_allclose(hessian, np.diag([2.0, 4.0, 6.0]), atol=1e-12)


def test_generated_code_counts_from_start(module):
    """The loop keeps enumerate, the user's index counted from a name the function does not use."""
    text = srcdiff.grad(module.loop_positional).source
    assert "for i0, x in enumerate(xs):" in text and "i = i0 + 1" in text


def test_the_command_line(tmp_path):
    printed = printed_gradient(tmp_path, SOURCE, "loop_keyword")
    assert "for i0, x in enumerate(xs):" in printed and "i = i0 + 2" in printed


def test_a_counter_name_the_function_already_uses_is_not_taken(tmp_path):
    module = import_text(tmp_path, '''
def f(xs):
    i0 = 2.0
    total = 0.0
    for i, x in enumerate(xs, 1):
        total += i * x * i0
    return total
''')
    text = srcdiff.grad(module.f).source
    assert "for i_0, x in enumerate(xs):" in text
    assert srcdiff.grad(module.f)(XS) == [2.0, 4.0, 6.0]  # i * i0


@pytest.mark.parametrize("header, message", [
    ("for i, x in enumerate(xs, 1, 2):", "does not match enumerate"),
    ("for i in enumerate(xs, 1):", "does not match enumerate"),
])
def test_other_shapes_stay_refused_at_the_loop(tmp_path, header, message):
    module = import_text(tmp_path, f'''
def f(xs):
    total = 0.0
    {header}
        total += x
    return total
'''.replace("total += x", "total += 1.0" if "i in" in header else "total += x"))
    with pytest.raises(srcdiff.SrcdiffError, match=message) as caught:
        srcdiff.grad(module.f)(XS)
    assert caught.value.lineno == 4
