"""Every array rule against central finite differences, on several shapes.

Binary element-wise operations run on every pair of the broadcasting shapes scalar,
(4,), (3, 4) and (1, 4); unary ufuncs, reductions (axis int, tuple, None, keepdims, as
functions and as methods), products, shape functions and indexing each on shapes of
their own.  Functions under test live in a generated module (srcdiff reads source).
"""
import itertools

import numpy as np
import pytest

from conftest import import_text
from gradcheck import check_grad

SHAPES = [(), (4,), (3, 4), (1, 4)]

BINARY = {
    "add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b", "pow": "a ** b",
    "maximum": "np.maximum(a, b)", "minimum": "np.minimum(a, b)", "arctan2": "np.arctan2(a, b)",
    "hypot": "np.hypot(a, b)", "np_add": "np.add(a, b)", "np_multiply": "np.multiply(a, b)",
    "np_divide": "np.divide(a, b)", "np_power": "np.power(a, b)", "where": "np.where(a > b, a * b, b)",
}

# name -> (expression in x, low, high): the sampling interval keeps x in the domain
UNARY = {
    "sin": ("np.sin(x)", -2, 2), "cos": ("np.cos(x)", -2, 2), "tan": ("np.tan(x)", -1, 1),
    "arcsin": ("np.arcsin(x)", -0.9, 0.9), "arccos": ("np.arccos(x)", -0.9, 0.9),
    "arctan": ("np.arctan(x)", -2, 2), "sinh": ("np.sinh(x)", -2, 2), "cosh": ("np.cosh(x)", -2, 2),
    "tanh": ("np.tanh(x)", -2, 2), "arcsinh": ("np.arcsinh(x)", -2, 2), "arccosh": ("np.arccosh(x)", 1.2, 3),
    "arctanh": ("np.arctanh(x)", -0.9, 0.9), "exp": ("np.exp(x)", -2, 2), "expm1": ("np.expm1(x)", -2, 2),
    "exp2": ("np.exp2(x)", -2, 2), "log": ("np.log(x)", 0.3, 3), "log1p": ("np.log1p(x)", -0.5, 2),
    "log2": ("np.log2(x)", 0.3, 3), "log10": ("np.log10(x)", 0.3, 3), "sqrt": ("np.sqrt(x)", 0.3, 3),
    "square": ("np.square(x)", -2, 2), "reciprocal": ("np.reciprocal(x)", 0.5, 2), "cbrt": ("np.cbrt(x)", 0.3, 3),
    "abs": ("np.abs(x)", 0.2, 2), "abs_negative": ("abs(x)", -2, -0.2), "negative": ("np.negative(x)", -2, 2),
    "neg": ("-x", -2, 2), "relu": ("np.maximum(0.0, x)", -2, 2), "relu_first": ("np.maximum(x, 0.0)", -2, 2),
    "clip": ("np.clip(x, -0.5, 0.5)", -1, 1), "clip_low": ("np.clip(x, -0.5, None)", -1, 1),
    "clip_method": ("x.clip(-0.5, 0.5)", -1, 1), "sign_times": ("np.sign(x) * x ** 2", -2, 2),
    "sigmoid": ("1.0 / (1.0 + np.exp(-x))", -2, 2), "scalar_pow": ("x ** 3 - 2.0 ** x", -1, 1),
    "scalar_div": ("2.0 / x + x / 4.0", 0.5, 2),
}

