"""The array samples: the slides' numbers, finite differences, and their CLI output."""
import numpy as np

from conftest import load_sample
from gradcheck import check_grad

import srcdiff

# the slides' "Matrix Multiply y = xw" example
X = np.array([[2.0, 1, -3], [-3, 4, 2]])
W = np.array([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]])
GRAD_Y = np.array([[2.0, 3, -3, 9], [-8, 1, 4, 6]])


def test_matmul_slide_numbers():
    sample = load_sample("matmul")
    np.testing.assert_array_equal(X @ W, [[-1, -1, 2, 6], [5, 2, 11, 7]])
    grad_x, grad_w = srcdiff.grad(sample.matmul, wrt=(0, 1))(X, W, GRAD_Y)
    np.testing.assert_array_equal(grad_x, [[0, 16, -9], [-24, 9, -30]])
    np.testing.assert_array_equal(grad_w, X.T @ GRAD_Y)


def test_matmul_finite_differences():
    check_grad(load_sample("matmul").matmul, X, W, GRAD_Y)


def _classifier_data(seed, n=6, d=5, c=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(d, c)) * 0.5, rng.normal(size=(n, d)), rng.integers(0, c, size=n), 0.1


def test_svm_finite_differences():
    W, X, y, reg = _classifier_data(1)
    check_grad(load_sample("svm").svm_loss, W, X, y, reg)


def test_svm_matches_hand_derived_gradient():
    W, X, y, reg = _classifier_data(2)
    n = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(n), y][:, None] + 1.0
    margins[np.arange(n), y] = 0.0
    mask = (margins > 0).astype(float)
    mask[np.arange(n), y] = -mask.sum(axis=1)
    expected = X.T @ mask / n + 2 * reg * W
    got = srcdiff.grad(load_sample("svm").svm_loss, wrt="W")(W, X, y, reg)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_softmax_finite_differences():
    W, X, y, reg = _classifier_data(3)
    check_grad(load_sample("softmax").softmax_loss, W, X, y, reg)


def test_softmax_matches_hand_derived_gradient():
    W, X, y, reg = _classifier_data(4)
    n = X.shape[0]
    scores = X @ W
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(n), y] -= 1.0
    expected = X.T @ probs / n + 2 * reg * W
    got = srcdiff.grad(load_sample("softmax").softmax_loss, wrt="W")(W, X, y, reg)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def _net_data(seed, n=5, d=4, h=6, c=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s).astype(dtype) for s in [(d, h), (h,), (h, c), (c,), (n, d)]]
    return (*arrays, rng.integers(0, c, size=n), 0.05)


def hand_written_two_layer_backprop(W1, b1, W2, b2, X, y, reg):
    """The lecture-style backward pass of samples/two_layer_net.py, written by hand."""
    n = X.shape[0]
    hidden = np.maximum(0.0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    dscores = probs
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dhidden = dscores @ W2.T
    dhidden[hidden <= 0] = 0.0
    return (X.T @ dhidden + reg * W1, dhidden.sum(axis=0), hidden.T @ dscores + reg * W2, dscores.sum(axis=0))


def test_two_layer_net_finite_differences():
    check_grad(load_sample("two_layer_net").two_layer_net, *_net_data(5))


def test_two_layer_net_matches_hand_written_backprop():
    args = _net_data(6)
    got = srcdiff.grad(load_sample("two_layer_net").two_layer_net, wrt=(0, 1, 2, 3))(*args)
    for mine, theirs in zip(got, hand_written_two_layer_backprop(*args)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def test_two_layer_net_float32_gradients_stay_float32():
    args = _net_data(7, dtype=np.float32)
    got = srcdiff.grad(load_sample("two_layer_net").two_layer_net, wrt=(0, 1, 2, 3))(*args)
    for mine, param, theirs in zip(got, args, hand_written_two_layer_backprop(*args)):
        assert mine.dtype == np.float32 and mine.shape == param.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_integer_labels_get_zero_gradients():
    args = _net_data(8)
    gradients = srcdiff.grad(load_sample("two_layer_net").two_layer_net)(*args)
    np.testing.assert_array_equal(gradients[5], np.zeros(args[5].shape))
    assert "grad_y " not in srcdiff.grad(load_sample("two_layer_net").two_layer_net).source
