"""samples/layers_mlp.py against the Array API standard: layers in a list of (W, b) pairs."""
from array_api_compat import array_namespace


def loss(layers, X, y):
    xp = array_namespace(X)
    h = X
    for W, b in layers[:-1]:
        h = xp.tanh(h @ W + b)
    W_out, b_out = layers[-1]
    scores = h @ W_out + b_out
    return xp.mean((scores - y) ** 2)
