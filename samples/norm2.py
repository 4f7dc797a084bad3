"""L = sqrt(x**2 + y**2), as an assignment sequence u, w, r, L."""
import math


def norm2(x, y):
    u = x ** 2
    w = y ** 2
    r = u + w
    L = math.sqrt(r)
    return L
