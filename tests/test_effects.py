"""Statements that carry no gradient (``lower.effects``): print, logging, warnings.warn,
assert and raise kept in the forward sweep as the user wrote them; docstrings, pass and
type hints; isinstance as a run-time flag; ``with np.errstate(...)`` run as its body.

Each effect runs once per call of a generated function, in the user's order; gradients
around them are checked against finite differences (square shapes, a non-uniform weight).
"""
import logging
import subprocess
import sys
import warnings

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample
from trust_helpers import fd_grad

RNG = np.random.default_rng(7)
W = RNG.normal(size=(3, 3))
V = RNG.normal(size=3)
X = np.array([0.4, -0.3, 0.8])

MODULE = '''
import logging
import numbers
import warnings
import numpy as np

log = logging.getLogger("srcdiff_test_effects")
SCALE = 2.0
WEIGHT = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-0.5, 1.0, 0.3]])


class Model:
    pass


def describe(v):
    return f"<{v:.2f}>"


def noisy(x, n):
    """Prints in a loop, in order."""
    print("start", x)
    s = x
    for i in range(n):
        s = s * x + 1.0
        print(f"i={i} s={s:.3f}", describe(s))
    print("end")
    return s


def checked(W, x):
    assert W.shape[0] == W.shape[1], f"W must be square, got {W.shape}"
    assert x.ndim == 1, f"never built when it passes: {x.shape[7]}"
    if np.any(np.isnan(x)):
        raise ValueError(f"x has {int(np.sum(np.isnan(x)))} nan entries")
    h = np.tanh(W @ x)
    return np.sum(WEIGHT * np.outer(h, h))


def branches(x):
    if x > 0.0:
        y = x * x
    elif x > -5.0:
        y = -x ** 3
    else:
        raise ValueError("too small")
    return y * SCALE


def raise_in_loop(x, n):
    s = 0.0
    for i in range(n):
        if x[i] < -10.0:
            raise ValueError(f"x[{i}] = {x[i]} is too small")
        s = s + x[i] ** 2 * (i + 1)
    return s


def logged(x):
    log.info("x has %d entries", len(x))
    logging.debug("debug %s", SCALE)
    y = np.sum(WEIGHT @ np.sin(x))
    if y > 100.0:
        warnings.warn("y is large")
    log.warning("y = %.3f", y)
    return y


def warned(x):
    warnings.warn(f"x = {x:.1f}")
    return x ** 3


def typed(x: float, y: np.ndarray = None, *, k: int = 2) -> float:
    """A docstring."""
    ...
    z: float = x * k
    w: "np.ndarray"
    if k > 1:
        pass
    else:
        z = -z
    return z * z + np.sum(y)


def by_type(x):
    if isinstance(x, np.ndarray):
        return np.sum(WEIGHT @ x ** 2)
    if isinstance(x, (int, float, numbers.Real)):
        return x ** 3
    if isinstance(x, Model):
        return 0.0
    return x


def quiet(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x * x)
        z = np.sum(WEIGHT @ y)
    return z


def loud(x):
    with np.errstate(divide="raise"):
        y = np.log(x)
    return np.sum(y)


def helper(v):
    print("helper", v)
    assert v == v
    return v * SCALE


def calls_helper(x):
    print("before")
    y = helper(x * x)
    print("after", y)
    return y + x


def print_args(x):
    xs = (x, 2.0 * x)
    print(*xs, sep=", ", end="!\\n")
    print([round(v, 1) for v in xs], {"x": round(x, 1)})
    return xs[0] * xs[1]
'''


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("effects"), MODULE, "srcdiff_test_effects_module")


def lines(capsys):
    return capsys.readouterr().out.splitlines()


# ---------------------------------------------------------------- print: order and count

def test_print_runs_in_order_once_per_gradient_call(m, capsys):
    grad = srcdiff.grad(m.noisy, wrt=0)
    lines(capsys)
    m.noisy(0.5, 2)
    expected = lines(capsys)
    assert expected == ["start 0.5", "i=0 s=1.250 <1.25>", "i=1 s=1.625 <1.62>", "end"]
    value = grad(0.5, 2)
    assert lines(capsys) == expected
    grad(0.5, 2)
    assert lines(capsys) == expected  # once per call
    assert value == pytest.approx(fd_grad(m.noisy, (0.5, 2), 0))
    assert "print('start', x)" in grad.source


