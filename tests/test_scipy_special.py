"""scipy.special (an optional dependency): every function with a rule, checked against
central differences and, where it has them, HIPS autograd's rules; second derivatives,
imports in every spelling, the command line reading them without running the file."""
import subprocess
import sys

import autograd
import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text
from srcdiff.frontend.refs import SPECIAL_NAMES
from trust_helpers import fd_directional, fd_grad

scipy_special = pytest.importorskip("scipy.special")

RNG = np.random.default_rng(3)
X = RNG.uniform(0.2, 0.8, (3, 3))
W = RNG.standard_normal((3, 3))
V = RNG.standard_normal((3, 3))

# name -> expression in x (entries in (0.2, 0.8)) and W
CASES = {
    "expit": "np.sum(W * sps.expit(4.0 * x - 2.0) ** 2)",
    "logit": "np.sum(W * sps.logit(x))",
    "logsumexp": "np.sum(W[0] * sps.logsumexp(x * W, axis=0)) + sps.logsumexp(x) + np.sum(W * sps.logsumexp(x, axis=1, keepdims=True))",
    "softmax": "np.sum(W * sps.softmax(x * W, axis=1)) + np.sum(W * sps.softmax(x))",
    "log_softmax": "np.sum(W * sps.log_softmax(x * W, axis=0) ** 2) + np.sum(W * sps.log_softmax(x))",
    "gammaln": "np.sum(W * sps.gammaln(x + 1.0))",
    "digamma": "np.sum(W * sps.digamma(x + 0.5))",
    "erf": "np.sum(W * sps.erf(x * W))",
    "erfc": "np.sum(W * sps.erfc(x) ** 2)",
    "xlogy": "np.sum(W * sps.xlogy(x, x + W ** 2))",
    "xlog1py": "np.sum(W * sps.xlog1py(x ** 2, x))",
    "betaln": "np.sum(W * sps.betaln(x + 1.0, 2.0 * x + W ** 2))",
    "gamma": "np.sum(W * sps.gamma(x + 0.5) ** 2)",
    "rgamma": "np.sum(W * sps.rgamma(2.0 * x + 0.3))",
    "erfinv": "np.sum(W * sps.erfinv(x - 0.5) ** 2)",
    "erfcinv": "np.sum(W * sps.erfcinv(x + 0.1))",
    "psi": "np.sum(W * sps.psi(x + 0.5))",
    "j0": "np.sum(W * sps.j0(3.0 * x))", "j1": "np.sum(W * sps.j1(3.0 * x) ** 2)",
    "jv": "np.sum(W * sps.jv(2.5, 3.0 * x))", "jn": "np.sum(W * sps.jn(2, 3.0 * x))",
    "y0": "np.sum(W * sps.y0(x + 0.5))", "y1": "np.sum(W * sps.y1(x + 0.5))",
    "yv": "np.sum(W * sps.yv(1.5, x + 0.5))", "yn": "np.sum(W * sps.yn(2, x + 0.5))",
    "i0": "np.sum(W * sps.i0(2.0 * x - 0.5))", "i1": "np.sum(W * sps.i1(2.0 * x - 0.5) ** 2)",
    "iv": "np.sum(W * sps.iv(1.5, 2.0 * x))", "ive": "np.sum(W * sps.ive(2.0, 4.0 * x - 2.0))",
    "polygamma": "np.sum(W * sps.polygamma(1, x + 0.5)) + np.sum(W * sps.polygamma(0, x))",
}
AUTOGRAD = {"expit", "logit", "logsumexp", "gammaln", "digamma", "erf", "erfc", "betaln", "gamma", "rgamma", "erfinv",
            "erfcinv", "psi", "j0", "j1", "jn", "y0", "y1", "yn", "i0", "i1", "iv", "ive", "polygamma"}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    text = "import numpy as np\nimport scipy.special as sps\n" + "".join(
        f"\n\ndef {name}(x, W):\n    return {expr}\n" for name, expr in CASES.items())
    return import_text(tmp_path_factory.mktemp("special"), text, "scipy_special_cases")


def test_every_function_named_by_the_issue_has_a_case():
    assert set(CASES) == SPECIAL_NAMES


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_and_second_derivatives(module, name):
    f = getattr(module, name)
    got = srcdiff.grad(f, wrt=0)(X, W)
    np.testing.assert_allclose(got, fd_grad(f, (X, W), 0), rtol=1e-5, atol=1e-6)
    if name in AUTOGRAD:
        reference = autograd.grad(lambda x: eval(CASES[name], {"np": anp, "sps": asp, "W": W, "x": x}))(X)
        np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(X, W, V), fd_directional(f, (X, W), 0, V), rtol=1e-5, atol=1e-6)
    gradient = srcdiff.grad(f, wrt=0)
    along = (gradient(X + 1e-6 * V, W) - gradient(X - 1e-6 * V, W)) / 2e-6
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(srcdiff.hvp(f, wrt=0, mode=mode)(X, W, V), along, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(srcdiff.jacobian(f, wrt=1)(X, W), fd_grad(f, (X, W), 1), rtol=1e-5, atol=1e-6)


SPELLINGS = '''
import numpy as np
import scipy.special
from scipy import special
from scipy.special import expit, logsumexp as lse


def spelled(x):
    return np.sum(scipy.special.expit(x) + special.erf(x) + expit(2.0 * x)) + lse(x)


def with_out(x):
    return np.sum(special.expit(x, out=np.empty_like(x)))


def with_weights(x):
    return special.logsumexp(x, b=x)
'''


def test_every_import_spelling_and_the_refusals(tmp_path):
    module = import_text(tmp_path, SPELLINGS, "scipy_spellings")
    x = np.linspace(-1.0, 1.0, 4)
    np.testing.assert_allclose(srcdiff.grad(module.spelled)(x), fd_grad(module.spelled, (x,), 0), atol=1e-6)
    for fn, words in ((module.with_out, "out="), (module.with_weights, "keyword argument b=")):
        with pytest.raises(srcdiff.SrcdiffError, match=words):
            srcdiff.grad(fn)(x)


def test_the_command_line_reads_scipy_special_without_running_the_file(tmp_path):
    path = tmp_path / "uses_scipy.py"
    path.write_text(SPELLINGS)
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), f"{path}:spelled"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "scipy.special.expit(x)" in result.stdout and "scipy.special.logsumexp(x)" in result.stdout
