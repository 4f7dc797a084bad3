"""A while loop whose trip count depends on the data: halve until below 1, counting."""


def loop_while(x, y):
    s = x * y
    k = 0
    while s > 1.0:
        s = s / 2.0 + y
        k = k + 1
    return s * k + x