# name -> (expression in x, shape of x)
REDUCE = {
    "sum": ("np.sum(x)", (3, 4)), "sum0": ("np.sum(x, axis=0)", (3, 4)), "sum1k": ("np.sum(x, axis=1, keepdims=True)", (3, 4)),
    "sum_tuple": ("np.sum(x, axis=(0, 2))", (2, 3, 4)), "sum_tuple_k": ("np.sum(x, axis=(0, -1), keepdims=True)", (2, 3, 4)),
    "sum_pos": ("np.sum(x, 1)", (3, 4)), "sum_method": ("x.sum(axis=0)", (3, 4)), "sum_m_all": ("x.sum()", (4,)),
    "mean": ("np.mean(x)", (3, 4)), "mean1": ("np.mean(x, axis=1)", (3, 4)), "mean_k": ("x.mean(axis=-1, keepdims=True)", (2, 3, 4)),
    "mean_tuple": ("np.mean(x, axis=(1, 2))", (2, 3, 4)),
    "max": ("np.max(x)", (3, 4)), "max0": ("np.max(x, axis=0)", (3, 4)), "max1k": ("x.max(axis=1, keepdims=True)", (3, 4)),
    "max_tuple": ("np.max(x, axis=(0, 2))", (2, 3, 4)), "min": ("x.min()", (3, 4)), "min1": ("np.min(x, axis=1)", (3, 4)),
    "amax": ("np.amax(x, axis=-1)", (3, 4)),
    "prod": ("np.prod(x)", (2, 3)), "prod0": ("np.prod(x, axis=0)", (3, 4)), "prod_k": ("x.prod(axis=1, keepdims=True)", (3, 4)),
    "var": ("np.var(x)", (3, 4)), "var1": ("x.var(axis=1, ddof=1)", (3, 4)), "std": ("np.std(x, axis=0, keepdims=True)", (3, 4)),
    "std_all": ("x.std()", (2, 3, 4)), "cumsum": ("np.cumsum(x)", (3, 4)), "cumsum1": ("x.cumsum(axis=1)", (3, 4)),
    "cumsum_neg": ("np.cumsum(x, axis=-2)", (2, 3, 4)),
    "norm": ("np.linalg.norm(x)", (3, 4)), "norm1": ("np.linalg.norm(x, axis=1)", (3, 4)),
    "norm_k": ("np.linalg.norm(x, axis=0, keepdims=True)", (3, 4)), "norm_vec": ("np.linalg.norm(x)", (5,)),
}

# name -> (expression, shapes of the arguments a, b)
STRUCTURE = {
    "matmul": ("a @ b", (3, 4), (4, 2)), "matmul_mv": ("a @ b", (3, 4), (4,)), "matmul_vm": ("a @ b", (4,), (4, 2)),
    "matmul_vv": ("a @ b", (4,), (4,)), "matmul_batch": ("a @ b", (2, 3, 4), (4, 2)), "np_matmul": ("np.matmul(a, b)", (3, 4), (4, 2)),
    "dot": ("np.dot(a, b)", (3, 4), (4, 2)), "dot_vv": ("np.dot(a, b)", (4,), (4,)), "dot_method": ("a.dot(b)", (3, 4), (4,)),
    "dot_scalar": ("np.dot(a, b)", (), (3, 4)),
    "outer": ("np.outer(a, b)", (3,), (4,)), "inner": ("np.inner(a, b)", (3, 4), (2, 4)), "inner_vv": ("np.inner(a, b)", (4,), (4,)),
    "T": ("a.T @ b", (4, 3), (4, 2)), "transpose": ("np.transpose(a) * b", (4, 3), (3, 4)),
    "transpose_axes": ("np.transpose(a, (1, 2, 0)) * b", (2, 3, 4), (3, 4, 2)),
    "transpose_method": ("a.transpose(1, 0) * b", (4, 3), (3, 4)),
    "transpose_negative": ("np.transpose(a, (1, -1, 0)) * b", (2, 3, 4), (3, 4, 2)),
    "reshape": ("np.reshape(a, (4, 3)) * b", (3, 4), (4, 3)), "reshape_method": ("a.reshape(2, 6) * b", (3, 4), (2, 6)),
    "reshape_infer": ("a.reshape((-1, 2)) * b", (3, 4), (6, 2)),
    "ravel": ("np.ravel(a) * b", (3, 4), (12,)), "flatten": ("a.flatten() * b", (3, 4), (12,)),
    "squeeze": ("np.squeeze(a) * b", (1, 4), (4,)), "expand_dims": ("np.expand_dims(a, 0) * b", (4,), (3, 4)),
    "concatenate": ("np.concatenate([a, b, a], axis=1)", (3, 2), (3, 4)), "concatenate0": ("np.concatenate([a, b])", (2,), (3,)),
    "stack": ("np.stack([a, b], axis=1)", (3, 4), (3, 4)),
    "hstack": ("np.hstack([a, b])", (3, 2), (3, 4)), "hstack_vectors": ("np.hstack([a, b, a])", (2,), (3,)),
    "vstack": ("np.vstack([a, b])", (4,), (3, 4)), "stack0": ("np.stack([a, b, a])", (4,), (4,)),
    "index_int": ("a[1] * b", (3, 4), (4,)), "index_slice": ("a[1:, ::2] * b", (3, 4), (2, 2)),
    "index_neg": ("a[-1, :] + a[:, 0].sum() * b", (3, 4), (4,)), "index_newaxis": ("a[:, None] * b", (3,), (3, 4)),
    "index_list": ("a[[0, 2, 0]] * b", (3, 4), (3, 4)), "index_ellipsis": ("a[..., 1] * b", (2, 3, 4), (2, 3)),
    "index_pairs": ("a[np.arange(3), [1, 0, 1]] * b", (3, 4), (3,)),
    "shape_unpack": ("a.reshape(a.shape[1], a.shape[0]) * b", (3, 4), (4, 3)),
    "where_cond": ("np.where(b > 0.0, a, 0.5 * a)", (3, 4), (3, 4)),
    "index_mask": ("a[b > 0.0] * 2.0", (3, 4), (3, 4)), "index_var_slice": ("a[: a.shape[0] - 1] * b", (3, 4), (4,)),
}


