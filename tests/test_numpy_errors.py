"""Array code srcdiff refuses, each with a clear error (never a wrong gradient), and the
item writes it does differentiate (as copies) checked against finite differences."""
import textwrap

import numpy as np
import pytest

import srcdiff
from conftest import import_text
from gradcheck import check_grad

REFUSED = {
    "write_param": ("x[0] = 1.0\nreturn np.sum(x)", "writing into a parameter"),
    "write_view": ("h = np.exp(x)\nr = h[0]\nr[1] = 0.0\nreturn np.sum(h)", "writing into a view"),
    "write_reshaped": ("h = np.exp(x).reshape(-1)\nh[1] = 0.0\nreturn np.sum(h)", "writing into a view"),
    "write_alias": ("h = np.exp(x)\nk = h\nh[0] = 0.0\nreturn np.sum(k)", "read again afterwards"),
    "write_then_view": ("h = np.exp(x)\nt = h.T\nh[0] = 0.0\nreturn np.sum(t)", "read again afterwards"),
    "write_attribute": ("h = np.exp(x)\nh.T[0] = 0.0\nreturn np.sum(h)", "cannot write into 'h.T'"),
    "axis_variable": ("a = 1\nb = a + 0\nreturn np.sum(np.sum(x, axis=b))", "axis of 'np.sum' must be a constant"),
    "attribute": ("return np.sum(x.imag)", "attribute '.imag' is not supported"),
    "method": ("return np.sum(x.searchsorted(0.5))", "method '.searchsorted()' is not supported"),
    "norm_order": ("return np.linalg.norm(x, 'nuc', axis=(0, 1))", "np.linalg.norm(x, ord='nuc') over the last two axes"),
    "unknown_function": ("return np.sum(np.unwrap(x))", "no gradient rule for 'np.unwrap'"),
    "sum_where": ("return np.sum(x, where=x > 0.0)", "no gradient rule for 'np.sum'"),
    "max_initial": ("return np.max(x, initial=5.0)", "no gradient rule for 'np.max'"),
    "reshape_order": ("return np.sum(np.sin(x.reshape(2, 3, order='A')))", "no gradient rule for '.reshape()'"),
    "exp_out": ("y = x * 1.0\nreturn np.sum(np.exp(x, out=y))", "'np.exp(..., out=...)' writes its result into an array"),
}

ACCEPTED_WRITES = {
    "write_fresh": "h = np.exp(x)\nh[0] = v * 2.0\nreturn np.sum(h * h)",
    "augmented_slice": "h = x * 1.5\nh[1:, 1] += v[0]\nreturn np.sum(np.sin(h))",
    "write_twice": "h = np.tanh(x)\nh[0] = v\nh[1] = h[0] * v[1]\nreturn np.sum(h ** 2)",
    "copy_then_write": "h = x.copy()\nh[2] = v\nreturn np.sum(np.sin(h) * x)",
    "margins": "m = np.maximum(0.0, x - 0.5)\nm[np.arange(3), [0, 1, 0]] = 0.0\nreturn np.sum(m) + np.sum(v)",
}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    lines = ["import numpy as np", ""]
    for name, (body, _) in REFUSED.items():
        lines += [f"def {name}(x):", textwrap.indent(body, "    "), ""]
    for name, body in ACCEPTED_WRITES.items():
        lines += [f"def {name}(x, v):", textwrap.indent(body, "    "), ""]
    lines += ["def repeated(x, v):", "    h = np.exp(x)", "    h[[0, 0]] = v", "    return np.sum(h * h)", ""]
    lines += ["def repeated_add(x, v):", "    h = x * 1.0", "    h[[0, 0, 2]] += v", "    return np.sum(h * h)", ""]
    lines += ["def vector(x):", "    return np.exp(x)", ""]
    return import_text(tmp_path_factory.mktemp("errors"), "\n".join(lines))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_a_clear_error(module, name):
    fn = getattr(module, name)
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(fn)(np.ones((3, 2)))
    assert REFUSED[name][1] in str(info.value)
    assert info.value.lineno > fn.__code__.co_firstlineno  # it points into the body
    assert "^" in str(info.value)


