"""The log-likelihood of the rows of X under a multivariate normal N(mu, Sigma), written
with np.linalg.slogdet and np.linalg.solve, never an explicit inverse.  The gradient of
logdet is inv(Sigma)^T and that of the quadratic form a second solve, both generated."""
import numpy as np


def gaussian_loglik(X, mu, Sigma):
    n, d = X.shape
    R = X - mu
    sign, logdet = np.linalg.slogdet(Sigma)
    Z = np.linalg.solve(Sigma, R.T)
    quad = np.sum(R.T * Z)
    return -0.5 * (quad + n * logdet + n * d * np.log(2 * np.pi))
