"""Gradients specialized to their arguments' kinds (issue 13): dispatch, ``source_for``,
``--sig``, float32 kept through every adjoint, agreement with the generic code and with
finite differences, and ``jit="numba"`` (skipped where numba is missing)."""
import inspect
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, load_sample
from gradcheck import check_grad, numeric_grad

import srcdiff
from srcdiff.analysis import Kind, call_key, kind_of, parse_signature

pytestmark = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                reason="pytest --generic: gradients run their generic code, nothing is specialized")


RECURRENCE = load_sample("recurrence")  # kept for the module: gradients hold their functions weakly
recurrence = RECURRENCE.recurrence


def recurrence_items(w, u, xs):
    """The same recurrence written over the items."""
    h = 0.0
    for x in xs:
        h = math.tanh(w * h + u * x)
    return h


def mixed(a, n, flag, xs, W):
    """Every kind at once: a float, an int, a bool, a sequence read by item, a matrix."""
    s = a * xs[0] + xs[n] * xs[-1]
    if flag:
        s = s * 2.0
    return s + np.sum(W * W) * a + np.sum(np.tanh(W @ W.T))


def softmax_rows(X, W):
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(scores)
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * p) + np.mean(W ** 2)


def net_args(dtype, seed=0):
    rng = np.random.default_rng(seed)
    floats = [rng.normal(size=s) * 0.5 for s in ((5, 6), (6,), (6, 3), (3,), (8, 5))]
    return [a.astype(dtype) for a in floats] + [rng.integers(0, 3, 8), 0.1]


# ---------------------------------------------------------------- kinds and signatures

@pytest.mark.parametrize("value, kind", [
    (1.5, "float"), (3, "int"), (True, "bool"), ([1.0, 2.0], "list"), ((1, 2.0), "tuple"), ([], "list"),
    (np.ones(3), "f64[1]"), (np.ones((2, 3), np.float32), "f32[2]"),
])
def test_kind_of_each_argument(value, kind):
    assert str(kind_of(value)) == kind


@pytest.mark.parametrize("value", [np.float64(1.0), np.ones(3, int), np.array(2.0), {"a": 1.0}, [np.ones(2)], None])
def test_values_without_a_kind(value):
    assert kind_of(value) is None


def test_equal_keys_mean_equal_kinds():
    a, b = (0.5, [1.0, 2.0], np.ones((2, 2), np.float32)), (1.5, [3.0], np.zeros((4, 1), np.float32))
    assert call_key(a) == call_key(b) and [kind_of(v) for v in a] == [kind_of(v) for v in b]
    assert call_key((0.5,)) != call_key((1,)) != call_key((np.ones(2),)) != call_key((np.ones(2, np.float32),))


def test_signature_grammar():
    assert parse_signature("x=float,xs=list,W=f32[2],b=f64[1]") == {
        "x": Kind("float"), "xs": Kind("list"), "W": Kind("array", 2, "f32"), "b": Kind("array", 1, "f64")}
    for bad in ("x=double", "x", "x=f32[0]", "x=float,x=int", "1x=float"):
        with pytest.raises(ValueError):
            parse_signature(bad)


# ---------------------------------------------------------------- dispatch

def test_each_signature_is_built_once_and_cached():
    g = srcdiff.grad(mixed)
    table = g.__srcdiff_table__
    g(0.5, 1, True, [1.0, 2.0, 3.0], np.ones((2, 2)))
    g(0.7, 2, False, [4.0, 5.0, 6.0], np.zeros((3, 3)))
    assert len(table) == 1
    g(0.5, 1, True, (1.0, 2.0, 3.0), np.ones((2, 2), np.float32))
    assert len(table) == 2
    assert g.source_for(0.5, 1, True, (1.0, 2.0), np.ones((2, 2), np.float32)) is not g.source_for(
        0.5, 1, True, [1.0, 2.0], np.ones((2, 2)))


@pytest.mark.parametrize("xs", [[0.3, -0.2, 0.5, 0.1], (0.3, -0.2, 0.5, 0.1), np.array([0.3, -0.2, 0.5, 0.1]),
                                np.array([0.3, -0.2, 0.5, 0.1], np.float32)])