@pytest.mark.parametrize("name", sorted(ACCEPTED_WRITES))
def test_item_writes_are_differentiated_as_copies(module, name):
    rng = np.random.default_rng(len(name))
    x = rng.uniform(0.1, 1.0, size=(3, 2))
    check_grad(getattr(module, name), x, rng.uniform(0.1, 1.0, size=2))
    before = x.copy()
    srcdiff.grad(getattr(module, name))(x, np.ones(2))
    np.testing.assert_array_equal(x, before)  # the caller's array is never written


@pytest.mark.parametrize("name", ["repeated", "repeated_add"])
def test_writing_one_position_twice_is_refused_at_run_time(module, name):
    gradient = srcdiff.grad(getattr(module, name), wrt=1)
    with pytest.raises(srcdiff.SrcdiffError, match="repeats an index"):
        gradient(np.ones((3, 2)), np.array([1.0, 2.0]))


def test_array_result_is_refused_at_run_time(module):
    with pytest.raises(srcdiff.SrcdiffError, match="returned an array of shape"):
        srcdiff.grad(module.vector)(np.ones(3))


def aliased_update(x):
    h = np.exp(x)
    k = h
    k += 1.0
    return np.sum(h * k)


def view_update(x):
    h = np.exp(x)
    row = h[0]
    row *= 2.0
    return np.sum(h)


def fresh_update(x, v):
    scores = x * 2.0
    scores -= np.max(scores, axis=1, keepdims=True)
    total = np.sum(scores)
    total += np.sum(v)
    return total * np.sum(np.exp(scores))


@pytest.mark.parametrize("fn", [aliased_update, view_update])
def test_in_place_update_of_a_shared_array_is_refused(fn):
    with pytest.raises(srcdiff.SrcdiffError, match="NumPy writes in place") as info:
        srcdiff.grad(fn)
    assert "=" in info.value.line_text


def test_in_place_updates_of_unshared_values_are_differentiated():
    rng = np.random.default_rng(0)
    check_grad(fresh_update, rng.normal(size=(3, 4)), rng.normal(size=2))


# ---- writes under control flow: a loop-carried array written item by item

def write_in_loop(x, v):
    y = np.zeros(3)
    for i in range(3):
        y[i] += x[i] * v
    return np.sum(y * y)


def write_in_branch(x, v):
    y = np.exp(x)
    if v > 0.0:
        y[0] = v * x[1]
    else:
        y[1:] -= v
    return np.sum(y ** 2)


def accumulate_rows(X):
    out = np.zeros(X.shape[1])
    for i in range(X.shape[0]):
        out += np.tanh(X[i])
    return np.sum(out * out)


def alias_read_after_loop(x):
    y = np.zeros(3)
    z = y
    for i in range(3):
        y[i] = x[i]
    return np.sum(z * x)


def alias_read_in_next_round(x):
    y = np.zeros(3)
    z = y
    for i in range(3):
        s = np.sum(z)
        y[i] = s + x[i]
    return np.sum(y)


def read_old_value_after_write_in_round(x):
    y = np.ones(3)
    for i in range(3):
        k = y
        y[i] = x[i]
        y = k * 2.0
    return np.sum(y)


@pytest.mark.parametrize("fn,args", [
    (write_in_loop, (np.array([0.3, -0.5, 0.8]), 0.7)),
    (write_in_branch, (np.array([0.3, -0.5, 0.8]), 0.7)),
    (write_in_branch, (np.array([0.3, -0.5, 0.8]), -0.4)),
    (accumulate_rows, (np.arange(12.0).reshape(4, 3) / 10,)),
])
def test_writes_under_control_flow_are_differentiated(fn, args):
    check_grad(fn, *args)


@pytest.mark.parametrize("fn", [alias_read_after_loop, alias_read_in_next_round, read_old_value_after_write_in_round])
def test_stale_reads_under_control_flow_are_refused(fn):
    with pytest.raises(srcdiff.SrcdiffError, match="NumPy writes in place"):
        srcdiff.grad(fn)
