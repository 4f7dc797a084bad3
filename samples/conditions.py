"""Conditional expressions and and/or/not in conditions."""


def conditions(x, y):
    m = x if x > y else y
    if x > 0 and not y > 2:
        m = m * x
    if x < -1 or y < -1:
        m = m - x * y
    return m * m + (y if 0 < x < 1 else 2.0 * x)
