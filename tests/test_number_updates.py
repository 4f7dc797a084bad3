"""``t += x`` read again through another name, where ``t`` starts as a number: the running total
a newcomer appends to a list (``t = 0.0``, ``for x in xs: t += x; out.append(t)``).

NumPy updates an array in place, so lowering (which makes ``t = t + x`` a new value) refuses an
update read again elsewhere.  An accumulator that enters its loop as a number constant is a
number unless what it adds is an array, which lowering cannot tell: it is checked when it runs
(``lower.number_updates``, ``rt.check_number_update``).  Before, it was refused for numbers too.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_first_parameter_paths, assert_user_error

SOURCE = '''
import math


def running_squares(xs):
    t = 0.0
    out = []
    for x in xs:
        t += x
        out.append(t)
    return sum(o * o for o in out)


def running_products(xs, w):
    t = 1.0
    history = []
    for x in xs:
        t *= math.tanh(w * x) + 1.5
        history.append(t)
    return sum(history) / len(history)


def lagged(xs):
    t = 0.0
    s = 0.0
    for i in range(len(xs)):
        prev = t
        t += xs[i]
        s = s + prev * t
    return s


def decayed(xs):
    t = 0
    seen = []
    for x in xs:
        t -= 0.5 * x * x
        seen.append(math.exp(t))
    return seen[-1] + seen[0]
'''


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("number_updates"), SOURCE)


@pytest.mark.parametrize("name,args", [("running_squares", ([0.5, 1.0, -2.0],)),
                                       ("running_products", ([0.5, 1.0, -2.0, 0.3], 0.8)),
                                       ("decayed", ([0.5, 1.0, -0.7],)), ("lagged", ([0.5, 1.0, -0.7],))])
def test_a_running_number_appended_to_a_list(module, name, args):
    assert_first_parameter_paths(getattr(module, name), args)


def test_an_array_updated_in_place_is_refused_at_the_users_line_when_it_runs(module):
    """Items that are arrays make ``t`` an array after the first round, which ``+=`` then changes
    in place, under the list that holds it: refused when it happens, at the user's line."""
    gradient = srcdiff.grad(module.running_squares)
    with pytest.raises(srcdiff.SrcdiffError, match="in-place update changes a ndarray") as caught:
        gradient([np.array([0.5, 1.0]), np.array([1.0, 2.0])])
    assert_user_error(caught.value, module.running_squares, "t += x")


def test_the_check_is_one_class_test_for_a_float(module):
    assert "rt.check_number_update(t)" in srcdiff.grad(module.lagged).source
    text = srcdiff.grad(module.running_squares).source
    assert "if t.__class__ is not float:\n            rt.check_number_update(t)\n        t_1 = t + x" in text


def test_numba_mode_drops_the_check(module):
    """Under ``jit="numba"`` every value is a number (an accumulator that became an array would
    not compile): the check is dropped from the text numba compiles."""
    pytest.importorskip("numba")
    xs = np.array([0.5, 1.0, -2.0])
    gradient = srcdiff.grad(module.lagged, jit="numba")
    np.testing.assert_allclose(gradient(xs), srcdiff.grad(module.lagged)(xs), rtol=1e-12)
    assert "check_number_update" not in gradient.source_for(xs)
