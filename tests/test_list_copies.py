"""Lists Python makes anew and srcdiff lowers as slices (``list(xs)``, a starred rest, ``sorted(xs)``)
are objects of their own (``lower.writes``: ``check_writes``' ``lists``): writing into one is
fine, whatever ``xs`` is (Python's list is a copy).  Before, ``ys = list(xs); ys[0] = ...`` was
refused as writing into the caller's array.  An item of such a list is still the sequence's
item: writing into it (a row of a list of arrays) stays refused."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_jvp_and_hvp_match_differences, fd_grad

SOURCE = '''
import numpy as np


def copied_then_written(xs):
    ys = list(xs)
    ys[0] = ys[0] * 2
    return sum(ys) * xs[1]


def parameter_read_after_the_write(xs):
    ys = list(xs)
    ys[1] = 0.5 * ys[1] ** 2
    return ys[1] * xs[1] + ys[0]


def starred_rest(xs):
    a, *rest = xs
    rest[0] = rest[0] * a
    return sum(rest) + a


def sorted_then_written(xs):
    s = sorted(xs)
    s[0] = s[0] * 3.0
    return s[0] + s[-1] * s[1]


def rows_of_a_matrix(x):
    ys = list(x)
    ys[0] = ys[0] * 2.0
    return np.sum(np.stack(ys) ** 2) + np.sum(x * x[::-1])


def item_written(xs):
    ys = list(xs)
    r = ys[0]
    r[1] = 5.0
    return np.sum(r * r) + np.sum(xs[0] * xs[0])
'''

VECTOR = np.array([1.0, 2.5, -0.5])
CASES = {"copied_then_written": VECTOR, "parameter_read_after_the_write": VECTOR, "starred_rest": VECTOR,
         "sorted_then_written": VECTOR, "rows_of_a_matrix": np.arange(6.0).reshape(3, 2) / 4}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("list_copies"), SOURCE)


def _as(kind, x):
    return x if kind is np.ndarray else kind(x.tolist())


@pytest.mark.parametrize("kind", [list, tuple, np.ndarray], ids=["list", "tuple", "array"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_new_list_may_be_written_into(module, name, kind):
    f, x = getattr(module, name), CASES[name]
    if x.ndim > 1 and kind is not np.ndarray:
        pytest.skip("rows of a matrix: an array")
    argument = _as(kind, x)
    value, gradient = srcdiff.value_and_grad(f)(argument)
    assert value == pytest.approx(f(_as(kind, x)))
    assert type(gradient) is kind
    np.testing.assert_allclose(np.asarray(gradient, dtype=float), fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_and_hvp(module, name):
    x = CASES[name]
    assert_jvp_and_hvp_match_differences(getattr(module, name), (x,), np.linspace(-0.9, 1.3, x.size).reshape(x.shape))


def test_writing_into_an_item_stays_refused(module):
    """``ys[0]`` is ``xs[0]`` itself: writing into it writes into the caller's array."""
    with pytest.raises(srcdiff.SrcdiffError, match="view of another array") as caught:
        srcdiff.grad(module.item_written)
    assert caught.value.lineno == SOURCE.splitlines().index("    r[1] = 5.0") + 1
