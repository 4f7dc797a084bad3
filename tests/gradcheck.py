"""A reusable gradient checker: srcdiff's gradient against central finite differences.

``check_grad(fn, *args)`` differentiates ``fn`` with respect to every float argument
(arrays and numbers), compares each gradient entry with a central difference of ``fn``
in float64, and checks that each gradient has its parameter's type, shape and dtype.
"""
import numpy as np

import srcdiff


def numeric_grad(fn, args, index, eps=1e-6):
    """d fn / d args[index] by central differences, entry by entry, in float64."""
    base = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]
    x = base[index]
    if not isinstance(x, np.ndarray):
        plus, minus = list(base), list(base)
        plus[index], minus[index] = x + eps, x - eps
        return (float(fn(*plus)) - float(fn(*minus))) / (2 * eps)
    out = np.zeros(x.shape)
    for position in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[position] += eps
        minus[position] -= eps
        out[position] = (float(fn(*base[:index], plus, *base[index + 1:]))
                         - float(fn(*base[:index], minus, *base[index + 1:]))) / (2 * eps)
    return out


def differentiable(args):
    return tuple(i for i, a in enumerate(args)
                 if isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype.kind == "f")


def check_grad(fn, *args, wrt=None, rtol=1e-5, atol=1e-6):
    """Assert that srcdiff's gradient of ``fn`` at ``args`` matches finite differences."""
    wrt = differentiable(args) if wrt is None else tuple(wrt)
    gradient = srcdiff.grad(fn, wrt=wrt)
    got = gradient(*args)
    for index, value in zip(wrt, got):
        param = args[index]
        expected = numeric_grad(fn, args, index)
        if isinstance(param, np.ndarray):
            assert isinstance(value, np.ndarray), f"gradient of argument {index} is a {type(value).__name__}"
            assert value.shape == param.shape, f"gradient of argument {index}: shape {value.shape} != {param.shape}"
            assert value.dtype == param.dtype, f"gradient of argument {index}: dtype {value.dtype} != {param.dtype}"
        else:
            assert type(value) is float, f"gradient of float argument {index} is a {type(value).__name__}"
        np.testing.assert_allclose(value, expected, rtol=rtol, atol=atol,
                                   err_msg=f"argument {index}\n{gradient.source}")
    return got
