"""A network of any depth whose layers are a list of ``(W, b)`` pairs, as micrograd and PyTorch
users keep them: ``srcdiff.grad(loss)(layers, X, y)`` is a list of ``(grad_W, grad_b)`` pairs.

    layers = [(W1, b1), (W2, b2), (W3, b3)]
    grads = srcdiff.grad(loss, wrt="layers")(layers, X, y)
    layers = [(W - 0.1 * gW, b - 0.1 * gb) for (W, b), (gW, gb) in zip(layers, grads)]

The loop over the layers is written over the items, each unpacked (``for item in layers:``,
``W = s0[0]``, ``b = s0[1]``); the backward loop adds each layer's adjoints into its pair.
"""
import numpy as np


def loss(layers, X, y):
    h = X
    for W, b in layers[:-1]:
        h = np.tanh(h @ W + b)
    W_out, b_out = layers[-1]
    scores = h @ W_out + b_out
    return np.mean((scores - y) ** 2)
