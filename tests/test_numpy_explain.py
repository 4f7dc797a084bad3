"""Explain mode on array code: the slides' matrix multiply, shapes and summaries of larger
arrays, the backward steps of array rules, and the command line's --at and --graph."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, load_sample

X = np.array([[2.0, 1, -3], [-3, 4, 2]])
W = np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]])
UPSTREAM = np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]])
AT = ["x=[[2,1,-3],[-3,4,2]]", "w=[[3,2,1,-1],[2,1,3,2],[3,2,1,-2]]", "upstream=[[2,3,-3,9],[-8,1,4,6]]"]


def test_explain_matmul_has_the_slides_numbers():
    explanation = srcdiff.explain(load_sample("matmul").matmul, X, W, UPSTREAM)
    np.testing.assert_array_equal(explanation["y"].value, [[-1, -1, 2, 6], [5, 2, 11, 7]])
    np.testing.assert_array_equal(explanation["y"].gradient, UPSTREAM)
    np.testing.assert_array_equal(explanation["x"].gradient, [[0, 16, -9], [-24, 9, -30]])
    assert explanation.value == np.sum((X @ W) * UPSTREAM)
    text = str(explanation)
    assert "[[0, 16, -9], [-24, 9, -30]]" in text  # small arrays are written out
    assert "array 3×4 float64" in text  # larger ones as shape and summary numbers
    assert "rt.matmul_grad_left(g, x, w)" in text  # an array rule's step is an operation on g


def test_explain_two_layer_net_gradients_match_grad():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(4, 5)), np.zeros(5), rng.normal(size=(5, 3)), np.zeros(3),
            rng.normal(size=(6, 4)), rng.integers(0, 3, 6), 0.1)
    net = load_sample("two_layer_net").two_layer_net
    explanation = srcdiff.explain(net, *args)
    for got, want in zip(explanation.gradients[:4], srcdiff.grad(net, wrt=(0, 1, 2, 3))(*args)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert explanation["probs"].value.shape == (6, 3)


def _cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_explains_array_code():
    done = _cli("samples/matmul.py", "--at", *AT)
    assert done.returncode == 0, done.stderr
    assert "[[0, 16, -9], [-24, 9, -30]]" in done.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot draws the pictures")
def test_cli_draws_array_graph(tmp_path):
    path = tmp_path / "matmul.svg"
    done = _cli("samples/matmul.py", "--at", *AT, "--graph", str(path))
    assert done.returncode == 0, done.stderr
    assert "2×4 in [&#45;1, 11]" in path.read_text()  # y, in SVG escapes


def test_cli_prints_array_gradient_code():
    done = _cli("samples/two_layer_net.py", "--wrt", "W1,b1,W2,b2")
    assert done.returncode == 0, done.stderr
    assert "grad_W1 += rt.matmul_grad_right(rt.unbroadcast(grad_s2, s1), X, W1)" in done.stdout


def test_cli_passes_integer_labels_to_an_index_parameter():
    at = ["W1=[[0.5,-0.2],[0.1,0.3]]", "b1=[0,0.1]", "W2=[[1,-1,0.5],[0.2,0.4,-0.3]]", "b2=[0,0,0]",
          "X=[[1,2],[-1,0.5]]", "y=[2,0]", "reg=0.1"]
    done = _cli("samples/two_layer_net.py", "--at", *at)
    assert done.returncode == 0, done.stderr
    net = load_sample("two_layer_net").two_layer_net
    args = (np.array([[0.5, -0.2], [0.1, 0.3]]), np.array([0, 0.1]), np.array([[1, -1, 0.5], [0.2, 0.4, -0.3]]),
            np.zeros(3), np.array([[1, 2], [-1, 0.5]]), np.array([2, 0]), 0.1)
    assert f"= {net(*args):.4g}" in done.stdout.splitlines()[0]
