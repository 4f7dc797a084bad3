"""Comprehensions and generator expressions as values: a weighted sum by a generator, a
list of layer outputs stacked by NumPy, math.fsum of a filtered generator and max of one.

Each becomes the loop it stands for (over ``range(len(xs))``, its length known only at run
time): ``sum`` an accumulator, the list ``rt.appended`` items whose gradient is ``g[-1]``.
"""
import math

import numpy as np


def comprehensions(W, xs, ws):
    hidden = np.stack([np.tanh(W @ x) for x in xs])
    weighted = sum(w * np.sum(h ** 2) for w, h in zip(ws, hidden))
    positive = math.fsum(np.sum(h) for h in hidden if np.sum(h) > 0.0)
    return weighted + 0.5 * positive + max(np.max(h) for h in hidden)
