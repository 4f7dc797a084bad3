"""y = f(x), z = g(y, x), u = h(z): x is used twice, so its gradient adds up (a fork)."""
import math


def chain(x):
    y = math.sin(x)
    z = y * x
    u = math.exp(z)
    return u
