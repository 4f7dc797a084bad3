"""The lecture's first example: f(x, y, z) = (x + y) * z, at x=-2, y=5, z=-4."""


def f(x, y, z):
    q = x + y
    return q * z
