"""Gradients of Dask arrays on a dask.distributed cluster of worker processes (issue 14, part 3).

The data are Dask arrays drawn on the workers (so no task graph carries data from the
client), the parameters small NumPy arrays; every gradient is compared with srcdiff's
NumPy gradient on the same data, computed in memory.  One LocalCluster of two worker
processes serves the whole module.
"""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, load_sample
import srcdiff
from srcdiff.lazy import _other_array

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")
cloudpickle = pytest.importorskip("cloudpickle")

ROWS, FEATURES, CLASSES, HIDDEN, CHUNK = 4000, 6, 3, 5, 1000


def softmax_regression(W, X, Y, reg):
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1)) + reg * np.sum(W * W)


def two_layer_net(W1, b1, W2, b2, X, Y, reg):
    hidden = np.maximum(0.0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    data_loss = -np.sum(Y * np.log(probs)) / X.shape[0]
    return data_loss + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))


def labels_indexed(W, X, y):
    scores = X @ W
    return -np.mean(scores[np.arange(X.shape[0]), y])


def stops_early(w, X):
    loss = np.sum((X @ w) ** 2)
    if loss > 1.0:
        loss = loss / 2.0
    return loss


def spreads(w, X):
    z = X @ w
    return np.var(z) + np.sum(np.std(X * w, axis=1)) / X.shape[0] + np.linalg.norm(z) + np.sum(np.prod(X[:, :2], axis=1) * z)


def joins_and_shapes(w, X):
    Z = np.concatenate([X * w, X[:, ::-1]], axis=1)
    h = (Z.T * np.concatenate([w, w])[:, None]).T
    return np.sum(np.stack([h, Z * 2]).reshape(2, -1).T ** 2) / X.shape[0] + np.sum(np.expand_dims(X @ w, 1)[10:20])


def kinks_and_scans(w, X):
    z = X @ w
    smooth = np.where(z > 0, z, 0.1 * z) + np.clip(z, -1.0, 1.0) + np.abs(z) + np.tanh(z)
    return np.mean(smooth) + np.sum(np.cumsum(z)) / X.shape[0] + np.sum(np.max(X * w, axis=0)) + np.min(X * w)


def positive_mean(w, X):
    z = X @ w
    return np.mean(z[z > 0])


def scalar_product(x, y):
    return x * y + 1.0


logistic_loss = load_sample("distributed_logreg").logistic_loss


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as connected:
            yield connected


@pytest.fixture(scope="module")
def data(client):
    """Features, 0/1 labels and one-hot labels as Dask arrays drawn on the workers, and the same in memory."""
    rng = da.random.default_rng(14)
    X = rng.normal(size=(ROWS, FEATURES), chunks=(CHUNK, FEATURES))
    truth = np.linspace(-1.0, 1.0, FEATURES * CLASSES).reshape(FEATURES, CLASSES)
    classes = da.argmax(X @ truth + rng.normal(size=(ROWS, CLASSES), chunks=(CHUNK, CLASSES)), axis=1)
    y = (classes == 0).astype(np.float64)
    Y = (classes[:, None] == np.arange(CLASSES)).astype(np.float64)
    lazy = {"X": X, "y": y, "Y": Y}
    return lazy, dict(zip(lazy, dask.compute(*lazy.values())))


def _assert_same(got, want, dtype=np.float64):
    assert type(got) is type(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-10, atol=1e-12)


class Computes:
    """The default scheduler with a count of its calls (each ``dask.compute`` or ``.compute()`` is one)."""

    def __init__(self, client):
        self.client, self.calls = client, []

    def __call__(self, graph, keys, **kwargs):
        self.calls.append(keys)
        return self.client.get(graph, keys, **kwargs)


def test_logistic_regression_matches_numpy(data):
    lazy, memory = data
    w, b = np.linspace(-0.5, 0.5, FEATURES), 0.25
    got = srcdiff.grad(logistic_loss, wrt=(0, 1))(w, b, lazy["X"], lazy["y"])
    want = srcdiff.grad(logistic_loss, wrt=(0, 1))(w, b, memory["X"], memory["y"])
    _assert_same(got[0], want[0])
    _assert_same(got[1], want[1])


