"""Issue 11: a dict parameter read at a key the build cannot take as a constant path (a tuple
key, a loop over its keys, a key passed in, a position of ``range``) went to the array rules
and ended in NumPy's IndexError; the reverse sweep (grad, value_and_grad, hvp, explain,
check_grad) now refuses it at the read's line.  Forward mode reads such keys right."""
import numpy as np
import pytest

import srcdiff
from srcdiff.testing import check_grad
from trust_helpers import assert_user_error


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
def test_a_dict_read_at_a_key_that_is_no_path_is_refused(f, args, line, sweep):
    with pytest.raises(srcdiff.SrcdiffError, match="is a dict, read here at a key") as info:
        SWEEPS[sweep](f, args)
    assert_user_error(info.value, f, line)


def test_forward_mode_reads_those_keys_right():
    p = {0: 2.0, 1: 3.0, (1, 2): 0.5}
    assert srcdiff.jvp(tuple_key, wrt=0)(p, {0: 1.0, 1: -2.0, (1, 2): 4.0}) == pytest.approx(9.0 - 24.0 + 4.0)
    assert srcdiff.jvp(range_keys, wrt=0)({0: 2.0, 1: 3.0}, {0: 0.5, 1: 2.0}) == pytest.approx(2.0 + 12.0)


def test_constant_keys_still_give_a_dict_gradient():
    def f(p):
        return p[0] * p[1] ** 2 + p["c"]
    assert srcdiff.grad(f)({0: 2.0, 1: 3.0, "c": 0.5}) == {0: 9.0, 1: 12.0, "c": 1.0}
    np.testing.assert_allclose(srcdiff.grad(lambda x: x[0] * x[1])(np.array([2.0, 3.0])), [3.0, 2.0])
