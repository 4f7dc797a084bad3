"""Issue 12's NumPy families: shape and order functions, element-wise functions, quantiles.

Each case is a scalar function of a square ``x`` (3 x 3) and a random weight ``W`` (so a
transposed or misrouted gradient cannot hide); srcdiff's gradient is compared with HIPS
autograd's where autograd has the function, and always with central differences; the
tangent (jvp), both Hessian-vector products, the Hessian and the Jacobian with respect to
``W`` are compared with differences of the gradient or of the function.
"""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import fd_directional, fd_grad

RNG = np.random.default_rng(12)
X = RNG.standard_normal((3, 3)) + np.array([[0.0, 0.3, -0.2], [0.1, 0.0, 0.5], [-0.4, 0.2, 0.0]])
W = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))

# name -> expression in x and W (a scalar); x is 3 x 3 with distinct entries, none 0
CASES = {
    "roll": "np.sum(W * np.roll(x, 1, axis=0) ** 2) + np.sum(np.roll(x, (1, -2), axis=(0, 1)) * W) + np.sum(np.roll(x, 4) * W)",
    "repeat": "np.sum(np.repeat(x, [1, 2, 0], axis=1) ** 2 * np.repeat(W, [1, 2, 0], axis=1)) + np.sum(np.repeat(x, 2) * np.repeat(W, 2))",
    "tile": "np.sum(np.tile(x, (1, 2)) ** 2 * np.tile(W, 2)) + np.sum(np.tile(x[0], (3, 1)) * W)",
    "pad_constant": "np.sum(np.pad(x, 1, constant_values=2.0)[1:4, :3] ** 2 * W) + np.sum(np.pad(x, ((1, 0), (0, 2))) ** 3)",
    "pad_modes": "np.sum(np.pad(x, (0, 2), 'wrap') ** 3) + np.sum(np.pad(x, 2, mode='symmetric') * np.pad(W, 2, 'edge')) "
                 "+ np.sum(np.pad(x, ((1, 2), (2, 0)), mode='reflect') ** 2)",
    "flips": "np.sum(W * np.fliplr(x) * np.flipud(x ** 2)) + np.sum(W * np.flip(x)) + np.sum(W * np.flip(x, axis=1) ** 3)",
    "axes": "np.sum(W * np.moveaxis(x[None] ** 2, 0, -1)[..., 0]) + np.sum(W * np.swapaxes(x, 0, 1) ** 3) "
            "+ np.sum(W * np.rollaxis(x[:, :, None] * x, 2, 0)[1])",
    "append": "np.sum(W * np.append(x[:2], x[2:] ** 2, axis=0)) + np.sum(np.append(x, 1.0) ** 2) + np.sum(np.append(x[:, :1], x[:, 1:] * W[:, 1:], axis=-1) ** 2)",
    "diff": "np.sum(W[:, :2] * np.diff(x ** 2)) + np.sum(np.diff(x, n=2, axis=0) * W[0]) + np.sum(np.diff(x, 1, 0) ** 2 * W[1:])",
    "sort": "np.sum(W * np.sort(x ** 3)) + np.sum(np.sort(x, axis=None) * np.arange(9.0)) + np.sum(W * np.sort(x, axis=0) ** 2)",
    "cumprod": "np.sum(W * np.cumprod(x, axis=1)) + np.sum(np.cumprod(x)[:9].reshape(3, 3) * W) + np.sum(x.cumprod(axis=0) * W)",
    "column_stack": "np.sum(W * np.column_stack([x[0], x[1:].T]) ** 2) + np.sum(W[:, :2] * np.column_stack([x[0], x[1] ** 2]))",
    "atleast": "np.sum(np.atleast_3d(x) * W[:, :, None] ** 2) + np.sum(np.atleast_2d(x[0]) * W[0]) + np.sum(np.atleast_1d(x[0, 0]) * x)",
    "broadcast_to": "np.sum(W * np.broadcast_to(x[0], (3, 3)) ** 2) + np.sum(W * np.broadcast_to(x[:, :1], (3, 3)))",
    "casts": "np.sum(W * x.astype('float64') ** 2) + np.sum(np.float64(x) ** 2 * x.astype(int) * W) + np.sum(W * x.astype(np.float64) * x)",
    "nan_to_num": "np.sum(np.nan_to_num(np.log(x), nan=-1.0, posinf=3.0) * W) + np.sum(np.nan_to_num(x ** 2) * W)",
    "split": "np.sum(np.split(x, 3, axis=1)[0] * W[:, :1] * np.split(x, 3, axis=1)[2] ** 2) + np.sum(np.array_split(x, 2)[-1] ** 2)",
    "split_unpacked": "np.sum(_first(x) * W[:1]) + np.sum(_second(x) ** 2 * W[1:])",
    "logaddexp": "np.sum(W * np.logaddexp(x, W) + np.logaddexp2(x, 2.0 * x) ** 2)",
    "sinc": "np.sum(W * np.sinc(x) + np.sinc(x * W) ** 2)",
    "float_power": "np.sum(np.float_power(np.abs(x) + 1.0, W) + W * np.float_power(x, 2))",
    "copysign_fmod": "np.sum(W * np.copysign(x, W) ** 2 + np.fmod(x * 3.0, 0.7) * W)",
    "degrees": "np.sum(W * np.deg2rad(x) ** 2 + np.rad2deg(x) * np.radians(W) + np.degrees(x ** 2) * W)",
    "clip_keywords": "np.sum(W * np.clip(x, a_min=-0.5, a_max=0.6) ** 2 + np.clip(x, max=0.4) * W + np.clip(x, a_min=None, a_max=0.2) "
                     "+ x.clip(min=-0.3) * W)",
    "median": "np.sum(W[0] * np.median(x ** 2, axis=0)) + np.median(x * W) + np.sum(W * np.median(x, axis=1, keepdims=True))",
    "quantile": "np.sum(W[0] * np.quantile(x, 0.3, axis=1)) + np.sum(np.quantile(x * W, (0.25, 0.8), axis=0) ** 2 * W[:2])",
    "percentile": "np.percentile(x ** 2, 30) + np.sum(np.percentile(x, (10, 90), axis=0) * W[:2]) + np.sum(W * np.percentile(x, 55, axis=1, keepdims=True))",
    "ptp": "np.sum(W[0] * np.ptp(x ** 3, axis=1)) + np.ptp(x * W) + np.sum(W * np.ptp(x, axis=0, keepdims=True))",
}
HELPERS = '''

def _first(x):
    a, b = np.split(x, [1])
    return a


def _second(x):
    a, b = np.split(x, [1])
    return b
'''
# autograd has no rule (or a different convention) for these: finite differences only
NO_AUTOGRAD = {"casts", "nan_to_num", "copysign_fmod", "float_power", "clip_keywords", "median", "quantile",
               "percentile", "ptp", "pad_modes", "pad_constant", "cumprod", "repeat", "roll", "flips", "sort",
               "broadcast_to"}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    text = "import numpy as np\n" + HELPERS + "".join(
        f"\n\ndef {name}(x, W):\n    return {expr}\n" for name, expr in CASES.items())
    return import_text(tmp_path_factory.mktemp("families"), text, "numpy_families_cases")


