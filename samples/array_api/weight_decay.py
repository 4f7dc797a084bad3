"""samples/weight_decay.py against the Array API standard: weight decay over params.values()."""
from array_api_compat import array_namespace

DECAY = 1e-2


def loss(params, X, y):
    xp = array_namespace(X)
    hidden = xp.tanh(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    data_loss = xp.mean((scores - y) ** 2)
    decay = sum(xp.sum(p ** 2) for p in params.values())
    return data_loss + DECAY * decay
