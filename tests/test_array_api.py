"""Any Array API library: the samples written against the standard (samples/array_api/)
differentiated on NumPy, array-api-strict and PyTorch (CPU; CUDA, CuPy and JAX where
present), in float64 and float32, compared with the NumPy samples' gradients on NumPy;
gradients keep their argument's type, device and dtype.  A backend that is not
installed is skipped."""
import ast
import contextlib
import importlib.util
import io

import numpy as np
import pytest

import array_api_functions
import srcdiff
from conftest import SAMPLES, load_sample
from srcdiff.cli import main

array_api_compat = pytest.importorskip("array_api_compat")
array_namespace = array_api_compat.array_namespace
TWINS = SAMPLES / "array_api"


def _torch(device):
    torch = pytest.importorskip("torch")
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    return lambda a: torch.asarray(a, device=device)


def _module(name):
    return lambda: pytest.importorskip(name).asarray


def _jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64 as the other libraries have it
    return jax.numpy.asarray


BACKENDS = {
    "numpy": lambda: np.asarray,
    "array_api_strict": _module("array_api_strict"),
    "torch": lambda: _torch("cpu"),
    "torch-cuda": lambda: _torch("cuda"),
    "cupy": _module("cupy"),
    "jax": _jax,
}


def load_twin(name):
    spec = importlib.util.spec_from_file_location(f"array_api_{name}", TWINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the cases: twin, original, arguments

def _net(rng, n=6, d=4, h=5, c=3):
    return [rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=(h, c)), rng.normal(size=c)]


def _labels(n=6, c=3):
    return np.arange(n) % c


