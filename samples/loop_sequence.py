"""The gradient with respect to a list a loop walks over: a weighted sum of squashed items."""
import math


def loop_sequence(x, weights):
    total = 0.0
    for k, w in enumerate(weights):
        if w > 0:
            total = total + math.tanh(w * x) * k
        else:
            total = total - w * w
    return total
