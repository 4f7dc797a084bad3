"""Branches: if/elif/else, nested, and a branch that reassigns only some variables."""


def branches(x, y):
    a = x * y
    b = x + y
    if x > 0:
        if y > 0:
            a = a * x
        else:
            b = b - y * y
    elif x > -1:
        a = a + 1.0
    else:
        a = -a
        b = b * 3.0
    return a * b
