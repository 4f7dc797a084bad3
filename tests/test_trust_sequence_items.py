"""A sequence walked item by item whose items are lists or tuples themselves (a list of
lists of weights, a list of pairs of arrays): the gradient of the whole sequence was built
with ``grad_W[k] += grad_row``, which joined lists (``[0.0, 0.0] + [2.7, -0.9]``), failed on
tuples, and gave pairs of arrays back stacked as one array (found by the Tangent-style corpus
through micrograd's layer written as nested loops).  Each item's gradient is now an array
while it adds up and comes back in the item's own type."""
import numpy as np
import pytest

import srcdiff
from tangent_corpus_checks import assert_close, fd_gradient
from test_trust_item_loops import nested as layer  # a layer written as nested loops

W = [[0.5, -0.3], [0.8, 0.2], [-0.4, 0.9]]
XS = [1.5, -0.5]


def rows_summed(W):
    t = 0.0
    for row in W:
        t = t + sum(row) ** 2
    return t


def pairs_of_arrays(ps):
    t = 0.0
    for p in ps:
        t = t + np.sum(p[0] * p[1] ** 2)
    return t


def _pairs(dtype):
    return [(np.array([1.0, 2.0], dtype), np.array([0.5, -1.0], dtype)), (np.array([0.3, 0.2], dtype),
                                                                             np.array([1.5, 1.0], dtype))]


CASES = [
    (layer, (W, XS)), (layer, (tuple(tuple(r) for r in W), XS)), (layer, ([[0.5, -0.3], [0.8]], XS)),
    (rows_summed, (W,)), (rows_summed, ([[0.5, 1.0], [2.0]],)), (rows_summed, ([(0.5, 1.0), [2.0, 3.0]],)),
    (pairs_of_arrays, (_pairs(np.float64),)),
]


@pytest.mark.parametrize("k", range(len(CASES)))
def test_the_gradient_of_a_sequence_of_sequences_has_its_structure(k):
    f, args = CASES[k]
    for p in range(len(args)):
        assert_close(srcdiff.grad(f, wrt=p)(*args), fd_gradient(f, args, p), rtol=1e-6, atol=1e-7)
        assert_close(srcdiff.value_and_grad(f, wrt=p)(*args)[1], fd_gradient(f, args, p), rtol=1e-6, atol=1e-7)


def test_float32_items_keep_their_dtype():
    got = srcdiff.grad(pairs_of_arrays)(_pairs(np.float32))
    assert all(g.dtype == np.float32 for pair in got for g in pair)
    assert_close(got, fd_gradient(pairs_of_arrays, (_pairs(np.float64),), 0), rtol=1e-5, atol=1e-6)


def test_ragged_rows_inside_an_item_have_a_gradient_row_by_row():
    """Rows of different lengths have no array of their shape: an adjoint per row
    (``runtime.item_adjoints``), given back as lists."""
    def deep(Ws):
        t = 0.0
        for W in Ws:
            t = t + sum(sum(r * r for r in row) for row in W)
        return t
    Ws = [[[1.0, 2.0], [3.0]], [[1.0], [2.0, 5.0, 1.0]]]
    assert srcdiff.grad(deep)(Ws) == [[[2.0, 4.0], [6.0]], [[2.0], [4.0, 10.0, 2.0]]]


def test_explain_mode_shows_a_rows_gradient_as_a_row_of_the_sequences():
    table = srcdiff.explain(layer, W, XS)
    assert "row = W[2]" in str(table)
