"""Differential fuzzing on fixed seeds: random NumPy programs per feature group, each
checked with ``srcdiff.grad``, ``srcdiff.jvp`` and ``srcdiff.hvp`` against finite
differences and HIPS autograd (tests/fuzzing/; ``benchmarks/fuzz.py`` runs thousands).

A group passes when none of its programs crashes or gives a wrong number (a refusal, a
``srcdiff.SrcdiffError``, is fine).  Groups that hit a known bug family are marked
``xfail(strict=True)`` with the family in the reason: once a fix lands the group passes,
the strict mark turns the run red, and the mark must be removed.  The families and
reproducers are in the fuzz report; ``python benchmarks/fuzz.py --show SEED --features
GROUP`` prints a failing program.  A family found by a check beyond the first three names
the checks it runs (``--checks``; tests/test_fuzz_checks.py tests those checks).
"""
import numpy as np
import pytest

import srcdiff
from fuzzing.check import DEFAULT_CHECKS, check_program
from fuzzing.generate import GROUPS, Param, Program, generate

# programs per group, on seeds 0..N-1: about 35 s of CPU for the lot (control flow and
# "all" cost two to four times as much per program as straight-line groups); halved on
# 7 December to keep CI under its 10 minutes (benchmarks/fuzz.py runs thousands)
COUNTS = {group: 30 for group in GROUPS}
COUNTS.update({"branch": 20, "early_return": 20, "for": 20, "while": 20, "helper": 20, "all": 15, "numba": 15,
               "containers": 15})

# the bug families each failing group hits on its seeds (details and reproducers:
# the fuzz report, and test_known_family below)
KNOWN = {}  # none today: the forward-broadcast groups (linalg, shape, write, display, construct, index) pass


def _group(group):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[group])] if group in KNOWN else []
    return pytest.param(group, marks=marks, id=group)


@pytest.mark.parametrize("group", [_group(g) for g in GROUPS])
def test_fuzz_group(group, tmp_path):
    bad = []
    for seed in range(COUNTS[group]):
        result = check_program(generate(seed, GROUPS[group]), folder=tmp_path, timeout=60)
        if result.kind in ("crash", "wrong", "invalid"):
            failure = next(f for f in result.failures if f.status != "refused")
            bad.append(f"seed {seed}: {failure.signature}\n    {failure.message}")
    assert not bad, (f"{len(bad)} of {COUNTS[group]} programs of group {group!r} failed "
                     f"(python benchmarks/fuzz.py --show SEED --features {group}):\n" + "\n".join(bad))


# ---- one hand-minimised reproducer per bug family ------------------------------------------

_A = lambda name, *shape: Param(name, "array", shape)  # noqa: E731
_F = lambda name: Param(name, "float", ())  # noqa: E731
_W33 = "W = np.array([[1.0, -0.5, 0.2], [0.4, 1.3, -0.9], [-0.2, 0.8, 0.6]])\n"
_M33 = "M = np.array([[0.3, -1.2, 0.5], [0.9, 0.1, -0.4], [-0.7, 0.6, 1.1]])\n"
_C43 = "C = np.array([[0.5, -0.3, 0.8], [0.1, 0.9, -0.7], [-0.6, 0.2, 0.4], [0.3, 0.3, -0.9]])\n"

