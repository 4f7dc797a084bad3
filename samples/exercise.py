"""The exercise: f(x, y) = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)."""
import math


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def exercise(x, y):
    num = x + sigmoid(y)
    den = sigmoid(x) + (x + y) ** 2
    return num / den
