"""A linear classifier s = X @ W with the multiclass SVM loss and L2 regularisation,
vectorised as in CS231n: L = 1/N sum_i sum_{j != y_i} max(0, s_j - s_{y_i} + 1) + reg * sum(W**2).
The item write zeroes the correct classes' margins; srcdiff differentiates it as a copy."""
import numpy as np


def svm_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X @ W
    correct = scores[np.arange(num_train), y]
    margins = np.maximum(0.0, scores - correct[:, np.newaxis] + 1.0)
    margins[np.arange(num_train), y] = 0.0
    loss = np.sum(margins) / num_train
    loss += reg * np.sum(W * W)
    return loss