def _close(got, expected, tol=1e-5):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_differences_and_autograd(module, name):
    f = getattr(module, name)
    got = srcdiff.grad(f, wrt=0)(X, W)
    assert got.shape == X.shape and got.dtype == X.dtype
    _close(got, fd_grad(f, (X, W), 0))
    if name not in NO_AUTOGRAD:
        namespace = {"np": anp, "W": W, "_first": lambda x: anp.split(x, [1])[0],
                     "_second": lambda x: anp.split(x, [1])[1]}
        reference = autograd.grad(lambda x: eval(CASES[name], {**namespace, "x": x}))(X)
        _close(got, reference, 1e-10)


@pytest.mark.parametrize("name", list(CASES))
def test_tangent_hvp_hessian_jacobian(module, name):
    f = getattr(module, name)
    _close(srcdiff.jvp(f, wrt=0)(X, W, V), fd_directional(f, (X, W), 0, V))
    gradient = srcdiff.grad(f, wrt=0)
    eps = 1e-6
    along = (gradient(X + eps * V, W) - gradient(X - eps * V, W)) / (2 * eps)
    for mode in ("forward", "reverse"):
        _close(srcdiff.hvp(f, wrt=0, mode=mode)(X, W, V), along, 1e-4)
    H = srcdiff.hessian(f, wrt=0)(X, W)
    assert H.shape == X.shape + X.shape
    _close(np.tensordot(H, V, 2), srcdiff.hvp(f, wrt=0)(X, W, V), 1e-9)
    _close(srcdiff.jacobian(f, wrt=1)(X, W), fd_grad(f, (X, W), 1))
