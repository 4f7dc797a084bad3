"""Membership tests, ``in`` and ``not in``, and a dict's keys read only where they are there.

``if "b" in params: s = s + params["b"] * x`` is how ordinary code takes an optional
parameter.  ``in`` was refused ("the comparison is not supported"); a dict's key read only
behind a check (``if len(params) > 1: params["b"]``) raised Python's KeyError from the
generated code on calls that never read it, since every part of a parameter is read at the
start.  A membership test is now a bool with no gradient (like ``==``), on dicts, lists and
arrays, and a key read only on some paths is read ``rt.item_or_absent(params, "b")``: its
gradient is left out of the dict's where the argument lacks it.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_user_error

SOURCE = '''
import numpy as np


def optional_bias(params, x):
    s = params["a"] * x
    if "b" in params:
        s = s + params["b"] * x
    return s * s


def unless_present(params, x):
    s = params["a"] * x
    if "b" not in params:
        return s
    return s * params["b"]


def behind_a_length(params, x):
    s = params["a"] * x
    if len(params) > 1:
        s = s + np.sin(params["b"] * x)
    return s


def listed(xs, w, special):
    s = 0.0
    for x in xs:
        if x in special:
            s = s + w * x
        else:
            s = s + w * w * x
    return s


def found_in_array(a, w):
    if 0.0 in a:
        return np.sum(a * w)
    return np.sum(a * w * w)


def keys_in_a_loop(params, x, names):
    s = 0.0
    for k in names:
        if k in params:
            s = s + x
    return s * params["a"]
'''

DICT_CASES = [("optional_bias", {"a": 1.5, "b": -0.5}), ("optional_bias", {"a": 1.5}),
              ("unless_present", {"a": 1.5, "b": -0.5}), ("unless_present", {"a": 1.5}),
              ("behind_a_length", {"a": 1.5, "b": -0.5}), ("behind_a_length", {"a": 1.5})]
H = 1e-6


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("membership"), SOURCE)


def central(f, args, position, key=None):
    """The central difference of ``f`` along argument ``position`` (its entry ``key``)."""
    def moved(step):
        changed = list(args)
        if key is None:
            changed[position] = args[position] + step
        else:
            changed[position] = {**args[position], key: args[position][key] + step}
        return f(*changed)
    return (moved(H) - moved(-H)) / (2 * H)


@pytest.mark.parametrize("name, params", DICT_CASES)
def test_a_dict_with_or_without_the_optional_key(module, name, params):
    f = getattr(module, name)
    args = (params, 0.7)
    grad_params, grad_x = srcdiff.grad(f, wrt=(0, 1))(*args)
    assert set(grad_params) == set(params)  # a key the argument lacks gets no gradient
    for key in params:
        assert grad_params[key] == pytest.approx(central(f, args, 0, key), rel=1e-6)
    assert grad_x == pytest.approx(central(f, args, 1), rel=1e-6)
    value, _ = srcdiff.value_and_grad(f, wrt=1)(*args)
    assert value == f(*args)
    assert srcdiff.jvp(f, wrt=1)(*args, 1.0) == pytest.approx(central(f, args, 1), rel=1e-6)
    second = (srcdiff.grad(f, wrt=1)(params, 0.7 + H) - srcdiff.grad(f, wrt=1)(params, 0.7 - H)) / (2 * H)
    assert srcdiff.hvp(f, wrt=1)(*args, 1.0) == pytest.approx(second, rel=1e-5, abs=1e-8)
    assert srcdiff.explain(f, *args).value == pytest.approx(f(*args))


@pytest.mark.parametrize("xs", [[1.0, 3.0, 2.0], np.array([1.0, 3.0, 2.0])], ids=["list", "array"])
def test_an_item_found_in_a_list(module, xs):
    f = module.listed
    grad_xs, grad_w = srcdiff.grad(f, wrt=(0, 1))(xs, 0.5, [1.0, 2.0])
    assert list(grad_xs) == pytest.approx([0.5, 0.25, 0.5])  # w where found, w * w where not
    assert grad_w == pytest.approx(central(f, (xs, 0.5, [1.0, 2.0]), 1), rel=1e-6)


@pytest.mark.parametrize("a", [np.array([1.0, 0.0, 2.0]), np.array([1.0, 3.0, 2.0])], ids=["found", "not found"])
def test_a_number_found_in_an_array(module, a):
    f = module.found_in_array
    grad_a, grad_w = srcdiff.grad(f, wrt=(0, 1))(a, 0.5)
    assert grad_a == pytest.approx(np.full(3, 0.5 if 0.0 in a else 0.25))
    assert grad_w == pytest.approx(central(f, (a, 0.5), 1), rel=1e-6)


def test_keys_tested_in_a_loop(module):
    f = module.keys_in_a_loop
    grad_params, grad_x = srcdiff.grad(f, wrt=(0, 1))({"a": 2.0, "b": 1.0}, 0.5, ["a", "c", "b"])
    assert grad_params == {"a": 1.0, "b": 0.0} and grad_x == 4.0


def test_the_test_prints_as_written(module):
    text = srcdiff.grad(module.optional_bias).source
    assert "s0 = 'b' in params" in text and "rt.item_or_absent(params, 'b')" in text
    assert "s0 = 'b' not in params" in srcdiff.grad(module.unless_present).source


def test_numba_mode_refuses_a_membership_test_at_its_line(module):
    pytest.importorskip("numba")
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        srcdiff.grad(module.found_in_array, wrt=1, jit="numba")(np.array([1.0, 0.0]), 0.5)
    assert_user_error(caught.value, module.found_in_array, "    if 0.0 in a:")


# ---------------------------------------------------------------- in a display

def in_constants(x):
    return 1.0 if x in (1.0, 2.0) else x * x


def in_values(x, y):
    return x * y if y in [x, 2.0 * x] else x + y * y


def a_setting_in_texts(x, mode="mean"):
    return x * 2.0 if mode in ("mean", "avg") else x


def not_in_a_list(x):
    return x * x if x not in [0.0, 1.0] else x


def skipped_in_a_loop(xs):
    s = 0.0
    for x in xs:
        if x not in (1.0, 3.0):
            s += x * x
    return s


@pytest.mark.parametrize("f, args, first, second", [
    (in_constants, (0.7,), 1.4, 2.0), (in_constants, (2.0,), 0.0, 0.0), (in_values, (0.7, 1.4), 1.4, 0.0),
    (in_values, (0.7, 0.9), 1.0, 0.0), (a_setting_in_texts, (0.7,), 2.0, 0.0), (a_setting_in_texts, (0.7, "sum"), 1.0, 0.0),
    (not_in_a_list, (0.7,), 1.4, 2.0), (not_in_a_list, (1.0,), 1.0, 0.0),
], ids=lambda v: getattr(v, "__name__", None))
def test_membership_in_a_display(f, args, first, second):
    """``x in (1.0, 2.0)`` was refused ("a tuple or list is not supported here"); the display is
    now the tuple of its items (a constant where each is one).  At a member the function jumps,
    so the expected derivatives are the taken branch's (by hand); elsewhere they are checked
    against central differences too."""
    assert srcdiff.grad(f, wrt=0)(*args) == pytest.approx(first, rel=1e-12)
    value, _ = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == f(*args)
    assert srcdiff.jvp(f, wrt=0)(*args, 1.0) == pytest.approx(first, rel=1e-12)
    assert srcdiff.hvp(f, wrt=0)(*args, 1.0) == pytest.approx(second, rel=1e-12)
    assert srcdiff.hessian(f, wrt=0)(*args) == pytest.approx(second, rel=1e-12)
    assert srcdiff.explain(f, *args).value == pytest.approx(f(*args))
    if (f, args[0]) not in ((in_constants, 2.0), (not_in_a_list, 1.0)) and f is not in_values:
        assert first == pytest.approx(central(f, args, 0), rel=1e-6)
    if f is in_values and args[1] == 0.9:  # not a member: smooth in y
        assert srcdiff.grad(f, wrt=1)(*args) == pytest.approx(central(f, args, 1), rel=1e-6, abs=1e-9)


def test_membership_in_a_display_in_a_loop():
    grad = srcdiff.grad(skipped_in_a_loop)([1.0, 2.0, 3.0, 4.0])
    assert grad == [0.0, 4.0, 0.0, 8.0]


def test_a_display_of_constants_prints_as_one():
    assert "x in (1.0, 2.0)" in srcdiff.grad(in_constants).source


@pytest.mark.parametrize("f, args", [(in_constants, (0.7,)), (in_constants, (2.0,)), (in_values, (0.7, 1.4)),
                                     (in_values, (0.7, 0.9)), (not_in_a_list, (0.7,)), (not_in_a_list, (1.0,))],
                         ids=lambda v: getattr(v, "__name__", None))
def test_numba_mode_compiles_membership_in_a_display(f, args):
    """``x in (1.0, 2.0)`` and ``y in [x, 2.0 * x]`` were refused by jit="numba" ("cannot compile
    'in'"); numba compiles a membership test in a tuple of numbers, so it is taken now (a test in
    an array is still refused, above).  Its gradient is the plain code's."""
    pytest.importorskip("numba")
    jitted = srcdiff.grad(f, jit="numba")
    assert jitted(*args) == pytest.approx(srcdiff.grad(f)(*args), rel=1e-12)
    compiled, = jitted.__srcdiff_table__.values()
    assert hasattr(compiled, "py_func")  # numba's own dispatcher ran it


def in_mixed(x):
    return x * x if x not in (1, 1.5) else x


def test_numba_mode_refuses_a_tuple_of_ints_and_floats_at_its_line(module):
    """numba's tuples hold one type: ``x not in (1, 1.5)`` has no membership test there (found by
    the fuzzer's containers family once displays were taken)."""
    pytest.importorskip("numba")
    with pytest.raises(srcdiff.SrcdiffError, match="cannot compile 'not in'") as caught:
        srcdiff.grad(in_mixed, jit="numba")(0.7)
    assert_user_error(caught.value, in_mixed, "    return x * x if x not in (1, 1.5) else x")
    assert srcdiff.grad(in_mixed)(0.7) == pytest.approx(1.4)
