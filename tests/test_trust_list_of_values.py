"""``list(x)`` of a value known at run time.

Found while making starred names work: lowering read ``list(x)`` of an array as ``x`` itself,
so ``np.array(list(x) * 2)[-1]`` scaled the array (gradient 6 where 3 is right) where Python
repeats the list.  ``list(x)`` is now ``x[:]`` noted as a list, as a starred name is: what a
list does otherwise than the slice srcdiff keeps (``*``, ``+``, comparisons, methods) is refused
at the line; reading it (``sum``, ``ys[k]``, ``np.array(ys)``, appending) is differentiated.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_user_error, fd_grad


def repeated(x):
    return np.array(list(x) * 2)[-1] * 3.0


def joined(x):
    ys = list(x) + list(x)
    return np.array(ys)[2] * 2.0


def compared(x):
    ys, zs = tuple(x), tuple(x * 0.5)
    return x[0] * 2.0 if ys > zs else x[1]


def read(x):
    ys = list(x)
    return sum(ys) + ys[0] * ys[1] + np.sum(np.array(ys) ** 2)


def appended(x):
    out = list(x)
    out.append(x[0] * 2.0)
    return sum(out) * out[-1]


ARRAY, LIST = np.array([0.5, 1.5]), [0.5, 1.5]


@pytest.mark.parametrize("f", [repeated, joined, compared], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [ARRAY, LIST], ids=["array", "list"])
def test_what_a_list_does_otherwise_is_refused(f, x):
    with pytest.raises(srcdiff.SrcdiffError, match="this is a list here") as caught:
        srcdiff.grad(f)(x)
    assert_user_error(caught.value, f)


@pytest.mark.parametrize("f", [read, appended], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [ARRAY, LIST], ids=["array", "list"])
def test_reading_it_is_differentiated(f, x):
    value, gradient = srcdiff.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    expected = fd_grad(lambda a: f(a if isinstance(x, np.ndarray) else list(a)), (np.array(x),), 0)
    np.testing.assert_allclose(np.asarray(gradient, float), expected, rtol=1e-6)
    assert type(gradient) is type(x)
