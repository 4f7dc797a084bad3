"""Containers of parameters (issue 12): a dict, list, tuple, namedtuple, dataclass or object of
numbers and arrays, nested, gets a gradient of its own structure, on every path: grad,
value_and_grad, jvp, hvp (its three modes), jacobian, explain, check_grad; against central
differences and HIPS autograd, with square shapes and non-uniform weights."""
import collections
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, load_sample
from srcdiff.runtime.trees import leaves, replace_leaves, tree_part
from srcdiff.testing import check_grad
from tangent_corpus_checks import assert_close, fd_gradient

W2 = np.array([[1.0, -2.0], [0.5, 3.0]])
RNG = np.random.default_rng(12)
Layer = collections.namedtuple("Layer", "W b")


@dataclasses.dataclass
class Affine:
    W: np.ndarray
    b: np.ndarray
    gain: float = 1.5
    name: str = "affine"


@dataclasses.dataclass(frozen=True)
class Frozen:
    W: np.ndarray
    gain: float


class Bag:
    def __init__(self, W, b):
        self.W, self.b, self.gain, self.label = W, b, 0.5, "bag"


# ---------------------------------------------------------------- the functions

def dict_net(params, x):
    return np.sum(np.tanh(x @ params["W"] + params["b"]) * W2)


def nested(params, x):
    h = x
    for layer in (params["layers"][0], params["layers"][1]):  # a display: unrolled, its length known
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h * W2) * params["scale"]


def unpacked(params, x):
    (W1, b1), (W2_, b2) = params
    return np.sum(np.tanh(np.tanh(x @ W1 + b1) @ W2_ + b2) * W2)


def by_attribute(p, x):
    return np.sum(np.tanh(x @ p.W + p.b) * W2) * p.gain


def by_field(p, x):
    return np.sum(np.tanh(x @ p.W + p[1]) * W2)


def frozen(p, x):
    return np.sum(np.sin(x @ p.W) * W2) * p.gain


def rows_and_whole(a):
    return np.sum(a ** 2 * W2) + a[0][1] * a[1][0] ** 2


def branchy(p, x, c):
    if c > 0.0:
        y = p["a"] * x
    else:
        y = p["b"] * x ** 2
    return np.sum(y * W2)


def looped(p, x, n):
    s = x
    for i in range(n):
        s = np.tanh(p["W"] @ s + p["b"])
    return np.sum(s * W2[0])


def scalar_dict(p, x):
    return p["a"] * x ** 2 + math_free(p["b"], x)


def math_free(b, x):
    return b * x + b ** 3


def part_of_part(p):
    W = p["W"]
    return np.sum(W * W2) + W[1, 0] ** 2


CASES = [
    (dict_net, lambda: ({"W": RNG.normal(size=(2, 2)), "b": RNG.normal(size=2)}, RNG.normal(size=(2, 2)))),
    (nested, lambda: ({"layers": [{"W": RNG.normal(size=(2, 2)), "b": RNG.normal(size=2)},
                                  {"W": RNG.normal(size=(2, 2)), "b": RNG.normal(size=2)}], "scale": 1.5},
                      RNG.normal(size=(2, 2)))),
    (unpacked, lambda: (((RNG.normal(size=(2, 2)), RNG.normal(size=2)), [RNG.normal(size=(2, 2)), RNG.normal(size=2)]),
                        RNG.normal(size=(2, 2)))),
    (by_field, lambda: (Layer(RNG.normal(size=(2, 2)), RNG.normal(size=2)), RNG.normal(size=(2, 2)))),
    (by_attribute, lambda: (Affine(RNG.normal(size=(2, 2)), RNG.normal(size=2)), RNG.normal(size=(2, 2)))),
    (by_attribute, lambda: (Bag(RNG.normal(size=(2, 2)), RNG.normal(size=2)), RNG.normal(size=(2, 2)))),
    (frozen, lambda: (Frozen(RNG.normal(size=(2, 2)), 0.7), RNG.normal(size=(2, 2)))),
    (rows_and_whole, lambda: (RNG.normal(size=(2, 2)),)),
    (branchy, lambda: ({"a": 1.5, "b": -0.5}, RNG.normal(size=(2, 2)), 1.0)),
    (branchy, lambda: ({"a": 1.5, "b": -0.5}, RNG.normal(size=(2, 2)), -1.0)),
    (scalar_dict, lambda: ({"a": 1.5, "b": -0.7}, 0.8)),
    (part_of_part, lambda: ({"W": RNG.normal(size=(2, 2))},)),
]
IDS = ["dict", "nested", "unpacked", "namedtuple", "dataclass", "object", "frozen", "rows_and_whole",
       "branch_then", "branch_else", "scalar_dict", "part_of_part"]


