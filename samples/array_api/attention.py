"""samples/einsum_attention.py without einsum, against the Array API standard: the scores
softmax(Q K^T / sqrt(d)) weight the rows of V, and a weighted sum of the output is the loss."""
import math

from array_api_compat import array_namespace


def softmax(xp, s):
    e = xp.exp(s - xp.max(s, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def attention_loss(Q, K, V, W):
    xp = array_namespace(Q, K, V)
    d = Q.shape[-1]
    scores = Q @ K.mT / math.sqrt(d)
    weights = softmax(xp, scores)
    out = weights @ V
    return xp.sum(W * out)
