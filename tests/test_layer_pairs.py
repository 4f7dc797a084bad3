"""A network's layers kept as a list of ``(W, b)`` pairs (the micrograd and PyTorch habit) and
other sequences whose items are unpacked: ``for W, b in params``, ``for layer in params: W, b =
layer``, ``layer[0]``, ``W, b = params[i]``, ``for a, b in pairs``, ``for i, (W, b) in
enumerate(params)``, ``for W, b in reversed(params)``, ``for (a, b), w in zip(pairs, ws)`` (these
three name each item whole and unpack it first in the body: ``lower.loop_forms.items_unpacked_in_body``).

The loop over a sequence it differentiates is written as the loop over the items, each unpacked
(``transforms.unpacked_items``); a pair whose parts differ in shape has an adjoint per part
(``runtime.item_adjoints``), added part by part.  Before, the first form was refused and the
others raised "ragged" errors at run time.  Each is checked against central differences over
every entry of every part, and the gradient comes back in the argument's own structure; jvp,
hvp and explain along the same parameter too.
"""
import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample, printed_gradient

SOURCE = '''
import numpy as np


def unpacked_in_header(params, x, y):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum((h - y) ** 2)


def unpacked_in_body(params, x, y):
    h = x
    for layer in params:
        W, b = layer
        h = np.tanh(h @ W + b)
    return np.sum((h - y) ** 2)


def indexed_parts(params, x, y):
    h = x
    for layer in params:
        h = np.tanh(h @ layer[0] + layer[1])
    return np.sum((h - y) ** 2)


def by_position(params, x, y):
    h = x
    for i in range(len(params)):
        W, b = params[i]
        h = np.tanh(h @ W + b)
    return np.sum((h - y) ** 2)


def unpacked_after_use(params, x, y):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b) + 0.1 * np.sum(b * b)
    return np.sum((h - y) ** 2) + np.sum(W)


def enumerated_layers(params, x, y):
    h = x
    for i, (W, b) in enumerate(params):
        h = np.tanh(h @ W + b) * (1.0 + 0.5 * i)
    return np.sum((h - y) ** 2)


def reversed_layers(params, x, y):
    h = y
    for W, b in reversed(params):
        h = np.tanh(h @ W.T + b[:3])
    return np.sum((h - x) ** 2)


def zipped_pairs(pairs, ws):
    t = 0.0
    for (a, b), w in zip(pairs, ws):
        t = t + a * np.sin(b) * w
    return t


def pairs_of_numbers(pairs, w):
    total = 0.0
    for a, b in pairs:
        total = total + w * a * a + np.sin(b) * a
    return total
'''

NETWORKS = ["unpacked_in_header", "unpacked_in_body", "indexed_parts", "by_position", "unpacked_after_use",
            "enumerated_layers"]
RNG = np.random.default_rng(7)
# the second layer square, so that a transposed weight gradient would not go unseen
LAYERS = [(RNG.normal(size=(3, 4)), RNG.normal(size=4)), (RNG.normal(size=(4, 4)), RNG.normal(size=4))]
X, Y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 4))  # a non-uniform upstream weight through (h - y) ** 2
PAIRS = [(0.5, 1.0), (1.5, -0.3), (2.0, 0.7)]
RNG_REVERSED = np.random.default_rng(8)


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("layer_pairs"), SOURCE)


def flat(tree):
    """The entries of a nested list or tuple of numbers and arrays, in order, as one vector."""
    if isinstance(tree, (list, tuple)):
        return np.concatenate([flat(item) for item in tree]) if tree else np.zeros(0)
    return np.ravel(np.asarray(tree, dtype=float))


def rebuilt(tree, vector):
    """``tree`` with its entries taken from ``vector`` (``flat``'s inverse), in its own structure."""
    if isinstance(tree, (list, tuple)):
        items, start = [], 0
        for item in tree:
            size = flat(item).size
            items.append(rebuilt(item, vector[start:start + size]))
            start += size
        return type(tree)(items)
    if isinstance(tree, np.ndarray):
        return vector.reshape(tree.shape).copy()
    return float(vector[0])


