"""Lambdas, nested defs, closures and functools.partial: a small network written the way
people write one (issue 12).  ``python cli.py samples/lambdas.py:lambdas`` prints its
gradient; every helper call is inlined, every lambda and closure read where it is called."""
import functools

import numpy as np

softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731 - a module-level lambda used as a helper


def dense(h, W, b):
    return softplus(W @ h + b)


def lambdas(W1, b1, W2, x, *, alpha=0.1):
    leaky = lambda z: np.maximum(alpha * z, z)  # noqa: E731 - closes over alpha

    def layer(h, W, b=b1):  # a nested def: b's default is read here, leaky when layer is called
        return leaky(W @ h + b)

    hidden = layer(x, W1)
    out = functools.partial(dense, W=W2, b=0.0)
    return np.sum(out(hidden))


steep = functools.partial(lambdas, alpha=0.3)  # the same network with another slope
