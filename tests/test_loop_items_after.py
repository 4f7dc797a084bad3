"""A loop's item read after the loop: Python leaves the name bound to the last item (or to what
the body last assigned it, or, for an empty sequence, to what it was before the loop).

Before, the read after the loop took the loop's own item Var, so the reversed loop added that
read's gradient to every item's: a silently wrong gradient (by 3.3 to 7.8 on these functions).
The item is now carried like a variable the body assigns (``lower.loops._items_read_outside``),
and its gradient goes to the last item alone.  Every path along the first parameter is checked
against central differences, lists given as lists.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_first_parameter_paths, fd_grad

SOURCE = '''
import numpy as np


def last_row_after(Ws, x):
    h = x
    for W in Ws:
        h = np.tanh(h @ W)
    return np.sum(h) + np.sum(W * W)


def last_item_after(xs, w):
    t = 0.0
    for x in xs:
        t = t + np.sin(w * x)
    return t + x * x


def zipped_after(xs, ys):
    t = 0.0
    for x, y in zip(xs, ys):
        t = t + x * y
    return t + x * y * 3.0


def enumerated_after(xs):
    t = 0.0
    for i, x in enumerate(xs):
        t = t + x * x * (i + 1)
    return t + x * 5.0 + i


def reassigned_in_the_body(xs):
    t = 0.0
    for x in xs:
        x = x * 2.0
        t = t + np.cos(x)
    return t * x


def bound_before_the_loop(xs, x):
    t = 0.0
    for x in xs:
        t = t + x * x
    return t + np.sin(x)


def read_after_a_break(xs):
    t = 0.0
    for x in xs:
        t = t + x * x
        if t > 0.5:
            break
    return t + 3.0 * x


def read_in_the_else_clause(xs):
    t = 0.0
    for x in xs:
        t = t + x * x
    else:
        t = t + 2.0 * x
    return t


def read_inside_only(xs, w):
    t = 0.0
    for x in xs:
        t = t + np.sin(w * x)
    return t


def read_in_the_next_iteration(xs):
    t = 0.0
    prev = 0.0
    for k in range(2):
        t = t + prev * k
        for x in xs:
            t = t + x * t * 0.1
        prev = x
    return t
'''

RNG = np.random.default_rng(3)
CASES = {
    "last_row_after": (RNG.normal(size=(3, 3, 3)), RNG.normal(size=(2, 3))),
    "last_item_after": ([0.3, 0.5, 0.9], 1.3),
    "zipped_after": ([0.3, 0.5, 0.9], [1.0, 2.0, -1.0]),
    "enumerated_after": ([0.3, -0.5, 0.9, 1.1],),
    "reassigned_in_the_body": ([0.3, 0.5, 0.9],),
    "bound_before_the_loop": ([0.3, 0.5, 0.9], 0.7),
    "read_in_the_next_iteration": ([0.3, 0.5, 0.9],),
    "read_after_a_break": ([0.3, 0.5, 0.9, 0.2],),
    "read_in_the_else_clause": ([0.3, 0.5, 0.9],),
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("loop_items_after"), SOURCE)


@pytest.mark.parametrize("name", list(CASES))
def test_the_last_item_read_after_its_loop(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


@pytest.mark.parametrize("name", ["zipped_after", "bound_before_the_loop"])
def test_the_second_parameter_too(module, name):
    f = getattr(module, name)
    args = CASES[name]
    arrays = tuple(np.array(a) if isinstance(a, list) else a for a in args)
    gradient = srcdiff.grad(f, wrt=1)(*args)
    np.testing.assert_allclose(np.asarray(gradient, dtype=float), fd_grad(f, arrays, 1), rtol=1e-6, atol=1e-8)


def test_an_empty_sequence_leaves_the_name_as_it_was(module):
    """``for x in []`` binds nothing: ``x`` after the loop is the parameter, whose gradient it takes."""
    gradient = srcdiff.grad(module.bound_before_the_loop, wrt=(0, 1))([], 0.7)
    assert gradient == ([], pytest.approx(np.cos(0.7)))


def test_an_item_read_only_inside_its_loop_prints_as_before(module):
    """Only an item read outside its loop is carried: the usual loop keeps its item's name."""
    assert "for x in xs:" in srcdiff.grad(module.read_inside_only, wrt=0).source
    text = srcdiff.grad(module.last_item_after, wrt=0).source
    assert "for x_1 in xs:" in text and "x = x_2" in text
