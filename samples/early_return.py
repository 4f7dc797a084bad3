"""Early return from inside branches."""
import math


def early_return(x, y):
    if x < 0:
        return -x * y
    z = x * y
    if z > 1:
        if y > 2:
            return math.sqrt(z)
        z = z + y
    return z * x
