"""A dict argument walked at run time: ``d.values()``, ``d.items()``, ``d.keys()``, ``for k in d:
d[k]``, and a read ``d[k]`` at a key computed at run time (``lower.dict_views``,
``runtime.KeyedAdjoints``).

Refused before (``the method '.values()' is not supported``; ``a key computed at run time is
not supported``), and ordinary: an L2 penalty over a network's parameters
``sum(np.sum(p ** 2) for p in params.values())``.  Each is checked against central differences
on every path: ``grad``, ``value_and_grad``, ``jvp``, ``hvp`` (its direction a dict of the same
keys), ``grad(grad)`` and ``explain``, with parameters read at constant keys too.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import srcdiff
from srcdiff.runtime.trees import leaves, replace_leaves
from tangent_corpus_checks import assert_close, fd_gradient


def l2_penalty(params, X):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"]
    reg = sum(np.sum(p ** 2) for p in params.values())
    return np.mean(out ** 2) + 0.01 * reg


def items_loop(params, x):
    total = 0.0
    for name, p in params.items():
        total = total + np.sum(p ** 2) * x
    return total


def items_pairs(params, x):
    total = 0.0
    for pair in params.items():
        total = total + np.sum(pair[1] ** 3) * x
    return total


def keys_method(params, x):
    total = 0.0
    for k in params.keys():
        total = total + np.sum(params[k] * x) ** 2
    return total


def own_keys(params, x):
    total = 0.0
    for k in params:
        total = total + np.sum(np.sin(params[k]) * x)
    return total


def values_summed(params, x):
    return np.sum(sum(params.values())) * x


def largest(params, x):
    return max(np.sum(p * p) for p in params.values()) * x


def values_listed(params, x):
    ps = list(params.values())
    return np.sum(ps[0] * ps[1]) * x


def comprehension(params, x):
    ys = [np.sum(p) * x for p in params.values()]
    return ys[0] * ys[1]


def keyed_branch(params, x):
    total = 0.0
    for k, v in params.items():
        if k == "W":
            total = total + np.sum(v ** 2) * x
        else:
            total = total + np.sum(v) * x
    return total


def decay_weights_only(params, x):
    """Weight decay on the weights alone, told by their names (``k.startswith``: refused before)."""
    total = 0.0
    for name, p in params.items():
        if name.startswith("W") or name.endswith("_w"):
            total = total + np.sum(p ** 2) * x
        else:
            total = total + np.sum(np.tanh(p)) * x
    return total


def part_walked(params, x):
    return sum(np.sum(v ** 2) for v in params["layer"].values()) * x + np.sum(params["b"] * params["layer"]["W"][0])


def _params(f, rng):
    if f is part_walked:
        return {"layer": {"W": rng.normal(size=(2, 2)), "c": rng.normal(size=2)}, "b": rng.normal(size=2)}
    if f is l2_penalty:
        return {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 2))}
    if f is decay_weights_only:
        return {"W1": rng.normal(size=(2, 2)), "b1": rng.normal(size=2), "out_w": rng.normal(size=3)}
    return {"W": rng.normal(size=(2, 2)), "b": rng.normal(size=2)}


FUNCTIONS = [l2_penalty, items_loop, items_pairs, keys_method, own_keys, values_summed, largest, values_listed,
             comprehension, keyed_branch, decay_weights_only, part_walked]


def _case(f):
    rng = np.random.default_rng(7)
    params = _params(f, rng)
    other = rng.normal(size=(5, 3)) if f is l2_penalty else 1.3
    direction = replace_leaves(params, {path: rng.normal(size=np.shape(v)) for path, v in leaves(params)})
    return params, other, direction


def _moved(params, direction, step):
    along = dict(leaves(direction))
    return replace_leaves(params, {path: v + step * along[path] for path, v in leaves(params)})


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_and_value(f):
    params, other, _ = _case(f)
    got = srcdiff.grad(f, wrt=0)(params, other)
    assert type(got) is dict and list(got) == list(params)
    assert_close(got, fd_gradient(f, (params, other), 0), rtol=1e-6, atol=1e-7)
    value, both = srcdiff.value_and_grad(f)(params, other)
    assert value == pytest.approx(f(params, other), rel=1e-12)
    assert_close(both[1], fd_gradient(f, (params, other), 1), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_mode_and_hessian_vector_products(f):
    params, other, direction = _case(f)
    step = 1e-6
    expected = (f(_moved(params, direction, step), other) - f(_moved(params, direction, -step), other)) / (2 * step)
    assert srcdiff.jvp(f, wrt=0)(params, other, direction) == pytest.approx(expected, rel=1e-5, abs=1e-7)
    plus = srcdiff.grad(f, wrt=0)(_moved(params, direction, 1e-5), other)
    minus = srcdiff.grad(f, wrt=0)(_moved(params, direction, -1e-5), other)
    expected = replace_leaves(params, {path: (dict(leaves(plus))[path] - dict(leaves(minus))[path]) / 2e-5
                                       for path, _ in leaves(params)})
    assert_close(srcdiff.hvp(f, wrt=0)(params, other, direction), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f", [f for f in FUNCTIONS if f is not l2_penalty], ids=lambda f: f.__name__)
def test_second_derivative_in_the_number_and_explain(f):
    params, x, _ = _case(f)
    assert srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=1)(params, x) == pytest.approx(
        srcdiff.hvp(f, wrt=1)(params, x, 1.0), rel=1e-9, abs=1e-12)
    explained = srcdiff.explain(f, params, x)
    assert_close(explained.gradients[0], srcdiff.grad(f, wrt=0)(params, x), rtol=1e-12)


def test_a_dict_of_numbers_and_a_list_of_dicts():
    def numbers(d, x):
        return sum(d.values()) * x + max(d.values()) ** 2

    def layers_walked(layers, x):
        total = 0.0
        for layer in layers:
            for p in layer.values():
                total = total + np.sum(p ** 2) * x
        return total

    d = {"a": 1.0, "b": 3.0}
    assert_close(srcdiff.grad(numbers, wrt=0)(d, 1.5), {"a": 1.5, "b": 7.5})
    layers = [{"W": np.ones((2, 2)), "b": np.arange(2.0)}, {"c": np.full(3, 0.5)}]
    assert_close(srcdiff.grad(layers_walked, wrt=0)(layers, 1.5), fd_gradient(layers_walked, (layers, 1.5), 0),
                 rtol=1e-6, atol=1e-7)


def test_keys_read_in_no_order_of_the_code_give_the_dict_its_own_order():
    """A key the loop never reads keeps a zero gradient in its place; the order is the argument's."""
    def skip_b(params, x):
        total = 0.0
        for k in params:
            if k != "b":
                total = total + np.sum(params[k]) * x
        return total

    params = {"z": np.ones(2), "b": np.ones(3), "a": 2.0}
    got = srcdiff.grad(skip_b, wrt=0)(params, 1.5)
    assert list(got) == ["z", "b", "a"]
    assert_close(got, {"z": np.full(2, 1.5), "b": np.zeros(3), "a": 1.5})


