"""A model written as a class: ``srcdiff.grad(model.loss)(X, y)`` is the gradient with
respect to the model's numeric attributes, as an object of the same class.

    model = TwoLayerNet(4, 8, 3)
    grads = srcdiff.grad(model.loss)(X, y)        # or srcdiff.grad(TwoLayerNet.loss, wrt="self")(model, X, y)
    model.W1 -= 0.1 * grads.W1                    # grads.W1, grads.b1, grads.W2, grads.b2

Methods calling methods (``self.forward``), the property ``penalty``, the static method
``activation`` and the class method ``regularization`` (reading the class constant ``reg``)
are inlined; the generated code starts by checking that ``self`` is a ``TwoLayerNet``, whose
methods it inlined.
"""
import numpy as np


class TwoLayerNet:
    reg = 1e-3

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = 0.5 * rng.standard_normal((n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = 0.5 * rng.standard_normal((n_hidden, n_out))
        self.b2 = np.zeros(n_out)

    @staticmethod
    def activation(z):
        return np.tanh(z)

    @classmethod
    def regularization(cls, W):
        return cls.reg * np.sum(W ** 2)

    @property
    def penalty(self):
        return self.regularization(self.W1) + self.regularization(self.W2)

    def forward(self, X):
        hidden = self.activation(X @ self.W1 + self.b1)
        return hidden @ self.W2 + self.b2

    def loss(self, X, y):
        scores = self.forward(X)
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.mean(log_probs[np.arange(X.shape[0]), y]) + self.penalty