def test_softmax_regression_matches_numpy_and_keeps_float32(data):
    lazy, memory = data
    W = np.linspace(-1.0, 1.0, FEATURES * CLASSES, dtype=np.float32).reshape(FEATURES, CLASSES)
    got = srcdiff.grad(softmax_regression, wrt="W")(W, lazy["X"], lazy["Y"], 0.1)
    want = srcdiff.grad(softmax_regression, wrt="W")(W, memory["X"], memory["Y"], 0.1)
    _assert_same(got, want, np.float32)


def test_two_layer_net_matches_numpy(data):
    lazy, memory = data
    rng = np.random.default_rng(3)
    params = (rng.normal(size=(FEATURES, HIDDEN)), rng.normal(size=HIDDEN) * 0.1,
              rng.normal(size=(HIDDEN, CLASSES)), np.zeros(CLASSES))
    value, got = srcdiff.value_and_grad(two_layer_net, wrt=(0, 1, 2, 3))(*params, lazy["X"], lazy["Y"], 1e-3)
    want_value, want = srcdiff.value_and_grad(two_layer_net, wrt=(0, 1, 2, 3))(*params, memory["X"], memory["Y"], 1e-3)
    _assert_same(value, want_value)
    for g, w in zip(got, want):
        _assert_same(g, w)


@pytest.mark.parametrize("fn", [spreads, joins_and_shapes, kinks_and_scans], ids=lambda fn: fn.__name__)
def test_reductions_joins_shapes_and_kinks_stay_lazy(fn, client, data):
    lazy, memory = data
    w = np.linspace(-1.0, 1.0, FEATURES)
    computes = Computes(client)
    with dask.config.set(scheduler=computes):
        got = srcdiff.grad(fn, wrt=0)(w, lazy["X"])
    assert len(computes.calls) == 1
    _assert_same(got, srcdiff.grad(fn, wrt=0)(w, memory["X"]))


def test_the_gradient_of_a_dask_parameter_stays_a_dask_array(client, data):
    """wrt=None includes the data X: its gradient is as large as X, a Dask array like X, and
    is not computed; the gradients of w and b still come in one compute."""
    lazy, memory = data
    w, b = np.full(FEATURES, 0.1), -0.2
    computes = Computes(client)
    with dask.config.set(scheduler=computes):
        g_w, g_b, g_X, g_y = srcdiff.grad(logistic_loss)(w, b, lazy["X"], lazy["y"])
    assert len(computes.calls) == 1 and len(computes.calls[0]) == 2
    assert isinstance(g_X, da.Array) and isinstance(g_y, da.Array) and type(g_w) is np.ndarray
    want = srcdiff.grad(logistic_loss)(w, b, memory["X"], memory["y"])
    np.testing.assert_allclose(g_X.compute(), want[2], rtol=1e-10)
    np.testing.assert_allclose(g_y.compute(), want[3], rtol=1e-10)


def test_one_compute_runs_every_task_once(client, data):
    """One call of the scheduler for value and gradients, none while the graph is built, and
    no task of that call run twice on the workers."""
    lazy, _ = data
    w, b = np.full(FEATURES, 0.1), -0.2
    computes = Computes(client)
    with dask.config.set(scheduler=computes), distributed.get_task_stream(client) as stream:
        value, (g_w, g_b) = srcdiff.value_and_grad(logistic_loss, wrt=(0, 1))(w, b, lazy["X"], lazy["y"])
    assert len(computes.calls) == 1
    assert len(computes.calls[0]) == 3  # the value and two gradients: nothing else comes back to the client
    keys = [task["key"] for task in stream.data]
    assert keys and len(keys) == len(set(keys))
    assert isinstance(value, float) and isinstance(g_b, float) and g_w.shape == w.shape