# ---------------------------------------------------------------- helpers

def fd_parts(f, args, index, eps=1e-6):
    """``{path: d f / d part}`` of every float part of argument ``index``, by central differences."""
    x, out = args[index], {}
    for path, value in leaves(x):
        if isinstance(value, (int, np.integer)) and not isinstance(value, float):
            continue
        value = np.asarray(value, dtype=np.float64)
        grad = np.zeros(value.shape)
        for position in np.ndindex(value.shape):
            for sign in (1.0, -1.0):
                moved = value.copy()
                moved[position] += sign * eps
                call = list(args)
                call[index] = replace_leaves(x, {path: moved if moved.shape else float(moved)})
                grad[position] += sign * f(*call) / (2 * eps)
        out[path] = grad
    return out


def direction(x, seed=3):
    rng = np.random.default_rng(seed)
    return replace_leaves(x, {p: rng.normal(size=np.shape(v)) if np.ndim(v) else float(rng.normal())
                              for p, v in leaves(x) if not isinstance(v, (int, np.integer)) or isinstance(v, float)})


def moved(x, d, eps):
    return replace_leaves(x, {p: v + eps * tree_part(d, p) for p, v in leaves(x)
                              if not isinstance(v, (int, np.integer)) or isinstance(v, float)})


def assert_same_structure(got, x):
    assert type(got) is type(x)
    assert [p for p, _ in leaves(got)] == [p for p, _ in leaves(x)]


def assert_parts_close(got, expected, rel=1e-5, abs=1e-6):
    for path, value in expected.items():
        assert np.asarray(tree_part(got, path)) == pytest.approx(value, rel=rel, abs=abs), path


# ---------------------------------------------------------------- every path

@pytest.mark.parametrize("f, make", CASES, ids=IDS)
def test_grad_has_the_structure_and_the_numbers(f, make):
    args = make()
    gradient = srcdiff.grad(f, wrt=0)(*args)
    assert_same_structure(gradient, args[0])
    assert_parts_close(gradient, fd_parts(f, args, 0))
    value, again = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args)) and assert_parts_close(again, fd_parts(f, args, 0)) is None


@pytest.mark.parametrize("f, make", CASES, ids=IDS)
def test_jvp_takes_a_tangent_of_the_same_structure(f, make):
    args = make()
    d = direction(args[0])
    expected = sum(float(np.sum(g * np.asarray(tree_part(d, p)))) for p, g in fd_parts(f, args, 0).items())
    assert srcdiff.jvp(f, wrt=0)(*args, d) == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("mode", [None, "forward", "reverse", "reverse-over-forward"])
@pytest.mark.parametrize("f, make", CASES, ids=IDS)
def test_hvp_takes_and_gives_the_structure(f, make, mode):
    args = make()
    v = direction(args[0])
    got = srcdiff.hvp(f, wrt=0, mode=mode)(*args, v)
    assert_same_structure(got, args[0])
    eps, gradient = 1e-5, srcdiff.grad(f, wrt=0)
    plus, minus = list(args), list(args)
    plus[0], minus[0] = moved(args[0], v, eps), moved(args[0], v, -eps)
    high, low = gradient(*plus), gradient(*minus)
    for path, value in leaves(got):
        expected = (np.asarray(tree_part(high, path)) - np.asarray(tree_part(low, path))) / (2 * eps)
        assert np.asarray(value) == pytest.approx(expected, rel=1e-4, abs=1e-5), path


