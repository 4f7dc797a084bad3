"""Issue 12's NumPy families at their edges: zeros, ties, dtypes, sequences given whole,
and the calls that have no rule, refused with the reason at the user's line."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_user_error, fd_grad

SOURCE = '''
import numpy as np


def cumprod_zeros(x, W):
    return np.sum(W * np.cumprod(x, axis=1))


def sort_ties(x):
    return np.sum(np.sort(x) * np.arange(4.0))


def median_even(x):
    return np.median(x)


def quantile_on_value(x):
    return np.quantile(x, 0.5)


def ptp_ties(x):
    return np.ptp(x)


def concatenated(xs, W):
    return np.sum(W * np.concatenate(xs, axis=1) ** 2)


def stacked(xs, W):
    return np.sum(W * np.stack(xs, axis=-1) ** 3)


def float32_roll(x, W):
    return np.sum(W * np.roll(np.pad(x, 1, mode="edge"), 1)[1:4, 1:4] ** 2)


def copysign_zero(x, W):
    return np.sum(W * np.copysign(x, W))


def pad_mean(x):
    return np.sum(np.pad(x, 1, mode="mean"))


def quantile_nearest(x):
    return np.quantile(x, 0.3, method="nearest")


def split_looped(x):
    total = 0.0
    for part in np.split(x, 2):
        total = total + np.sum(part ** 2)
    return total


def split_returned_whole(x):
    return np.sum(np.stack(np.split(x, 2)))


def astype_complex(x):
    return np.sum(np.abs(x.astype(complex)))


def at_least_two(x, y):
    a, b = np.atleast_1d(x, y)
    return np.sum(a * b)


def roll_axis_keyword(x, k):
    return np.sum(np.roll(x, 1, axis=k) * x)


def quantile_computed(x, q):
    return np.quantile(x, q)


def diff_prepend(x):
    return np.sum(np.diff(x, prepend=0.0) ** 2)
'''


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("edges"), SOURCE, "numpy_family_edges")


def test_cumprod_is_exact_where_entries_are_zero(module):
    x = np.array([[0.5, 0.0, 2.0, 3.0], [0.0, 0.0, 1.5, -1.0], [1.0, 2.0, 0.0, 0.5], [-1.0, 0.5, 2.0, 1.5]])
    W = np.random.default_rng(0).standard_normal((4, 4))
    got = srcdiff.grad(module.cumprod_zeros, wrt=0)(x, W)
    np.testing.assert_allclose(got, fd_grad(module.cumprod_zeros, (x, W), 0), atol=1e-8)
    v = np.random.default_rng(1).standard_normal((4, 4))
    eps = 1e-6
    grad = srcdiff.grad(module.cumprod_zeros, wrt=0)
    along = (grad(x + eps * v, W) - grad(x - eps * v, W)) / (2 * eps)
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(srcdiff.hvp(module.cumprod_zeros, wrt=0, mode=mode)(x, W, v), along, atol=1e-6)


def test_ties_follow_a_stable_order(module):
    # sort: equal entries keep their order, so x[1] (first 1.0) takes rank 1 and x[3] rank 2
    np.testing.assert_array_equal(srcdiff.grad(module.sort_ties)(np.array([3.0, 1.0, 0.0, 1.0])), [3.0, 1.0, 0.0, 2.0])
    # the median of an even count: half to each middle value, ties in stable order
    np.testing.assert_array_equal(srcdiff.grad(module.median_even)(np.array([4.0, 1.0, 2.0, 2.0])), [0.0, 0.0, 0.5, 0.5])
    # a quantile that falls on a value gives it everything
    np.testing.assert_array_equal(srcdiff.grad(module.quantile_on_value)(np.array([5.0, 1.0, 3.0])), [0.0, 0.0, 1.0])
    # ptp: first position of the maximum and of the minimum, as np.argmax/np.argmin
    np.testing.assert_array_equal(srcdiff.grad(module.ptp_ties)(np.array([2.0, 0.0, 2.0, 0.0])), [1.0, -1.0, 0.0, 0.0])


def test_copysign_counts_positive_zero_as_positive(module):
    x = np.array([[-2.0, 1.5], [0.5, -0.25]])
    W = np.array([[0.0, -0.0], [3.0, -1.0]])
    np.testing.assert_array_equal(srcdiff.grad(module.copysign_zero, wrt=0)(x, W),
                                  W * np.sign(x) * np.copysign(1.0, W))


def test_a_sequence_parameter_concatenated_or_stacked(module):
    rng = np.random.default_rng(2)
    xs = [rng.standard_normal((3, 2)) for _ in range(3)]
    for fn, W in ((module.concatenated, rng.standard_normal((3, 6))), (module.stacked, rng.standard_normal((3, 2, 3)))):
        got = srcdiff.grad(fn, wrt=0)(xs, W)
        expected = [fd_grad(lambda x, W, i=i: fn([*xs[:i], x, *xs[i + 1:]], W), (xs[i], W), 0) for i in range(3)]
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.stack(expected), atol=1e-6)
        jvp = srcdiff.jvp(fn, wrt=0)(xs, W, np.stack(xs))
        np.testing.assert_allclose(jvp, sum(np.sum(e * x) for e, x in zip(expected, xs)), atol=1e-6)


def test_float32_stays_float32(module):
    x = np.arange(9, dtype=np.float32).reshape(3, 3) / 7
    W = np.ones((3, 3), dtype=np.float32)
    got = srcdiff.grad(module.float32_roll, wrt=0)(x, W)
    assert got.dtype == np.float32
    assert srcdiff.hvp(module.float32_roll, wrt=0)(x, W, x).dtype == np.float32


@pytest.mark.parametrize("name,args,words", [
    ("pad_mean", (np.ones((2, 2)),), "mode='mean'"),
    ("quantile_nearest", (np.arange(4.0),), "method='nearest'"),
    ("split_looped", (np.arange(4.0),), "read part by part"),
    ("split_returned_whole", (np.arange(4.0),), "read part by part"),
    ("astype_complex", (np.arange(4.0),), "'complex'"),
    ("at_least_two", (np.arange(2.0), np.arange(2.0)), "returns a list"),
    ("roll_axis_keyword", (np.ones((2, 2)), 0), "computed at run time"),
    ("quantile_computed", (np.arange(4.0), 0.5), "must be a constant"),
    ("diff_prepend", (np.arange(4.0),), "prepend="),
])
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_calls_without_a_rule_say_why(module, name, args, words, transform):
    fn = getattr(module, name)
    if transform == "jvp" and name == "split_returned_whole":
        assert srcdiff.jvp(fn, wrt=0)(*args, np.ones(4)) == 4.0  # forward mode splits the tangent: no refusal
        return
    if transform == "jvp" and name == "split_looped":  # the tangent split alike, its parts zipped with the values'
        assert srcdiff.jvp(fn, wrt=0)(*args, np.array([1.0, -1.0, 0.5, 2.0])) == 2.0 * (0 - 1 + 1 + 6)
        return
    with pytest.raises(srcdiff.SrcdiffError) as info:
        getattr(srcdiff, transform)(fn, wrt=0)(*args, *((np.ones_like(args[0]),) if transform == "jvp" else ()))
    assert words in str(info.value), str(info.value)
    assert_user_error(info.value, fn)
