"""Lists built by ``append`` and then read whole, by position or by walking them: the gradient
gathers the adjoint of a list of numbers item by item (``grad_out[k] += g``: ``analysis.items``) and each append's backward takes all of it but the last entry
(``rt.but_last``, stacking a list of floats or float arrays once).  Every path against
finite differences, on lists of numbers and of arrays, empty lists, non-uniform weights; a
list read inside its own loop gathers item by item too (``test_list_of_arrays_linear``), one
grown again after a read keeps the general code.
"""
import os

import numpy as np
import pytest

import srcdiff
from conftest import import_text
from srcdiff import runtime as rt
from trust_helpers import assert_explain_matches_grad

SPECIALIZED = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                 reason="pytest --generic: gradients run their generic code, nothing is specialized")
XS = [0.31, -1.2, 0.07, 0.9, -0.45, 1.7]
ROWS = [np.array([0.3, -0.8, 0.5]), np.array([-0.2, 0.4, 1.1]), np.array([0.9, 0.1, -0.6])]

FUNCTIONS = '''
import math
import numpy as np

V = np.array([0.7, -1.3, 0.4])


def summed(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    return sum(out) + 0.1 * w


def walked(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    s = 0.1 * w
    for y in out:
        s = s + y * y * (1.0 + s)
    return s


def by_position(w, xs):
    out = []
    for x in xs:
        out.append(math.sin(w * x) * x)
    s = 0.1 * w
    for k in range(len(out)):
        s = s + out[k] * out[k] * (k + 1.0) - out[len(out) - 1 - k] * w
    return s


def ends_and_branches(w, xs):
    out = []
    for x in xs:
        if x > 0.0:
            out.append(w * x * x)
        else:
            out.append(math.exp(w * x))
            out.append(-x * w)
    total = out[0] * out[-1]
    for k in range(len(out)):
        total = total + out[-1 - k] * (k + 0.5)
    return total + len(out)


def grown_while(w, n):
    out = []
    while len(out) < n:
        out.append(w * len(out) + math.sin(w))
    s = 0.0
    for k in range(len(out)):
        s = s + out[k] * out[k] * (k + 1.0)
    return s + sum(out) + w


def rows(w, xs):
    out = []
    for x in xs:
        out.append(np.tanh(w * x * V))
    total = np.sum(sum(out) * V)
    for k in range(len(out)):
        total = total + np.sum(out[k] * out[k]) * (k + 1.0)
    return total


def rows_walked(w, xs):
    out = []
    for x in xs:
        out.append(np.tanh(w * x * V))
    total = 0.0
    for y in out:
        total = total + np.sum(y * V) * w + np.sum(y * y)
    return total


def changes_kind(w, xs):
    out = []
    h = w
    for x in xs:
        out.append(h)
        h = h * V * x
    s = 0.0
    for k in range(len(out)):
        s = s + np.sum(out[k] * V) * (k + 1.0)
    return s


def number_then_rows(w, xs):
    out = [w * 2.0]
    for x in xs:
        out.append(np.sin(w * x))
    t = sum(out)
    return np.sum(t * t) + np.sum(out[0] * out[-1])


def read_inside(w, xs):
    out = []
    s = 0.0
    for x in xs:
        out.append(math.tanh(w * x))
        s = s + out[-1] * out[0]
    return s + sum(out)


def grown_again(w, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x))
    first = sum(out)
    for x in xs:
        out.append(w * x * first)
    s = 0.0
    for k in range(len(out)):
        s = s + out[k] * (k + 1.0)
    return s
'''

CASES = [("summed", (0.7, XS)), ("walked", (0.7, XS)), ("by_position", (0.7, XS)),
         ("ends_and_branches", (0.6, XS)), ("grown_while", (0.6, 5)), ("rows", (0.8, ROWS)), ("rows_walked", (0.8, ROWS)),
         ("read_inside", (0.7, XS)), ("grown_again", (0.7, XS)),
         ("summed", (0.7, [])), ("walked", (0.7, [])), ("by_position", (0.7, [])), ("grown_while", (0.6, 0)),
         ("rows", (0.8, [])), ("rows_walked", (0.8, []))]
