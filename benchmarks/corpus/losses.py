"""Losses and models as they appear in tutorials and course notebooks."""
import math

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_regression_loss(w, b, X, y):
    """Mean binary cross-entropy of a logistic regression."""
    p = sigmoid(X @ w + b)
    eps = 1e-12
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


def softmax_cross_entropy(W, X, labels):
    """Multiclass softmax loss with the max subtracted for stability."""
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    n = X.shape[0]
    return -np.sum(log_probs[np.arange(n), labels]) / n


def huber(residual, delta=1.0):
    a = np.abs(residual)
    quadratic = 0.5 * residual ** 2
    linear = delta * (a - 0.5 * delta)
    return np.sum(np.where(a <= delta, quadratic, linear))


def ridge_objective(w, X, y, lam):
    r = X @ w - y
    return 0.5 * r @ r + 0.5 * lam * w @ w


def lasso_objective(w, X, y, lam):
    r = X.dot(w) - y
    return 0.5 * np.sum(r ** 2) / len(y) + lam * np.sum(np.abs(w))


def svm_hinge(W, X, y, reg):
    scores = X.dot(W)
    correct = scores[np.arange(X.shape[0]), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[np.arange(X.shape[0]), y] = 0
    return np.sum(margins) / X.shape[0] + reg * np.sum(W * W)


def kl_divergence(logits_p, q):
    p = np.exp(logits_p) / np.sum(np.exp(logits_p))
    return np.sum(p * (np.log(p) - np.log(q)))


def cosine_similarity(a, b):
    return a.dot(b) / (np.linalg.norm(a) * np.linalg.norm(b))


def triplet_loss(anchor, positive, negative, margin=0.2):
    d_pos = np.sum((anchor - positive) ** 2)
    d_neg = np.sum((anchor - negative) ** 2)
    return max(d_pos - d_neg + margin, 0.0)


def poisson_nll(log_rate, counts):
    return np.sum(np.exp(log_rate) - counts * log_rate)


def smooth_l1(x, y, beta=1.0):
    diff = np.abs(x - y)
    loss = np.where(diff < beta, 0.5 * diff ** 2 / beta, diff - 0.5 * beta)
    return loss.mean()


def two_layer_mlp(params, X, y):
    """A dict of parameters, as most tutorials keep them."""
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.mean((out - y) ** 2)


def layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * gamma + beta
    return np.sum(y * y)


def attention_score(Q, K, V):
    d = Q.shape[-1]
    scores = Q @ K.T / math.sqrt(d)
    scores = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=1, keepdims=True)
    return np.sum(weights @ V)


def einsum_bilinear(x, A, y):
    return np.einsum("i,ij,j->", x, A, y)


def weighted_sum_generator(ws, xs):
    return sum(w * x for w, x in zip(ws, xs))


def polynomial(coeffs, x):
    return sum(c * x ** k for k, c in enumerate(coeffs))


def gaussian_loglik(x, mu, cov):
    d = x - mu
    sign, logdet = np.linalg.slogdet(cov)
    return -0.5 * (d @ np.linalg.solve(cov, d) + logdet + len(x) * np.log(2 * np.pi))


class LinearModel:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def predict(self, X):
        return X @ self.W + self.b

    def loss(self, X, y):
        return np.mean((self.predict(X) - y) ** 2)
