"""Denoising a signal: fit a smooth ``x`` to noisy samples ``y`` with a total-variation-like
penalty on its differences, the signal padded at both ends by reflection and compared
with its neighbours through ``np.roll``.  Shape functions (``np.pad``, ``np.diff``,
``np.roll``, ``np.flip``) are linear: their gradients move ``g`` back the way they moved ``x``."""
import numpy as np


def smoothing_loss(x, y, lam):
    padded = np.pad(x, 2, mode="reflect")
    slope = np.diff(padded, n=2)
    neighbours = 0.5 * (np.roll(x, 1) + np.roll(x, -1))
    fit = np.sum((x - y) ** 2) + 0.1 * np.sum((x - neighbours) ** 2)
    return fit + lam * np.sum(np.sqrt(slope ** 2 + 1e-3)) + 0.01 * np.sum(x * np.flip(x))
