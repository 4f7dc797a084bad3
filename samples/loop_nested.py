"""Nested loops: a triangle of products."""


def loop_nested(x, y, n):
    s = 0.0
    for i in range(n):
        t = y
        for j in range(i):
            t = t * x + j
        s = s + t * t
    return s
