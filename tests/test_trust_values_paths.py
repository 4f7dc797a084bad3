"""Issue 11, items 2, 3 and 7 and the traceback fixes of the same family, on every path a fix
touches: grad, jvp, hvp (forward over reverse, reverse over reverse, reverse over forward),
hessian, grad(grad) for numbers, jacobian and explain, against central differences.
Square shapes and non-uniform weights, so that a transposed gradient cannot hide.
"""
import numpy as np
import pytest

import srcdiff
from srcdiff.frontend import load_function
from srcdiff.lower import lower
from srcdiff.rules import NO_GRADIENT, rules_of
from trust_helpers import assert_user_error, fd_directional, fd_grad

W2 = np.array([[1.0, 2.0], [3.0, -4.0]])
W3 = np.array([1.0, -2.0, 0.5])
W5 = np.array([1.0, -2.0, 0.5, 3.0, 1.5])
M = np.array([1.0, 2.0])
V = np.array([0.5, -1.2])
A = np.array([[0.5, -1.2], [0.3, 2.0]])


def _direction(x):
    return np.random.default_rng(3).normal(size=np.shape(x)) if np.ndim(x) else 0.7


def _hessian_fd(f, args, index):
    """d grad / d x by central differences of srcdiff's (checked) gradient, as ``hessian`` lays it out."""
    x, gradient = args[index], srcdiff.grad(f, wrt=index)
    if not np.ndim(x):
        return fd_directional(gradient, args, index, 1.0, eps=1e-5)
    columns = [fd_directional(gradient, args, index, e.reshape(np.shape(x)), eps=1e-5) for e in np.eye(np.size(x))]
    return np.moveaxis(np.array(columns).reshape((np.size(x),) + np.shape(x)), 0, -1).reshape(np.shape(x) * 2)


def check_every_path(f, args, index=0, second_order=True):
    """grad, jvp, hvp in its three modes, hessian, grad(grad) and explain of ``f`` at ``args``."""
    x, v = args[index], _direction(args[index])
    expected = fd_grad(f, args, index)
    assert srcdiff.grad(f, wrt=index)(*args) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    along = srcdiff.jvp(f, wrt=index)(*args, v)
    assert along == pytest.approx(fd_directional(f, args, index, v), rel=1e-5, abs=1e-6)
    explained = srcdiff.explain(f, *args)
    assert np.asarray(explained.gradients[index]) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    if not second_order:
        return
    hessian = _hessian_fd(f, args, index)
    product = hessian.reshape(np.size(x), np.size(x)) @ np.ravel(v) if np.ndim(x) else hessian * v
    for mode in (None, "reverse", "reverse-over-forward"):
        got = srcdiff.hvp(f, wrt=index, mode=mode)(*args, v)
        assert np.ravel(got) == pytest.approx(np.ravel(product), rel=1e-4, abs=1e-5), mode
    assert srcdiff.hessian(f, wrt=index)(*args) == pytest.approx(hessian, rel=1e-4, abs=1e-5)
    if not np.ndim(x):
        assert srcdiff.grad(srcdiff.grad(f, wrt=index), wrt=index)(*args) == pytest.approx(hessian, rel=1e-4, abs=1e-5)


def check_jacobian(f, args, index=0):
    x, y = args[index], np.asarray(f(*args))
    columns = [fd_directional(f, args, index, e.reshape(np.shape(x))) for e in np.eye(np.size(x))]
    expected = np.moveaxis(np.array(columns).reshape((np.size(x),) + y.shape), 0, -1).reshape(y.shape + np.shape(x))
    assert srcdiff.jacobian(f, wrt=index)(*args) == pytest.approx(expected, rel=1e-5, abs=1e-6)


# ---------------------------------------------------------------- item 2: displays are arrays

def array_of_list(x):
    return np.sum(np.array([x, 2.0 * x]) ** 2 * M)


def mean_of_tuple(x):
    return np.mean((x ** 3, x + 2))


def sum_of_list(x):
    return np.sum([x, 2 * x]) * x


def norm_of_list(x):
    return np.linalg.norm([x, x + 2])


def max_of_list(x):
    return np.max([x, 2.0 * x])


def rows_of_vectors(v):
    return np.sum(W2 * np.array([v, 2.0 * v]) ** 2)


