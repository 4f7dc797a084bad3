"""``np.vander``, ``np.take`` (and ``x.take``), ``np.partition``, ``math.hypot`` of three or more
numbers, ``math.dist`` and ``sorted``: each against central differences and JAX, on every path
(grad, jvp, hvp, hessian, grad of grad for numbers, explain; ``pytest --generic`` runs the generic
code), with upstream weights that differ entry by entry and square shapes."""
import math

import numpy as np
import pytest

import srcdiff
from trust_helpers import (assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, assert_user_error,
                           fd_directional, fd_grad)

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

W = np.arange(1.0, 17.0).reshape(4, 4) / 7
W4 = np.array([0.3, 1.7, -0.4, 2.2])
W6 = np.array([0.3, 1.7, -0.4, 2.2, 0.8, -1.1])
X = np.array([[0.5, -1.2, 2.0, 0.3], [1.1, 0.7, -0.4, 1.9], [-0.8, 0.2, 1.5, -1.3], [0.9, -0.6, 0.1, 1.4]])
V4 = np.array([0.5, -1.2, 2.0, 0.3])
V6 = np.array([0.5, -1.2, 2.0, 0.3, 0.9, -0.2])


def vander(x):
    return np.sum(W * np.vander(x))


def vander_increasing_n(x):
    return np.sum(W[:, :3] * np.vander(x, 3, increasing=True))


def vander_with_a_zero(x):
    return np.sum(W * np.vander(x * np.array([1.0, 0.0, 1.0, 1.0])))  # x ** 0 at 0: exact, no NaN


def polynomial_fit(t):
    design = np.vander(t, 3)  # the sample points move: the design matrix needs a gradient
    return np.sum((design @ np.array([0.5, -1.0, 2.0]) - np.array([0.1, 0.5, -0.3, 0.9])) ** 2)


def take_flat_repeated(x):
    return np.sum(W4 * np.take(x, [0, 5, 5, 15]))


def take_axis_repeated(x):
    return np.sum(W[:, :3] * np.take(x, [1, 1, 3], axis=1))


def take_last_axis(x):
    return np.sum(W[:, :3] * np.take(x, [3, 0, 3], axis=-1))


def take_modes(x):
    return np.sum(W4 * np.take(x, [5, -7, 1, 2], mode="wrap")) + np.sum(W4 * np.take(x, [5, -7, 1, 1], mode="clip"))


def take_method(x):
    return np.sum(W4 * x.take([3, 3, 1, 0])) + x.take(2) ** 2


def partition_kth(x):
    return np.partition(x, 2)[2] * 3.0


def partition_weighted(x):
    return np.sum(W6 * np.partition(x, 3))  # every place read: NumPy's own arrangement


def partition_rows(x):
    return np.sum(W * np.partition(x, 1, axis=0))


def partition_flat(x):
    return np.sum(np.arange(16.0) * np.partition(x, (2, 9), axis=None))


def top_two(x):
    return np.sum(np.partition(x, -2)[-2:] * np.array([1.0, 2.5]))


def hypot_three(x):
    return math.hypot(x, 2.0 * x, x * x) + math.hypot(x, 1.0, 3.0, x)


def dist_points(x):
    return math.dist((x, 2.0, x * x), (1.0, x, 0.5)) + 2.0 * math.dist([x, 1.0], [0.0, x * x])


def sorted_numbers(x):
    s = sorted([x, 2.0 * x, 1.0 - x, x * x])
    return s[0] * 1.0 + s[1] * 2.0 + s[2] * 3.0 + s[3] * 4.0


def sorted_array(x):
    return sum(w * v for w, v in zip(W6, sorted(x)))


def sorted_reversed(x):
    s = sorted(x, reverse=True)
    return s[0] * 1.0 + s[1] * 2.0 + s[2] * 3.0 + s[3] * 4.0


