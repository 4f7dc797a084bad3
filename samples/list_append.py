"""A list built by ``append``, as a newcomer writes it: one squashed value per input, and a
second one for the large inputs, then their sum.

Each ``out.append(v)`` is a new value of the list (``rt.appended``; in a loop where nothing
reads the list's earlier values, generated code appends in place: ``rt.grown``), so the
gradient walks the items back as it walks a comprehension's.
"""
import math


def list_append(w, b, xs):
    out = []
    for x in xs:
        out.append(math.tanh(w * x + b))
        if x > 1.0:
            out.append(0.5 * w * x)
    return sum(out)