def test_hvp_through_a_loop_is_reverse_over_forward():
    args = ({"W": RNG.normal(size=(2, 2)), "b": RNG.normal(size=2)}, RNG.normal(size=2), 3)
    v = direction(args[0])
    got = srcdiff.hvp(looped, wrt=0)(*args, v)
    gradient, eps = srcdiff.grad(looped, wrt=0), 1e-5
    high, low = gradient(moved(args[0], v, eps), *args[1:]), gradient(moved(args[0], v, -eps), *args[1:])
    for path in ("W", "b"):
        assert got[path] == pytest.approx((high[path] - low[path]) / (2 * eps), rel=1e-4, abs=1e-5)
    assert_parts_close(srcdiff.grad(looped, wrt=0)(*args), fd_parts(looped, args, 0))


@pytest.mark.parametrize("f, make", CASES[:4], ids=IDS[:4])
def test_explain_shows_the_containers_gradient(f, make):
    args = make()
    explained = srcdiff.explain(f, *args)
    assert_same_structure(explained.gradients[0], args[0])
    assert_parts_close(explained.gradients[0], fd_parts(f, args, 0))


def forward_layer(params, x):
    return np.tanh(x @ params["W"] + params["b"]) * W2


def test_jacobian_with_respect_to_a_container_is_a_container_of_jacobians():
    params, x = {"W": RNG.normal(size=(2, 2)), "b": RNG.normal(size=2)}, RNG.normal(size=(2, 2))
    J = srcdiff.jacobian(forward_layer, wrt=0)(params, x)
    assert set(J) == {"W", "b"} and J["W"].shape == (2, 2, 2, 2) and J["b"].shape == (2, 2, 2)
    for i, j in np.ndindex(2, 2):
        row = fd_parts(lambda p, x: forward_layer(p, x)[i, j], (params, x), 0)
        assert J["W"][i, j] == pytest.approx(row[("W",)], abs=1e-6)
        assert J["b"][i, j] == pytest.approx(row[("b",)], abs=1e-6)


def test_hessian_of_a_dict_is_refused_pointing_at_hvp():
    with pytest.raises(srcdiff.SrcdiffError, match="use srcdiff.hvp"):
        srcdiff.hessian(dict_net)({"W": np.eye(2), "b": np.ones(2)}, np.eye(2))


# ---------------------------------------------------------------- the structure of the gradient

def reads_some(p, x):
    return np.sum(p["used"] * x * W2)


def test_parts_not_read_get_zeros_of_their_own_type_and_what_is_not_a_number_is_kept():
    p = {"used": np.ones((2, 2)), "f32": np.ones(3, np.float32), "ints": np.arange(3), "n": 4, "x": 2.5,
         "np64": np.float64(1.0), "tag": "relu", "flag": True, "nested": [Layer(np.ones(2), 1.0)], "none": None}
    g = srcdiff.grad(reads_some, wrt="p")(p, RNG.normal(size=(2, 2)))
    assert list(g) == list(p)
    assert g["f32"].dtype == np.float32 and not g["f32"].any()
    assert g["ints"].dtype == np.float64 and not g["ints"].any()
    assert g["n"] == 0.0 and type(g["n"]) is float and g["x"] == 0.0
    assert type(g["np64"]) is np.float64
    assert g["tag"] == "relu" and g["flag"] is True and g["none"] is None
    assert type(g["nested"][0]) is Layer and not g["nested"][0].W.any() and g["nested"][0].b == 0.0


W2_32 = W2.astype(np.float32)


def float32_dict(p, x):
    return np.sum(np.tanh(x @ p["W"]) * W2_32)


def test_float32_parts_keep_their_dtype():
    p = {"W": RNG.normal(size=(2, 2)).astype(np.float32)}
    g = srcdiff.grad(float32_dict, wrt=0)(p, RNG.normal(size=(2, 2)).astype(np.float32))
    assert g["W"].dtype == np.float32


def test_an_unused_container_gets_its_zero_structure():
    g = srcdiff.grad(math_free, wrt=(0, 1))
    assert g(1.0, 2.0) == (pytest.approx(5.0), 1.0)
    assert srcdiff.grad(reads_some, wrt="x")({"used": 2.0}, 1.5) == pytest.approx(np.sum(2.0 * W2))


