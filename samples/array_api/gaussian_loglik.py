"""samples/gaussian_loglik.py against the Array API standard: ``xp.linalg.slogdet`` and
``xp.linalg.solve``, the transpose written ``xp.matrix_transpose``."""
import math

import array_api_strict as xp


def gaussian_loglik(X, mu, Sigma):
    n, d = X.shape
    R = X - mu
    sign, logdet = xp.linalg.slogdet(Sigma)
    Z = xp.linalg.solve(Sigma, xp.matrix_transpose(R))
    quad = xp.sum(xp.matrix_transpose(R) * Z)
    return -0.5 * (quad + n * logdet + n * d * math.log(2 * math.pi))