def test_lazy_returns_dask_arrays_of_one_graph_without_client_data(data):
    lazy, memory = data
    w, b = np.full(FEATURES, 0.1), -0.2
    g_w, g_b = srcdiff.grad(logistic_loss, wrt=(0, 1), lazy=True)(w, b, lazy["X"], lazy["y"])
    assert isinstance(g_w, da.Array) and isinstance(g_b, da.Array)
    assert g_w.shape == w.shape and g_w.dtype == np.float64 and g_b.shape == ()
    # the graph holds the recipe for the data (a seed per chunk), not the data: no array of
    # the data's size travels from the client (the data are ROWS * FEATURES * 8 = 192 kB)
    graph = {**g_w.__dask_graph__(), **g_b.__dask_graph__()}
    assert len(cloudpickle.dumps(graph)) < 100_000
    want = srcdiff.grad(logistic_loss, wrt=(0, 1))(w, b, memory["X"], memory["y"])
    computed = dask.compute(g_w, g_b)
    np.testing.assert_allclose(computed[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(computed[1], want[1], rtol=1e-10)


def test_numpy_arguments_still_give_numpy_with_lazy(data):
    _, memory = data
    g = srcdiff.grad(logistic_loss, wrt=0, lazy=True)(np.zeros(FEATURES), 0.0, memory["X"], memory["y"])
    assert type(g) is np.ndarray


def test_what_cannot_stay_lazy_is_refused_at_its_line(client, data):
    lazy, _ = data
    computes = Computes(client)
    with dask.config.set(scheduler=computes):
        with pytest.raises(srcdiff.SrcdiffError) as indexed:
            srcdiff.grad(labels_indexed, wrt=0)(np.ones((FEATURES, CLASSES)), lazy["X"], da.argmax(lazy["Y"], axis=1))
        with pytest.raises(srcdiff.SrcdiffError) as branch:
            srcdiff.grad(stops_early)(np.ones(FEATURES), lazy["X"])
    assert computes.calls == []  # refused before anything ran
    assert indexed.value.filename == __file__ and indexed.value.line_text.strip().startswith("return -np.mean(scores[")
    assert "one-hot" in str(indexed.value)
    assert branch.value.filename == __file__ and branch.value.line_text.strip() == "if loss > 1.0:"
    assert "truth test" in branch.value.message


def test_scalar_code_refuses_dask_arrays():
    with pytest.raises(srcdiff.SrcdiffError, match="written without NumPy"):
        srcdiff.grad(scalar_product)(da.from_array(np.array(2.0)), 3.0)


def test_an_index_read_twice_is_refused_for_a_dask_array(data):
    lazy, _ = data
    with pytest.raises(srcdiff.SrcdiffError, match="one-hot"):
        srcdiff.grad(labels_indexed, wrt=1)(np.ones((FEATURES, CLASSES)), lazy["X"], np.zeros(ROWS, dtype=int))


def test_unknown_chunk_sizes_are_refused_at_the_line(data):
    """A boolean mask gives a Dask array of unknown length: the mean's gradient would divide by nan."""
    lazy, _ = data
    with pytest.raises(srcdiff.SrcdiffError, match="unknown chunk sizes") as refused:
        srcdiff.grad(positive_mean, wrt=0)(np.ones(FEATURES), lazy["X"])
    assert refused.value.filename == __file__ and refused.value.line_text.strip() == "return np.mean(z[z > 0])"


def test_second_derivatives_read_through_the_dask_aware_gradient():
    g = srcdiff.grad(logistic_loss, wrt=1)
    gg = srcdiff.grad(g, wrt=1)
    X, y = np.eye(3), np.array([1.0, 0.0, 1.0])
    z = 0.3
    p = 1.0 / (1.0 + np.exp(-z))
    assert gg(np.zeros(3), z, X, y) == pytest.approx(p * (1.0 - p))


def test_srcdiff_works_without_dask():
    script = ("import sys; sys.modules['dask'] = None\n"
              "import numpy as np, srcdiff\n"
              "from samples.distributed_logreg import logistic_loss\n"
              "print(srcdiff.grad(logistic_loss, wrt=1)(np.zeros(2), 0.0, np.eye(2), np.ones(2)))\n"
              "assert 'dask' not in [m.partition('.')[0] for m in sys.modules if sys.modules[m] is not None]\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) == pytest.approx(-0.5)


def test_the_sample_trains_on_a_local_cluster():
    run = subprocess.run([sys.executable, "samples/distributed_logreg.py", "--rows", "20000", "--chunk", "5000",
                          "--steps", "3", "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})  # this checkout's srcdiff
    assert run.returncode == 0, run.stderr[-2000:]
    losses = [float(loss) for loss in re.findall(r"step \d+/3  loss ([0-9.]+)", run.stdout)]
    assert len(losses) == 3 and losses[-1] < losses[0]


def test_a_list_of_numbers_is_judged_by_its_first_item():
    """Looking for Dask arrays passes over a list of numbers without a look at each item (a
    pass over the data on every call); lists of arrays are still searched."""
    lazy = da.ones(3, chunks=3)
    assert _other_array([[0.5] * 1000, (1, 2.0)]) is None
    assert all(_other_array(args) is lazy for args in ([[np.ones(3), lazy]], [(lazy,)], [{"w": [np.ones(2), lazy]}]))
