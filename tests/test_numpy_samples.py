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
