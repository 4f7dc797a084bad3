"""Functions of whole sequences known at run time: the ``statistics`` module's and ``math.dist``.

Each takes sequences of numbers, which lowering makes list values (their gradients one per
item: ``lower.consumers``, ``lower.sorting``), and is called as it is, so its value is the
library's own (``statistics.mean`` rounds once, exactly; ``math.dist`` sums in extended
precision).  The gradient of a ``statistics`` function is that of NumPy's mean, variance or
deviation (or median) of the list, with ``ddof=1`` for a sample's variance and deviation; ``math.dist(p,
q)``'s is ``(p - q) / dist`` for ``p`` (0 where the points meet), its opposite for ``q``:

| function | gradient | tangent (forward mode) |
| --- | --- | --- |
| ``statistics.fmean``, ``statistics.mean`` | ``rt.mean_grad(g, x)`` | the function of the tangents (linear) |
| ``statistics.median`` | ``rt.quantile_grad(g, x, 0.5, None, False)`` (``np.median``'s) | ``np.sum(g * rt.quantile_grad(1.0, x, ...))`` |
| ``statistics.pvariance``, ``statistics.variance`` | ``rt.var_grad(g, x)`` (``ddof=1``) | ``np.sum(g * rt.var_grad(1.0, x))`` |
| ``statistics.pstdev``, ``statistics.stdev`` | ``rt.std_grad(g, x, y)`` (``ddof=1``) | ``np.sum(g * rt.std_grad(1.0, x, y))`` |
| ``math.dist(p, q)`` | ``rt.div_or_zero(g * np.subtract(x0, x1), y)``, the opposite for ``q`` | ``np.sum(g * rt.div_or_zero(np.subtract(x0, x1), y))``, ... |

The helpers are differentiated again through ``rules.helpers`` (``hvp``, ``grad(grad)``).
Other functions of the module (``median_low``, ``mode``, ``geometric_mean``...) have no rule
and are refused by name.
"""

from ..ir import STATISTICS_OPS

GRADIENTS = {
    "statistics.fmean": "rt.mean_grad(g, x)",
    "statistics.mean": "rt.mean_grad(g, x)",
    "statistics.median": "rt.quantile_grad(g, x, 0.5, None, False)",  # the middle item, or half to each of two
    "statistics.pvariance": "rt.var_grad(g, x)",
    "statistics.variance": "rt.var_grad(g, x, ddof=1)",
    "statistics.pstdev": "rt.std_grad(g, x, y)",
    "statistics.stdev": "rt.std_grad(g, x, y, ddof=1)",
}

LINEAR = ("statistics.fmean", "statistics.mean")  # forward mode: the same function of the tangents

_TOWARDS = {"x0": "np.subtract(x0, x1)", "x1": "np.subtract(x1, x0)"}  # math.dist's: from the other point
DIST = tuple(f"rt.div_or_zero(g * {_TOWARDS[x]}, y)" for x in ("x0", "x1"))


def _spread(gradient):
    """The tangent template of a function whose gradient is ``gradient``: ``g`` (the list's
    tangent) times the gradient for an upstream 1, summed."""
    template = "np.sum(g * " + gradient.replace("(g, ", "(1.0, ", 1) + ")"
    return lambda stmt, names: (template,)


TANGENTS = {op: _spread(gradient) for op, gradient in GRADIENTS.items() if op not in LINEAR}
TANGENTS["math.dist"] = lambda stmt, names: tuple(f"np.sum(g * rt.div_or_zero({_TOWARDS[x]}, y))" for x in ("x0", "x1"))
assert set(GRADIENTS) == set(STATISTICS_OPS)  # the ops the lowering makes, each with its rule
