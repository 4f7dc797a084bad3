"""grad(grad(f, wrt=i)) of a function with loops is built from the derivative of f along
x_i (forward mode, tangent 1.0).  That tangent must have the parameter's own type: a 0-d
array's tangent is read by item (``x[()]``) and by method as the array is.  A parameter read
as a sequence has no derivative that is one number: refused when the gradient is built, at
the read, never compiled into code that indexes a float."""
import math
import warnings

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import SignatureError


def item_in_loop(x, s):
    acc = 0.0
    for i in range(3):
        acc = acc + np.sin(x[()] * s) * (i + 1.0)
    return acc


def scaled_then_read(x, s):
    acc = 0.0
    for i in range(2):
        y = x * 2.0
        acc = acc + y[()] ** 2 * s + i
    return acc


def method_in_loop(x, s):
    acc = 0.0
    for i in range(2):
        acc = acc + np.exp(x.sum() * s)
    return acc


def float_direction_array_code(x, w):
    acc = 0.0
    for i in range(2):
        acc = acc + np.sum(np.tanh(w * x)) * x
    return acc


def list_read_by_item(zs, s):
    acc = 0.0
    for i in range(2):
        acc = acc + math.sin(zs[1] * s)
    return acc


def central_gradient(fn, args, eps=1e-6):
    """Central differences of ``fn`` (returning one number) in each float or 0-d array argument."""
    grads = []
    for k, value in enumerate(args):
        def at(delta):
            moved = list(args)
            moved[k] = np.asarray(value) + delta if isinstance(value, np.ndarray) else value + delta
            return float(fn(*moved))
        grads.append((at(eps) - at(-eps)) / (2 * eps))
    return grads


@pytest.mark.parametrize("fn, args", [
    (item_in_loop, (np.array(0.7), 1.3)),
    (scaled_then_read, (np.array(-0.4), 0.9)),
    (method_in_loop, (np.array(0.3), -0.8)),
    (float_direction_array_code, (0.6, np.array([0.5, -1.5, 2.0]))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_second_derivative_along_a_zero_d_array_or_float(fn, args):
    first = srcdiff.grad(fn, wrt=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SyntaxWarning from the generated text
        second = srcdiff.grad(first)
    got = second(*args)
    expected = central_gradient(lambda *a: np.asarray(first(*a)).sum(), args)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.sum(g), e, rtol=1e-5, atol=1e-6)
    assert np.shape(got[0]) == np.shape(args[0])


def test_zero_d_direction_reads_its_item_from_an_array_tangent():
    text = srcdiff.grad(srcdiff.grad(item_in_loop, wrt=0)).source
    assert "np.ones_like(x)" in text
    assert "(1.0)[" not in text


def test_a_sequence_direction_is_refused_where_it_is_read():
    first = srcdiff.grad(list_read_by_item, wrt=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SignatureError) as caught:
            srcdiff.grad(first)
    error = caught.value
    assert error.lineno == list_read_by_item.__code__.co_firstlineno + 3
    assert "zs[1]" in error.line_text
    assert "read as a sequence" in error.message and "hvp" in str(error)


def test_numbers_alone_keep_the_literal_direction():
    def f(x, s):
        acc = 0.0
        for i in range(3):
            acc = acc + math.sin(x * s)
        return acc
    text = srcdiff.grad(srcdiff.grad(f, wrt=0)).source
    assert "ones_like" not in text
    got = srcdiff.grad(srcdiff.grad(f, wrt=0))(0.4, 1.1)
    assert all(isinstance(g, float) for g in got)
    np.testing.assert_allclose(got, central_gradient(srcdiff.grad(f, wrt=0), (0.4, 1.1)), rtol=1e-6)
