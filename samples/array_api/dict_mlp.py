"""samples/dict_mlp.py against the Array API standard: parameters in a dict, a tanh network."""
from array_api_compat import array_namespace

REG = 1e-3


def forward(params, X):
    xp = array_namespace(X)
    hidden = xp.tanh(X @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def loss(params, X, y):
    xp = array_namespace(X)
    scores = forward(params, X)
    shifted = scores - xp.max(scores, axis=1, keepdims=True)
    log_probs = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
    data_loss = -xp.mean(log_probs[xp.arange(X.shape[0]), y])
    return data_loss + REG * (xp.sum(params["W1"] ** 2) + xp.sum(params["W2"] ** 2))