def same_structure(a, b):
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b))
    return np.shape(a) == np.shape(b) and isinstance(a, np.ndarray) == isinstance(b, np.ndarray)


def fd_along(f, tree, rest, direction=None, eps=1e-6):
    """Central differences of ``f(tree, *rest)``: its gradient over ``tree``'s entries, or its
    derivative along ``direction`` (a vector of those entries)."""
    x = flat(tree)
    if direction is not None:
        return (np.asarray(f(rebuilt(tree, x + eps * direction), *rest))
                - np.asarray(f(rebuilt(tree, x - eps * direction), *rest))) / (2 * eps)
    out = np.zeros(x.size)
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = eps
        out[k] = (f(rebuilt(tree, x + step), *rest) - f(rebuilt(tree, x - step), *rest)) / (2 * eps)
    return out


def cases(name):
    if name == "pairs_of_numbers":
        return [(PAIRS, (0.8,)), ([list(p) for p in PAIRS], (0.8,)), (tuple(PAIRS), (0.8,))]
    if name == "zipped_pairs":
        return [(PAIRS, ([0.3, -0.7, 1.1],)), (tuple(PAIRS), ((0.3, -0.7, 1.1),))]
    if name == "reversed_layers":  # the layers taken last first, each weight transposed: square weights
        layers = [(RNG_REVERSED.normal(size=(3, 3)), RNG_REVERSED.normal(size=4)),
                  (RNG_REVERSED.normal(size=(3, 3)), RNG_REVERSED.normal(size=5))]
        return [(layers, (X[:, :3], Y[:, :3])), (tuple(layers), (X[:, :3], Y[:, :3]))]
    return [(LAYERS, (X, Y)), (tuple(LAYERS), (X, Y)), ([list(layer) for layer in LAYERS], (X, Y))]


@pytest.mark.parametrize("name", NETWORKS + ["pairs_of_numbers", "zipped_pairs", "reversed_layers"])
def test_the_gradient_of_unpacked_items_in_their_structure(module, name):
    f = getattr(module, name)
    for tree, rest in cases(name):
        gradient = srcdiff.grad(f, wrt=0)(tree, *rest)
        assert same_structure(gradient, tree)
        np.testing.assert_allclose(flat(gradient), fd_along(f, tree, rest), rtol=1e-6, atol=1e-8)
        value, again = srcdiff.value_and_grad(f, wrt=0)(tree, *rest)
        assert value == f(tree, *rest)
        np.testing.assert_allclose(flat(again), flat(gradient), rtol=0, atol=0)


@pytest.mark.parametrize("name", NETWORKS + ["pairs_of_numbers", "zipped_pairs", "reversed_layers"])
def test_forward_mode_and_second_order_along_unpacked_items(module, name):
    f = getattr(module, name)
    tree, rest = cases(name)[0]
    direction = np.linspace(-0.9, 1.3, flat(tree).size)
    along = rebuilt(tree, direction)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(tree, *rest, along), fd_along(f, tree, rest, direction),
                               rtol=1e-6, atol=1e-8)
    gradient = srcdiff.grad(f, wrt=0)
    expected = fd_along(lambda t, *r: flat(gradient(t, *r)), tree, rest, direction)
    for mode in (None, "reverse-over-forward"):
        hvp = srcdiff.hvp(f, wrt=0, mode=mode)(tree, *rest, along)
        assert same_structure(hvp, tree)
        np.testing.assert_allclose(flat(hvp), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NETWORKS + ["pairs_of_numbers", "zipped_pairs", "reversed_layers"])
def test_explain_shows_the_gradient_in_the_structure_of_the_items(module, name):
    f = getattr(module, name)
    tree, rest = cases(name)[0]
    table = srcdiff.explain(f, tree, *rest)
    assert table.value == pytest.approx(f(tree, *rest))
    row = next(row for row in table.rows if row.name == f.__code__.co_varnames[0])
    np.testing.assert_allclose(flat(row.gradient), flat(srcdiff.grad(f, wrt=0)(tree, *rest)), rtol=1e-12)


