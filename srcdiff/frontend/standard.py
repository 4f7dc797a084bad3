"""The Array API standard's names, read as the NumPy functions srcdiff has rules for.

A function written against the standard calls its arrays' namespace: ``xp =
array_namespace(x)`` (array-api-compat), ``xp = x.__array_namespace__()``, or a module
imported as one (``import array_api_strict as xp``).  Its calls ``xp.<name>`` resolve
here to the canonical NumPy operation of the same meaning (``xp.acos`` is ``np.arccos``,
``xp.permute_dims`` is ``np.transpose``), so that every rule table keyed by NumPy's
names applies; generated code calls them back through ``xp`` (``rt.namespace``), which
gives NumPy's names over any library's namespace.

| table | what it holds |
| --- | --- |
| ``RENAMED`` | the standard's names spelled differently in NumPy |
| ``SAME`` | the standard's functions NumPy spells the same way |
| ``LINALG`` | ``xp.linalg``'s functions srcdiff has rules for |
| ``NAMESPACE_MODULES`` | modules that are a standard namespace when imported as one |

A name outside these tables is not resolved: the user is told it has no rule.
"""
RENAMED = {
    "acos": "np.arccos", "acosh": "np.arccosh", "asin": "np.arcsin", "asinh": "np.arcsinh",
    "atan": "np.arctan", "atan2": "np.arctan2", "atanh": "np.arctanh", "pow": "np.power",
    "permute_dims": "np.transpose", "concat": "np.concatenate", "bitwise_invert": "np.invert",
    "matrix_transpose": "rt.mT",
}

SAME = frozenset({
    # elementwise
    "abs", "add", "subtract", "multiply", "divide", "negative", "positive", "exp", "expm1", "log", "log1p", "log2",
    "log10", "logaddexp", "sqrt", "square", "sin", "cos", "tan", "sinh", "cosh", "tanh", "maximum", "minimum",
    "hypot", "sign", "floor", "ceil", "round", "trunc", "isnan", "isinf", "isfinite", "greater", "greater_equal",
    "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or", "logical_not", "where", "clip",
    # reductions and cumulative
    "sum", "mean", "max", "min", "prod", "var", "std", "argmax", "argmin",
    # sorting
    "sort", "argsort",
    # shapes and products
    "reshape", "expand_dims", "squeeze", "stack", "broadcast_to", "flip", "roll", "matmul", "tensordot",
    # creation
    "arange", "zeros", "ones", "zeros_like", "ones_like", "empty", "eye", "linspace", "asarray",
})

LINALG = {
    "inv": "np.linalg.inv", "det": "np.linalg.det", "slogdet": "np.linalg.slogdet", "solve": "np.linalg.solve",
    "cholesky": "np.linalg.cholesky", "eigh": "np.linalg.eigh", "eigvalsh": "np.linalg.eigvalsh",
    "svd": "np.linalg.svd", "pinv": "np.linalg.pinv", "qr": "np.linalg.qr", "matrix_power": "np.linalg.matrix_power",
    "matmul": "np.matmul", "tensordot": "np.tensordot", "matrix_transpose": "rt.mT",
}

NAMESPACE_MODULES = ("array_api_strict", "array_api_compat.numpy", "array_api_compat.torch",
                     "array_api_compat.cupy", "array_api_compat.dask.array", "jax.numpy", "cupy")


def standard_op(namespace, attr):
    """The canonical op of ``xp.<attr>`` (``namespace`` 'xp') or ``xp.linalg.<attr>`` ('xp.linalg'), or None."""
    if namespace == "xp.linalg":
        return LINALG.get(attr)
    if attr in RENAMED:
        return RENAMED[attr]
    return f"np.{attr}" if attr in SAME else None
