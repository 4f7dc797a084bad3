"""The harness that runs autograd's own tests on srcdiff (``benchmarks/autograd_corpus.py``),
tested without the network on a small test file written here in autograd's style."""
import json
import pathlib
import sys

import numpy as np
import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import autograd_cases  # noqa: E402
import autograd_corpus  # noqa: E402
from autograd_imports import rewrite  # noqa: E402

# One test per outcome the harness tells apart.
STYLE_OF_AUTOGRAD = '''\
import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.extend import primitive
from autograd.test_util import check_grads, combo_check

npr.seed(3)


def test_sine():
    def fun(x):
        return np.sum(np.sin(x) * x)
    check_grads(fun)(npr.randn(4))


def test_library_function_with_settings():
    combo_check(np.sum, [0])([npr.randn(2, 3)], axis=[None, 0, 1], keepdims=[True, False])


def test_array_result():
    check_grads(lambda x, y: np.outer(x, y) * 2.0, (0, 1))(npr.randn(3), npr.randn(2))


def test_refused():
    def fun(*xs):
        return xs[0] * 2.0
    check_grads(fun)(1.5)


def test_complex():
    check_grads(lambda z: z * z)(1.0 + 2.0j)


def test_autograd_machinery():
    @primitive
    def twice(x):
        return 2.0 * x


def test_own_assert_right():
    assert grad(lambda x: x ** 3)(2.0) == 12.0


def test_own_assert_wrong():
    assert grad(lambda x: x ** 3)(2.0) == 13.0
'''

EXPECTED = {  # test -> the statuses of its cases, in order
    "test_sine": ["pass", "pass"],  # the gradient, then the hvp of a scalar result
    "test_library_function_with_settings": ["pass"] * 7,  # axis=None without keepdims: a scalar, and its hvp
    "test_array_result": ["pass"],
    "test_refused": ["refused"],
    "test_complex": ["skip"],
    "test_autograd_machinery": ["skip"],
    "test_own_assert_right": ["pass"],
    "test_own_assert_wrong": ["wrong"],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agstyle")
    (folder / "test_agstyle.py").write_text(STYLE_OF_AUTOGRAD)
    out = folder / "report.json"
    status = autograd_corpus.main(["--tests-dir", str(folder), "--files", "test_agstyle.py", "--quiet",
                                   "--json", str(out)])
    return status, json.loads(out.read_text())


def test_each_test_of_the_file_ends_as_expected(report):
    status, data = report
    got = {}
    for row in data["files"]["test_agstyle.py"]:
        got.setdefault(row["test"], []).append(row["status"])
    assert got == EXPECTED
    assert status == 1  # a wrong case makes the run fail


def test_the_counts_add_up_by_order(report):
    _, data = report
    first = sum((v for k, v in EXPECTED.items()), [])
    assert data["total"]["pass"] + data["second_order"]["pass"] == first.count("pass")
    assert data["second_order"] == {"pass": 2, "refused": 0, "wrong": 0, "crash": 0, "skip": 0}
    assert data["total"]["skip"] == 2 and data["total"]["wrong"] == 1 and data["total"]["refused"] == 1


def test_skips_say_why(report):
    _, data = report
    reasons = {row["test"]: row["detail"] for row in data["files"]["test_agstyle.py"] if row["status"] == "skip"}
    assert reasons["test_complex"] == "complex numbers"
    assert "autograd-specific API 'primitive'" in reasons["test_autograd_machinery"]


def test_rewriting_keeps_every_line_number_and_leaves_no_autograd_import():
    text = STYLE_OF_AUTOGRAD + "from autograd import (\n    grad,\n    value_and_grad,\n)\nimport autograd.scipy.signal\n"
    out = rewrite(text)
    assert len(out.splitlines()) == len(text.splitlines())
    assert "autograd." not in out.replace("_agshim.provide", "") and "from autograd" not in out
    lines = out.splitlines()
    assert lines[0] == "import numpy as np" and lines[1] == "from numpy import random as npr"
    assert "grad = _agshim.provide('grad')" in lines[-5] and lines[-4] == lines[-3] == lines[-2] == ""
    assert lines[-1].startswith("import scipy.signal;") and "autograd = _agshim.root(scipy=scipy)" in lines[-1]
    assert lines[8:40] == STYLE_OF_AUTOGRAD.splitlines()[8:40]  # the code itself untouched


def _always(value):
    def transform(fun, wrt=None):
        return lambda *args: value
    return transform


def test_a_gradient_or_value_off_by_a_little_is_wrong_and_any_other_exception_a_crash(monkeypatch):
    def fun(x):
        return np.sum(x ** 2)
    x = np.array([0.5, -1.0])
    patch = autograd_cases.srcdiff
    monkeypatch.setattr(patch, "value_and_grad", _always((fun(x), (2 * x + 1e-3,))))
    assert autograd_cases.check_case(fun, (x,), {}, (0,), ("rev",))[0][1] == "wrong"
    monkeypatch.setattr(patch, "value_and_grad", _always((fun(x) + 1e-9, (2 * x,))))
    assert autograd_cases.check_case(fun, (x,), {}, (0,), ("rev",))[0][1] == "wrong"
    monkeypatch.setattr(patch, "value_and_grad", _always((fun(x), (2 * x[:, None],))))  # right numbers, wrong shape
    assert autograd_cases.check_case(fun, (x,), {}, (0,), ("rev",))[0][1] == "wrong"
    monkeypatch.setattr(patch, "value_and_grad", _always((fun(x), (2 * x,))))
    assert autograd_cases.check_case(fun, (x,), {}, (0,), ("rev",))[0][1] == "pass"

    def broken(fun, wrt=None):
        raise KeyError("inside srcdiff")
    monkeypatch.setattr(patch, "value_and_grad", broken)
    label, status, detail, order = autograd_cases.check_case(fun, (x,), {}, (0,), ("rev",))[0]
    assert (status, order) == ("crash", 1) and "KeyError" in detail


def test_a_transposed_vector_jacobian_product_is_caught_by_the_non_uniform_weight(monkeypatch):
    def fun(A):
        return A * 3.0
    A = np.arange(4.0).reshape(2, 2)
    real = autograd_cases.srcdiff.api.vjp

    def transposed(fun, wrt=0):
        product = real(fun, wrt=wrt)
        return lambda *args: product(*args).T
    monkeypatch.setattr(autograd_cases.srcdiff.api, "vjp", transposed)
    assert autograd_cases.check_case(fun, (A,), {}, (0,), ("rev",))[0][1] == "wrong"
