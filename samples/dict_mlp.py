"""A two-layer network whose parameters are one dict, as JAX and autograd users write it:
``srcdiff.grad(loss)(params, X, y)`` is a dict with the same keys.

    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = srcdiff.grad(loss, wrt="params")(params, X, y)
    params = {name: params[name] - 0.1 * grads[name] for name in params}

The generated code reads each entry once, at its start (``W1 = params['W1']``), and returns
``rt.tree_grad(params, ('W1',), grad_W1, ...)``: the gradients in a dict of the same keys.
"""
import numpy as np

REG = 1e-3


def forward(params, X):
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def loss(params, X, y):
    scores = forward(params, X)
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    data_loss = -np.mean(log_probs[np.arange(X.shape[0]), y])
    return data_loss + REG * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
