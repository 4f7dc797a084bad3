"""The fuzzer's checks beyond grad, jvp and hvp (hessian, grad2, penalty, vag, f32, numba,
explain, lists; tests/fuzzing/second_order.py, variants.py and sequences.py): each passes a correct program and
reports a deliberately broken answer, fed in by monkeypatching srcdiff, as what it is."""
import numpy as np
import pytest

import srcdiff
from fuzzing.check import ALL_CHECKS, DEFAULT_CHECKS, check_program, expand_checks
from fuzzing.common import exception_failure
from fuzzing.generate import GROUPS, Param, Program, generate
from fuzzing.second_order import penalty_source

SQUARE = """import numpy as np
import math

C = np.array([[0.3, -1.2, 0.5], [0.9, 0.1, -0.4], [-0.7, 0.6, 1.1]])
W = np.array([[1.0, -0.5, 0.2], [0.4, 1.3, -0.9], [-0.2, 0.8, 0.6]])


def f(A, s):
    return np.sum(W * np.tanh(A @ C)) + s * np.sum(A * A) + math.sin(s) * s
"""

SCALAR = """import numpy as np
import math


def f(x, s):
    return math.sin(x) * s + x * x * s
"""


def _square():
    return Program(seed=1, features=("arith",), size=1, source=SQUARE,
                   params=[Param("A", "array", (3, 3)), Param("s", "float", ())])


def _scalar():
    return Program(seed=2, features=("math",), size=1, source=SCALAR,
                   params=[Param("x", "float", ()), Param("s", "float", ())])


def _check(tmp_path, checks, program=None):
    return check_program(program or _square(), folder=tmp_path, checks=checks)


def _signatures(result):
    return [f.signature for f in result.failures]


def test_the_checks_are_named_and_the_default_is_the_first_three():
    assert DEFAULT_CHECKS == ("grad", "jvp", "hvp")
    assert expand_checks("all") == ALL_CHECKS and set(DEFAULT_CHECKS) < set(ALL_CHECKS)
    assert expand_checks("f32,grad") == ("grad", "f32")  # run order, whatever order they were asked in
    assert expand_checks("default,explain") == ("grad", "jvp", "hvp", "explain")
    with pytest.raises(ValueError, match="unknown check"):
        expand_checks("grad3")


def test_every_check_passes_a_correct_array_program(tmp_path):
    result = _check(tmp_path, "all")
    expected = dict.fromkeys(ALL_CHECKS, "pass")
    expected["numba"] = "refused"   # '@' is outside what jit='numba' compiles: a refusal naming the line
    expected["lists"] = "n/a"   # no 1-D array parameter
    assert result.checks == expected, result.failures
    refusal = result.failures[0]
    assert refusal.signature.startswith("numba:refused:NumbaError: jit='numba' cannot compile '@'")


def test_every_check_passes_a_correct_scalar_program(tmp_path):
    result = _check(tmp_path, "all", _scalar())
    expected = dict.fromkeys(ALL_CHECKS, "pass")
    expected["f32"] = expected["lists"] = "n/a"   # no array parameter
    assert result.checks == expected, result.failures


def _wrap(monkeypatch, name, change, when=lambda fn, kwargs: True):
    """srcdiff.<name> whose built function's results go through ``change(out, args)`` where ``when(fn, kwargs)``."""
    real = getattr(srcdiff, name)

    def fake(fn, **kwargs):
        built = real(fn, **kwargs)
        if not when(fn, kwargs):
            return built

        def wrapped(*args):
            return change(built(*args), args)
        wrapped.source = getattr(built, "source", "")
        return wrapped
    monkeypatch.setattr(srcdiff, name, fake)


def test_hessian_reports_a_wrong_hessian_and_a_wrong_shape(tmp_path, monkeypatch):
    _wrap(monkeypatch, "hessian", lambda h, args: h * 1.01)
    result = _check(tmp_path, "grad,hessian")
    assert result.checks == {"grad": "pass", "hessian": "wrong"}
    assert _signatures(result) == ["hessian:wrong:value"]
    monkeypatch.undo()
    _wrap(monkeypatch, "hessian", lambda h, args: np.asarray(h).reshape(-1))  # flat, for a float or an array
    assert _signatures(_check(tmp_path, "hessian")) == ["hessian:wrong:type"]