# name: (xfail reason or None when it passes today, module body, parameters[, checks when not the default])
FAMILIES = {
    "keyerror_early_return": (
        None,
        "def f(x, s):\n    if np.mean(x) > 0.0:\n        return 2.0 * s\n    return np.sin(s)\n",
        [_A("x", 3), _F("s")]),
    "keyerror_merged_result": (
        None,
        "def f(x, s):\n    if np.mean(x) > 0.0:\n        r = 2.0 * s\n    else:\n        r = np.sin(s)\n    return r\n",
        [_A("x", 3), _F("s")]),
    "zero_adjoint_branch_like": (
        None,
        "def f(x, s):\n    if np.mean(x) > 5.0:\n        r = s * np.sum(x * x)\n    else:\n        r = 2.0 * s\n"
        "    return 0.9 * r\n",
        [_A("x", 3), _F("s")]),
    "zero_adjoint_branch_unbroadcast": (
        None,
        "C = np.array([[0.5], [-0.3]])\ndef f(b, s):\n    h = b / (1.0 + C ** 2)\n    if np.mean(b) > 5.0:\n"
        "        r = s * np.sum(h)\n    else:\n        r = 2.0 * s\n    return 0.9 * r\n",
        [_A("b", 1, 3), _F("s")]),
    "zero_adjoint_loop_hvp": (
        None,
        _M33 + _W33 + "def f(b):\n    h = M\n    for i in range(2):\n        h = h * np.cos(b)\n"
        "    return np.sum(W * h)\n",
        [_A("b", 3, 1)]),
    "forward_broadcast_sum": (
        None,
        _C43 + "def f(x):\n    return np.sum(np.tanh(x) - C)\n",
        [_A("x", 3)]),
    "forward_broadcast_axis": (
        None,
        "C = np.array([[0.5, -0.3, 0.8], [0.1, 0.9, -0.7], [-0.6, 0.2, 0.4]])\nW = np.array([1.0, -0.5, 0.2])\n"
        "def f(x):\n    return np.sum(W * np.tanh((x - C).sum(axis=1)))\n",
        [_A("x", 3)]),
    "forward_broadcast_float": (
        None,
        "C = np.array([0.5, -0.3, 0.8])\nW = np.array([1.0, -0.5, 0.2])\n"
        "def f(s):\n    return np.sum(W * np.tanh((s - C).reshape(3, 1)))\n",
        [_F("s")]),
    "display_np_array": (
        None,
        "def f(x, s):\n    v = np.array([s, np.mean(x), 2.0 * s])\n    return np.sum(np.array([0.5, -1.0, 0.25]) * v)\n",
        [_A("x", 3), _F("s")]),
    "display_np_sum": (
        None,
        "def f(x, y):\n    return np.tanh(np.sum([x, y * y]))\n",
        [_A("x", 3), _A("y", 3)]),
    "construct_full": (
        None,
        "W = np.array([1.0, -0.5, 0.2, 0.7])\ndef f(s):\n    return np.sum(W * np.full((4,), s) ** 2)\n",
        [_F("s")]),
    "construct_full_like": (
        None,
        "W = np.array([1.0, -0.5, 0.2])\ndef f(x, s):\n    return np.sum(W * np.full_like(x, s) ** 2)\n",
        [_A("x", 3), _F("s")]),
    "construct_linspace": (
        None,
        "W = np.array([1.0, -0.5, 0.2, 0.7, 0.3])\ndef f(a, b):\n    return np.sum(W * np.linspace(a, b, 5) ** 2)\n",
        [_F("a"), _F("b")]),
    "index_module_int_array": (
        None,
        "I = np.array([0, 2])\nW = np.array([1.5, 0.5])\ndef f(x):\n    return np.sum(W * x[I] ** 2)\n",
        [_A("x", 3)]),
    "abs_of_float64": (
        None,
        "def f(x):\n    return abs(np.sum(x))\n",
        [_A("x", 3)]),
    # reported in the issue as transposed; the fuzzer finds np.inner right today
    "inner_square": (
        None,
        "B = np.array([[0.3, -1.2, 0.5], [0.9, 0.1, -0.4], [-0.7, 0.6, 1.1]])\n" + _W33
        + "def f(A):\n    return np.sum(W * np.inner(A, B)) + np.sum(W * np.inner(B, A * A))\n",
        [_A("A", 3, 3)]),
    "folded_comparison_after_a_branch": (  # seed 500277: -grad_r of a NumPy bool (grad_r = r <= x)
        None,
        "def f(x, v):\n    s = np.sum(v)\n    if s > 100.0:\n        r = s * 2.0\n    else:\n        r = -s\n"
        "    return min(r, x)\n",
        [_F("x"), _A("v", 3)]),
    # seed 600056 (grad2, penalty): a value set on one side of a branch, read in a later branch on
    # the same condition; the zero adjoint on the other side read it: UnboundLocalError
    "unset_merge_zero_adjoint": (
        None,
        "def f(w, k):\n    y = w * k\n    c = np.min(w) < 0.2\n    if not c:\n        u = np.tanh(y)\n"
        "    if c:\n        r = np.sum(y * k)\n    else:\n        r = np.sum(u)\n    return r\n",
        [_A("w", 3), _F("k")]),
    "unset_merge_zero_adjoint_grad2": (
        None,
        "def f(w, k):\n    y = w * k\n    if np.min(w) < 0.2:\n        return np.sum(y * k)\n"
        "    u = np.tanh(y)\n    return np.sum(u)\n",
        [_A("w", 3), _F("k")], "grad,grad2,penalty"),
    # seed 600384 (grad2 through a loop: reverse over forward): the tangent of np.minimum(c, C) along
    # c, 1.0 * (c <= C), folded to a bare comparison: -(c <= C) of a NumPy bool array raised TypeError
    "folded_comparison_tangent": (
        None,
        "C = np.array([-0.8, 0.6, 0.1])\ndef f(c, w):\n    t = np.cos(np.minimum(c, C))\n    h = w\n"
        "    for i in range(2):\n        h = h * t\n    return np.sum(h)\n",
        [_F("c"), _A("w", 3)], "grad,grad2"),
    # seed 601643 (grad2 through a loop: reverse over forward): the tangent of t = np.arange(3) * alpha
    # along alpha folded to the int array itself; an item written into its copy was truncated
    "integer_tangent_written": (
        None,
        "W = np.array([-0.2, 0.5, 0.3])\ndef f(x, alpha):\n    t = np.arange(3) * alpha\n    for i in range(2):\n"
        "        x = np.tanh(x)\n    y = t.copy()\n    y[:2] *= np.mean(np.exp(t))\n    return np.sum(W * y * x)\n",
        [_A("x", 3), _F("alpha")], "grad,grad2"),
    # found writing the numba check: a branch in a loop whose sides tape values of two types
    # (numba's lists hold one) raised numba's TypingError on the first call, not a SrcdiffError
    "numba_branch_in_a_loop": (
        None,
        "def f(xs, s):\n    acc = 0.0\n    for i in range(len(xs)):\n        if xs[i] > 0.0:\n"
        "            acc = acc + math.sin(xs[i]) * s\n        else:\n            acc = acc - xs[i] * xs[i] * s\n"
        "    return acc * s\n",
        [_A("xs", 4), _F("s")], "grad,numba"),
}


