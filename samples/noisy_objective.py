"""A noisy objective: Gaussian noise drawn in the function with a generator passed in
(``rng``), as in a dropout-like perturbation or a stochastic smoothing.  The draw has
no gradient; the gradient call draws its noise once, in its forward part, and its
backward part reads that value: with a generator in the same state it sees the noise
the function sees (``np.random.default_rng(0)`` twice)."""
import numpy as np


def noisy_objective(x, sigma, rng):
    noise = rng.standard_normal(x.shape)
    shaken = x + sigma * noise
    return np.sum(np.cos(shaken) * np.cumprod(np.abs(x) + 0.5)) + 0.5 * np.sum(x ** 2)
