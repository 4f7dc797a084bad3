"""The tight text a gradient of straight-line code of numbers alone runs (``emit.runs``).

Its ``source`` stays the generic text; ``source_for`` shows the text that runs: temporaries
written into their readers, adjoint copies propagated, no check of a result that is a
float whatever the arguments.  The same values as the generic code (which
``__srcdiff_generic__`` compiles when first asked for) and as central differences, for
floats, ints, bools, NumPy scalars and 1-element arrays; derivatives of it transform the
generic code.
"""
import inspect
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import SAMPLES, check_golden, load_sample
from gradcheck import numeric_grad

import srcdiff
from srcdiff.frontend import generic_of
from srcdiff.lower import lower
from srcdiff.pipeline import gradient_source, static_scope
from srcdiff.rules import gives_a_float

# pytest --generic runs every gradient through its generic code: there is no other text to test
pytestmark = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="the generic code runs")


@pytest.mark.parametrize("sample, func", [("neuron", "neuron"), ("exercise", "exercise"), ("norm2", "norm2"),
                                          ("gates", "gates"), ("chain", "chain")])
def test_the_text_that_runs_is_golden(sample, func, update_golden):
    scope = static_scope(str(SAMPLES / f"{sample}.py"))
    source = scope.source(func)
    _, text = gradient_source(lower(source), source, runs=True)
    check_golden(f"runs.{sample}.{func}", text.runs, update_golden)


def test_the_seeds_neuron_runs_its_golden_text_and_shows_the_generic_one():
    g = srcdiff.grad(load_sample("neuron").neuron)
    args = (2.0, -1.0, -3.0, -2.0, -3.0)
    assert g.source_for(*args) == (SAMPLES.parent / "tests" / "golden" / "runs.neuron.neuron.txt").read_text()
    assert g.source == (SAMPLES.parent / "tests" / "golden" / "neuron.neuron.txt").read_text()
    assert inspect.getsource(g) == g.source_for(*args)  # what Python shows is what runs
    assert g(*args) == pytest.approx(generic_of(g)(*args), rel=1e-15)
    assert generic_of(g).source == g.source and generic_of(g) is generic_of(g)


def neuron_like(w, x, b):
    return 1.0 / (1.0 + math.exp(-(w * x + b)))


def norm(x, y):
    return math.sqrt(x ** 2 + y ** 2)


def affine(w, x, b):
    return w * x + b


def mixed(x, y, n):
    t = x * y + 2 * n
    u = t * t - math.sin(x) * n
    return max(u, 0.25) / (1 + abs(y))


def many_copies(x, y, z):
    s = x + y
    t = s + z
    u = t + s
    v = u * 3.0 + x
    return math.tanh(v)


FUNCTIONS = [(neuron_like, (0.3, -1.2, 0.4)), (norm, (3.0, 4.0)), (affine, (0.5, 2.0, 1.0)),
             (mixed, (0.7, -1.3, 3)), (many_copies, (0.2, -0.3, 0.1))]


