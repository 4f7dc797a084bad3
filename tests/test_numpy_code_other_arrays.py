"""Functions written with NumPy (``np.*``) given another library's arrays: every derivative
refuses them before running, at the function's ``def``, saying to write the function
against the Array API standard; NumPy arrays, numbers and Dask arrays pass as before, and
functions written against the standard keep running on every library."""
import numpy as np
import pytest

import srcdiff
from conftest import load_sample

array_api_compat = pytest.importorskip("array_api_compat")


def softmax_ce(W, X, y):
    s = X @ W
    s = s - np.max(s, axis=1, keepdims=True)
    p = np.exp(s) / np.sum(np.exp(s), axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(X.shape[0]), y]))


def summed(W, X, y):  # runs on a torch tensor by accident: NumPy converts it
    return np.sum(np.tanh(X @ W) ** 2)


def parts(params, X, y):
    return np.sum((X @ params["W"]) ** 2) + np.sum(params["b"] ** 2)


def standard(W, X, y):
    xp = array_api_compat.array_namespace(W, X)
    return xp.sum(xp.tanh(X @ W) ** 2)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3, 3)), rng.normal(size=(4, 3)), np.array([0, 2, 1, 1])


def _torch():
    return pytest.importorskip("torch").from_numpy


def _strict():
    return pytest.importorskip("array_api_strict").asarray


DERIVATIVES = {
    "grad": lambda f: srcdiff.grad(f, wrt=0),
    "value_and_grad": lambda f: srcdiff.value_and_grad(f, wrt=0),
    "hvp": lambda f: srcdiff.hvp(f, wrt=0),
    "jvp": lambda f: srcdiff.jvp(f, wrt=0),
    "hessian": lambda f: srcdiff.hessian(f, wrt=0),
    "jacobian": lambda f: srcdiff.jacobian(f, wrt=0),
}
DIRECTED = ("hvp", "jvp")  # these take a direction of W after the arguments


def _call(kind, f, args):
    return DERIVATIVES[kind](f)(*args, *((args[0],) if kind in DIRECTED else ()))


@pytest.mark.parametrize("library", [_torch, _strict], ids=["torch", "array-api-strict"])
@pytest.mark.parametrize("kind", sorted(DERIVATIVES))
@pytest.mark.parametrize("f", [softmax_ce, summed], ids=["softmax_ce", "summed"])
def test_numpy_code_refuses_another_librarys_arrays_at_its_def(library, kind, f):
    convert = library()
    args = tuple(convert(a) for a in _data())
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        _call(kind, f, args)
    err = caught.value
    assert "written with NumPy" in str(err) and "Array API standard" in str(err) and "array_namespace" in str(err)
    assert err.filename == __file__ and err.lineno == f.__code__.co_firstlineno and err.col == 0


@pytest.mark.parametrize("kind", sorted(DERIVATIVES))
def test_numpy_code_on_numpy_arrays_is_unchanged(kind):
    args = _data()
    got = _call(kind, softmax_ce, args)
    assert np.all(np.isfinite(np.asarray(got[1] if kind == "value_and_grad" else got, dtype=float)))


def test_an_array_inside_a_container_argument_is_found():
    convert = _torch()
    W, X, y = _data()
    params = {"W": convert(W), "b": convert(np.ones(3))}
    with pytest.raises(srcdiff.SrcdiffError, match="torch.Tensor"):
        srcdiff.grad(parts)(params, X, y)
    with pytest.raises(srcdiff.SrcdiffError, match="torch.Tensor"):
        srcdiff.grad(summed, wrt=0)(W, X=convert(X), y=y)  # a keyword argument too


def test_standard_code_still_runs_on_torch_and_matches_numpy():
    convert = _torch()
    W, X, y = _data()
    want = srcdiff.grad(summed, wrt=0)(W, X, y)
    got = srcdiff.grad(standard, wrt=0)(convert(W), convert(X), convert(y))
    assert type(got).__module__.startswith("torch")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_scalar_code_given_a_0d_tensor_still_runs():
    torch = pytest.importorskip("torch")
    neuron = load_sample("neuron").neuron
    args = [torch.tensor(v, dtype=torch.float64) for v in (2.0, -1.0, -3.0, -2.0, -3.0)]
    got = srcdiff.grad(neuron)(*args)
    want = srcdiff.grad(neuron)(2.0, -1.0, -3.0, -2.0, -3.0)
    assert [float(g) for g in got] == pytest.approx(want)