def test_hessian_checks_without_the_gradient_too(tmp_path, monkeypatch):
    """Without grad's verdict the reference is second differences of f (looser: a 10% error shows)."""
    assert _check(tmp_path, "hessian").checks == {"hessian": "pass"}
    _wrap(monkeypatch, "hessian", lambda h, args: h * 1.1)
    assert _signatures(_check(tmp_path, "hessian")) == ["hessian:wrong:value"]


def test_grad2_reports_a_wrong_second_derivative(tmp_path, monkeypatch):
    # the outer grad of grad(grad(f)): the one whose function is a generated gradient
    _wrap(monkeypatch, "grad", lambda g, args: g + 0.1, when=lambda fn, kwargs: fn.__name__.startswith("grad_"))
    result = _check(tmp_path, "grad,grad2")
    assert result.checks == {"grad": "pass", "grad2": "wrong"} and _signatures(result) == ["grad2:wrong:value"]
    assert "'s'" in result.failures[0].message


def test_grad2_does_not_apply_without_a_float_parameter(tmp_path):
    program = _square()
    program.source = SQUARE.replace("def f(A, s):", "def f(A):").replace("s * np.sum(A * A) + math.sin(s) * s",
                                                                        "np.sum(A * A)")
    program.params = program.params[:1]
    assert _check(tmp_path, "grad2", program).checks == {"grad2": "n/a"}


def test_penalty_reports_a_wrong_gradient_of_the_penalty(tmp_path, monkeypatch):
    assert "grad_of_f = srcdiff.grad(f, wrt=(0, 1))" in penalty_source(_square(), [np.ones((3, 3)), 0.5])
    _wrap(monkeypatch, "grad", lambda g, args: (g[0].T.copy(), g[1]),
          when=lambda fn, kwargs: fn.__name__ == "penalty")
    result = _check(tmp_path, "grad,penalty")
    assert result.checks == {"grad": "pass", "penalty": "wrong"}
    assert _signatures(result) == ["penalty:wrong:value"]


def test_vag_reports_a_wrong_value_and_a_wrong_gradient(tmp_path, monkeypatch):
    _wrap(monkeypatch, "value_and_grad", lambda out, args: (out[0] + 1e-6, out[1]))
    assert _signatures(_check(tmp_path, "vag")) == ["vag:wrong:value of f"]
    monkeypatch.undo()
    _wrap(monkeypatch, "value_and_grad", lambda out, args: (out[0], (out[1][0].T.copy(), out[1][1])))
    result = _check(tmp_path, "vag")
    assert _signatures(result) == ["vag:wrong:value"] and "'A'" in result.failures[0].message


def _for_float32(change):
    return lambda g, args: change(g) if args[0].dtype == np.float32 else g


def test_f32_reports_a_gradient_that_left_float32_and_one_that_is_off(tmp_path, monkeypatch):
    _wrap(monkeypatch, "grad", _for_float32(lambda g: (g[0].astype(np.float64), g[1])))
    result = _check(tmp_path, "grad,f32")
    assert result.checks == {"grad": "pass", "f32": "wrong"} and _signatures(result) == ["f32:wrong:type"]
    monkeypatch.undo()
    _wrap(monkeypatch, "grad", _for_float32(lambda g: (g[0] * np.float32(1.01), g[1])))
    assert _signatures(_check(tmp_path, "f32")) == ["f32:wrong:value"]
    # float32 rounding is not an error
    monkeypatch.undo()
    _wrap(monkeypatch, "grad", _for_float32(lambda g: (g[0] * np.float32(1 + 1e-6), g[1])))
    assert _check(tmp_path, "f32").checks == {"f32": "pass"}


