"""samples/softmax.py against the Array API standard: the linear classifier's softmax loss,
its namespace read from the array itself (``W.__array_namespace__()``)."""


def softmax_loss(W, X, y, reg):
    xp = W.__array_namespace__()
    num_train = X.shape[0]
    scores = X @ W
    scores -= xp.max(scores, axis=1, keepdims=True)
    probs = xp.exp(scores) / xp.sum(xp.exp(scores), axis=1, keepdims=True)
    loss = -xp.sum(xp.log(probs[xp.arange(num_train), y])) / num_train
    loss += reg * xp.sum(W * W)
    return loss
