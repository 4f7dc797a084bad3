"""samples/svm.py against the Array API standard: the multiclass SVM loss, the correct
classes' margins zeroed by ``xp.where`` rather than an item write (the standard's arrays
need not be writable: JAX's are not)."""
from array_api_compat import array_namespace


def svm_loss(W, X, y, reg):
    xp = array_namespace(W, X)
    num_train = X.shape[0]
    scores = X @ W
    correct = scores[xp.arange(num_train), y]
    margins = xp.maximum(scores - correct[:, None] + 1.0, 0.0)
    is_correct = xp.arange(W.shape[1])[None, :] == y[:, None]
    margins = xp.where(is_correct, 0.0, margins)
    loss = xp.sum(margins) / num_train
    loss += reg * xp.sum(W * W)
    return loss
