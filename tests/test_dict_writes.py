"""Writing into a dict the function builds: ``d = {}; d["a"] = x * 2; d["b"] += y``.

Refused before ("a dict built here cannot be used as a value").  A write at a constant key
rebinds the name to the dict with that entry set (``lower.item_writes``), where nothing else
may hold the dict; what a rebinding would get wrong is refused at its line.
"""
import numpy as np
import pytest

import srcdiff
from trust_helpers import assert_first_parameter_paths, assert_user_error, fd_grad


def built_empty(x):
    d = {}
    d["a"] = x * 2
    d["b"] = x * 3
    return d["a"] * d["b"]


def updated(x, y):
    d = {"a": x, "b": 1.0}
    d["a"] += y * x
    d["b"] *= x
    d["c"] = d["a"] - d["b"]
    return sum(d.values()) * d["c"]


def made_by_dict(x):
    d = dict(w=x)
    d["w"] = d["w"] ** 2
    return d["w"] + len(d)


def keyword_helper(**kw):
    kw["a"] = kw["a"] * 2.0
    return kw["a"]


def through_keywords(x):
    return keyword_helper(a=x) * x


def walked_after(x):
    d = {"a": x}
    d["b"] = x * x
    for k in d:
        x = x + d[k] * 2.0
    return x


def written_as_a_pair(x):
    d = {"a": 1.0}
    d["a"], d["b"] = x * x, d["a"] + x
    return d["a"] / d["b"]


def key_in_a_name(x):
    d = {}
    key = "w"
    d[key] = x
    return d["w"] ** 3 if "w" in d else x


@pytest.mark.parametrize("f", [built_empty, made_by_dict, through_keywords, walked_after, written_as_a_pair,
                               key_in_a_name], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [0.7, -1.3])
def test_a_dict_written_at_constant_keys(f, x):
    assert_first_parameter_paths(f, (x,))
    grad = srcdiff.grad(f)
    hessian = srcdiff.hessian(f)(x)
    assert hessian == pytest.approx((grad(x + 1e-5) - grad(x - 1e-5)) / 2e-5, rel=1e-5, abs=1e-7)
    assert srcdiff.grad(grad)(x) == pytest.approx(hessian, rel=1e-10)


def test_updates_of_entries_along_both_parameters():
    args = (0.7, 0.3)
    for position in (0, 1):
        assert srcdiff.grad(updated, wrt=position)(*args) == pytest.approx(fd_grad(updated, args, position), rel=1e-6)
    assert srcdiff.value_and_grad(updated)(*args)[0] == updated(*args)
    assert srcdiff.jvp(updated, wrt=1)(*args, 1.0) == pytest.approx(fd_grad(updated, args, 1), rel=1e-6)


def arrays_by_name(W, x):
    d = {}
    d["W"] = W * 2.0
    d["h"] = np.tanh(d["W"] @ x)
    d["loss"] = np.sum(d["h"] ** 2)
    return d["loss"]


def test_a_dict_of_arrays():
    W = np.array([[0.5, -1.0], [0.25, 2.0]])
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(srcdiff.grad(arrays_by_name, wrt=0)(W, x), fd_grad(arrays_by_name, (W, x), 0), rtol=1e-6)
    np.testing.assert_allclose(srcdiff.grad(arrays_by_name, wrt=1)(W, x), fd_grad(arrays_by_name, (W, x), 1), rtol=1e-6)


def in_a_branch(x):
    d = {"a": x, "b": 2.0}
    if x > 0:
        d["b"] = x * x
    return d["a"] * d["b"]


def regularized(w, lam):
    metrics = {"loss": np.sum(w ** 2)}
    if lam > 0:
        metrics["loss"] = metrics["loss"] + lam * np.sum(np.abs(w))
    else:
        metrics["loss"] *= 2.0
    return metrics["loss"]


@pytest.mark.parametrize("x", [0.7, -0.7])
def test_written_in_a_branch(x):
    """The two paths' dicts merge entry by entry where they have the same keys."""
    assert_first_parameter_paths(in_a_branch, (x,))
    w = np.array([0.5, -1.0, 2.0])
    for lam in (0.3, -0.3):
        np.testing.assert_allclose(srcdiff.grad(regularized, wrt=0)(w, lam), fd_grad(regularized, (w, lam), 0), rtol=1e-6)
        hessian = srcdiff.hessian(regularized, wrt=0)(w, lam)
        np.testing.assert_allclose(hessian, np.eye(3) * (2.0 if lam > 0 else 4.0), atol=1e-12)


def test_the_entries_print_as_plain_values():
    text = srcdiff.grad(built_empty).source
    assert "s0 = x * 2" in text and "setitem" not in text and "{" not in text


# ---------------------------------------------------------------- refused

def held_twice(x):
    d = {"a": x}
    e = d
    d["a"] = 2.0 * x
    return e["a"]


def key_on_one_path(x):
    d = {"a": x}
    if x > 0:
        d["b"] = x * x
    return d["a"]


def in_a_loop(xs):
    d = {"s": 0.0}
    for x in xs:
        d["s"] += x
    return d["s"]


def sets_a(d):
    d["a"] = 1.0
    return 0.0


def through_a_helper(x):
    d = {"a": x}
    _ = sets_a(d)
    return d["a"] * x


def key_at_run_time(x, k):
    d = {"a": x}
    d[k] = x
    return d["a"]


def missing_key_updated(x):
    d = {"a": x}
    d["b"] += x
    return d["a"]


def read_in_a_lambda(x):
    d = {"a": x}
    get = lambda: d["a"]  # noqa: E731
    d["a"] = x * x
    return get()


@pytest.mark.parametrize("f, args, line, message", [
    (held_twice, (0.7,), "e = d", "here it is passed on"),
    (key_on_one_path, (0.7,), 'return d["a"]', "is not the same dict on every path through the branch"),
    (in_a_loop, ([1.0, 2.0],), "for x in xs", "in a loop"),
    (through_a_helper, (0.7,), 'd["a"] = 1.0', "is a parameter"),
    (key_at_run_time, (0.7, "a"), "d[k] = x", "at a key known only at run time"),
    (missing_key_updated, (0.7,), 'd["b"] += x', "is not an entry of the dict"),
    (read_in_a_lambda, (0.7,), "get = lambda", "inside a nested function or lambda"),
], ids=lambda v: getattr(v, "__name__", None))
def test_what_a_rebinding_would_get_wrong_is_refused(f, args, line, message):
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(f, wrt=0)(*args)
    assert_user_error(err.value, sets_a if f is through_a_helper else f, line)
