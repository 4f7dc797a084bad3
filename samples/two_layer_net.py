"""The 2-layer network f = W2 max(0, W1 x) (with biases) and a softmax loss, on a batch X of
N rows with integer labels y, plus L2 regularisation of both weight matrices."""
import numpy as np


def two_layer_net(W1, b1, W2, b2, X, y, reg):
    N = X.shape[0]
    hidden = np.maximum(0.0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    data_loss = -np.mean(np.log(probs[np.arange(N), y]))
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    return data_loss + reg_loss
