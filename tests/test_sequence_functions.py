"""Functions of whole sequences (``rules.sequence_functions``): the ``statistics`` module's
``fmean``, ``mean``, ``pvariance``, ``variance``, ``pstdev`` and ``stdev`` of one sequence (a list
parameter, a display, a comprehension, a generator expression, an array), differentiated as
NumPy's mean, var and std of the list, and ``math.dist(p, q)`` of points known at run time;
each called as it is (the value is the library's own).  Before, the statistics functions were
refused by name, and ``math.dist`` of anything but two displays.  Checked on every path against
central differences; a gradient comes back in its parameter's type (a list for a list, as
``math.fsum``'s now does)."""
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample, printed_gradient
from trust_helpers import assert_first_parameter_paths, fd_grad

SOURCE = '''
import math
import statistics
from statistics import fmean, stdev

import numpy as np


def mse(pred, target):
    return statistics.mean((p - t) ** 2 for p, t in zip(pred, target))


def spread(xs):
    return statistics.pvariance(xs) + statistics.stdev(xs) * statistics.variance(xs) + statistics.pstdev(xs)


def medians(xs, w):
    return statistics.median(xs) * w + statistics.median([x * x for x in xs[:3]])


def standardized(xs, w):
    m, s = statistics.fmean(xs), stdev(xs)
    return fmean([w * ((x - m) / s) ** 3 for x in xs])


def of_a_display(a, b, c):
    return statistics.variance([a, b * a, c]) * statistics.mean((a, b, c))


def of_an_array(x):
    return statistics.fmean(np.tanh(x)) * np.sum(x * x) + statistics.pstdev(x)


def fsum_whole(xs):
    return math.fsum(xs) * 2.0


def distance(p, q):
    return math.dist(p, q) ** 2 + math.dist(p, q) * p[0]


def distance_to_a_display(q, x):
    return math.dist((x, 2.0 * x, 0.5), q)


def nearest_sum(points, c):
    return sum(math.dist(c, point) for point in points)
'''

XS = [0.3, -1.2, 0.8, 2.0]
CASES = {"mse": (XS, [0.5, -1.0, 0.2, 1.1]), "spread": (XS,), "standardized": (XS, 0.7), "medians": (XS, 0.7),
         "of_a_display": (0.4, -1.3, 0.9), "of_an_array": (np.array(XS),), "fsum_whole": (XS,),
         "distance": ([1.0, 2.0, -0.5], [0.3, 4.0, 1.5]), "distance_to_a_display": ([0.2, 1.5, -1.0], 0.7),
         "nearest_sum": (np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]]), [0.3, 0.9])}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("sequence_functions"), SOURCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


def test_hessian_and_the_gradient_of_the_gradient(module):
    xs = np.array(XS)
    hessian = srcdiff.hessian(module.spread)(xs)
    gradient = srcdiff.grad(module.spread)
    columns = [(gradient(xs + 1e-6 * e) - gradient(xs - 1e-6 * e)) / 2e-6 for e in np.eye(len(xs))]
    np.testing.assert_allclose(hessian, np.stack(columns, axis=-1), rtol=1e-5, atol=1e-6)
    first = srcdiff.grad(module.of_a_display, wrt=0)
    second = srcdiff.grad(first, wrt=0)(0.4, -1.3, 0.9)
    assert second == pytest.approx((first(0.4 + 1e-6, -1.3, 0.9) - first(0.4 - 1e-6, -1.3, 0.9)) / 2e-6, rel=1e-6)


def test_generated_code_calls_the_module(module):
    """The forward calls statistics itself; the backward is NumPy's variance and deviation rules."""
    text = srcdiff.grad(module.spread).source
    assert "statistics.pvariance(xs)" in text and "rt.var_grad(" in text and "ddof=1" in text


def test_the_command_line(tmp_path):
    printed = printed_gradient(tmp_path, SOURCE, "standardized")
    assert "statistics.fmean(xs)" in printed and "statistics.stdev(xs)" in printed


def test_export_runs_without_srcdiff(tmp_path, module):
    path = srcdiff.export(module.spread, tmp_path / "grad_spread.py")
    text = path.read_text()
    assert "import statistics" in text
    namespace = {}
    exec(compile(text, str(path), "exec"), namespace)
    np.testing.assert_allclose(namespace["grad_spread"](XS), srcdiff.grad(module.spread)(XS), rtol=1e-12)


@pytest.mark.parametrize("kind", [list, tuple], ids=["list", "tuple"])
def test_distance_along_the_second_point(module, kind):
    p, q = np.array([1.0, 2.0, -0.5]), np.array([0.3, 4.0, 1.5])
    gradient = srcdiff.grad(module.distance, wrt=1)(kind(p.tolist()), kind(q.tolist()))
    assert type(gradient) is kind
    np.testing.assert_allclose(gradient, fd_grad(module.distance, (p, q), 1), rtol=1e-6)
    hessian = srcdiff.hessian(module.distance, wrt=1)(p, q)
    columns = [fd_grad(lambda b: srcdiff.grad(module.distance, wrt=1)(p, b) @ e, (q,), 0) for e in np.eye(3)]
    np.testing.assert_allclose(hessian, np.stack(columns), rtol=1e-5, atol=1e-7)


def test_a_direction_given_as_a_list(module):
    """hvp along a list: the tangent meets element-wise code as an array (``rt.broadcast_like``),
    where a list would have been repeated by ``*`` (a raw TypeError before)."""
    p, q, v = [1.0, 2.0, -0.5], [0.3, 4.0, 1.5], [0.3, -1.0, 0.6]
    expected = srcdiff.hvp(module.distance)(np.array(p), np.array(q), np.array(v))
    np.testing.assert_allclose(srcdiff.hvp(module.distance)(p, q, v), expected, rtol=1e-12)


def test_other_functions_of_the_module_are_refused_by_name(tmp_path):
    module = import_text(tmp_path, "import statistics\n\n\ndef f(xs):\n    return statistics.median_low(xs) * 2.0\n")
    with pytest.raises(srcdiff.SrcdiffError, match="statistics.median_low") as caught:
        srcdiff.grad(module.f)(XS)
    assert caught.value.lineno == 5


def test_importing_srcdiff_does_not_import_statistics():
    """The module is imported where a function calls it (its own code imports it anyway), not with srcdiff."""
    code = "import sys, srcdiff; srcdiff.grad; print('statistics' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_sample_against_differences(capsys):
    """``samples/data_summary.py`` (its generated code is golden: ``test_golden``): the gradient in
    the readings' own type, against central differences, and its message printed once a call."""
    sample = load_sample("data_summary")
    readings, target = [1.2, 0.7, 1.9, 1.4], 1.0
    grad_readings, grad_target = srcdiff.grad(sample.summary_loss, wrt=(0, 1))(readings, target)
    assert type(grad_readings) is list
    x = np.array(readings)
    expected = [(sample.summary_loss(list(x + 1e-6 * e), target) - sample.summary_loss(list(x - 1e-6 * e), target)) / 2e-6
                for e in np.eye(len(x))]
    np.testing.assert_allclose(grad_readings, expected, rtol=1e-6)
    assert grad_target == pytest.approx(fd_grad(sample.summary_loss, (x, target), 1), rel=1e-6)
    capsys.readouterr()  # the function's own prints above
    srcdiff.grad(sample.summary_loss)(readings, target)
    assert capsys.readouterr().out == "mean=1.300 spread=0.497\n"
