"""The products family at every operand rank (issue 11, item 5 and its audit).

``np.dot``, ``np.inner``, ``np.outer``, ``@`` and ``np.matmul`` with numbers (0-d),
vectors (1-d) and square matrices (2-d) on either side, under a non-uniform weight and
squared (so that a transposed gradient, or a wrong second derivative, shows): grad of
each operand, hvp (forward over reverse and reverse over reverse), jvp and jacobian,
against central differences.
"""
import itertools

import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import fd_directional, fd_grad

SHAPES = {0: (), 1: (3,), 2: (3, 3)}
PRODUCTS = {"dot": "np.dot(a, b)", "inner": "np.inner(a, b)", "outer": "np.outer(a, b)", "at": "a @ b",
            "matmul": "np.matmul(a, b)"}
CASES = [(name, ra, rb) for name in PRODUCTS for ra, rb in itertools.product((0, 1, 2), repeat=2)
         if not (name in ("at", "matmul") and 0 in (ra, rb))]  # NumPy refuses @ of a number


def _text(name):
    expr = PRODUCTS[name]
    return (f"import numpy as np\n\n\ndef weighted(a, b, W):\n    p = {expr}\n    return np.sum(W * p * p)\n\n\n"
            f"def value(a, b):\n    return {expr} * 1.5\n")


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("products")
    return {name: import_text(folder, _text(name), f"products_{name}") for name in PRODUCTS}


def _point(ra, rb, seed):
    rng = np.random.default_rng(seed)
    draw = {r: (lambda shape: float(rng.normal()) if shape == () else rng.normal(size=shape)) for r in SHAPES}
    a, b = draw[ra](SHAPES[ra]), draw[rb](SHAPES[rb])
    return a, b, rng


@pytest.mark.parametrize("name, ra, rb", CASES, ids=[f"{n}-{a}d-{b}d" for n, a, b in CASES])
def test_product_at_every_rank(modules, name, ra, rb):
    module = modules[name]
    a, b, rng = _point(ra, rb, len(name) * 10 + ra * 3 + rb)
    shape = np.shape(module.value(a, b))
    W = rng.normal(size=shape) if shape else float(rng.normal())
    args = (a, b, W)
    for wrt, rank in ((0, ra), (1, rb)):
        v = rng.normal(size=SHAPES[rank]) if rank else float(rng.normal())
        gradient = srcdiff.grad(module.weighted, wrt=wrt)
        g = gradient(*args)
        assert np.shape(g) == np.shape(args[wrt])
        np.testing.assert_allclose(g, fd_grad(module.weighted, args, wrt), rtol=1e-5, atol=1e-6)
        second = fd_directional(gradient, args, wrt, v)
        for mode in ("forward", "reverse"):
            np.testing.assert_allclose(srcdiff.hvp(module.weighted, wrt=wrt, mode=mode)(*args, v), second,
                                       rtol=1e-4, atol=1e-5, err_msg=mode)
        np.testing.assert_allclose(srcdiff.jvp(module.weighted, wrt=wrt)(*args, v),
                                   fd_directional(module.weighted, args, wrt, v), rtol=1e-5, atol=1e-6)
        jac = srcdiff.jacobian(module.value, wrt=wrt)(a, b)
        along = np.tensordot(jac, v, axes=np.ndim(v)) if np.ndim(v) else jac * v
        np.testing.assert_allclose(along, fd_directional(module.value, (a, b), wrt, v), rtol=1e-5, atol=1e-6)


def test_inner_with_a_number_is_not_transposed():
    """The issue's case: np.inner(2.0, x) of a square x under a weight that is not symmetric."""
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    assert srcdiff.grad(inner_first, wrt=0)(x, W) == pytest.approx(np.array([[2.0, 4.0], [6.0, 8.0]]))
    assert srcdiff.grad(inner_last, wrt=0)(x, W) == pytest.approx(np.array([[2.0, 4.0], [6.0, 8.0]]))
    hessian = srcdiff.hessian(inner_first_squared, wrt=0)(x, W)
    assert hessian == pytest.approx(np.diag(8.0 * W.ravel()).reshape(2, 2, 2, 2))


def inner_first(x, W):
    return np.sum(W * np.inner(2.0, x))


def inner_last(x, W):
    return np.sum(W * np.inner(x, 2.0))


def inner_first_squared(x, W):
    return np.sum(W * np.inner(2.0, x) ** 2)