def nested_display(v):
    return np.sum(W2 * np.array([[v[0], 1.0], [v[1] ** 2, 2.0 * v[0]]]) ** 2)


def display_of_matrix_rows(a):
    return np.sum(np.array([a[0] * a[1], a[1]]) ** 2 * W2)


def display_to_ufuncs(v):
    return np.sum(W2 * np.maximum([v[0], v[1]], 0.3) * np.exp([v[1], v[0]]))


def display_to_dot(v):
    return np.dot([v[0], 2 * v[1]], M) ** 2 + v.dot([v[1], v[0] ** 2])


def display_in_concatenate(v):
    return np.sum(np.concatenate([[v[0], 3.0], v]) ** 2 * np.arange(4.0))


def display_to_where(v):
    return np.sum(np.where(v > 0, [v[1], v[0]], 1.0) ** 2 * M)


def display_as_index(v):
    return np.sum(v[[0, 1, 1]] ** 2 * W3)


def display_as_fill(v):
    return np.sum(np.full((2, 2), [v[0], v[1] ** 2]) * W2)


def tuple_name_as_array(v):
    t = (v[0] * v[1], v[1])
    return np.sum(np.asarray(t) ** 2 * M)


def r_of_numbers(x):
    return np.sum(np.r_[x, 3.0, x ** 2] * W3)


def r_of_vectors(v):
    return np.sum(np.r_[v, M, v[0]] ** 2 * W5)


def c_of_vectors(v):
    return np.sum(np.c_[v, M * v] ** 2 * W2)


def c_of_matrices(a):
    return np.sum(np.c_[a, a ** 2] * np.arange(8.0).reshape(2, 4))


@pytest.mark.parametrize("f, args", [
    (array_of_list, (0.7,)), (mean_of_tuple, (0.7,)), (sum_of_list, (0.7,)), (norm_of_list, (0.7,)),
    (max_of_list, (0.7,)), (rows_of_vectors, (V,)), (nested_display, (V,)), (display_of_matrix_rows, (A,)),
    (display_to_ufuncs, (V,)), (display_to_dot, (V,)), (display_in_concatenate, (V,)), (display_to_where, (V,)),
    (display_as_index, (V,)), (display_as_fill, (V,)), (tuple_name_as_array, (V,)), (r_of_numbers, (0.7,)),
    (r_of_vectors, (V,)), (c_of_vectors, (V,)), (c_of_matrices, (A,)),
], ids=lambda a: getattr(a, "__name__", ""))
def test_display_on_every_path(f, args):
    check_every_path(f, args)


def display_result(v):
    return np.array([v[0] * v[1], v[1], 2.0])


def r_result(v):
    return np.r_[v, v[0] ** 2]


def c_result(v):
    return np.c_[v, 2.0 * v]


@pytest.mark.parametrize("f", [display_result, r_result, c_result], ids=lambda f: f.__name__)
def test_jacobian_of_a_display(f):
    check_jacobian(f, (V,))


def test_np_array_of_a_display_is_the_stack_itself():
    text = srcdiff.grad(array_of_list).source
    assert "np.stack([x, s0])" in text and "np.array(" not in text


def test_a_tuple_routes_one_gradient_per_item():
    """A tuple of values (a shape here) is never a silent zero: its rule gives item i the i-th
    gradient, as a list value's does; a shape gets none from the reshape reading it (below)."""
    assert "tuple" not in NO_GRADIENT
    function = lower(load_function(shaped))
    statement = next(s for s in function.body if s.op == "tuple")
    assert rules_of(function)(statement) == ("g[0]", "g[1]")


def shaped(x, n):
    return np.sum(np.reshape(x, (n, 2)) * W2)


def test_a_shape_built_from_a_parameter_stays_a_tuple():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    gx, gn = srcdiff.grad(shaped)(x, 2)
    assert gx == pytest.approx(W2.ravel()) and gn == 0.0
    assert srcdiff.jvp(shaped)(x, 2, np.ones(4), 1) == pytest.approx(np.sum(W2))


def r_with_a_slice(x):
    return np.sum(np.r_[0:3, x])


def test_r_with_a_slice_is_refused_by_name():
    with pytest.raises(srcdiff.SrcdiffError, match=r"np\.r_") as info:
        srcdiff.grad(r_with_a_slice)(1.5)
    assert_user_error(info.value, r_with_a_slice, line="np.r_")


