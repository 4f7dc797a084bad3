"""One head of scaled dot-product attention written with np.einsum: the scores
softmax(Q K^T / sqrt(d)) weight the rows of V, and a weighted sum of the output is the
loss.  The gradients of Q, K and V are einsums again, with the subscripts turned around."""
import numpy as np


def softmax(s):
    e = np.exp(s - np.max(s, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def attention_loss(Q, K, V, W):
    d = Q.shape[-1]
    scores = np.einsum("qd,kd->qk", Q, K) / np.sqrt(d)
    weights = softmax(scores)
    out = np.einsum("qk,kd->qd", weights, V)
    return np.sum(W * out)
