"""Statements that carry no gradient, as real functions have them: a docstring, type hints,
an assert with an f-string message, a raise in a branch, an isinstance test, np.errstate,
a logging call and a print.  Generated code runs them in its forward sweep, where the user
wrote them (once per call of the gradient); the raise ends its path.
"""
import logging

import numpy as np

log = logging.getLogger(__name__)


def checks_and_logging(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of a linear model."""
    assert W.shape[1] == x.shape[0], f"W has {W.shape[1]} columns, x has {x.shape[0]} entries"
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be an array, not {type(y).__name__}")
    with np.errstate(over="ignore"):
        pred: np.ndarray = W @ x
    loss = np.mean((pred - y) ** 2)
    if loss > 1e6:
        log.warning("loss %.3g is large", loss)
    print(f"loss = {loss:.4f}")
    return loss
