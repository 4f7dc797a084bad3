"""Loops running backwards: reversed(range(...)) and reversed over a module constant."""

COEFFS = (2.0, -1.0, 0.5)


def loop_reversed(x, n):
    p = 1.0
    for i in reversed(range(1, n)):
        p = p * x + i
    for c in reversed(COEFFS):
        p = p * x + c
    return p
