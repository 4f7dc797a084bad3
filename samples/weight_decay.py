"""Weight decay over every parameter of a network kept in one dict, written the way a JAX or
autograd user writes it: the penalty walks ``params.values()``, whatever keys the dict has.

    grads = srcdiff.grad(loss, wrt="params")(params, X, y)   # a dict with params' keys

The dict's keys are known only when the gradient runs, so the generated code walks the dict
itself (``for key in params: p = params[key]``, after checking that it is a dict) and adds
each key's gradient to those of the entries read at constant keys (``rt.tree_grad``).
"""
import numpy as np

DECAY = 1e-2


def loss(params, X, y):
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    data_loss = np.mean((scores - y) ** 2)
    decay = sum(np.sum(p ** 2) for p in params.values())
    return data_loss + DECAY * decay
