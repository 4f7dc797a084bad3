"""A list of arrays appended to and read in the same loop (an RNN's hidden states): the reads add
into one adjoint of the list item by item (``grad_hs[-1] += g``: ``analysis.items``), each
append's backward takes a view of it (``rt.but_last``), and the forward sweep appends in place
(``rt.grown``: ``emit.growth``), so the gradient is linear in the number of steps.  Every read
pattern against JAX's ``jax.grad`` of the same source run on ``jax.numpy`` and against finite
differences; grad, jvp, hvp, grad(grad), generic and specialized code.
"""
import os

import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_explain_matches_grad

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)

SPECIALIZED = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                 reason="pytest --generic: gradients run their generic code, nothing is specialized")

FUNCTIONS = '''
import math


def last(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
    return np.sum(hs[-1] ** 2) + 0.1 * sum(np.sum(h) for h in hs)


def by_step(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[t]) + 0.3 * hs[t - 1] + U @ xs[t]))
    return np.sum(hs[len(hs) // 2] * hs[-1]) + np.sum(hs[1])


def two_back(a, W, U, xs, h0):
    hs = [h0, np.sin(h0)]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) - 0.5 * hs[t - 2] + U @ xs[t]))
    return np.sum(hs[-1] * hs[-3]) + np.sum(hs[0] * hs[2])


def summed_after(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
    total = sum(hs)
    return np.sum(total * total) + a


def walked_after(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
    total = 0.0
    for h in hs:
        total = total + np.sum(h * h) * (1.0 + 0.1 * total)
    return total


def walked_and_read(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
    total = np.sum(hs[-1] * hs[0])
    for h in hs:
        total = total + np.sum(np.cos(h))
    return total


def stacked_after(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
    H = np.stack(hs)
    return np.sum(H * H * np.arange(1.0, H.shape[1] + 1.0)) + np.sum(hs[-1])


def read_after_append(a, W, U, xs, h0):
    hs = [h0]
    score = 0.0
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
        score = score + np.sum(hs[-2] * hs[-1]) * (t + 1.0)
    return score


def some_steps(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        if t % 3 != 1:
            hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
        else:
            hs.append(hs[-1] * a)
    return np.sum(hs[-1] ** 2) + np.sum(hs[len(hs) - 2])


def grown_while(a, W, U, xs, h0):
    hs = [h0]
    while len(hs) <= len(xs):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[len(hs) - 1]))
    return np.sum(hs[-1] * hs[-2])


def some_appends(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        y = hs[-1]
        if xs[t, 0] > 0.0:
            hs.append(np.tanh(a * (W @ y) + U @ xs[t]))
    return np.sum(hs[-1] ** 2) + 0.1 * sum(np.sum(h) for h in hs)


def appends_in_branch_and_after(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        if xs[t, 1] > 0.0:
            hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t]))
        s = hs[-1]
        hs.append(s * a)
    return np.sum(hs[-1] ** 2) + 0.1 * sum(np.sum(h) for h in hs) + np.sum(hs[1])


def two_lists(a, W, U, xs, h0):
    hs = [h0]
    cs = [h0 * 0.0]
    for t in range(len(xs)):
        hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t] + cs[-1]))
        cs.append(cs[-1] * 0.5 + hs[-2])
    return np.sum(hs[-1] * cs[-1]) + np.sum(cs[len(cs) // 2])


def grown_in_an_inner_loop(a, W, U, xs, h0):
    hs = [h0]
    for t in range(len(xs)):
        for j in range(2):
            hs.append(np.tanh(a * (W @ hs[-1]) + U @ xs[t] * j))
    return np.sum(hs[-1] ** 2) + np.sum(hs[-3])


def numbers(a, W, U, xs, h0):
    ys = [np.sum(h0)]
    for t in range(len(xs)):
        ys.append(np.tanh(a * ys[-1] + np.sum(U @ xs[t]) + ys[t - 1] * 0.2))
    return ys[-1] * ys[-2] + sum(ys) * np.sum(W) * 0.01
'''

NAMES = ["last", "by_step", "two_back", "summed_after", "walked_after", "walked_and_read", "stacked_after",
         "read_after_append", "some_steps", "grown_while", "some_appends", "appends_in_branch_and_after", "two_lists",
         "grown_in_an_inner_loop", "numbers"]
RNG = np.random.default_rng(11)
N = 4
ARGS = (0.8, RNG.normal(size=(N, N)) * 0.6, RNG.normal(size=(N, 3)) * 0.5, RNG.normal(size=(6, 3)),
        RNG.normal(size=N))
EMPTY = ARGS[:3] + (np.zeros((0, 3)),) + ARGS[4:]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists11")
    ours = import_text(folder, "import numpy as np\n" + FUNCTIONS, "srcdiff_test_list_of_arrays_linear")
    theirs = import_text(folder, "import jax.numpy as np\n" + FUNCTIONS, "srcdiff_test_list_of_arrays_linear_jax")
    return ours, theirs


def _close(got, want, rtol=1e-9, atol=1e-11):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=rtol, atol=atol)


