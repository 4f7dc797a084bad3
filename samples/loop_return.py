"""Return from inside a loop: the first partial product that exceeds a limit."""


def loop_return(x, n):
    p = 1.0
    for i in range(n):
        p = p * (x + i)
        if p > 10.0:
            return p * 2.0
    return p
