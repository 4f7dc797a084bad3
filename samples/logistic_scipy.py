"""Multinomial logistic regression written with ``scipy.special``: ``log_softmax`` for the
class scores, ``logsumexp`` for a log-partition penalty, ``expit`` for a gate.  SciPy is an
optional dependency: the gradient code calls it only where the function does."""
import numpy as np
from scipy import special
from scipy.special import expit, logsumexp


def logistic_loss(W, b, X, Y):
    scores = X @ W + b
    log_p = special.log_softmax(scores, axis=1)
    gate = expit(np.sum(W, axis=0))
    return -np.sum(Y * log_p) / X.shape[0] + 0.01 * logsumexp(W * W) + 0.1 * np.sum(gate ** 2)
