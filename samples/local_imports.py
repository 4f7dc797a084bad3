"""Imports at the top of the function itself, as a newcomer writes them: srcdiff reads each
name as what its import binds, and the gradient is the one of the same function importing
at module level (an import inside a branch or a loop is refused at its line)."""


def softplus_penalty(w, x):
    import numpy as np
    from math import log1p
    z = np.dot(w, x)
    return log1p(np.exp(z)) + 0.5 * np.sum(w * w)