def _args(name, rng):
    """The arguments of sample ``name`` (NumPy, float64; integer labels stay integers)."""
    if name == "two_layer_net":
        return [*_net(rng), rng.normal(size=(6, 4)), _labels(), 0.1]
    if name == "matmul":
        return [rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=(6, 3))]
    if name in ("softmax", "svm"):
        return [rng.normal(size=(4, 3)), rng.normal(size=(6, 4)), _labels(), 0.1]
    if name == "rosenbrock_nd":
        return [rng.normal(size=7)]
    if name == "attention":
        return [rng.normal(size=(6, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(size=(6, 4))]
    if name == "dict_mlp":
        return [dict(zip(("W1", "b1", "W2", "b2"), _net(rng))), rng.normal(size=(6, 4)), _labels()]
    if name == "weight_decay":
        params = dict(zip(("W1", "b1", "W2", "b2"), _net(rng)))
        return [params, rng.normal(size=(6, 4)), rng.normal(size=(6, params["W2"].shape[1]))]
    if name == "class_model":
        return [_net(rng), rng.normal(size=(6, 4)), _labels()]
    if name == "gaussian_loglik":
        A = rng.normal(size=(3, 3))
        return [rng.normal(size=(6, 3)), rng.normal(size=3), A @ A.T + 3.0 * np.eye(3)]
    if name == "lambdas":
        return [rng.normal(size=(5, 4)), rng.normal(size=5), rng.normal(size=(3, 5)), rng.normal(size=4)]
    if name == "layers_mlp":
        sizes = (4, 5, 3, 2)
        return [[(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes, sizes[1:])],
                rng.normal(size=(6, 4)), rng.normal(size=(6, 2))]
    raise KeyError(name)


# twin file -> (the twin's function, the NumPy sample, its function)
CASES = {
    "two_layer_net": ("two_layer_net", "two_layer_net", "two_layer_net"),
    "matmul": ("matmul", "matmul", "matmul"),
    "softmax": ("softmax_loss", "softmax", "softmax_loss"),
    "svm": ("svm_loss", "svm", "svm_loss"),
    "rosenbrock_nd": ("rosenbrock_nd", "rosenbrock_nd", "rosenbrock_nd"),
    "attention": ("attention_loss", "einsum_attention", "attention_loss"),
    "dict_mlp": ("loss", "dict_mlp", "loss"),
    "weight_decay": ("loss", "weight_decay", "loss"),
    "class_model": ("TwoLayerNet.loss", "class_model", "TwoLayerNet.loss"),
    "gaussian_loglik": ("gaussian_loglik", "gaussian_loglik", "gaussian_loglik"),
    "lambdas": ("lambdas", "lambdas", "lambdas"),
    "layers_mlp": ("loss", "layers_mlp", "loss"),
}


def _function(module, dotted):
    value = module
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _model(module, params):
    """An object of the sample's ``TwoLayerNet`` holding ``params`` (the two classes differ in their constructors)."""
    cls = module.TwoLayerNet
    model = cls.__new__(cls)
    model.W1, model.b1, model.W2, model.b2 = params
    return model


def _gradient(module, dotted, args, convert):
    """The gradient of ``module.<dotted>`` at ``args`` converted by ``convert``, and the converted arguments."""
    def each(a):
        if isinstance(a, dict):
            return {k: each(v) for k, v in a.items()}
        if isinstance(a, (list, tuple)):
            return type(a)(each(v) for v in a)
        return convert(a) if isinstance(a, np.ndarray) else a
    args = [each(a) for a in args]
    if dotted == "TwoLayerNet.loss":
        args = [_model(module, [each(p) for p in args[0]])] + args[1:]
        return srcdiff.grad(_function(module, dotted), wrt="self")(*args), args
    return srcdiff.grad(_function(module, dotted))(*args), args


def _leaves(value):
    """The arrays and numbers of a gradient, in order (tuples, dicts and model objects opened)."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    if hasattr(value, "W1") and not hasattr(value, "shape"):
        return _leaves((value.W1, value.b1, value.W2, value.b2))
    return [value]


def _to_numpy(value):
    if hasattr(value, "get"):  # CuPy
        value = value.get()
    if hasattr(value, "cpu"):  # PyTorch on any device
        value = value.cpu()
    return np.asarray(value) if hasattr(value, "shape") else value


# JAX compiles each operation on its first call (seconds a sample): three samples there.
JAX_CASES = ("matmul", "softmax", "svm")
PARAMETERS = [(name, backend, dtype) for name in CASES for backend in BACKENDS for dtype in ("float64", "float32")
              if backend != "jax" or name in JAX_CASES]


@pytest.mark.parametrize("name,backend,dtype", PARAMETERS)
def test_twin_gradients_match_numpy_on_every_backend(name, backend, dtype):
    convert = BACKENDS[backend]()
    if backend == "array_api_strict" or name == "gaussian_loglik":
        pytest.importorskip("array_api_strict")
    twin_fn, sample, sample_fn = CASES[name]
    args = _args(name, np.random.default_rng(len(name)))
    reference, _ = _gradient(load_sample(sample), sample_fn, args, np.asarray)

    def typed(a):
        return convert(a.astype(dtype) if a.dtype.kind == "f" else a)
    got, inputs = _gradient(load_twin(name), twin_fn, args, typed)
    expected_leaves = _leaves(reference)
    got_leaves = _leaves(got)
    input_leaves = _leaves(tuple(inputs)) if name != "class_model" else _leaves(inputs[0])
    assert len(got_leaves) >= len(expected_leaves)
    tolerance = dict(rtol=1e-9, atol=1e-9) if dtype == "float64" else dict(rtol=2e-3, atol=2e-4)
    for want, have, given in zip(expected_leaves, got_leaves, input_leaves):
        np.testing.assert_allclose(_to_numpy(have), want, **tolerance)
        if hasattr(given, "shape"):
            assert type(have) is type(given)
            assert array_api_compat.device(have) == array_api_compat.device(given)
            if np.dtype(str(given.dtype).rsplit(".", 1)[-1]).kind == "f":
                assert str(have.dtype) == str(given.dtype)
        else:
            assert isinstance(have, float)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("backend", ["numpy", "array_api_strict", "torch", "torch-cuda", "cupy"])
def test_hessian_vector_products_of_a_twin_match_numpys(backend, mode):
    """Second derivatives read the generated code back: ``xp = rt.namespace(x)`` is NumPy's names there."""
    convert = BACKENDS[backend]()
    x, v = np.linspace(-1.0, 1.5, 6), np.cos(np.arange(6.0))
    want = srcdiff.hvp(load_sample("rosenbrock_nd").rosenbrock_nd, mode=mode)(x, v)
    got = srcdiff.hvp(load_twin("rosenbrock_nd").rosenbrock_nd, mode=mode)(convert(x), convert(v))
    assert type(got) is type(convert(x))
    np.testing.assert_allclose(_to_numpy(got), want, rtol=1e-10)


FUNCTIONS = sorted(name for name in dir(array_api_functions) if name.startswith("f_"))


@pytest.mark.parametrize("backend", ["array_api_strict", "torch", "torch-cuda", "cupy", "jax"])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_family_of_rules_matches_numpy(name, backend):
    """The standard's functions, a family at a time, on another library: the NumPy arrays' gradients, in its type."""
    if backend == "jax" and name not in ("f_abs", "f_where", "f_reshape"):
        pytest.skip("JAX compiles each operation on its first call: three families there")
    convert = BACKENDS[backend]()
    rng = np.random.default_rng(len(name))
    x, A = rng.normal(size=3), rng.normal(size=(3, 3))
    gradient = srcdiff.grad(getattr(array_api_functions, name))
    want = gradient(x, A)
    got = gradient(convert(x), convert(A))
    for w, g in zip(want, got):
        assert type(g) is type(convert(x))
        np.testing.assert_allclose(_to_numpy(g), w, rtol=1e-9, atol=1e-12)


def test_every_array_sample_has_a_twin_or_a_reason():
    """Each NumPy sample with array code is twinned in samples/array_api/, or needs what the standard lacks."""
    lacking = {"robust_loss": "median, percentile, ptp", "signal_smoothing": "pad, diff",
               "noisy_objective": "random generators", "logistic_scipy": "scipy.special",
               "gradient_penalty_numpy": "second derivatives through srcdiff.grad",
               "checks_and_logging": "isinstance(y, np.ndarray) and np.errstate",
               "comprehensions": "not twinned yet (comprehensions over arrays, math.fsum of 0-d arrays)",
               "distributed_logreg": "Dask arrays, through NumPy's functions"}
    twinned = {sample for _, sample, _ in CASES.values()}
    for path in sorted(SAMPLES.glob("*.py")):
        uses_numpy = any(isinstance(n, ast.Import) and any(a.name == "numpy" for a in n.names)
                         for n in ast.parse(path.read_text()).body)
        if uses_numpy and path.stem not in ("check_grad_usage",):
            assert path.stem in twinned or path.stem in lacking, f"{path.stem} has no Array API twin"


# ---------------------------------------------------------------- the fast path and refusals

def test_numpy_arguments_get_numpy_itself():
    rt = srcdiff.runtime
    assert rt.namespace(np.ones(3), 2.0, np.float32(1.0), [np.ones(2)], {"a": np.ones(1)}, None) is np


def test_generated_code_binds_the_arguments_namespace():
    g = srcdiff.grad(load_twin("matmul").matmul)
    assert "xp = rt.namespace(x, w, upstream)" in g.source
    assert "np." not in g.source


def uses_einsum(Q, K):
    xp = array_namespace(Q)
    return xp.sum(xp.einsum("ij,kj->ik", Q, K))


def test_a_function_outside_the_standard_is_refused_where_it_is_called():
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        srcdiff.grad(uses_einsum)(np.ones((2, 2)), np.ones((2, 2)))
    err = caught.value
    assert "xp.einsum" in str(err) and "Array API standard" in str(err)
    assert err.filename.endswith("test_array_api.py") and err.lineno == uses_einsum.__code__.co_firstlineno + 2
    assert err.col == 18


def numpy_exp(x):
    return np.sum(np.asarray(x) ** 2)


def test_numpy_code_computing_numpy_arrays_for_another_librarys_arrays_is_refused():
    torch = pytest.importorskip("torch")
    with pytest.raises(srcdiff.SrcdiffError, match="Array API standard"):
        srcdiff.grad(numpy_exp)(torch.ones(3, dtype=torch.float64))


def test_the_command_line_reads_a_twin_without_running_it():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(TWINS / "softmax.py")]) == 0
    assert "xp = rt.namespace(W, X, y, reg)" in out.getvalue() and "xp.s_[" in out.getvalue()


def test_the_gpu_benchmark_says_no_gpu_and_succeeds_without_one():
    spec = importlib.util.spec_from_file_location("bench_gpu", SAMPLES.parent / "benchmarks" / "bench_gpu.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    if bench.has_gpu():
        pytest.skip("a GPU is present: the benchmark runs for real")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert bench.main([]) == 0
    assert out.getvalue() == "no GPU\n"