def unpack_shape(A, v):
    rows, cols = A.shape
    scale = 1.0 / (rows * cols)
    return np.sum(np.tanh(A @ v)) * scale + np.sum(A[rows - 1]) * cols


def test_shape_unpacking_carries_no_gradient():
    rng = np.random.default_rng(3)
    check_grad(unpack_shape, rng.normal(size=(3, 4)), rng.normal(size=4))


def _module(tmp_path_factory):
    lines = ["import numpy as np", ""]
    for name, expr in BINARY.items():
        lines += [f"def bin_{name}(a, b):", f"    return np.sum(np.sin({expr}))", ""]
    for name, (expr, _, _) in UNARY.items():
        lines += [f"def un_{name}(x):", f"    return np.sum(np.cos(x) * {expr})", ""]
    for name, (expr, _) in REDUCE.items():
        lines += [f"def red_{name}(x):", f"    return np.sum(np.sin({expr}))", ""]
    for name, (expr, _, _) in STRUCTURE.items():
        lines += [f"def st_{name}(a, b):", f"    return np.sum(np.sin({expr}))", ""]
    return import_text(tmp_path_factory.mktemp("rules"), "\n".join(lines))


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return _module(tmp_path_factory)


def _value(rng, shape, low=-2.0, high=2.0, dtype=np.float64):
    if shape == ():
        return float(rng.uniform(low, high))
    return rng.uniform(low, high, size=shape).astype(dtype)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shape_a,shape_b", list(itertools.product(SHAPES, SHAPES)))
def test_binary_broadcasting(module, name, shape_a, shape_b):
    rng = np.random.default_rng(len(name) * 31 + len(shape_a) * 7 + len(shape_b))
    a = _value(rng, shape_a, 0.5, 2.0)  # positive: the domain of ** and away from a / 0
    b = _value(rng, shape_b, 0.5, 2.0)
    check_grad(getattr(module, f"bin_{name}"), a, b)


@pytest.mark.parametrize("name,shape", [(name, shape) for name in sorted(UNARY) for shape in [(), (5,), (2, 3)]
                                        if shape or "method" not in name])  # a float has no methods
def test_unary(module, name, shape):
    _, low, high = UNARY[name]
    rng = np.random.default_rng(len(name))
    check_grad(getattr(module, f"un_{name}"), _value(rng, shape, low, high))


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reductions(module, name):
    _, shape = REDUCE[name]
    rng = np.random.default_rng(len(name))
    check_grad(getattr(module, f"red_{name}"), _value(rng, shape))


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_structure(module, name):
    _, shape_a, shape_b = STRUCTURE[name]
    rng = np.random.default_rng(len(name))
    check_grad(getattr(module, f"st_{name}"), _value(rng, shape_a), _value(rng, shape_b))


@pytest.mark.parametrize("name", ["mul", "div", "maximum", "where"])
def test_float32_stays_float32(module, name):
    rng = np.random.default_rng(0)
    a = _value(rng, (3, 4), 0.5, 2.0, np.float32)
    b = _value(rng, (4,), 0.5, 2.0, np.float32)
    check_grad(getattr(module, f"bin_{name}"), a, b, rtol=2e-2, atol=2e-3)


def locals_named_like_modules(W, x):
    rt = np.tanh(W @ x)
    s_ = rt * 2.0
    m = np.maximum(0.0, np.concatenate([s_, rt]))
    m[0] = s_[1]
    return np.sum(m ** 2)


def test_generated_names_avoid_locals_called_rt():
    rng = np.random.default_rng(5)
    check_grad(locals_named_like_modules, rng.normal(size=(2, 3)), rng.normal(size=3))
