"""The Rosenbrock function: its Hessian-vector products are the inner loop of Newton-CG.

    srcdiff.hvp(rosenbrock, wrt="x")(x, y, v)      # d2f/dx2 * v, without the Hessian
    srcdiff.hessian(rosenbrock, wrt="y")(x, y)     # the full (here 1 x 1) matrix
"""


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