@pytest.mark.parametrize("transform", ["jvp", "hvp", "hvp-reverse", "grad2", "value_and_grad"])
def test_print_runs_once_per_call_of_every_transform(m, capsys, transform):
    f = m.calls_helper
    lines(capsys)
    f(0.7)
    expected = lines(capsys)
    assert expected == ["before", "helper 0.48999999999999994", "after 0.9799999999999999"]
    built = {"jvp": lambda: srcdiff.jvp(f, wrt=0), "hvp": lambda: srcdiff.hvp(f),
             "hvp-reverse": lambda: srcdiff.hvp(f, mode="reverse"), "grad2": lambda: srcdiff.grad(srcdiff.grad(f)),
             "value_and_grad": lambda: srcdiff.value_and_grad(f)}[transform]()
    args = (0.7, 1.0) if transform.startswith(("jvp", "hvp")) else (0.7,)
    lines(capsys)
    result = built(*args)
    assert lines(capsys) == expected
    want = {"jvp": 2 * 0.7 * 2.0 + 1.0, "hvp": 4.0, "hvp-reverse": 4.0, "grad2": 4.0}.get(transform)
    if transform == "value_and_grad":
        assert result == pytest.approx((f(0.7), 2 * 0.7 * 2.0 + 1.0))
    else:
        assert result == pytest.approx(want)


def test_prints_in_a_loop_run_in_jvp_and_reverse_over_forward_hvp(m, capsys):
    g = srcdiff.grad(m.noisy, wrt=0)
    lines(capsys)
    m.noisy(0.5, 2)
    expected = lines(capsys)
    tangent = srcdiff.jvp(m.noisy, wrt=0)(0.5, 2, 1.0)
    assert lines(capsys) == expected
    hvp = srcdiff.hvp(m.noisy)(0.5, 2, 1.0)
    assert lines(capsys) == expected
    assert tangent == pytest.approx(fd_grad(m.noisy, (0.5, 2), 0))
    assert hvp == pytest.approx(fd_grad(g, (0.5, 2), 0), rel=1e-5)


def test_hessian_and_jacobian_run_an_effect_once_per_row(m, capsys):
    lines(capsys)
    H = srcdiff.hessian(m.checked, wrt=1)(W, X)
    assert lines(capsys) == []  # checked prints nothing: its asserts pass
    g = srcdiff.grad(m.checked, wrt=1)
    expected = np.array([fd_grad(lambda x: g(W, x)[j], (X,), 0) for j in range(3)])
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-6)
    srcdiff.hessian(m.print_args)(0.5)
    assert len(lines(capsys)) == 2  # a number: one row


def test_print_keeps_the_values_it_reads_and_its_arguments(m, capsys):
    lines(capsys)
    assert srcdiff.grad(m.print_args)(0.5) == pytest.approx(2.0)
    assert lines(capsys) == ["0.5, 1.0!", "[0.5, 1.0] {'x': 0.5}"]


# ---------------------------------------------------------------- assert and raise