@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_kind_against_generic_code_and_finite_differences(xs, flag, dtype):
    W = np.array([[0.2, -0.4], [0.7, 0.1]], dtype)
    g = srcdiff.grad(mixed, wrt=(0, 3, 4))
    args = (0.5, 2, flag, xs, W)
    got, generic = g(*args), g.__srcdiff_generic__(*args)
    assert type(got[1]) is type(generic[1]) and got[2].dtype == W.dtype
    for a, b in zip(got, generic):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-5)
    tol = 2e-3 if dtype == np.float32 or getattr(xs, "dtype", None) == np.float32 else 1e-6
    as_arrays = [0.5, 2, flag, np.asarray(xs, float), W]  # a list's differences: entry by entry of its array
    for position, grad in zip((0, 3, 4), got):
        np.testing.assert_allclose(np.asarray(grad, float), numeric_grad(mixed, as_arrays, position), rtol=tol, atol=tol)


@pytest.mark.parametrize("fn", [recurrence, recurrence_items])
@pytest.mark.parametrize("xs", [[0.3, -0.2, 0.5], (0.3, -0.2, 0.5), np.array([0.3, -0.2, 0.5]), []])
def test_loops_over_data_against_generic_code(fn, xs):
    g = srcdiff.grad(fn)
    got, generic = g(0.8, 0.6, xs), g.__srcdiff_generic__(0.8, 0.6, xs)
    assert got[:2] == pytest.approx(generic[:2]) and type(got[2]) is type(generic[2])
    np.testing.assert_allclose(np.asarray(got[2], float), np.asarray(generic[2], float))
    if len(xs):
        check_grad(fn, 0.8, 0.6, np.asarray(xs, float))


def test_keywords_run_the_code_of_the_call_by_position_and_kindless_arguments_the_generic_code():
    g = srcdiff.grad(recurrence)
    by_keyword, generic = g(0.8, 0.6, xs=[0.1, 0.2]), g.__srcdiff_generic__(0.8, 0.6, [0.1, 0.2])
    assert by_keyword == g(0.8, 0.6, [0.1, 0.2]) and by_keyword[:2] == pytest.approx(generic[:2])
    assert by_keyword[2] == pytest.approx(generic[2])
    g(np.float64(0.8), np.float64(0.6), np.array([1, 2]))
    assert g.__srcdiff_generic__ in g.__srcdiff_table__.values()


def neuron_like(w, x, b):
    return 1.0 / (1.0 + math.exp(-(w * x + b)))


def counted(x, n):
    for i in range(n):
        x = math.sin(x) * x + max(x, 0.5)
    return x


def longest(x, xs):
    return max(xs) * x + len(xs)


@pytest.mark.parametrize("fn, args", [(neuron_like, (0.3, -1.2, 0.4)), (counted, (0.7, 3)), (counted, (2, 2))])
def test_functions_of_numbers_alone_run_their_own_code_without_dispatch(fn, args):
    g = srcdiff.grad(fn, wrt=0)
    assert not hasattr(g, "__srcdiff_table__")
    # straight-line code runs a tight text (test_runs_tight.py), code with loops its generic text
    assert (g.source_for(*args) == g.source) is (fn is counted or os.environ.get("SRCDIFF_GENERIC") == "1")
    assert g(*args) == pytest.approx(numeric_grad(fn, [float(args[0]), *args[1:]], 0), rel=1e-6)
    assert g(np.float64(args[0]), *args[1:]) == pytest.approx(g(*args))  # a NumPy scalar: the same code


def affine(w, x, b):
    return w * x + b


def test_a_function_of_numbers_alone_given_an_array_still_refuses_a_result_of_many_numbers():
    g = srcdiff.grad(affine)
    assert g(np.array(0.5), 2.0, 1.0) == pytest.approx((2.0, 0.5, 1.0))  # a 0-d array is one number
    with pytest.raises(srcdiff.SrcdiffError):
        g(np.array([0.3, 0.1]), -1.2, 0.4)


