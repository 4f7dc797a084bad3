"""samples/rosenbrock_nd.py against the Array API standard: slices of one vector."""
from array_api_compat import array_namespace


def rosenbrock_nd(x):
    xp = array_namespace(x)
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
