"""The sigmoid neuron with a user-defined sigmoid gate, as in the lecture's flat code."""
import math


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def neuron(w0, x0, w1, x1, w2):
    s0 = w0 * x0
    s1 = w1 * x1
    s2 = s0 + s1
    s3 = s2 + w2
    L = sigmoid(s3)
    return L