def test_asserts_and_raise_in_the_forward_sweep(m):
    grad = srcdiff.grad(m.checked, wrt=(0, 1))
    gW, gx = grad(W, X)
    np.testing.assert_allclose(gW, fd_grad(m.checked, (W, X), 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, fd_grad(m.checked, (W, X), 1), rtol=1e-5, atol=1e-6)
    with pytest.raises(AssertionError, match=r"W must be square, got \(3, 2\)"):
        grad(W[:, :2], X)
    with pytest.raises(ValueError, match="x has 1 nan entries"):
        grad(W, np.array([0.1, np.nan, 0.2]))
    for built in (srcdiff.jvp(m.checked, wrt=1), srcdiff.hvp(m.checked, wrt=1)):
        with pytest.raises(ValueError, match="nan entries"):
            built(W, np.array([0.1, np.nan, 0.2]), V)
    assert "assert W.shape[0] == W.shape[1], f'W must be square, got {W.shape}'" in grad.source


@pytest.mark.parametrize("x", [0.7, -0.7])
def test_raise_in_a_branch_ends_its_path_every_order(m, x):
    f = m.branches
    assert srcdiff.grad(f)(x) == pytest.approx(fd_grad(f, (x,), 0))
    assert srcdiff.jvp(f)(x, 1.0) == pytest.approx(fd_grad(f, (x,), 0))
    second = fd_grad(srcdiff.grad(f), (x,), 0)
    assert srcdiff.grad(srcdiff.grad(f))(x) == pytest.approx(second, rel=1e-5)
    assert srcdiff.hvp(f)(x, 1.0) == pytest.approx(second, rel=1e-5)
    assert srcdiff.hvp(f, mode="reverse")(x, 1.0) == pytest.approx(second, rel=1e-5)
    with pytest.raises(ValueError, match="too small"):
        srcdiff.grad(f)(-6.0)
    with pytest.raises(ValueError, match="too small"):
        srcdiff.grad(srcdiff.grad(f))(-6.0)


def test_raise_in_a_loop(m):
    f = m.raise_in_loop
    x = np.array([0.5, -0.25, 1.5])
    np.testing.assert_allclose(srcdiff.grad(f, wrt=0)(x, 3), fd_grad(f, (x, 3), 0), rtol=1e-6)
    np.testing.assert_allclose(srcdiff.hvp(f, wrt=0)(x, 3, V), 2 * np.array([1.0, 2.0, 3.0]) * V, rtol=1e-6)
    with pytest.raises(ValueError, match=r"x\[1\] = -20.0 is too small"):
        srcdiff.grad(f, wrt=0)(np.array([0.5, -20.0, 1.0]), 3)


def test_the_gradient_of_a_raising_side_is_not_printed(m):
    text = srcdiff.grad(m.branches).source
    backward = text.split("# backward")[1]
    assert "raise" not in backward and "0.0" not in backward
    assert "raise ValueError('too small')" in text.split("# backward")[0]


# ---------------------------------------------------------------- logging and warnings

def test_logging_calls_run_with_their_arguments(m, caplog):
    caplog.set_level(logging.DEBUG)
    grad = srcdiff.grad(m.logged)
    caplog.clear()
    gradient = grad(X)
    messages = [r.getMessage() for r in caplog.records]
    np.testing.assert_allclose(gradient, fd_grad(m.logged, (X,), 0), rtol=1e-6)
    assert messages == ["x has 3 entries", "debug 2.0", f"y = {m.logged(X):.3f}"]


def test_warnings_warn_runs(m):
    with pytest.warns(UserWarning, match="x = 1.5"):
        assert srcdiff.grad(m.warned)(1.5) == pytest.approx(3 * 1.5 ** 2)


# ---------------------------------------------------------------- statements with no effect at all

def test_docstrings_pass_ellipsis_and_type_hints(m):
    grad = srcdiff.grad(m.typed, wrt=(0, 1))
    gx, gy = grad(1.5, X, k=3)
    assert gx == pytest.approx(2 * 1.5 * 9) and np.allclose(gy, 1.0)
    text = grad.source
    assert text.startswith("def grad_typed(x, y=None, *, k=2):") and "->" not in text and "np.ndarray" not in text


@pytest.mark.parametrize("arg", [0.5, X])
def test_isinstance_is_a_run_time_flag(m, arg):
    grad = srcdiff.grad(m.by_type)
    np.testing.assert_allclose(grad(arg), fd_grad(m.by_type, (arg,), 0), rtol=1e-6)
    assert "isinstance(x, (int, float, numbers.Real))" in grad.source


def test_errstate_runs_its_body_and_refuses_raise(m):
    x = np.array([0.5, -1.5, 2.0])
    np.testing.assert_allclose(srcdiff.grad(m.quiet)(x), fd_grad(m.quiet, (x,), 0), rtol=1e-6)
    assert "errstate" not in srcdiff.grad(m.quiet).source
    with pytest.raises(srcdiff.SrcdiffError, match=r"np.errstate\(divide='raise'\) is not supported") as err:
        srcdiff.grad(m.loud)
    assert err.value.line_text.strip() == 'with np.errstate(divide="raise"):'


# ---------------------------------------------------------------- explain mode and the command line

def test_explain_leaves_prints_out_and_runs_checks(m, capsys):
    lines(capsys)
    table = srcdiff.explain(m.calls_helper, 0.7)
    assert lines(capsys) == []
    assert all("print" not in row.op for row in table.rows)
    with pytest.raises(srcdiff.SrcdiffError, match=r"stops here at these inputs \(ValueError: too small\)") as err:
        srcdiff.explain(m.branches, -6.0)
    assert "raise ValueError" in err.value.line_text
    assert srcdiff.explain(m.branches, 0.7).value == pytest.approx(m.branches(0.7))


def test_command_line_reads_effects_without_running_the_file(tmp_path):
    sample = load_sample("checks_and_logging")
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/checks_and_logging.py"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    hint, _, printed = result.stdout.partition("\n")
    assert hint.startswith("# srcdiff export samples/checks_and_logging.py")
    assert printed == srcdiff.grad(sample.checks_and_logging).source
    explained = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/checks_and_logging.py", "--at",
                                "W=[[1,2],[3,4]]", "x=[0.5,1]", "y=[1,2]"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60)
    assert explained.returncode == 0, explained.stderr
    assert "loss = 7.2500" not in explained.stdout and "checks_and_logging(W=" in explained.stdout  # not run


def test_sample_gradient_and_output(capsys):
    sample = load_sample("checks_and_logging")
    Wr, xr, yr = W, X, np.array([0.3, -0.2, 0.9])
    grads = srcdiff.grad(sample.checks_and_logging)(Wr, xr, yr)
    assert lines(capsys)[-1] == f"loss = {sample.checks_and_logging(Wr, xr, yr):.4f}"
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, fd_grad(sample.checks_and_logging, (Wr, xr, yr), i), rtol=1e-5, atol=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="y must be an array, not list"):
            srcdiff.grad(sample.checks_and_logging)(Wr, xr, [0.3, -0.2, 0.9])
