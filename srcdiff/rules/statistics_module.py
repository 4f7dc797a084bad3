"""The functions of Python's ``statistics`` module srcdiff differentiates.

Each takes one sequence of numbers, which ``lower.consumers`` makes a list value (its gradient
one per item), and is called as it is, so its value is the module's own (``statistics.mean``
rounds once, exactly); its gradient is that of NumPy's mean, variance or deviation of the
list, with ``ddof=1`` for a sample's variance and deviation:

| function | gradient | tangent (forward mode) |
| --- | --- | --- |
| ``statistics.fmean``, ``statistics.mean`` | ``rt.mean_grad(g, x)`` | the function of the tangents (linear) |
| ``statistics.pvariance``, ``statistics.variance`` | ``rt.var_grad(g, x)`` (``ddof=1``) | ``np.sum(g * rt.var_grad(1.0, x))`` |
| ``statistics.pstdev``, ``statistics.stdev`` | ``rt.std_grad(g, x, y)`` (``ddof=1``) | ``np.sum(g * rt.std_grad(1.0, x, y))`` |

The helpers are differentiated again through ``rules.helpers`` (``hvp``, ``grad(grad)``).
Other functions of the module (``median``, ``mode``, ``geometric_mean``...) have no rule and
are refused by name.
"""

from ..ir import STATISTICS_OPS

GRADIENTS = {
    "statistics.fmean": "rt.mean_grad(g, x)",
    "statistics.mean": "rt.mean_grad(g, x)",
    "statistics.pvariance": "rt.var_grad(g, x)",
    "statistics.variance": "rt.var_grad(g, x, ddof=1)",
    "statistics.pstdev": "rt.std_grad(g, x, y)",
    "statistics.stdev": "rt.std_grad(g, x, y, ddof=1)",
}

LINEAR = ("statistics.fmean", "statistics.mean")  # forward mode: the same function of the tangents


def _spread(gradient):
    """The tangent template of a function whose gradient is ``gradient``: ``g`` (the list's
    tangent) times the gradient for an upstream 1, summed."""
    template = "np.sum(g * " + gradient.replace("(g, ", "(1.0, ", 1) + ")"
    return lambda stmt, names: (template,)


TANGENTS = {op: _spread(gradient) for op, gradient in GRADIENTS.items() if op not in LINEAR}
assert set(GRADIENTS) == set(STATISTICS_OPS)  # the ops the lowering makes, each with its rule
