"""Lambdas, nested defs, closures and functools.partial read from files by the command
line (which never runs them), the same text as the Python API gives; and the sample
``samples/lambdas.py`` against finite differences."""
import functools

import numpy as np
import pytest

import srcdiff
from conftest import SAMPLES, import_text, load_sample
from gradcheck import numeric_grad
from test_cli import assert_error, run_cli, write

FILE = """\
import functools
import numpy as np

square, cube = lambda x: x ** 2, lambda x: x ** 3


def scaled(x, k, shift=0.0):
    return np.tanh(k * x) + shift


def f(x, W):
    def layer(h, scale=2.0):
        return np.sin(W @ h) * scale

    act = lambda z: z * cube(z)
    return np.sum(act(layer(x)))


half = functools.partial(scaled, k=0.5)
shifted = functools.partial(scaled, 1.5, shift=2.0)
"""


@pytest.fixture
def files(tmp_path):
    """``(path, module)``: FILE written for the command line, and imported for the API."""
    path = write(tmp_path, FILE)
    return path, import_text(tmp_path, FILE)


def cli_text(path, name, *options):
    result = run_cli(f"{path}:{name}", *options)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_nested_defs_and_lambdas_in_a_file(files):
    path, module = files
    assert cli_text(path, "f") == srcdiff.grad(module.f).source.strip()


@pytest.mark.parametrize("name,expected", [("square", "def grad_lambda(x):"), ("cube", "def grad_lambda(x):"),
                                           ("half", "def grad_scaled(x, *, k=0.5, shift=0.0):"),
                                           ("shifted", "def grad_scaled(k, *, shift=2.0):")])
def test_lambdas_and_partials_named_in_a_file(files, name, expected):
    path, module = files
    text = cli_text(path, name)
    assert text.startswith(expected)
    assert text == srcdiff.grad(getattr(module, name)).source.strip()


def test_jvp_and_hvp_of_a_partial_in_a_file(files):
    path, module = files
    assert cli_text(path, "half", "--hvp", "--wrt", "x") == srcdiff.hvp(module.half, wrt="x").source.strip()
    assert cli_text(path, "half", "--jvp") == srcdiff.jvp(module.half).source.strip()


def test_a_partial_of_what_the_file_computes_is_refused(tmp_path):
    path = write(tmp_path, "import functools\n\n\ndef g(x, k):\n    return x * k\n\n\nK = [1.0]\n"
                           "p = functools.partial(g, k=K[0])\n")
    assert_error(run_cli(f"{path}:p"), path, 9, 28, r"only when they are literals")


def test_the_sample_against_finite_differences():
    sample = load_sample("lambdas")
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3))
    for f in (sample.lambdas, sample.steep):
        got = srcdiff.grad(f, wrt=(0, 1, 2, 3))(*args)
        for index, gradient in enumerate(got):
            np.testing.assert_allclose(gradient, numeric_grad(f, args, index), rtol=1e-5, atol=1e-7)
    assert srcdiff.grad(sample.lambdas, wrt="alpha")(*args) == pytest.approx(
        numeric_grad(lambda a: sample.lambdas(*args, alpha=a), (0.1,), 0), rel=1e-5)
    assert isinstance(sample.steep, functools.partial)


def test_the_sample_on_the_command_line_matches_the_api():
    sample = load_sample("lambdas")
    for name, fn in (("lambdas", sample.lambdas), ("steep", sample.steep), ("softplus", sample.softplus)):
        result = run_cli(f"{SAMPLES / 'lambdas.py'}:{name}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == srcdiff.grad(fn).source.strip()
