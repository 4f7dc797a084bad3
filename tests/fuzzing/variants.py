"""The checks of the other ways to ask for a gradient: ``vag``, ``f32``, ``numba``, ``explain``.

- ``vag``: ``srcdiff.value_and_grad(f, wrt=...)``: the value is ``f``'s, the gradients
  pass the same checks as ``grad``'s (types, finite differences, autograd);
- ``f32``: float32 arrays for every array parameter (``n/a`` without one): each gradient of
  an array is a float32 array of its shape (a float stays a float), and matches the float64
  gradient at the same inputs within float32's precision (a point where the float64
  gradient itself moves by more than that under a float32-sized nudge, a kink, is skipped);
- ``numba``: ``srcdiff.grad(f, wrt=..., jit="numba")``: where it builds and runs, the
  gradients have their parameters' types, are the plain gradient's and match finite
  differences (and autograd, where it runs); with float32 arrays (where the program has an
  array parameter) they are float32 and the plain gradient's within float32's precision;
  where it refuses, the refusal is a SrcdiffError naming a line of the program (anything
  else, a numba error included, is a crash);
- ``explain``: ``srcdiff.explain(f, *args)`` where the plain gradient builds (``n/a``
  where it does not): its table prints, its value is ``f``'s, its parameters' gradients
  are the plain gradient's, and each backward step between numbers reads downstream =
  local x upstream.
"""
import numpy as np

import srcdiff

from .common import Failure, allclose, attempted, close, describe, exception_failure

F32_RTOL = 1e-3     # float32 against float64: the program's rounding, relative to the gradient's scale
F32_NUDGE = 1e-6    # a relative nudge of float32's size, to tell a kink from a wrong gradient
SAME_RTOL = 1e-9    # the same numbers computed another way (numba, explain, the value of value_and_grad)


def check_vag(checker):
    try:
        vg = srcdiff.value_and_grad(checker.f, wrt=checker.wrt)
    except Exception as exc:
        return exception_failure("vag", exc, "building value_and_grad")

    def unpack(out, args):
        if not isinstance(out, tuple) or len(out) != 2:
            return Failure("vag", "wrong", "vag:wrong:structure", f"expected (value, gradients), got {describe(out)}")
        value, grads = out
        expected = checker.value(args)
        if np.ndim(value) != 0 or not close(float(value), expected, SAME_RTOL):
            return Failure("vag", "wrong", "vag:wrong:value of f",
                           f"value_and_grad gives the value {value!r}, f gives {expected!r}")
        return grads
    return checker.gradient_check("vag", vg, unpack)


# ---- float32 ------------------------------------------------------------------------------

def _as(args, dtype):
    return [a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args]


def check_f32(checker):
    if not any(checker.prog.params[i].kind == "array" for i in checker.wrt):
        return "n/a"
    try:
        g = srcdiff.grad(checker.f, wrt=checker.wrt)
    except Exception as exc:
        return exception_failure("f32", exc, "building the gradient")
    for point in range(checker.points):
        args32 = _as(checker.inputs(point), np.float32)
        args64 = _as(args32, np.float64)   # the same numbers, exactly
        if not np.isfinite(checker.value(args64)):
            continue
        both, failure = attempted("f32", "calling the gradient with float32 arrays",
                                  lambda: (checker.call(g, args32), g(*args64)))
        if failure:
            return failure
        got, want = both
        problem = checker.gradient_problem("f32", got, args32)
        if problem:
            return problem
        bad = [k for k, (a, b) in enumerate(zip(got, want)) if not allclose(a, b, F32_RTOL)]
        if not bad:
            return "pass"
        if _moves_under_nudge(checker, g, args64, want, point):
            continue
        k = bad[0]
        worst = float(np.max(np.abs(np.asarray(got[k], np.float64) - np.asarray(want[k], np.float64))))
        return Failure("f32", "wrong", "f32:wrong:value",
                       f"the gradient of '{checker.names[checker.wrt[k]]}' {describe(got[k])} differs from the "
                       f"float64 one by up to {worst:.3g}")
    return "skip"


def _moves_under_nudge(checker, g, args64, want, point):
    """Whether the float64 gradient itself moves by more than F32_RTOL under nudges of
    float32's size: a kink or branch boundary near the point, not a float32 bug."""
    rng = np.random.default_rng([checker.prog.seed, point, 6])
    for _ in range(2):
        nudged = [a * (1.0 + F32_NUDGE * rng.standard_normal(a.shape)) if isinstance(a, np.ndarray) else a
                  for a in args64]
        try:
            again = g(*nudged)
        except Exception:
            return True
        if not all(allclose(a, b, F32_RTOL) for a, b in zip(again, want)):
            return True
    return False