def test_generated_code_reads_each_part_once_at_its_start():
    text = srcdiff.grad(nested, wrt=0).source
    forward = text.split("# forward\n")[1].splitlines()
    assert forward[:8] == ["    layers = params['layers']", "    layers_0 = layers[0]", "    layers_1 = layers[1]",
                           "    W = layers_0['W']", "    b = layers_0['b']", "    W_1 = layers_1['W']",
                           "    b_1 = layers_1['b']", "    scale = params['scale']"]
    assert sum("params[" in line or "layers_" in line and "[" in line.split("=")[1] for line in forward) == 8
    assert "('layers', 0, 'W'), grad_W," in text


def test_wrt_by_name_picks_the_container_whole():
    params, x = CASES[0][1]()
    assert_same_structure(srcdiff.grad(dict_net, wrt="params")(params, x), params)
    both = srcdiff.grad(dict_net, wrt=("params", "x"))(params, x)
    assert type(both[0]) is dict and both[1].shape == (2, 2)


# ---------------------------------------------------------------- refused, by name

def iterated(params, x):
    total = 0.0
    for layer in params["layers"]:
        total = total + np.sum(layer["W"] * x)
    return total


def computed_key(params, x, k):
    return np.sum(params["W"] * x) + np.sum(params[k] ** 2)


def passed_whole(params, x):
    return np.sum(params["W"] * x) + np.sum(params)


def written(params, x):
    params["W"] = x
    return np.sum(params["W"])


def chosen(params, x, c):
    layer = params["a"] if c > 0 else params["b"]
    return np.sum(layer["W"] * x)


@pytest.mark.parametrize("f, args, line, message", [
    (iterated, ({"layers": [{"W": np.eye(2)}]}, np.eye(2)), 'layer["W"]', "not a parameter read through constant keys"),
    (passed_whole, ({"W": np.eye(2)}, np.eye(2)), "np.sum(params)", "passing it whole to 'np.sum'"),
    (written, ({"W": np.eye(2)}, np.eye(2)), 'params["W"] = x', "writing into a parameter"),
    (chosen, ({"a": {"W": np.eye(2)}, "b": {"W": np.eye(2)}}, np.eye(2), 1.0), 'layer["W"]',
     "not a parameter read through constant keys"),
], ids=["iterated at run time", "passed to numpy", "written", "chosen at run time"])
def test_refused_with_a_clear_error(f, args, line, message):
    with pytest.raises(srcdiff.SrcdiffError, match=message) as info:
        srcdiff.grad(f, wrt=0)(*args)
    assert info.value.filename == __file__ and line in info.value.line_text


@pytest.mark.parametrize("k", ["b", "W"])
def test_a_dict_read_at_a_key_computed_at_run_time_too(k):
    """Refused before: the read at run time has an adjoint by key (``runtime.KeyedAdjoints``) that
    ``rt.tree_grad`` adds to the parts read at constant keys."""
    params, x = {"W": np.array([[1.0, 2.0], [0.5, -1.0]]), "b": np.array([[0.3, 0.1], [0.2, 0.4]])}, np.eye(2) * 1.5
    got = srcdiff.grad(computed_key, wrt=0)(params, x, k)
    assert_close(got, fd_gradient(computed_key, (params, x, k), 0), rtol=1e-6, atol=1e-7)
    v = {"W": np.ones((2, 2)), "b": np.full((2, 2), 2.0)}
    assert srcdiff.jvp(computed_key, wrt=0)(params, x, k, v) == pytest.approx(
        np.sum(v["W"] * x) + np.sum(2 * params[k] * v[k]))
    expected = {"W": np.zeros((2, 2)), "b": np.zeros((2, 2))}
    expected[k] = 2 * v[k]
    assert_close(srcdiff.hvp(computed_key, wrt=0)(params, x, k, v), expected)


# ---------------------------------------------------------------- check_grad

