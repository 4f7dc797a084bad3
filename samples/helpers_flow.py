"""Helpers that branch and loop, called inside control flow."""


def relu(v):
    if v > 0:
        return v
    return 0.0 * v


def power(base, k=2):
    r = 1.0
    for _ in range(k):
        r = r * base
    return r


def helpers_flow(x, y, n):
    s = 0.0
    for i in range(n):
        s = s + relu(x - i) * power(y)
    if s > 1:
        s = power(s, k=3)
    return s
