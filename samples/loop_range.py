"""A for loop over range(n), n known only when the function runs: x to the power n, times c."""


def loop_range(x, c, n):
    p = c
    for i in range(n):
        p = p * x
    return p + x
