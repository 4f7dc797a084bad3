"""A robust regression loss: residuals scaled by their median absolute deviation, the
largest ones left out through a sort (a trimmed mean), plus the spread of the
predictions.  ``np.sort``, ``np.median``, ``np.percentile`` and ``np.ptp`` have
subgradients: each value gets the gradient of the place the sort put it in (ties in a
stable order), a quantile between two values shares its gradient between them."""
import numpy as np


def robust_loss(w, X, y):
    residual = X @ w - y
    scale = np.median(np.abs(residual)) + 1e-3
    ranked = np.sort((residual / scale) ** 2)
    trimmed = np.mean(ranked[:-2])
    return trimmed + 0.1 * np.percentile(residual, 90) + 0.01 * np.ptp(X @ w)