class Bag:
    def __init__(self, v):
        self.v = v

    def values(self):
        return [self.v]


def bag_sum(b, x):
    return sum(v * x for v in b.values())


def test_an_object_that_is_not_a_dict_is_refused_at_its_line():
    with pytest.raises(srcdiff.SrcdiffError, match="'b' is a Bag, not a dict") as caught:
        srcdiff.grad(bag_sum, wrt=1)(Bag(2.0), 1.5)
    assert f"test_dict_views.py:{bag_sum.__code__.co_firstlineno + 1}:" in str(caught.value)


def test_the_generated_code_walks_the_dict_itself():
    source = srcdiff.grad(l2_penalty, wrt=0).source
    assert "if params.__class__ is not dict:\n        rt.check_mapping(params)" in source
    assert "keys = rt.keys_of(params)" in source and "for key in keys:\n        p = params[key]" in source
    assert "rt.tree_grad(" in source and "(), grad_params" in source


def test_weight_decay_sample_against_autograd(tmp_path):
    """The sample's gradient and Hessian-vector product against autograd's (a dict of arrays)."""
    autograd = pytest.importorskip("autograd")
    from conftest import ROOT, load_sample
    sample = load_sample("weight_decay")
    rng = np.random.default_rng(3)
    params = {"W1": rng.normal(size=(4, 5)), "b1": rng.normal(size=5), "W2": rng.normal(size=(5, 2)),
              "b2": rng.normal(size=2)}
    X, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    text = (ROOT / "samples" / "weight_decay.py").read_text().replace("import numpy as np", "import autograd.numpy as np")
    (tmp_path / "weight_decay_autograd.py").write_text(text)
    import importlib.util
    spec = importlib.util.spec_from_file_location("weight_decay_autograd", tmp_path / "weight_decay_autograd.py")
    theirs_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(theirs_module)
    ours = srcdiff.grad(sample.loss, wrt="params")(params, X, y)
    theirs = autograd.grad(theirs_module.loss)(params, X, y)
    assert list(ours) == list(params)
    for name in params:
        assert ours[name] == pytest.approx(theirs[name], rel=1e-10, abs=1e-12)
    v = {name: rng.normal(size=np.shape(p)) for name, p in params.items()}
    hv = srcdiff.hvp(sample.loss, wrt="params")(params, X, y, v)
    theirs = autograd.grad(lambda p: sum(np.sum(autograd.grad(theirs_module.loss)(p, X, y)[k] * v[k]) for k in p))(params)
    for name in params:
        assert hv[name] == pytest.approx(theirs[name], rel=1e-8, abs=1e-10)