@pytest.mark.parametrize("fn", [recurrence, recurrence_items, longest])
def test_functions_reading_sequences_dispatch(fn):
    assert hasattr(srcdiff.grad(fn), "__srcdiff_table__")


def test_a_gradient_of_the_dispatching_function_is_built_from_its_generic_code():
    g = srcdiff.grad(recurrence_items, wrt=0)
    assert srcdiff.grad(g, wrt=0)(0.8, 0.6, [0.1, 0.2]) == pytest.approx(
        numeric_grad(lambda w: g(w, 0.6, [0.1, 0.2]), [0.8], 0), rel=1e-5)
    assert inspect.unwrap(g) is g.__srcdiff_generic__


# ---------------------------------------------------------------- what the specialized code says

def test_source_for_a_list_reads_floats_and_adds_in_place():
    g = srcdiff.grad(recurrence)
    text = g.source_for(0.8, 0.6, [0.1, 0.2])
    assert g.source != text and "rt.index_grad" in g.source and "rt.unbroadcast" in g.source
    for helper in ("rt.unbroadcast", "rt.index_grad", "rt.like", "np.sum", "rt.zeros_like"):
        assert helper not in text
    assert "grad_xs[i] += grad_s2" in text


def test_source_for_a_list_tapes_the_carried_value_alone():
    """The next value is the carried value one iteration on; an item of a list the function
    only reads is read again (an array's is taped: a NumPy scalar costs more than the tape)."""
    g = srcdiff.grad(recurrence)
    text = g.source_for(0.8, 0.6, [0.1, 0.2])
    assert "tape.append(h)\n" in text and "h_1 = h\n        h = tape.pop()\n        s2 = xs[i]\n" in text
    assert "1.0 - h_1 * h_1" in text
    assert "tape.append((h, s2))" in g.source_for(0.8, 0.6, np.array([0.1, 0.2]))
    assert "tape.append((h, s1, s2, s3))" in g.source  # xs may be anything: taped
    items = srcdiff.grad(recurrence_items).source_for(0.8, 0.6, (0.1, 0.2))
    assert "for k in reversed(range(iterations)):\n        h_1 = h\n        h = tape.pop()\n        x = xs[k]\n" in items


def test_source_for_matrices_writes_the_products():
    sample = load_sample("two_layer_net")  # kept alive: a gradient holds its function weakly
    g = srcdiff.grad(sample.two_layer_net, wrt=(0, 1, 2, 3))
    text = g.source_for(*net_args(np.float32))
    assert "grad_hidden = grad_s3 @ W2.T" in text and "X.T @ " in text and "matmul_grad" not in text
    assert "grad_s4 = -np.sum(grad_scores_1, axis=1, keepdims=True)" in text  # the negation taken out of the sum
    assert "grad_W1 = X.T @ " in text and text.index("grad_W1 = X.T @ ") < text.index("grad_W1 += 2.0 * s9 * W1")
    assert "del s2" in text and "0.0 < hidden" in text  # np.maximum's mask read from its result: s2 freed at once
    assert "grad_hidden *= 0.0 < hidden\n    grad_s2 = grad_hidden\n" in text  # applied in place: no new array
    assert "rt.matmul_grad_left" in g.source
    assert "rt.like(grad_b1, b1)" in text  # a vector not read item by item keeps its dtype, shape, a copy


@pytest.mark.parametrize("fn, args", [
    (load_sample("two_layer_net").two_layer_net, net_args(np.float32)),
    (softmax_rows, [np.ones((4, 3), np.float32) * 0.3, np.arange(6, dtype=np.float32).reshape(3, 2) / 7]),
])
def test_float32_stays_float32_through_every_adjoint(fn, args):
    g = srcdiff.grad(fn)
    g(*args)
    adjoints = _adjoints_seen(next(f for f in g.__srcdiff_table__.values() if f is not g.__srcdiff_generic__), args)
    arrays = {name: a.dtype for name, a in adjoints if isinstance(a, np.ndarray)}
    assert arrays and all(dtype == np.float32 for dtype in arrays.values()), arrays


