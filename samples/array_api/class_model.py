"""samples/class_model.py against the Array API standard: a model whose parameters are
arrays of any library (``TwoLayerNet(W1, b1, W2, b2)`` of torch tensors), its methods written with the
namespace of the data."""
from array_api_compat import array_namespace


class TwoLayerNet:
    reg = 1e-3

    def __init__(self, W1, b1, W2, b2):
        self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2

    @staticmethod
    def activation(z):
        xp = array_namespace(z)
        return xp.tanh(z)

    @classmethod
    def regularization(cls, W):
        xp = array_namespace(W)
        return cls.reg * xp.sum(W ** 2)

    @property
    def penalty(self):
        return self.regularization(self.W1) + self.regularization(self.W2)

    def forward(self, X):
        hidden = self.activation(X @ self.W1 + self.b1)
        return hidden @ self.W2 + self.b2

    def loss(self, X, y):
        xp = array_namespace(X)
        scores = self.forward(X)
        shifted = scores - xp.max(scores, axis=1, keepdims=True)
        log_probs = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
        return -xp.mean(log_probs[xp.arange(X.shape[0]), y]) + self.penalty