class WrongSquare(srcdiff.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3.0 * x * g  # wrong: 2 x


def wrong_in_a_dict(p, x):
    return np.sum(WrongSquare.apply(p["W"]) * x)


def test_check_grad_checks_containers():
    params, x = CASES[1][1]()
    check_grad(nested, params, x)
    check_grad(by_attribute, Affine(RNG.normal(size=(2, 2)), RNG.normal(size=2)), RNG.normal(size=(2, 2)))
    with pytest.raises(AssertionError, match="gradient with respect to 'p'"):
        check_grad(wrong_in_a_dict, {"W": RNG.normal(size=(2, 2))}, RNG.normal(size=(2, 2)), wrt="p")


# ---------------------------------------------------------------- the sample: a dict of parameters

def _sample_args(seed=5):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(4, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 3)),
              "b2": rng.normal(size=3)}
    return params, rng.normal(size=(5, 4)), np.array([0, 2, 1, 2, 0])


def test_dict_mlp_against_finite_differences_and_autograd(tmp_path):
    autograd = pytest.importorskip("autograd")
    mlp = load_sample("dict_mlp")
    params, X, y = _sample_args()
    gradient = srcdiff.grad(mlp.loss, wrt="params")(params, X, y)
    assert list(gradient) == ["W1", "b1", "W2", "b2"]
    assert_parts_close(gradient, fd_parts(mlp.loss, (params, X, y), 0))
    check_grad(mlp.loss, params, X, y, wrt="params")
    text = (ROOT / "samples" / "dict_mlp.py").read_text().replace("import numpy as np", "import autograd.numpy as np")
    (tmp_path / "dict_mlp_autograd.py").write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        import dict_mlp_autograd
    finally:
        sys.path.remove(str(tmp_path))
    theirs = autograd.grad(dict_mlp_autograd.loss)(params, X, y)
    for name in params:
        assert gradient[name] == pytest.approx(theirs[name], rel=1e-10, abs=1e-12)
    v = direction(params)
    hv = srcdiff.hvp(mlp.loss, wrt="params")(params, X, y, v)
    theirs = autograd.grad(lambda p: sum(np.sum(autograd.grad(dict_mlp_autograd.loss)(p, X, y)[k] * v[k])
                                         for k in p))(params)
    for name in params:
        assert hv[name] == pytest.approx(theirs[name], rel=1e-8, abs=1e-10)
        assert srcdiff.hvp(mlp.loss, wrt="params", mode="reverse")(params, X, y, v)[name] == pytest.approx(hv[name])


def test_dict_mlp_trains():
    mlp = load_sample("dict_mlp")
    params, X, y = _sample_args()
    step = srcdiff.value_and_grad(mlp.loss, wrt="params")
    first, _ = step(params, X, y)
    for _ in range(50):
        _, grads = step(params, X, y)
        params = {name: params[name] - 0.5 * grads[name] for name in params}
    assert step(params, X, y)[0] < 0.5 * first


def test_command_line_prints_the_same_code():
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/dict_mlp.py:loss", "--wrt", "params"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    hint, _, printed = out.stdout.partition("\n")
    assert hint.startswith("# srcdiff export samples/dict_mlp.py:loss")
    assert printed.strip() == srcdiff.grad(load_sample("dict_mlp").loss, wrt="params").source.strip()


def _reads_parts_it_never_uses(s, M, p):
    first = M[3]  # noqa: F841 (read at a constant position, never used: a zero gradient, not a missing one)
    w = p["w"]  # noqa: F841
    return np.sum(s * np.ones(2)) * 2.0


def test_a_parameter_whose_parts_are_read_but_unused_gets_a_zero_gradient():
    M, p = np.arange(4.0), {"w": np.ones(2), "b": 0.5}
    grads = srcdiff.grad(_reads_parts_it_never_uses)(1.5, M, p)
    assert len(grads) == 3 and grads[0] == 4.0
    np.testing.assert_array_equal(grads[1], np.zeros(4))
    assert set(grads[2]) == {"w", "b"} and not np.any(grads[2]["w"]) and grads[2]["b"] == 0.0
    assert srcdiff.jvp(_reads_parts_it_never_uses, wrt=0)(1.5, M, p, 1.0) == 4.0