def _adjoints_seen(compiled, args):
    """Every (name, value) of a ``grad_*`` local of ``compiled`` at each line it runs."""
    seen = []

    def tracer(frame, event, arg):
        if frame.f_code is compiled.__code__:
            seen.extend((k, v) for k, v in frame.f_locals.items() if k.startswith("grad_"))
            return tracer
        return None
    sys.settrace(tracer)
    try:
        compiled(*args)
    finally:
        sys.settrace(None)
    return seen


def test_float32_net_against_generic_and_float64():
    sample = load_sample("two_layer_net")  # kept alive: a gradient holds its function weakly
    g = srcdiff.grad(sample.two_layer_net, wrt=(0, 1, 2, 3))
    got, wide = g(*net_args(np.float32)), g(*net_args(np.float64))
    assert len(g.__srcdiff_table__) == 2 and g.__srcdiff_generic__ not in g.__srcdiff_table__.values()
    for a, b in zip(got, wide):
        assert a.dtype == np.float32 and a.flags.writeable
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- the command line

def _cli(*argv):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *argv], capture_output=True, text=True, cwd=ROOT)


def test_sig_prints_what_source_for_returns():
    done = _cli(f"{ROOT / 'samples' / 'two_layer_net.py'}", "--sig", "W1=f32[2],b1=f32[1],W2=f32[2],b2=f32[1],"
                "X=f32[2],reg=float", "--wrt", "W1,b1,W2,b2")
    assert done.returncode == 0, done.stderr
    g = srcdiff.grad(load_sample("two_layer_net").two_layer_net, wrt=("W1", "b1", "W2", "b2"))
    # y, an int array, has no kind: --sig leaves it out
    assert done.stdout.split("\n", 1)[1] == g.source_for(*net_args(np.float32)) != g.source
    assert done.stdout.startswith("# the code srcdiff.grad runs for arguments of kinds W1=f32[2],")


@pytest.mark.parametrize("sig, message", [("w=double", "unknown kind 'double'"), ("q=float", "no parameter named 'q'")])
def test_sig_errors(tmp_path, sig, message):
    path = tmp_path / "rec.py"
    path.write_text("import math\n\n" + inspect.getsource(recurrence))
    done = _cli(str(path), "--sig", sig)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1


def test_sig_applies_to_the_gradient_only():
    done = _cli(str(ROOT / "samples" / "loop_range.py"), "--sig", "x=float", "--ssa")
    assert done.returncode == 2 and "--sig specializes the gradient's code" in done.stderr


# ---------------------------------------------------------------- jit="numba"

def test_numba_missing_is_an_import_error_saying_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)
    with pytest.raises(ImportError, match="pip install"):
        srcdiff.grad(recurrence_items, jit="numba")


def test_an_unknown_jit_is_refused():
    with pytest.raises(ValueError, match="jit='numba'"):
        srcdiff.grad(recurrence, jit="cython")


@pytest.mark.parametrize("fn", [recurrence, recurrence_items])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_gives_the_numbers_of_the_python_code(fn, dtype):
    pytest.importorskip("numba")
    xs = (np.linspace(-1.0, 1.0, 50) ** 3).astype(dtype)
    got, want = srcdiff.grad(fn, jit="numba")(0.8, 0.6, xs), srcdiff.grad(fn)(0.8, 0.6, xs)
    assert got[2].dtype == dtype and got[:2] == pytest.approx(want[:2], rel=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-5)


def numba_refused(x, W):
    y = x * 2.0
    return np.sum(W) * y


def test_numba_names_the_statement_it_cannot_compile():
    pytest.importorskip("numba")
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(numba_refused, jit="numba")
    assert "jit='numba' cannot compile 'np.sum'" in str(info.value)
    assert info.value.lineno == numba_refused.__code__.co_firstlineno + 2 and info.value.col == 11


def numba_branch_tapes_two_kinds(xs, s):
    acc = 0.0
    for x in xs:
        if x > 0.0:
            acc = acc + math.sin(x) * s
    return acc


