"""The gradient-norm penalty R(W) = ||dL/dW||^2 of the seeds, on a small NumPy network.

A two-layer network: h = tanh(W @ x), y = v . h, L = mean squared error over a batch.
``penalty`` squares the gradient srcdiff generates for ``loss``; srcdiff.grad(penalty)
differentiates through that generated gradient (second derivatives, as in WGAN-GP).
"""
import numpy as np

import srcdiff


def loss(W, v, X, t):
    H = np.tanh(W @ X)
    y = v @ H
    return np.mean((y - t) ** 2)


grad_loss = srcdiff.grad(loss, wrt="W")


def penalty(W, v, X, t):
    G = grad_loss(W, v, X, t)
    return np.sum(G * G)