def sorted_squares_median(x):
    s = sorted(v * v for v in x)
    n = len(s)
    return (s[n // 2 - 1] + s[n // 2]) / 2.0


def ranked(x):
    total = 0.0
    for rank, v in enumerate(sorted(x)):
        total = total + (rank + 1) * math.exp(v)
    return total


def _jax_sorted_weights(weights):
    return lambda x: jnp.sum(jnp.asarray(weights) * jnp.sort(x))


CASES = {
    "vander": (vander, V4, lambda x: jnp.sum(W * jnp.vander(x))),
    "vander_increasing_n": (vander_increasing_n, V4, lambda x: jnp.sum(W[:, :3] * jnp.vander(x, 3, increasing=True))),
    "vander_with_a_zero": (vander_with_a_zero, V4, None),  # JAX's vander gives NaN there
    "polynomial_fit": (polynomial_fit, W4, lambda t: jnp.sum((jnp.vander(t, 3) @ jnp.array([0.5, -1.0, 2.0])
                                                              - jnp.array([0.1, 0.5, -0.3, 0.9])) ** 2)),
    "take_flat_repeated": (take_flat_repeated, X, lambda x: jnp.sum(W4 * jnp.take(x, jnp.array([0, 5, 5, 15])))),
    "take_axis_repeated": (take_axis_repeated, X, lambda x: jnp.sum(W[:, :3] * jnp.take(x, jnp.array([1, 1, 3]), axis=1))),
    "take_last_axis": (take_last_axis, X, lambda x: jnp.sum(W[:, :3] * jnp.take(x, jnp.array([3, 0, 3]), axis=-1))),
    "take_modes": (take_modes, V4, lambda x: jnp.sum(W4 * x[jnp.array([1, 1, 1, 2])]) + jnp.sum(W4 * x[jnp.array([3, 0, 1, 1])])),
    "take_method": (take_method, V4, lambda x: jnp.sum(W4 * x[jnp.array([3, 3, 1, 0])]) + x[2] ** 2),
    "partition_kth": (partition_kth, V4, lambda x: jnp.sort(x)[2] * 3.0),
    "partition_weighted": (partition_weighted, V6, None),
    "partition_rows": (partition_rows, X, None),
    "partition_flat": (partition_flat, X, None),
    "top_two": (top_two, V6, lambda x: jnp.sum(jnp.sort(x)[-2:] * jnp.array([1.0, 2.5]))),
    "hypot_three": (hypot_three, 0.7, lambda x: jnp.sqrt(5 * x ** 2 + x ** 4) + jnp.sqrt(2 * x ** 2 + 10.0)),
    "dist_points": (dist_points, 0.7, lambda x: jnp.sqrt((x - 1) ** 2 + (2 - x) ** 2 + (x * x - 0.5) ** 2)
                    + 2.0 * jnp.sqrt(x ** 2 + (1 - x * x) ** 2)),
    "sorted_numbers": (sorted_numbers, 0.7, lambda x: jnp.sort(jnp.array([x, 2.0 * x, 1.0 - x, x * x])) @ jnp.arange(1.0, 5.0)),
    "sorted_array": (sorted_array, V6, _jax_sorted_weights(W6)),
    "sorted_reversed": (sorted_reversed, V4, lambda x: jnp.sort(x)[::-1] @ jnp.arange(1.0, 5.0)),
    "sorted_squares_median": (sorted_squares_median, V4, lambda x: jnp.median(x * x)),
    "ranked": (ranked, V6, lambda x: jnp.sum(jnp.arange(1.0, 7.0) * jnp.exp(jnp.sort(x)))),
}


def _direction(x):
    return np.linspace(-0.9, 1.3, np.size(x)).reshape(np.shape(x)) if isinstance(x, np.ndarray) else 0.7


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_differences_and_jax(name):
    f, x, reference = CASES[name]
    gradient = srcdiff.grad(f)(x)
    np.testing.assert_allclose(gradient, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-7)
    if isinstance(x, np.ndarray):
        assert gradient.shape == x.shape and gradient.dtype == x.dtype
    else:
        assert type(gradient) is float
    if reference is not None:
        np.testing.assert_allclose(gradient, jax.grad(reference)(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_hvp_hessian_explain(name):
    f, x, reference = CASES[name]
    grad, _ = assert_jvp_and_hvp_match_differences(f, (x,), _direction(x), jvp_rtol=1e-6, hvp_rtol=1e-5)
    if reference is not None:
        np.testing.assert_allclose(srcdiff.hessian(f, wrt=0)(x), jax.hessian(reference)(x), rtol=1e-8, atol=1e-10)
    if not isinstance(x, np.ndarray):
        second = srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(x)
        np.testing.assert_allclose(second, fd_directional(grad, (x,), 0, 1.0), rtol=1e-5, atol=1e-6)
    assert_explain_matches_grad(f, (x,))


def test_partition_keeps_numpys_arrangement():
    """Every place of the partition read with its own weight: the value is NumPy's, entry for entry."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        x = rng.integers(0, 4, size=9).astype(float)  # many ties
        value, gradient = srcdiff.value_and_grad(lambda y: np.sum(np.arange(1.0, 10.0) * np.partition(y, 4)))(x)
        assert value == np.sum(np.arange(1.0, 10.0) * np.partition(x, 4))
        assert sorted(gradient) == list(np.arange(1.0, 10.0))  # each place's weight goes to one entry


def tied_sorted(x):
    s = sorted([x, x, 2.0, 2.0 * x])
    return s[0] * 1.0 + s[1] * 10.0 + s[2] * 100.0 + s[3] * 1000.0


def tied_sorted_array(x):
    s = sorted(x)
    return s[0] * 1.0 + s[1] * 10.0 + s[2] * 100.0


def test_sorted_ties_go_in_their_order():
    """Equal items keep their order (Python's sort is stable): the earlier one gets the earlier place."""
    # at x = 2: all four items are 2 or 4; s = [x, x, 2.0, 2x] -> the two x's take places 0 and 1
    assert srcdiff.grad(tied_sorted)(2.0) == 1.0 + 10.0 + 2 * 1000.0
    np.testing.assert_allclose(srcdiff.grad(tied_sorted_array)(np.array([1.0, 0.5, 1.0])), [10.0, 1.0, 100.0])


def sorted_doubled(x):
    s = sorted(x) * 2  # a list repeated, not an array doubled
    return s[0]


def dist_of_arrays(a):
    return math.dist(a, np.zeros(3))


def sorted_by_key(x):
    return sorted(x, key=abs)[0]


def test_dist_of_points_known_at_run_time():
    """``math.dist`` of an array (or a list parameter): the call itself, its gradient ``(a - b) / dist``
    (``rules.sequence_functions``); once refused, as its length is known only at run time."""
    a = V4[:3].copy()
    np.testing.assert_allclose(srcdiff.grad(dist_of_arrays)(a), fd_grad(dist_of_arrays, (a,), 0), rtol=1e-7)
    assert srcdiff.grad(dist_of_arrays)(a.tolist()) == pytest.approx((a / np.linalg.norm(a)).tolist())


def test_sorted_by_a_key():
    """Once refused; the keys only give the order (tests/test_key_functions.py)."""
    x = V4[:3].copy()
    np.testing.assert_allclose(srcdiff.grad(sorted_by_key)(x), fd_grad(sorted_by_key, (x,), 0), rtol=1e-7)


@pytest.mark.parametrize("f, line, why", [(sorted_doubled, "sorted(x) * 2", "would repeat")])
def test_refused_where_it_would_be_wrong(f, line, why):
    """What the new rules do not read is refused at its line, saying why (a list repeated, not an
    array doubled)."""
    with pytest.raises(srcdiff.SrcdiffError, match=why) as err:
        srcdiff.grad(f)(V4[:3].copy())
    assert_user_error(err.value, f, line)


def vander_of_matrix(x):
    return np.sum(np.vander(x))


def test_vander_of_a_matrix_raises_as_numpy():
    with pytest.raises(ValueError, match="one-dimensional"):
        srcdiff.grad(vander_of_matrix)(X)


def test_vander_keeps_numpys_dtype():
    g = srcdiff.grad(lambda x: np.sum(np.vander(x, 3) * 2.0))(V4.astype(np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2.0 * (2 * V4 + 1.0), rtol=1e-6)


def test_hypot_of_many_is_zero_at_the_origin():
    assert srcdiff.grad(lambda x: math.hypot(x, 2.0 * x, 3.0 * x))(0.0) == 0.0
