"""A recurrence over data, as a small recurrent network runs it: h = tanh(w h + u x_i)."""
import math


def recurrence(w, u, xs):
    h = 0.0
    for i in range(len(xs)):
        h = math.tanh(w * h + u * xs[i])
    return h
