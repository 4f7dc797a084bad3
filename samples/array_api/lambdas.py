"""samples/lambdas.py against the Array API standard: a closure over the namespace, a
lambda, a nested def with a default."""
from array_api_compat import array_namespace


def lambdas(W1, b1, W2, x, *, alpha=0.1):
    xp = array_namespace(W1, x)
    leaky = lambda z: xp.maximum(alpha * z, z)  # noqa: E731 - closes over alpha and xp

    def layer(h, W, b=b1):
        return leaky(W @ h + b)
    hidden = layer(x, W1)
    return xp.sum(xp.log1p(xp.exp(W2 @ hidden)))