def numba_branch_tapes_flags(xs, s):
    acc = 0.0
    for i in range(len(xs)):
        if xs[i] > 0.0:
            acc = acc + xs[i] * s
        else:
            acc = acc - xs[i]
    return acc * s


def test_numba_compiles_a_branch_in_a_loop_whose_tape_holds_two_types():
    """The tape of a loop holds each iteration's branch flag and the values one side keeps: of
    two types here.  numba's lists hold one, so its code keeps a list per push (``emit.tape``);
    this was refused at the ``if`` before (``test_numba_tapes.py`` has the other shapes)."""
    pytest.importorskip("numba")
    xs = np.array([0.3, -0.5, 0.9])
    got, want = srcdiff.grad(numba_branch_tapes_two_kinds, jit="numba")(xs, 0.7), \
        srcdiff.grad(numba_branch_tapes_two_kinds)(xs, 0.7)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    assert got[1] == pytest.approx(want[1], rel=1e-12) == math.sin(0.3) + math.sin(0.9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_compiles_a_branch_in_a_loop_that_tapes_one_type(dtype):
    pytest.importorskip("numba")
    xs = np.array([0.3, -0.5, 0.9, 0.1, -1.2], dtype=dtype)
    got, want = srcdiff.grad(numba_branch_tapes_flags, jit="numba")(xs, 0.7), srcdiff.grad(numba_branch_tapes_flags)(xs, 0.7)
    assert got[0].dtype == dtype and got[1] == pytest.approx(want[1], rel=1e-6)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    strided = srcdiff.grad(numba_branch_tapes_flags, jit="numba")(xs[::2], 0.7)  # not C-contiguous: compiled again
    np.testing.assert_allclose(strided[0], srcdiff.grad(numba_branch_tapes_flags)(xs[::2], 0.7)[0], rtol=1e-6)


def test_numba_names_an_argument_of_another_kind():
    pytest.importorskip("numba")
    with pytest.raises(srcdiff.SrcdiffError, match="'xs' is a list"):
        srcdiff.grad(recurrence, jit="numba")(0.8, 0.6, [0.1, 0.2])


# ---------------------------------------------------------------- the fast path and other libraries' arrays

def weighted_parts(parts, w):
    return np.sum(parts[0] * w) + np.sum(parts[1] ** 2)


def test_only_keys_that_cannot_hold_dask_or_other_arrays_enter_the_fast_table():
    from srcdiff.pipeline.specialize import plain
    assert plain(call_key([np.ones(2), 1.5, 3, [0.5, 1.0], (), "a", None]))
    assert not plain(call_key([[np.ones(2)]])) and not plain(call_key([{"a": np.ones(2)}]))
    torch = pytest.importorskip("torch")
    assert not plain(call_key([torch.ones(2)]))


def test_a_list_of_arrays_holding_a_dask_array_after_numpy_lists_is_still_found():
    da = pytest.importorskip("dask.array")
    g = srcdiff.grad(weighted_parts, wrt=1)
    w = np.array([0.5, -1.0, 2.0])
    parts = [np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3])]
    want = g(parts, w)  # a list of NumPy arrays first: its key is kept aside, off the fast path
    assert not any(isinstance(k, tuple) and k and k[0] == (list, np.ndarray) for k in g.__srcdiff_table__)
    lazy_parts = [da.from_array(parts[0], chunks=3), parts[1]]
    got = g(lazy_parts, w)  # found on the slow path: one graph, computed once
    np.testing.assert_allclose(got, want)
    assert isinstance(got, np.ndarray)


def test_numpy_code_refuses_a_torch_tensor_in_a_dict_after_numpy_dicts():
    torch = pytest.importorskip("torch")
    g = srcdiff.grad(weighted_parts, wrt=1)
    w = np.array([0.5, -1.0, 2.0])
    g({0: np.ones(3), 1: np.ones(3)}, w)
    with pytest.raises(srcdiff.SrcdiffError, match="written with NumPy"):
        g({0: torch.ones(3, dtype=torch.float64), 1: np.ones(3)}, w)