IDS = [f"{name}-{len(args[1]) if isinstance(args[1], list) else args[1]}" for name, args in CASES]
LIST_CASES = [(name, args) for name, args in CASES if isinstance(args[1], list) and args[1]]


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("lists9"), FUNCTIONS, "srcdiff_test_list_grads_linear_module")


def _fd_w(f, args, eps=1e-6):
    w, rest = args[0], args[1:]
    return (f(w + eps, *rest) - f(w - eps, *rest)) / (2 * eps)


def _fd_items(f, w, xs, eps=1e-6):
    grads = []
    for i, x in enumerate(xs):
        grad = np.zeros(np.shape(x))
        for at in np.ndindex(np.shape(x)):
            step = np.zeros(np.shape(x))
            step[at] = eps
            plus, minus = list(xs), list(xs)
            plus[i], minus[i] = x + step, x - step
            grad[at] = (f(w, plus) - f(w, minus)) / (2 * eps)
        grads.append(grad)
    return grads


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_gradient_of_w(m, name, args):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=0)
    assert grad(*args) == pytest.approx(_fd_w(f, args), rel=1e-6, abs=1e-8)
    value, again = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args), rel=1e-14) and again == pytest.approx(grad(*args), rel=1e-12)


@pytest.mark.parametrize("name,args", LIST_CASES, ids=[n for n, _ in LIST_CASES])
def test_gradient_of_the_items(m, name, args):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=1)(*args)
    assert isinstance(grad, list) and len(grad) == len(args[1])
    for got, expected in zip(grad, _fd_items(f, *args)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_forward_mode_and_second_derivatives(m, name, args):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=0)
    assert srcdiff.jvp(f, wrt=0)(*args, 0.7) == pytest.approx(0.7 * _fd_w(f, args), rel=1e-6, abs=1e-8)
    second = srcdiff.grad(grad, wrt=0)(*args)
    assert second == pytest.approx(_fd_w(grad, args), rel=1e-5, abs=1e-7)
    assert srcdiff.hvp(f, wrt=0)(*args, 1.0) == pytest.approx(second, rel=1e-8, abs=1e-10)
    assert np.reshape(srcdiff.hessian(f, wrt=0)(*args), ()) == pytest.approx(second, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("name", ["summed", "by_position", "ends_and_branches", "rows"])
def test_explain_agrees_with_grad(m, name):
    args = dict(CASES)[name]
    assert_explain_matches_grad(getattr(m, name), args)


def _gathers_items(text):
    return ("grad_out = rt.items_zeros(out)" in text and "rt.index_grad" not in text
            and ("grad_out[k] += " in text or "grad_out[s10] += " in text)
            and "rt.but_last(" in text and "[:-1]" not in text)


@SPECIALIZED
@pytest.mark.parametrize("name", ["summed", "by_position", "ends_and_branches", "grown_while"])
def test_specialized_code_gathers_the_items_in_place(m, name):
    assert _gathers_items(srcdiff.grad(getattr(m, name), wrt=0).source_for(*dict(CASES)[name]))


def test_generic_code_gathers_the_items_whatever_their_kind(m):
    assert _gathers_items(srcdiff.grad(m.summed, wrt=0).source)  # math.tanh: a number, whatever w and xs are
    assert _gathers_items(srcdiff.grad(m.by_position, wrt=0).source)  # an item of xs times a number: its own adjoint


@SPECIALIZED
def test_items_of_a_list_of_numbers_are_numbers(m):
    text = srcdiff.grad(m.summed, wrt=0).source_for(*dict(CASES)["summed"])
    assert "np.sum" not in text and "rt.unbroadcast" not in text  # sum(out)'s items are known to be numbers
    grad = srcdiff.grad(m.changes_kind, wrt=0)
    arrays = grad.source_for(0.7, XS)  # arrays after the first item, a number: each item has an adjoint of its own
    assert "grad_out[k] += rt.unbroadcast(" in arrays or "rt.unbroadcast(grad_s3 * V, s2)" in arrays
    assert "rt.index_grad(" not in arrays
    assert grad(0.7, XS) == pytest.approx(_fd_w(m.changes_kind, (0.7, XS)), rel=1e-6)


def test_lists_of_arrays_gather_item_by_item_and_items_of_other_shapes_keep_theirs(m):
    grad = srcdiff.grad(m.rows, wrt=0)
    for text in (grad.source, grad.source_for(*dict(CASES)["rows"])):  # generic, and specialized unless --generic
        assert "rt.index_grad(" not in text and "grad_out = rt.items_zeros(out)" in text and "rt.but_last(" in text
    # items a number, then arrays: each item's adjoint has its own shape (the list's reads are
    # not taken to share one, analysis.shape_values.Shape.ragged), where this was refused before
    assert srcdiff.grad(m.number_then_rows, wrt=0)(0.7, ROWS) == pytest.approx(_fd_w(m.number_then_rows, (0.7, ROWS)),
                                                                                rel=1e-6)
    for got, expected in zip(srcdiff.grad(m.number_then_rows, wrt=1)(0.7, ROWS), _fd_items(m.number_then_rows, 0.7, ROWS)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("specialized", [False, True])
def test_lists_read_while_growing_gather_items_and_lists_grown_again_keep_the_general_code(m, specialized):
    texts = {}
    for name in ("read_inside", "grown_again"):
        grad = srcdiff.grad(getattr(m, name), wrt=0)
        texts[name] = grad.source_for(*dict(CASES)[name]) if specialized else grad.source
    assert "rt.index_grad" not in texts["read_inside"] and "grad_out_1[-1] += " in texts["read_inside"]
    assert "rt.index_grad" in texts["grown_again"] and "grad_out = rt.items_zeros(out)" not in texts["grown_again"]


def test_but_last_stacks_floats_once_and_then_takes_views():
    rest = rt.but_last([1.0, np.float64(2.0), 3.0])
    assert rest.__class__ is np.ndarray and rest.tolist() == [1.0, 2.0]
    again = rt.but_last(rest)
    assert again.base is rest.base and again.tolist() == [1.0]
    assert rt.but_last([np.float32(1.0), np.float32(2.0)]).dtype == np.float32


def test_but_last_stacks_arrays_of_one_shape_and_keeps_other_lists():
    rows32 = [r.astype(np.float32) for r in ROWS]
    stacked = rt.but_last(rows32)
    assert stacked.shape == (2, 3) and stacked.dtype == np.float32
    np.testing.assert_array_equal(stacked, np.stack(rows32[:2]))
    ragged = [np.zeros(2), np.zeros(3), np.zeros(2)]
    assert rt.but_last(ragged).__class__ is list and len(rt.but_last(ragged)) == 2
    mixed = [np.zeros(3), 1.0, np.zeros(3)]
    assert rt.but_last(mixed).__class__ is list
    assert rt.but_last([2.0]) == [] and rt.but_last(()) == () and rt.but_last((1.0, 2.0)).tolist() == [1.0]
    ints = [np.zeros(2, dtype=int), np.zeros(2, dtype=int)]
    assert rt.but_last(ints).__class__ is list


def test_float32_rows_keep_their_dtype(m):
    rows32 = [r.astype(np.float32) for r in ROWS]
    grad = srcdiff.grad(m.rows, wrt=1)(0.8, rows32)
    assert all(g.dtype == np.float32 for g in grad)
    for got, expected in zip(grad, srcdiff.grad(m.rows, wrt=1)(0.8, ROWS)):
        np.testing.assert_allclose(got, expected, rtol=1e-4)