@pytest.mark.parametrize("fn, args", FUNCTIONS)
def test_the_text_that_runs_gives_the_generic_values_and_central_differences(fn, args):
    g = srcdiff.grad(fn)
    assert not hasattr(g, "__srcdiff_table__")  # no dispatch in front of it
    assert g.source_for(*args) != g.source
    got, generic = g(*args), generic_of(g)(*args)
    assert got == pytest.approx(generic, rel=1e-14, abs=1e-300)
    floats = [float(a) for a in args]
    for i, gi in enumerate(got):
        assert gi == pytest.approx(numeric_grad(fn, floats, i), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("fn, args", FUNCTIONS)
def test_ints_bools_and_numpy_scalars_give_what_the_generic_code_gives(fn, args):
    g = srcdiff.grad(fn)
    generic = generic_of(g)
    for kinds in ([int(round(a)) or 1 for a in args], [True] * len(args),
                  [np.float64(a) for a in args], [np.float32(a) for a in args]):
        try:
            want = generic(*kinds)
        except (srcdiff.SrcdiffError, ValueError, ZeroDivisionError) as err:
            with pytest.raises(type(err)):
                g(*kinds)
            continue
        got = g(*kinds)
        assert [type(v) for v in got] == [type(v) for v in want]
        assert np.allclose(got, want, rtol=1e-6)


def test_arrays_of_one_number_give_what_the_generic_code_gives():
    g = srcdiff.grad(affine)  # its result may be an array: the check stays
    assert "rt.check_scalar" in g.source_for(0.5, 2.0, 1.0)
    for run in (g, generic_of(g)):
        assert run(np.array(0.5), 2.0, 1.0) == pytest.approx((2.0, 0.5, 1.0))  # a 0-d array is one number
        for w in (np.array([0.5]), np.array([0.3, 0.1])):
            with pytest.raises(srcdiff.SrcdiffError, match="returned an array of shape"):
                run(w, -1.2, 0.4)
    h = srcdiff.grad(neuron_like)  # math.exp makes its result a float: no check
    assert "check_scalar" not in h.source_for(0.3, -1.2, 0.4) and "check_scalar" in h.source
    got, want = h(np.array(0.3), -1.2, 0.4), generic_of(h)(np.array(0.3), -1.2, 0.4)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    for w in (np.array([0.3]), np.array([0.3, 0.1])):  # math.exp refuses them in both codes alike
        if w.size == 1 and _math_takes(w):  # NumPy before 2.3 converts an array of one number, warning
            got, want = h(w, -1.2, 0.4), generic_of(h)(w, -1.2, 0.4)
            assert all(np.array_equal(a, b) for a, b in zip(got, want))
            continue
        for run in (h, generic_of(h)):
            with pytest.raises(TypeError):
                run(w, -1.2, 0.4)


def _math_takes(w):
    """Whether ``math.exp`` takes the array ``w`` as a number (NumPy versions differ)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            math.exp(w)
    except TypeError:
        return False
    return True


def test_value_and_grad_runs_a_tight_text_too():
    vg = srcdiff.value_and_grad(norm)
    assert "s0" not in vg.source_for(3.0, 4.0) and "s0 = x * x" in vg.source
    value, gradient = vg(3.0, 4.0)
    assert value == 5.0 and gradient == pytest.approx((0.6, 0.8), rel=1e-15)


def test_derivatives_of_it_transform_the_generic_code():
    g = srcdiff.grad(neuron_like, wrt=0)
    args = (0.3, -1.2, 0.4)
    h = srcdiff.grad(g, wrt=0)
    assert h(*args) == pytest.approx(numeric_grad(lambda w, x, b: g(w, x, b), list(args), 0), rel=1e-6)
    assert srcdiff.grad(g) is srcdiff.grad(generic_of(g))  # one cache entry: the generic function's
    assert srcdiff.hvp(neuron_like, wrt=0)(*args, 1.0) == pytest.approx(h(*args), rel=1e-12)
    along_w = srcdiff.jvp(neuron_like)(*args, 1.0, 0.0, 0.0)
    assert along_w == pytest.approx(srcdiff.grad(neuron_like)(*args)[0])
    assert srcdiff.explain(neuron_like, *args).rows  # explain mode reads the user's function


def test_code_with_loops_or_branches_runs_its_generic_text():
    def counted(x, n):
        for i in range(n):
            x = math.sin(x) * x
        return x

    def branchy(x):
        if x > 0:
            return x * x * 2.0
        return -x

    for fn, args in ((counted, (0.7, 3)), (branchy, (0.5,))):
        g = srcdiff.grad(fn, wrt=0)
        assert g.source_for(*args) == g.source


@pytest.mark.parametrize("fn, proved", [(neuron_like, True), (norm, True), (affine, False), (mixed, False)])
def test_a_result_is_a_float_only_where_every_argument_could_be_an_array(fn, proved):
    assert gives_a_float(lower(srcdiff.frontend.load_function(fn))) is proved


def test_powers_min_and_max_prove_a_float_only_where_they_must_give_one():
    def power(x):
        return math.exp(x) ** 0.5  # a negative base would make a complex number

    def biggest(x):
        return max(math.exp(x), 1)  # may return the int 1

    def squared(x):
        return math.exp(x) ** 2 - max(math.sin(x), 0.5)

    for fn, proved in ((power, False), (biggest, False), (squared, True)):
        assert gives_a_float(lower(srcdiff.frontend.load_function(fn))) is proved


def test_sig_prints_the_text_that_runs():
    done = subprocess.run([sys.executable, str(SAMPLES.parent / "cli.py"), str(SAMPLES / "neuron.py"), "--sig",
                           "w0=float"], capture_output=True, text=True, cwd=SAMPLES.parent)
    assert done.returncode == 0, done.stderr
    g = srcdiff.grad(load_sample("neuron").neuron)
    assert done.stdout.split("\n", 1)[1] == g.source_for(2.0, -1.0, -3.0, -2.0, -3.0) != g.source


def test_numba_compiles_the_text_that_runs():
    pytest.importorskip("numba")
    g = srcdiff.grad(norm, jit="numba")
    assert g(3.0, 4.0) == pytest.approx((0.6, 0.8), rel=1e-15)
    assert "math.sqrt(x * x + y * y)" in g.source_for(3.0, 4.0)


def quartic(x, y):
    return x ** 4 * y - 2 * math.log(y + 1)


def test_int_literals_run_as_floats_but_exponents_stay():
    g = srcdiff.grad(quartic)
    runs = g.source_for(1.5, 2.0)
    assert "** 3" in runs and "** 3.0" not in runs  # an exponent keeps its type
    assert "4.0 *" in runs and "-2.0 /" in runs
    for args in ((1.5, 2.0), (-2.0, 0.5), (2, 3)):
        got, generic = g(*args), generic_of(g)(*args)
        assert got == pytest.approx(generic, rel=1e-15)
        assert all(type(v) is float for v in got)  # a gradient of numbers is a float
        assert got[0] == pytest.approx(numeric_grad(quartic, [float(a) for a in args], 0), rel=1e-6)
        assert got[1] == pytest.approx(numeric_grad(quartic, [float(a) for a in args], 1), rel=1e-6)


def shifted(w, xs, n):
    h = 0.0
    for i in range(1, len(xs)):
        h = math.tanh(w * h + 2 * xs[i - 1] - xs[i] ** 3 + n)
    return h * (1 - h)


def test_specialized_loops_of_numbers_write_adjoint_literals_as_floats_but_not_indices():
    g = srcdiff.grad(shifted, wrt=(0, 1))
    args = (0.6, [0.3, -0.2, 0.5, 0.1], 2)
    text = g.source_for(*args)
    assert "1.0 -" in text and "3.0 *" in text  # in adjoints
    assert "1.0]" not in text and ".0 - 1" not in text  # indices keep their ints
    got, generic = g(*args), generic_of(g)(*args)
    assert got[0] == pytest.approx(generic[0], rel=1e-14)
    assert got[1] == pytest.approx(generic[1], rel=1e-14)
    ints = (0.6, [1, 0, -1, 2], 2)
    assert g(*ints)[1] == pytest.approx(generic_of(g)(*ints)[1], rel=1e-14)

    def at(xs):
        return shifted(0.6, xs, 2)
    for k in range(4):
        step = [1e-6 if j == k else 0.0 for j in range(4)]
        plus = at([x + s for x, s in zip(args[1], step)])
        minus = at([x - s for x, s in zip(args[1], step)])
        assert got[1][k] == pytest.approx((plus - minus) / 2e-6, rel=1e-6, abs=1e-9)
