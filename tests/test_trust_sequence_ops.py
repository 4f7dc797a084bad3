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


# (not yet: hvp(mode="reverse"), reverse over reverse, which never forms the first gradient's result
# and so may end in Python's own error; the default mode refuses)
REVERSE_CASES = [c for c in CASES if c[0] is not sliced]


@pytest.mark.parametrize("fn,args", REVERSE_CASES, ids=[c[0].__name__ for c in REVERSE_CASES])
def test_every_reverse_path_refuses_a_joined_list(fn, args):
    for build in (lambda: srcdiff.grad(fn, wrt=0)(*args), lambda: srcdiff.value_and_grad(fn, wrt=0)(*args),
                  lambda: srcdiff.hvp(fn, wrt=0)(*args, [1.0] * len(args[0])),
                  lambda: srcdiff.hessian(fn, wrt=0)(*args), lambda: srcdiff.jacobian(fn, wrt=0)(*args)):
        with pytest.raises(srcdiff.SrcdiffError) as err:
            build()
        assert err.value.filename.endswith("test_trust_sequence_ops.py")
        assert "joined with '+' or repeated with '*'" in str(err.value)


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
