"""A Newton step x <- x - f'(x) / f''(x) for a minimum of f: both derivatives generated.

    d1 = srcdiff.grad(cost)     # grad_cost
    d2 = srcdiff.grad(d1)       # grad2_cost: srcdiff differentiates its own output
    x = x - d1(x) / d2(x)
"""
import math


def cost(x):
    return x ** 4 - 3.0 * x ** 2 + math.exp(0.5 * x)
