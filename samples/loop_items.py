"""Loops over sequences: a tuple display, a module constant, enumerate and zip."""

COEFFS = (0.5, -1.0, 2.0)
WEIGHTS = (1.0, 0.25, -0.5)


def loop_items(x, y):
    acc = 0.0
    for c in COEFFS:
        acc = acc * x + c
    for k, w in enumerate(WEIGHTS):
        acc = acc + w * k * y
    for c, w in zip(COEFFS, WEIGHTS):
        acc = acc + c * w * x
    for v in (x, y, x * y):
        acc = acc + v * v
    return acc
