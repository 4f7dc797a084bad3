"""Python's `+` and `*` join and repeat lists and tuples; srcdiff reads them as arithmetic.
Given lists, `ys = xs + xs` used to get a gradient of the wrong length (`[4.0, 0.0, 0.0,
2.0]` for two numbers) or a raw ValueError.  Now every reverse path refuses it at the
user's function, and forward mode, where joining tangents as the values are joined is
right, takes the tangent of a list parameter as a list even when given as an array.
The same functions given arrays (where `+` adds) keep their gradients.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import fd_grad


def joined(xs):
    ys = xs + xs
    return ys[0] * ys[3]


def joined_two(xs, zs):
    ys = xs + zs
    return ys[0] * ys[-1]


def repeated(xs):
    ys = xs * 2
    return ys[1] * ys[2]


def sliced(xs, n):
    ys = xs[0:2] + xs[n:]
    return ys[0] * ys[3]


def _list_directional(fn, args, direction, eps=1e-6):
    """d fn / d args[0] along ``direction`` by central differences, the list kept a list."""
    def at(step):
        return fn([x + step * d for x, d in zip(args[0], direction)], *args[1:])
    return (at(eps) - at(-eps)) / (2 * eps)


CASES = [(joined, ([1.0, 2.0],)), (joined_two, ([1.0, 2.0], [3.0, 5.0])), (repeated, ([1.5, -2.0],)),
         (sliced, ([1.0, 2.0, 3.0], 1))]


# (sliced: reverse over reverse refuses the slice object in the first gradient's text instead)
REVERSE_CASES = [c for c in CASES if c[0] is not sliced]


def _reverse_paths(fn, args, wrt=0):
    v = [1.0] * len(args[wrt])
    return (lambda: srcdiff.grad(fn, wrt=wrt)(*args), lambda: srcdiff.value_and_grad(fn, wrt=wrt)(*args),
            lambda: srcdiff.hvp(fn, wrt=wrt)(*args, v), lambda: srcdiff.hessian(fn, wrt=wrt)(*args),
            lambda: srcdiff.jacobian(fn, wrt=wrt)(*args))


def _assert_refused_as_a_join(run):
    with pytest.raises(srcdiff.SrcdiffError) as err:
        run()
    assert err.value.filename.endswith("test_trust_sequence_ops.py")
    assert "joined with '+' or repeated with '*'" in str(err.value)


@pytest.mark.parametrize("fn,args", REVERSE_CASES, ids=[c[0].__name__ for c in REVERSE_CASES])
def test_every_reverse_path_refuses_a_joined_list(fn, args):
    for run in _reverse_paths(fn, args):
        _assert_refused_as_a_join(run)


@pytest.mark.parametrize("fn,args", REVERSE_CASES, ids=[c[0].__name__ for c in REVERSE_CASES])
def test_reverse_over_reverse_refuses_a_joined_list_at_its_line(fn, args, request):
    if request.config.getoption("--generic"):
        pytest.skip("through the generic code, reverse over reverse may end in Python's own error")
    _assert_refused_as_a_join(lambda: srcdiff.hvp(fn, wrt=0, mode="reverse")(*args, [1.0] * len(args[0])))


def joined_short(xs, ys):
    zs = xs + ys
    return zs[0] * zs[2]


@pytest.mark.parametrize("wrt", [0, 1, None])
def test_a_join_with_a_one_item_list_is_refused_not_summed(wrt):
    """``zs = xs + ys`` with ``ys = [3.0]``: NumPy would broadcast a one-item operand, and its
    gradient summed over ``zs`` (4.0 instead of 1.0 for ``ys``) was returned silently."""
    args = ([1.0, 2.0], [3.0])
    runs = [lambda: srcdiff.grad(joined_short, wrt=wrt)(*args),
            lambda: srcdiff.value_and_grad(joined_short, wrt=wrt)(*args)]
    if wrt is not None:
        runs += list(_reverse_paths(joined_short, args, wrt))[2:]
        runs += [lambda: srcdiff.hvp(joined_short, wrt=wrt, mode=mode)(*args, [1.0] * len(args[wrt]))
                 for mode in ("forward", "reverse")]
    for run in runs:
        with pytest.raises(srcdiff.SrcdiffError, match="joined with '[+]' or repeated with '[*]'"):
            run()


def added_to_an_array(a, xs):
    return np.sum((a + xs) ** 2 * np.array([1.0, 3.0]))


def test_a_list_broadcast_by_numpy_is_refused_and_one_of_its_shape_is_added():
    a = np.array([1.0, 2.0])
    with pytest.raises(srcdiff.SrcdiffError, match="joined with"):
        srcdiff.grad(added_to_an_array, wrt=1)(a, [0.5])
    got = srcdiff.grad(added_to_an_array, wrt=(0, 1))(a, [0.5, 0.25])
    np.testing.assert_allclose(got[0], [3.0, 6.0 * 2.25])
    assert got[1] == pytest.approx([3.0, 6.0 * 2.25])


JOINED_WITH_TANGENTS = [c for c in CASES if c[0] is not joined_two]


def test_forward_mode_refuses_a_join_with_a_value_without_tangent():
    with pytest.raises(srcdiff.SrcdiffError, match="joined with"):
        srcdiff.jvp(joined_two, wrt=0)([1.0, 2.0], [3.0, 5.0], [1.0, 0.5])


@pytest.mark.parametrize("fn,args", JOINED_WITH_TANGENTS, ids=[c[0].__name__ for c in JOINED_WITH_TANGENTS])
@pytest.mark.parametrize("as_array", [False, True], ids=["list-tangent", "array-tangent"])
def test_forward_mode_joins_tangents_as_values(fn, args, as_array):
    direction = [0.7, -0.3, 0.2][:len(args[0])]
    expected = _list_directional(fn, args, direction)
    tangent = np.array(direction) if as_array else direction
    assert srcdiff.jvp(fn, wrt=0)(*args, tangent) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_arrays_are_added_not_joined():
    def added(xs):
        ys = xs + xs
        return ys[0] * ys[1]

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcdiff.grad(added)(x), fd_grad(added, (x,), 0), rtol=1e-6)
    assert "tangent_like" not in srcdiff.jvp(lambda W, v: np.sum(np.tanh(W @ v))).source
