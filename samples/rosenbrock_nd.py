"""The n-dimensional Rosenbrock function on a NumPy vector: Hessian-vector products for Newton-CG.

    h = srcdiff.hvp(rosenbrock_nd)          # h(x, v) = H(x) @ v, never forming H
    H = srcdiff.hessian(rosenbrock_nd)      # the full n x n matrix, from n products
"""
import numpy as np


def rosenbrock_nd(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
