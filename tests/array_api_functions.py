"""Functions written against the Array API standard, one family of rules each, for
tests/test_array_api.py: elementwise functions, reductions, masks, joins, shapes, indexing
and linear algebra (``x`` a vector of 3, ``A`` a 3 x 3 matrix)."""
from array_api_compat import array_namespace


def f_abs(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.abs(x) * 2.0)


def f_var(x, A):
    xp = array_namespace(x)
    return xp.var(x) + xp.std(A, axis=0)[0]


def f_concat(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.concat([x, x * 2.0]) ** 2) + xp.sum(xp.stack([x, x], axis=1) ** 3)


def f_where(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.where(x > 0.1, x ** 2, -x))


def f_clip(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.clip(x, -0.5, 0.5) ** 2)


def f_minimum(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.minimum(x, 0.2) * x) + xp.min(x) + xp.sum(xp.min(A, axis=1))


def f_elementwise(x, A):
    xp = array_namespace(x)
    y = xp.sin(x) + xp.cos(x) + xp.sqrt(xp.abs(x) + 1.0) + xp.log1p(x ** 2) + xp.expm1(x) + xp.atan(x)
    return xp.sum(y * xp.tanh(x)) + xp.sum(xp.pow(xp.abs(x) + 1.0, 1.5))


def f_reshape(x, A):
    xp = array_namespace(x)
    B = xp.reshape(A, (9,))
    return xp.sum(B * xp.reshape(xp.permute_dims(A, (1, 0)), (9,))) + xp.sum(xp.expand_dims(x, axis=0) ** 2)


def f_linalg(x, A):
    xp = array_namespace(x)
    S = A @ A.T + 3.0 * xp.eye(3)
    L = xp.linalg.cholesky(S)
    return xp.sum(xp.linalg.inv(S)) + xp.linalg.det(S) + xp.sum(L) + xp.sum(xp.linalg.solve(S, x))


def f_mean_axis(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.mean(A, axis=0) * x) + xp.sum(xp.max(A, axis=0)) + xp.sum(xp.sum(A, axis=(0, 1), keepdims=True))


def f_index(x, A):
    xp = array_namespace(x)
    repeated = A[xp.asarray([0, 0, 2]), xp.asarray([1, 1, 0])]  # a position read twice
    return xp.sum(A[0, :] * x) + xp.sum(A[:, 1:] ** 2) + xp.sum(repeated ** 2) + xp.sum(A[1, ...]) + xp.sum(A.mT * A)


def f_flip(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.flip(x) * x) + xp.sum(xp.roll(x, 1) * x)


def f_logaddexp(x, A):
    xp = array_namespace(x)
    return xp.sum(xp.logaddexp(x, 2.0 * x)) + xp.sum(xp.square(x)) + xp.sum(xp.sign(x) * x)