def _family(name):
    reason = FAMILIES[name][0]
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [_family(n) for n in FAMILIES])
def test_known_family(name, tmp_path):
    _, body, params, *checks = FAMILIES[name]
    program = Program(seed=0, features=("hand",), size=0, source="import numpy as np\nimport math\n\n" + body,
                      params=params)
    result = check_program(program, folder=tmp_path, timeout=60, checks=checks[0] if checks else DEFAULT_CHECKS)
    assert result.kind not in ("crash", "wrong", "invalid"), "\n".join(
        f"{f.signature}: {f.message}" for f in result.failures)


# ---- the generator and the checker themselves ---------------------------------------------

def test_generation_is_deterministic():
    for group, features in GROUPS.items():
        a = generate(5, features)
        b = generate(5, sorted(features, reverse=True))
        assert a.source == b.source and a.params == b.params, group
        assert generate(6, features).source != a.source
    assert "import numpy as np\n" in a.source and "def f(" in a.source
    assert "import autograd.numpy as np\n" in a.autograd_source()


def test_programs_run_under_numpy():
    """Every group's programs run and return a finite number (the checker calls them
    ``invalid`` otherwise): a broken generator must not pass for a broken srcdiff."""
    for group, features in GROUPS.items():
        for seed in range(40):
            program = generate(seed, features)
            namespace = {}
            exec(compile(program.source, f"<{group} {seed}>", "exec"), namespace)
            rng = np.random.default_rng(seed)
            args = [rng.uniform(-1, 1, p.shape) if p.kind == "array" else
                    (float(rng.uniform(-1, 1)) if p.kind == "float" else 2) for p in program.params]
            with np.errstate(all="raise"):
                value = namespace["f"](*args)
            assert np.ndim(value) == 0 and np.isfinite(value), (group, seed)


