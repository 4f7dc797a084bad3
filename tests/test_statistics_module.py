"""Python's ``statistics`` module: ``fmean``, ``mean``, ``pvariance``, ``variance``, ``pstdev``
and ``stdev`` of one sequence (a list parameter, a display, a comprehension, a generator
expression, an array), called as they are (their values are the module's own) and
differentiated as NumPy's mean, var and std of the list (``rules.statistics_module``).
Before, each was refused by name.  Checked on every path against central differences; a
gradient comes back in its parameter's type (a list for a list, as ``math.fsum``'s now does)."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text, run_cli
from trust_helpers import assert_first_parameter_paths

SOURCE = '''
import math
import statistics
from statistics import fmean, stdev

import numpy as np


def mse(pred, target):
    return statistics.mean((p - t) ** 2 for p, t in zip(pred, target))


def spread(xs):
    return statistics.pvariance(xs) + statistics.stdev(xs) * statistics.variance(xs) + statistics.pstdev(xs)


def standardized(xs, w):
    m, s = statistics.fmean(xs), stdev(xs)
    return fmean([w * ((x - m) / s) ** 3 for x in xs])


def of_a_display(a, b, c):
    return statistics.variance([a, b * a, c]) * statistics.mean((a, b, c))


def of_an_array(x):
    return statistics.fmean(np.tanh(x)) * np.sum(x * x) + statistics.pstdev(x)


def fsum_whole(xs):
    return math.fsum(xs) * 2.0
'''

XS = [0.3, -1.2, 0.8, 2.0]
CASES = {"mse": (XS, [0.5, -1.0, 0.2, 1.1]), "spread": (XS,), "standardized": (XS, 0.7),
         "of_a_display": (0.4, -1.3, 0.9), "of_an_array": (np.array(XS),), "fsum_whole": (XS,)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("statistics_module"), SOURCE)


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
    path = tmp_path / "stats_cli.py"
    path.write_text(SOURCE)
    result = run_cli(f"{path}:standardized")
    assert result.returncode == 0, result.stderr
    assert "statistics.fmean(xs)" in result.stdout and "statistics.stdev(xs)" in result.stdout


def test_export_runs_without_srcdiff(tmp_path, module):
    path = srcdiff.export(module.spread, tmp_path / "grad_spread.py")
    text = path.read_text()
    assert "import statistics" in text
    namespace = {}
    exec(compile(text, str(path), "exec"), namespace)
    np.testing.assert_allclose(namespace["grad_spread"](XS), srcdiff.grad(module.spread)(XS), rtol=1e-12)


def test_other_functions_of_the_module_are_refused_by_name(tmp_path):
    module = import_text(tmp_path, "import statistics\n\n\ndef f(xs):\n    return statistics.median(xs) * 2.0\n")
    with pytest.raises(srcdiff.SrcdiffError, match="statistics.median") as caught:
        srcdiff.grad(module.f)(XS)
    assert caught.value.lineno == 5