# ---- numba --------------------------------------------------------------------------------

def numba_failure(exc, stage):
    """A refusal naming a line of the program, or a crash (a numba error, an unlocated refusal)."""
    failure = exception_failure("numba", exc, stage)
    if failure.status == "refused" and not ("fuzzprog_" in exc.filename and exc.lineno > 0):
        return Failure("numba", "crash", f"numba:crash:unlocated {failure.signature.split(':', 2)[2]}",
                       failure.message)
    return failure


def check_numba(checker):
    try:
        plain = srcdiff.grad(checker.f, wrt=checker.wrt)
    except Exception:
        return "n/a"
    try:
        g = srcdiff.grad(checker.f, wrt=checker.wrt, jit="numba")
    except Exception as exc:
        return numba_failure(exc, "building the numba gradient")
    outcome = _numba_against_plain(checker, g, plain, checker.inputs, SAME_RTOL)
    if outcome != "pass" or not any(checker.prog.params[i].kind == "array" for i in checker.wrt):
        return outcome
    return _numba_against_plain(checker, g, plain, lambda point: _as(checker.inputs(point), np.float32), F32_RTOL,
                                finite_differences=False)


def _numba_against_plain(checker, g, plain, inputs, rtol, finite_differences=True):
    """The numba gradient ``g`` at ``inputs``: the plain gradient's numbers within ``rtol``
    and, with ``finite_differences``, finite differences' (``Checker.gradient_check``)."""
    def unpack(got, args):
        problem = checker.gradient_problem("numba", got, args)
        if problem:
            return problem
        try:
            want = plain(*args)
        except Exception:
            return got
        for k, (a, b) in enumerate(zip(got, want)):
            if not allclose(a, b, rtol):
                return Failure("numba", "wrong", "numba:wrong:value",
                               f"the numba gradient of '{checker.names[checker.wrt[k]]}' {describe(a)} differs from "
                               f"the plain one {describe(b)}{' (float32 arrays)' if rtol != SAME_RTOL else ''}")
        return got
    if finite_differences:
        return checker.gradient_check("numba", g, unpack, inputs, failed=numba_failure)
    for point in range(checker.points):
        args = inputs(point)
        if not np.isfinite(checker.value(args)):
            continue
        got, failure = attempted("numba", "calling the numba gradient", lambda: checker.call(g, args), numba_failure)
        if failure:
            return failure
        got = unpack(got, args)
        return got if isinstance(got, Failure) else "pass"
    return "skip"


# ---- explain ------------------------------------------------------------------------------

def check_explain(checker):
    try:
        plain = srcdiff.grad(checker.f, wrt=checker.wrt)
    except Exception:
        return "n/a"
    for point in range(checker.points):
        args = checker.inputs(point)
        value = checker.value(args)
        if not np.isfinite(value):
            continue
        try:
            want = plain(*args)
        except Exception:
            return "n/a"
        explanation, failure = attempted("explain", "explaining f", lambda: _printed(
            checker.call(lambda *a: srcdiff.explain(checker.f, *a), args)))
        if failure:
            return failure
        return _explanation_problem(checker, explanation, value, want) or "pass"
    return "skip"


def _printed(explanation):
    """``explanation``, once printed (its text is part of what is checked not to raise)."""
    str(explanation)
    return explanation


def _explanation_problem(checker, explanation, value, want):
    if np.ndim(explanation.value) != 0 or not close(float(explanation.value), value, SAME_RTOL):
        return Failure("explain", "wrong", "explain:wrong:value of f",
                       f"explain shows the value {explanation.value!r}, f gives {value!r}")
    shown = explanation.gradients
    for k, i in enumerate(checker.wrt):
        mine = np.zeros(np.shape(want[k])) if shown[i] is None else shown[i]
        if not allclose(mine, want[k], SAME_RTOL * 1000):
            return Failure("explain", "wrong", "explain:wrong:gradient",
                           f"explain shows the gradient of '{checker.names[i]}' as {describe(mine)} "
                           f"{np.ravel(mine)[:4]}, grad gives {np.ravel(want[k])[:4]}")
    for step in explanation.steps:
        numbers = (step.upstream, step.local_value, step.downstream)
        if step.local_value is None or any(np.ndim(n) != 0 or isinstance(n, (str, bool)) for n in numbers):
            continue
        if not close(float(step.downstream), float(step.local_value) * float(step.upstream), SAME_RTOL * 1000):
            return Failure("explain", "wrong", "explain:wrong:step",
                           f"a backward step shows downstream {step.downstream!r} = local {step.local_value!r} "
                           f"x upstream {step.upstream!r}")
    return None