SQUARE = """import numpy as np
import math

C = np.array([[0.3, -1.2, 0.5], [0.9, 0.1, -0.4], [-0.7, 0.6, 1.1]])
W = np.array([[1.0, -0.5, 0.2], [0.4, 1.3, -0.9], [-0.2, 0.8, 0.6]])


def f(A, s):
    return np.sum(W * np.tanh(A @ C)) + s * np.sum(A)
"""


def _square_program():
    return Program(seed=1, features=("arith",), size=1, source=SQUARE,
                   params=[Param("A", "array", (3, 3)), Param("s", "float", ())])


def _fake_grad(monkeypatch, change):
    real = srcdiff.grad

    def fake(fn, wrt=None):
        g = real(fn, wrt=wrt)

        def wrapped(*args):
            return change(g(*args), args)
        return wrapped
    monkeypatch.setattr(srcdiff, "grad", fake)


def test_checker_passes_a_correct_program(tmp_path):
    result = check_program(_square_program(), folder=tmp_path)
    assert result.kind == "pass" and result.checks == {"grad": "pass", "jvp": "pass", "hvp": "pass"}


def test_checker_catches_a_transposed_gradient(tmp_path, monkeypatch):
    _fake_grad(monkeypatch, lambda g, args: (g[0].T.copy(), g[1]))
    result = check_program(_square_program(), folder=tmp_path)
    assert result.checks["grad"] == "wrong"
    assert result.failures[0].signature == "grad:wrong:value"
    assert "'A'" in result.failures[0].message and "'s'" not in result.failures[0].message


def test_checker_catches_wrong_types_and_mutation(tmp_path, monkeypatch):
    _fake_grad(monkeypatch, lambda g, args: (g[0], np.float64(g[1])))
    assert check_program(_square_program(), folder=tmp_path).failures[0].signature == "grad:wrong:type"

    def mutate(g, args):
        args[0][0, 0] += 1.0
        return g
    _fake_grad(monkeypatch, mutate)
    assert check_program(_square_program(), folder=tmp_path).failures[0].signature == "grad:wrong:mutated"


def test_checker_classifies_exceptions(tmp_path, monkeypatch):
    def refuse(fn, wrt=None):
        raise srcdiff.SrcdiffError("no rule for this")
    monkeypatch.setattr(srcdiff, "grad", refuse)
    result = check_program(_square_program(), folder=tmp_path)
    assert result.checks["grad"] == "refused" and result.kind == "refused"

    def internal(fn, wrt=None):
        raise srcdiff.SrcdiffError("internal error: something is off")
    monkeypatch.setattr(srcdiff, "grad", internal)
    assert check_program(_square_program(), folder=tmp_path).checks["grad"] == "crash"

    def crash(fn, wrt=None):
        raise KeyError("Var(hint='t3')")
    monkeypatch.setattr(srcdiff, "grad", crash)
    result = check_program(_square_program(), folder=tmp_path)
    assert result.checks["grad"] == "crash" and result.failures[0].signature.startswith("grad:crash:KeyError")


def test_checker_skips_kinks_instead_of_failing(tmp_path):
    """At a kink finite differences give the mean of the one-sided slopes, not srcdiff's
    choice: the checker must skip such a point, not call it wrong.  Each of the three
    points the checker draws sits exactly on a kink of ``np.maximum(s - S, 0.0)``, where
    srcdiff's tie rule gives slope 1 and central differences 1/2."""
    from fuzzing.check import _Checker
    program = _square_program()
    kinks = [_Checker(program, None, None, 3).inputs(point)[1] for point in range(3)]
    terms = " + ".join(f"np.maximum(s - {k!r}, 0.0)" for k in kinks)
    program.source = SQUARE.replace("return np.sum(W * np.tanh(A @ C)) + s * np.sum(A)",
                                    f"return np.sum(W * np.tanh(A @ C)) + {terms}")
    result = check_program(program, folder=tmp_path)
    assert result.checks["grad"] == "skip" and result.checks["jvp"] == "skip", result
    assert result.kind not in ("wrong", "crash")
