"""Running sums kept in a list and results named in a dict, as a newcomer writes them: the
mean and the variance of weighted inputs, then a loss that picks its terms by name.

``sums = [0.0, 0.0]`` is written item by item in the loop (each write a copy with the item
set, ``rt.setitem``); the dict is built empty and written at constant keys, in a branch too
(its entries are plain values of the generated code).
"""


def running_sums(w, b, xs):
    sums = [0.0, 0.0]
    for x in xs:
        v = w * x + b
        sums[0] += v
        sums[1] += v * v
    n = len(xs)
    stats = {}
    stats["mean"] = sums[0] / n
    stats["var"] = sums[1] / n - stats["mean"] ** 2
    if stats["mean"] > 0:
        stats["var"] *= 2.0
    return stats["var"] + 0.1 * stats["mean"]