# ---------------------------------------------------------------- item 3: array makers

def linspace_ends(x, y):
    return np.sum(np.linspace(x, y, 5) ** 2 * W5)


def linspace_without_endpoint(x, y):
    return np.sum(np.linspace(x, y ** 2, 5, endpoint=False) ** 2 * W5)


def linspace_num_keyword(x, y):
    return np.sum(np.linspace(x * y, y, num=5) ** 2 * W5)


def linspace_default_num(x, y):
    return np.sum(np.linspace(x, y) ** 2)


def linspace_of_arrays(a, b):
    return np.sum(np.linspace(a, b, 2) ** 2 * W2)


def linspace_of_an_array_and_a_number(a, y):
    return np.sum(np.linspace(a, y, 3) ** 2 * np.arange(1.0, 7.0).reshape(3, 2))


def full_value(x):
    return np.sum(np.full((3,), x) ** 2 * W3)


def full_keyword(x):
    return np.sum(np.full((3,), fill_value=x ** 2) ** 2 * W3)


def full_of_a_vector(v):
    return np.sum(np.full((2, 2), v) ** 2 * W2)


def full_like_value(x, a):
    return np.sum(np.full_like(a, x) ** 2 * a)


def full_like_of_a_vector(v, a):
    return np.sum(np.full_like(a, v * v) * W2)


def arange_start(x):
    return np.sum(np.arange(x, x + 3.0) ** 2 * W3)


def arange_step(x):
    return np.sum(np.arange(0.0, 2.0, x) ** 2)


def arange_start_and_step(x):
    return np.sum(np.arange(x, 3.0, x * 0.5) ** 2 * np.arange(1.0, 8.0))


def heaviside_value(x, h):
    return np.sum(np.heaviside(x - x, h) * h)


def heaviside_of_a_vector(h):
    return np.sum(np.heaviside(np.array([[0.0, 1.0], [0.0, -1.0]]), h) ** 2 * W2)


@pytest.mark.parametrize("f, args, index", [
    (linspace_ends, (0.5, 2.0), 0), (linspace_ends, (0.5, 2.0), 1), (linspace_without_endpoint, (0.5, 2.0), 0),
    (linspace_without_endpoint, (0.5, 2.0), 1), (linspace_num_keyword, (0.5, 2.0), 0),
    (linspace_num_keyword, (0.5, 2.0), 1), (linspace_default_num, (0.5, 2.0), 1), (linspace_of_arrays, (V, M), 0),
    (linspace_of_arrays, (V, M), 1), (linspace_of_an_array_and_a_number, (V, 2.0), 0),
    (linspace_of_an_array_and_a_number, (V, 2.0), 1), (full_value, (0.7,), 0), (full_keyword, (0.7,), 0),
    (full_of_a_vector, (V,), 0), (full_like_value, (0.7, W3), 0), (full_like_of_a_vector, (V, A), 0),
    (arange_start, (0.7,), 0), (arange_step, (0.7,), 0), (arange_start_and_step, (0.7,), 0),
    (heaviside_value, (0.7, 0.4), 1), (heaviside_of_a_vector, (V,), 0),
], ids=lambda a: getattr(a, "__name__", str(a)))
def test_array_maker_on_every_path(f, args, index):
    check_every_path(f, args, index)


def linspace_result(x, y):
    return np.linspace(x, y * 2.0, 4)


def arange_result(x):
    return np.arange(x, 3.0, x)


@pytest.mark.parametrize("f, args, index", [
    (linspace_result, (0.5, 2.0), 0), (linspace_result, (0.5, 2.0), 1), (arange_result, (0.7,), 0),
], ids=lambda a: getattr(a, "__name__", str(a)))
def test_jacobian_of_an_array_maker(f, args, index):
    check_jacobian(f, args, index)


def makers_of_an_int(x, n):
    return np.sum(np.full((n, 2), x) * np.arange(n)[:, None] + np.linspace(0.0, x, n).sum() + np.arange(n).sum() * x)


def test_an_int_that_only_sets_lengths_gets_no_gradient():
    assert srcdiff.grad(makers_of_an_int)(0.7, 3) == (33.0, 0.0)
    assert srcdiff.jvp(makers_of_an_int)(0.7, 3, 1.0, 1) == pytest.approx(33.0)


# ---------------------------------------------------------------- item 7: unpacking

