"""Issue 11: a dict parameter read at a key the build cannot take as a constant path (a tuple
key, a loop over its keys, a key passed in, a position of ``range``) went to the array rules
and ended in NumPy's IndexError; the reverse sweep refused it at the read's line.  Such a read
now has an adjoint of its own, by key (``runtime.KeyedAdjoints``), given back in the dict's
structure (``rt.tree_grad``, ``rt.like``): grad, value_and_grad, explain, check_grad, hvp and
jvp give the dict's gradient, zeros at the keys not read.  Forward mode read such keys right
before too."""
import numpy as np
import pytest

import srcdiff
from srcdiff.testing import check_grad


def tuple_key(p):
    return p[0] * p[1] ** 2 + p[(1, 2)]


def walked_keys(p):
    s = 0.0
    for k in p:
        s = s + p[k] ** 2
    return s


def key_passed_in(p, k):
    return p[k] * 2.0


def range_keys(p):
    s = 0.0
    for i in range(2):
        s = s + p[i] ** 2
    return s


CASES = [(tuple_key, ({0: 2.0, 1: 3.0, (1, 2): 0.5},), "p[(1, 2)]"),
         (walked_keys, ({"a": 2.0, "b": 3.0},), "p[k] ** 2"),
         (key_passed_in, ({"a": 2.0, "b": 3.0}, "a"), "p[k] * 2.0"),
         (range_keys, ({0: 2.0, 1: 3.0},), "p[i] ** 2")]
SWEEPS = {
    "grad": lambda f, args: srcdiff.grad(f, wrt=0)(*args),
    "value_and_grad": lambda f, args: srcdiff.value_and_grad(f, wrt=0)(*args),
    "explain": lambda f, args: srcdiff.explain(f, *args),
    "check_grad": lambda f, args: check_grad(f, *args, wrt=0),
}


@pytest.mark.parametrize("sweep", SWEEPS)
@pytest.mark.parametrize("f, args, line", CASES)
def test_a_dict_read_at_a_key_that_is_no_path_is_differentiated(f, args, line, sweep):
    got = SWEEPS[sweep](f, args)
    expected = EXPECTED[f.__name__]
    if sweep == "check_grad":
        return  # (it raises where the gradient disagrees with central differences)
    gradient = got[1] if sweep == "value_and_grad" else got.gradients[0] if sweep == "explain" else got
    assert list(gradient) == list(expected) and all(gradient[k] == pytest.approx(v) for k, v in expected.items())
    assert all(type(v) is float for v in gradient.values())


EXPECTED = {"tuple_key": {0: 9.0, 1: 12.0, (1, 2): 1.0}, "walked_keys": {"a": 4.0, "b": 6.0},
            "key_passed_in": {"a": 2.0, "b": 0.0}, "range_keys": {0: 4.0, 1: 6.0}}


@pytest.mark.parametrize("f, args, line", CASES)
def test_second_order_through_those_keys(f, args, line):
    v = {key: 1.0 + 0.5 * n for n, key in enumerate(args[0])}
    hessian_diagonal = {"tuple_key": {0: 0.0, 1: 2.0 * 2.0, (1, 2): 0.0}, "walked_keys": {"a": 2.0, "b": 2.0},
                        "key_passed_in": {"a": 0.0, "b": 0.0}, "range_keys": {0: 2.0, 1: 2.0}}[f.__name__]
    hv = srcdiff.hvp(f, wrt=0)(*args, v)
    expected = {key: hessian_diagonal[key] * v[key] for key in args[0]}
    if f is tuple_key:  # p[0] * p[1] ** 2: mixed terms
        expected = {0: 2 * 3.0 * v[1], 1: 2 * 3.0 * v[0] + 2 * 2.0 * v[1], (1, 2): 0.0}
    assert list(hv) == list(args[0]) and all(hv[k] == pytest.approx(expected[k]) for k in expected)


def test_forward_mode_reads_those_keys_right():
    p = {0: 2.0, 1: 3.0, (1, 2): 0.5}
    assert srcdiff.jvp(tuple_key, wrt=0)(p, {0: 1.0, 1: -2.0, (1, 2): 4.0}) == pytest.approx(9.0 - 24.0 + 4.0)
    assert srcdiff.jvp(range_keys, wrt=0)({0: 2.0, 1: 3.0}, {0: 0.5, 1: 2.0}) == pytest.approx(2.0 + 12.0)


def test_constant_keys_still_give_a_dict_gradient():
    def f(p):
        return p[0] * p[1] ** 2 + p["c"]
    assert srcdiff.grad(f)({0: 2.0, 1: 3.0, "c": 0.5}) == {0: 9.0, 1: 12.0, "c": 1.0}
    np.testing.assert_allclose(srcdiff.grad(lambda x: x[0] * x[1])(np.array([2.0, 3.0])), [3.0, 2.0])
