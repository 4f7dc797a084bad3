"""The seeds' gradient-norm penalty R(W) = ||dL/dW||^2 (as in WGAN-GP), on a small network.

The network has two tanh hidden units with first-layer weights W = (w11, w12, w21, w22),
output weights (v1, v2), one input (x1, x2) and a target t.  ``penalty`` differentiates
``loss`` with srcdiff, so its gradient dR/dW = 2 H(W) dL/dW needs second derivatives:
srcdiff differentiates its own generated code.  Scalar parameters, no loops.
"""
import math

import srcdiff


def loss(w11, w12, w21, w22, v1, v2, x1, x2, t):
    h1 = math.tanh(w11 * x1 + w12 * x2)
    h2 = math.tanh(w21 * x1 + w22 * x2)
    y = v1 * h1 + v2 * h2
    return 0.5 * (y - t) ** 2


grad_loss = srcdiff.grad(loss, wrt=("w11", "w12", "w21", "w22"))


def penalty(w11, w12, w21, w22, v1, v2, x1, x2, t):
    g11, g12, g21, g22 = grad_loss(w11, w12, w21, w22, v1, v2, x1, x2, t)
    return g11 * g11 + g12 * g12 + g21 * g21 + g22 * g22