def unpack_numbers(v):
    a, b = v
    return a * b ** 2


def unpack_rows(a):
    first, second = a
    return np.sum(first * second ** 2 * W2[0])


def unpack_shape(a):
    n, m = a.shape
    return np.sum(a ** 2 * W2) / n + m


@pytest.mark.parametrize("f, args", [(unpack_numbers, (V,)), (unpack_rows, (A,)), (unpack_shape, (A,))],
                         ids=lambda a: getattr(a, "__name__", ""))
def test_unpacking_on_every_path(f, args):
    check_every_path(f, args)


@pytest.mark.parametrize("value, error, message", [
    (np.ones(3), ValueError, r"too many values to unpack \(expected 2\)"),
    (np.ones(1), ValueError, r"not enough values to unpack \(expected 2, got 1\)"),
    ((1.0, 2.0, 3.0), ValueError, "too many values"),
    (1.5, TypeError, "cannot unpack non-iterable float object"),
], ids=["three", "one", "tuple of three", "number"])
def test_unpacking_the_wrong_number_of_values_raises_like_python(value, error, message):
    with pytest.raises(error, match=message):
        srcdiff.grad(unpack_numbers)(value)
    with pytest.raises(error, match=message):
        srcdiff.jvp(unpack_numbers)(value, value)
    with pytest.raises(error, match=message):
        srcdiff.hessian(unpack_numbers)(value)


def test_unpacking_a_tuple_parameter():
    assert srcdiff.grad(unpack_numbers)((0.5, 1.5)) == (2.25, 1.5)


# ---------------------------------------------------------------- merged and carried NumPy results

def merged(x, c):
    if c > 0:
        y = np.sum(x ** 2 * W2)
    else:
        y = np.sum(np.sin(x) * W2 ** 2)
    return y


def early_return(x, c):
    if c > 0:
        return np.sum(np.sin(x) * W2)
    return np.sum(x ** 3 * W2)


def merged_number_or_array(x, c):
    if c > 0:
        t = np.sum(x)
    else:
        t = x ** 2
    return np.sum(t * W2)


def carried_array(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * x
    return np.sum(s * W2)


def carried_number(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(x * x * W2)
    return s


def carried_same_shape(x, n):
    t = x
    k = 0
    while k < n:
        t = t * np.cos(t) + x
        k = k + 1
    return np.sum(t * W2)


@pytest.mark.parametrize("f, args", [
    (merged, (A, 1.0)), (merged, (A, -1.0)), (early_return, (A, 1.0)), (early_return, (A, -1.0)),
    (merged_number_or_array, (A, 1.0)), (merged_number_or_array, (A, -1.0)), (carried_array, (A, 2)),
    (carried_number, (A, 2)), (carried_same_shape, (A, 2)),
], ids=lambda a: getattr(a, "__name__", str(a)))
def test_merged_and_carried_results_first_order(f, args):
    check_every_path(f, args, second_order=False)


@pytest.mark.parametrize("f, args", [(early_return, (A, 1.0)), (early_return, (A, -1.0)),
                                     (merged_number_or_array, (A, -1.0))],
                         ids=lambda a: getattr(a, "__name__", str(a)))
def test_merged_results_second_order(f, args):
    check_every_path(f, args)


# ---------------------------------------------------------------- tuples indexed, dict entries

def pair(x):
    return x, 2.0 * x


def tuple_items(x):
    return pair(x)[1] * pair(x)[-2] + sum_of(pair(x)[:1])


def sum_of(t):
    only, = t
    return only


def test_constant_indices_of_a_tuple_are_picked_while_lowering():
    check_every_path(tuple_items, (1.5,))


def tuple_index_out_of_range(x):
    return pair(x)[2]


def dict_entries(p):
    return p["w"] * p["b"]


@pytest.mark.parametrize("f, arg, line", [(tuple_index_out_of_range, 1.5, "pair(x)[2]")],
                         ids=["tuple index out of range"])
def test_refused_at_the_subscript(f, arg, line):
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(f)(arg)
    assert_user_error(info.value, f, line=line)


def test_dict_entries_are_differentiated():  # was refused; issue 12 makes dicts of parameters work
    assert srcdiff.grad(dict_entries)({"w": 1.5, "b": 2.0}) == {"w": 2.0, "b": 1.5}