@pytest.mark.parametrize("args", [ARGS, EMPTY], ids=["steps", "no-steps"])
@pytest.mark.parametrize("name", NAMES)
def test_gradient_against_jax(modules, name, args):
    ours, theirs = modules
    try:
        getattr(ours, name)(*args)
    except IndexError:  # hs[1] of a list of one item: the gradient raises as the function does
        with pytest.raises(IndexError):
            srcdiff.grad(getattr(ours, name))(*args)
        return
    got = srcdiff.grad(getattr(ours, name))(*args)
    want = jax.grad(getattr(theirs, name), argnums=(0, 1, 2, 3, 4))(*args)
    for g, w in zip(got, want):
        _close(g, w)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_against_finite_differences(modules, name):
    f = getattr(modules[0], name)
    grads = srcdiff.grad(f)(*ARGS)
    for position in (1, 3, 4):  # W, xs, h0: the weights, the inputs, the first state
        x = ARGS[position]
        expected = np.zeros(x.shape)
        for at in np.ndindex(x.shape):
            step = np.zeros(x.shape)
            step[at] = 1e-6
            plus, minus = list(ARGS), list(ARGS)
            plus[position], minus[position] = x + step, x - step
            expected[at] = (f(*plus) - f(*minus)) / 2e-6
        _close(grads[position], expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_forward_mode_and_second_derivatives_against_jax(modules, name):
    ours, theirs = modules
    f, j = getattr(ours, name), getattr(theirs, name)
    direction = RNG.normal(size=ARGS[1].shape)
    _close(srcdiff.jvp(f, wrt=1)(*ARGS, direction), jax.jvp(lambda W: j(ARGS[0], W, *ARGS[2:]), (ARGS[1],), (direction,))[1])
    hvp = jax.jvp(jax.grad(lambda W: j(ARGS[0], W, *ARGS[2:])), (ARGS[1],), (direction,))[1]
    _close(srcdiff.hvp(f, wrt=1)(*ARGS, direction), hvp, rtol=1e-8, atol=1e-10)
    second = jax.grad(jax.grad(j, argnums=0), argnums=0)(*ARGS)
    _close(srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(*ARGS), second, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["last", "by_step", "two_back", "walked_after", "walked_and_read", "read_after_append",
                                  "some_steps", "some_appends", "appends_in_branch_and_after", "two_lists", "numbers"])
def test_the_gradient_builds_no_dense_array_per_read_and_copies_no_list_per_append(modules, name):
    grad = srcdiff.grad(getattr(modules[0], name))
    texts = [grad.source]
    if os.environ.get("SRCDIFF_GENERIC") != "1":
        texts.append(grad.source_for(*ARGS))
    for text in texts:
        reads = [line for line in text.splitlines() if "rt.index_grad(" in line]
        assert not any(f"{name}_" in line for line in reads for name in ("hs", "cs", "ys"))  # grad_hs_1[-1] += g instead
        assert "rt.items_zeros(" in text and "rt.but_last(" in text  # one adjoint for the list, views of it
        assert "rt.grown(" in text  # appended in place
        assert not any(f"rt.appended({name}_" in text for name in ("hs", "cs", "ys"))  # no copy of the list per step
        tapes = [line for line in text.splitlines() if "tape.append(" in line]
        assert not any(f"{name}_" in line for line in tapes for name in ("hs", "cs", "ys"))  # no version of it kept


def test_a_list_grown_in_an_inner_loop_and_read_there_keeps_the_general_code(modules):
    text = srcdiff.grad(modules[0].grown_in_an_inner_loop).source  # its gradient is right (above), not linear
    assert "rt.index_grad(grad_s1, hs_2, np.s_[-1])" in text and "rt.appended(hs_2, " in text


def test_stacked_after_the_loop_keeps_the_general_code(modules):
    text = srcdiff.grad(modules[0].stacked_after).source  # used whole: an array of its gradient, not items
    assert "rt.items_zeros(hs" not in text and "rt.index_grad(" in text


def test_explain_agrees_with_grad(modules):
    assert_explain_matches_grad(modules[0].last, ARGS)


def test_the_rnn_gradient_reads_items_in_place(modules):
    text = srcdiff.grad(modules[0].last).source
    assert "hs_2 = rt.grown(hs_1, s" in text and "grad_hs_1 = rt.but_last(grad_hs_2)" in text
    assert "grad_hs_1[-1] += grad_s" in text


@pytest.mark.parametrize("name", ["last", "read_after_append"])
def test_each_append_backward_takes_a_view_of_one_array(modules, name):
    """``rt.but_last`` stacks the item adjoints once and then slices: the number of new arrays
    of the list's size is one per gradient, not one per step."""
    from srcdiff import runtime as rt
    calls = []
    original = rt.but_last

    def counted(g):
        out = original(g)
        calls.append(id(out.base))
        return out

    rt.but_last = counted
    try:
        srcdiff.grad(getattr(modules[0], name))(*ARGS)
    finally:
        rt.but_last = original
    assert len(calls) == len(ARGS[3]) and len(set(calls)) == 1  # one stacking, then views of it


def test_ragged_items_and_a_number_first_get_their_own_adjoints(tmp_path):
    m = import_text(tmp_path, "import numpy as np\n" + '''
def ragged(w, x):
    out = [w * 2.0]
    for k in range(3):
        out.append(np.sin(w * x[:k + 1]) + np.sum(out[-1]) * 0.5)
    return np.sum(out[-1]) * np.sum(out[1]) + out[0]
''', "srcdiff_test_list_of_arrays_linear_ragged")
    x = np.array([0.3, -0.7, 1.1])
    g = srcdiff.grad(m.ragged)(0.6, x)
    for position, value in ((0, 0.6), (1, x)):
        expected = np.zeros(np.shape(value))
        for at in np.ndindex(np.shape(value)):
            step = np.zeros(np.shape(value))
            step[at] = 1e-6
            args_plus, args_minus = [0.6, x], [0.6, x]
            args_plus[position] = value + step
            args_minus[position] = value - step
            expected[at] = (m.ragged(*args_plus) - m.ragged(*args_minus)) / 2e-6
        _close(g[position], expected, rtol=1e-5, atol=1e-7)
