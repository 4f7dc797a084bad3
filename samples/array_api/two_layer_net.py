"""samples/two_layer_net.py written against the Array API standard: the same network and
loss on NumPy, PyTorch, CuPy, JAX or array-api-strict arrays."""
from array_api_compat import array_namespace


def two_layer_net(W1, b1, W2, b2, X, y, reg):
    xp = array_namespace(W1, X)
    N = X.shape[0]
    hidden = xp.maximum(X @ W1 + b1, 0.0)
    scores = hidden @ W2 + b2
    scores = scores - xp.max(scores, axis=1, keepdims=True)
    exp_scores = xp.exp(scores)
    probs = exp_scores / xp.sum(exp_scores, axis=1, keepdims=True)
    data_loss = -xp.mean(xp.log(probs[xp.arange(N), y]))
    reg_loss = 0.5 * reg * (xp.sum(W1 * W1) + xp.sum(W2 * W2))
    return data_loss + reg_loss