def decay_by_key(params, x):
    """Every entry walked, one read at a constant key, a branch on the key."""
    total = np.sum(params["a"] * x)
    for k, p in params.items():
        total = total + (np.sum(np.tanh(p) * x) if k == "b" else np.sum(p ** 2) * x)
    return total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(st.sampled_from(["b", "c", "d", "e"]), unique=True, max_size=3),
       shapes=st.lists(st.sampled_from([(), (2,), (3,), (2, 2)]), min_size=4, max_size=4),
       seed=st.integers(0, 2 ** 16), first=st.booleans())
def test_random_dicts_any_keys_any_order(keys, shapes, seed, first):
    """Whatever keys the argument has, in whatever order, of whatever shapes (numbers too): the
    gradient has the argument's keys in its order, each against central differences; the
    Hessian-vector product against differences of the gradient."""
    rng = np.random.default_rng(seed)
    names = ["a"] + keys if first else keys + ["a"]
    params = {k: float(rng.normal()) if shape == () else rng.normal(size=shape) for k, shape in zip(names, shapes)}
    got = srcdiff.grad(decay_by_key, wrt=0)(params, 0.7)
    assert list(got) == names
    assert_close(got, fd_gradient(decay_by_key, (params, 0.7), 0), rtol=1e-6, atol=1e-7)
    v = replace_leaves(params, {path: float(rng.normal()) if np.shape(p) == () else rng.normal(size=np.shape(p))
                                for path, p in leaves(params)})
    plus = srcdiff.grad(decay_by_key, wrt=0)(_moved(params, v, 1e-5), 0.7)
    minus = srcdiff.grad(decay_by_key, wrt=0)(_moved(params, v, -1e-5), 0.7)
    assert_close(srcdiff.hvp(decay_by_key, wrt=0)(params, 0.7, v),
                 {k: (plus[k] - minus[k]) / 2e-5 for k in names}, rtol=1e-5, atol=1e-6)
