"""The gate patterns: add distributes, mul swaps, max routes, a copy adds."""


def gates(x, y, z, w):
    a = x * y
    b = max(z, w)
    c = a + b
    return c * 2.0 + x