def test_the_loop_prints_as_written_where_its_sequence_has_no_gradient(module):
    """Only a loop over a sequence the parameters differentiated vary is written over its items."""
    text = srcdiff.grad(module.unpacked_in_header, wrt=1).source
    assert "for W, b in params:" in text and "rt.unpacked" not in text
    text = srcdiff.grad(module.unpacked_in_header, wrt=0).source
    assert "for item in params:" in text and "W = s0[0]" in text and "b = s0[1]" in text


def test_the_command_line_prints_the_gradient_over_the_items(tmp_path):
    printed = printed_gradient(tmp_path, SOURCE, "unpacked_in_header")
    assert "grad_params = rt.items_zeros(params)" in printed
    assert "grad_params[k] += grad_s0" in printed


def test_a_zero_adjoint_of_a_pair_adds_part_by_part():
    """Adjoints are added with ``+`` and scaled with ``*``, which join and repeat tuples: a pair
    of parts of different shapes adds and scales part by part instead."""
    from srcdiff import runtime as rt
    pair = (np.ones((2, 3)), np.ones(3))
    zero = rt.zeros_like(pair)
    read = rt.index_grad(np.full(3, 2.0), pair, 1)
    total = zero + read + 0.0
    assert len(total) == 2
    np.testing.assert_array_equal(total[0], np.zeros((2, 3)))
    np.testing.assert_array_equal((2 * total)[1], np.full(3, 4.0))
    np.testing.assert_array_equal((-total)[1], np.full(3, -2.0))
    back = rt.like(total, pair)
    assert type(back) is tuple and same_structure(back, pair)


def _network(depth_sizes=(3, 5, 4, 2), rows=8, seed=0):
    rng = np.random.default_rng(seed)
    layers = [(0.5 * rng.normal(size=(a, b)), 0.1 * rng.normal(size=b)) for a, b in zip(depth_sizes, depth_sizes[1:])]
    return layers, rng.normal(size=(rows, depth_sizes[0])), rng.normal(size=(rows, depth_sizes[-1]))


def test_the_layers_sample_against_autograd_and_differences(tmp_path):
    """``samples/layers_mlp.py``: three layers, the last read apart (``layers[-1]``) after a loop
    over the others (``layers[:-1]``), against HIPS autograd, which takes the same list."""
    autograd = pytest.importorskip("autograd")
    mlp = load_sample("layers_mlp")
    layers, X, y = _network()
    gradient = srcdiff.grad(mlp.loss, wrt="layers")(layers, X, y)
    assert same_structure(gradient, layers)
    np.testing.assert_allclose(flat(gradient), fd_along(mlp.loss, layers, (X, y)), rtol=1e-6, atol=1e-9)
    text = (ROOT / "samples" / "layers_mlp.py").read_text().replace("import numpy as np", "import autograd.numpy as np")
    theirs = import_text(tmp_path, text).loss
    np.testing.assert_allclose(flat(gradient), flat(autograd.grad(theirs)(layers, X, y)), rtol=1e-12, atol=1e-14)
    v = rebuilt(layers, np.linspace(-1.0, 1.0, flat(layers).size))
    hvp = srcdiff.hvp(mlp.loss, wrt="layers")(layers, X, y, v)
    anp = pytest.importorskip("autograd.numpy")

    def along_v(p):  # <the gradient, v>, pair by pair, in autograd's own arithmetic
        return sum(anp.sum(g * d) for pair, pv in zip(autograd.grad(theirs)(p, X, y), v) for g, d in zip(pair, pv))
    expected = autograd.grad(along_v)(layers)
    np.testing.assert_allclose(flat(hvp), flat(expected), rtol=1e-9, atol=1e-12)


def test_the_layers_sample_trains():
    mlp = load_sample("layers_mlp")
    layers, X, y = _network(seed=1)
    step = srcdiff.value_and_grad(mlp.loss, wrt="layers")
    first, _ = step(layers, X, y)
    for _ in range(100):
        _, grads = step(layers, X, y)
        layers = [(W - 0.2 * gW, b - 0.2 * gb) for (W, b), (gW, gb) in zip(layers, grads)]
    assert step(layers, X, y)[0] < 0.5 * first
