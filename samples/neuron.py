"""The sigmoid neuron, written with math.exp: f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))."""
import math


def neuron(w0, x0, w1, x1, w2):
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    return 1.0 / (1.0 + math.exp(-s3))
