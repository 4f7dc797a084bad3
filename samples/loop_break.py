"""break and continue: sum terms of a series, skipping every third, stopping once small."""


def loop_break(x, n):
    total = 0.0
    term = 1.0
    for i in range(n):
        term = term * x / (i + 1)
        if i % 3 == 2:
            continue
        total = total + term
        if abs(term) < 1e-3:
            break
    return total