def test_numba_reports_wrong_numbers_and_unlocated_or_foreign_refusals(tmp_path, monkeypatch):
    numba = lambda fn, kwargs: kwargs.get("jit") == "numba"  # noqa: E731
    _wrap(monkeypatch, "grad", lambda g, args: (g[0] * 1.001, g[1]), when=numba)
    assert _signatures(_check(tmp_path, "numba", _scalar())) == ["numba:wrong:value"]
    real = srcdiff.grad

    def refusing(exc):
        def fake(fn, **kwargs):
            if kwargs.get("jit") == "numba":
                raise exc
            return real(fn, **kwargs)
        monkeypatch.setattr(srcdiff, "grad", fake)
    refusing(srcdiff.SrcdiffError("cannot compile this"))    # no file, no line
    result = _check(tmp_path, "numba", _scalar())
    assert result.checks == {"numba": "crash"}
    assert _signatures(result) == ["numba:crash:unlocated SrcdiffError: <unknown>:N:N: error: cannot compile this"]
    refusing(TypeError("Failed in nopython mode pipeline (step: nopython frontend)"))
    result = _check(tmp_path, "numba", _scalar())
    assert result.checks == {"numba": "crash"} and _signatures(result)[0].startswith("numba:crash:TypeError")


def test_explain_reports_wrong_numbers_and_crashes(tmp_path, monkeypatch):
    real = srcdiff.explain

    def shifted(fn, *args):
        explanation = real(fn, *args)
        rows = list(explanation.rows)
        rows[1] = type(rows[1])(**{**rows[1].__dict__, "gradient": rows[1].gradient + 0.5})  # row 1 is 's'
        return type(explanation)(**{**explanation.__dict__, "rows": tuple(rows)})
    monkeypatch.setattr(srcdiff, "explain", shifted)
    result = _check(tmp_path, "explain")
    assert _signatures(result) == ["explain:wrong:gradient"] and "'s'" in result.failures[0].message

    def crashing(fn, *args):
        raise IndexError("tuple index out of range")
    monkeypatch.setattr(srcdiff, "explain", crashing)
    assert _check(tmp_path, "explain").checks == {"explain": "crash"}


def test_signatures_blank_the_generated_files_hash():
    exc = srcdiff.SrcdiffError("passing a tuple to 'rt.vstack_grad' is not supported", "<srcdiff grad_f 3fa9c0>", 12, 4)
    assert exception_failure("penalty", exc, "building").signature == (
        "penalty:refused:SrcdiffError: in generated grad_f: passing a tuple to 'rt.vstack_grad' is not supported")


def test_every_check_on_fuzzed_programs(tmp_path):
    """A few of the "all" group's programs through every check (benchmarks/fuzz.py --checks all
    runs thousands): no crash, no wrong number."""
    bad = []
    for seed in range(8):
        result = check_program(generate(seed, GROUPS["all"]), folder=tmp_path, timeout=60, checks="all")
        bad += [f"seed {seed}: {f.signature}\n    {f.message}" for f in result.failures if f.status != "refused"]
    assert not bad, "\n".join(bad)


VECTOR = """import numpy as np

W = np.array([0.3, -1.2, 0.5])


def f(v, s):
    return np.sum(W * np.tanh(v)) * s + np.linalg.norm(v)
"""


def _vector():
    return Program(seed=3, features=("ufunc",), size=1, source=VECTOR,
                   params=[Param("v", "array", (3,)), Param("s", "float", ())])


def test_lists_passes_a_program_reading_a_list_as_an_array(tmp_path):
    assert _check(tmp_path, "lists", _vector()).checks == {"lists": "pass"}


def test_lists_reports_a_gradient_in_another_type_or_with_other_numbers(tmp_path, monkeypatch):
    _wrap(monkeypatch, "grad", lambda out, args: tuple(np.asarray(g) if isinstance(a, list) else g
                                                       for g, a in zip(out, args)))
    assert _signatures(_check(tmp_path, "lists", _vector())) == ["lists:wrong:type"]
    monkeypatch.undo()
    _wrap(monkeypatch, "grad", lambda out, args: tuple([x * 1.01 for x in g] if isinstance(a, list) else g
                                                       for g, a in zip(out, args)))
    assert _signatures(_check(tmp_path, "lists", _vector())) == ["lists:wrong:value"]


def test_lists_leaves_out_a_program_that_reads_a_list_otherwise(tmp_path):
    joined = Program(seed=4, features=("arith",), size=1, params=[Param("v", "array", (3,))],
                     source="import numpy as np\n\n\ndef f(v):\n    return np.sum(v * 2.0)\n")  # a list repeats
    assert _check(tmp_path, "lists", joined).checks == {"lists": "n/a"}
