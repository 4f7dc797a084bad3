"""Differential checks of one generated program against finite differences and autograd.

``check_program(program, checks=...)`` writes the program to a module file (srcdiff reads
source from files), imports it, and checks srcdiff's public entry points at random inputs
(``CHECKS``; ``DEFAULT_CHECKS`` unless told, ``ALL_CHECKS`` for every one):

- ``grad``: ``srcdiff.grad(f, wrt=all float parameters)``: each gradient has its
  parameter's type, shape and dtype, the inputs are left as they were, and the
  directional derivative ``sum_i <g_i, d_i>`` along random directions ``d`` matches a
  central finite difference of ``f``;
- ``jvp``: ``srcdiff.jvp(f, wrt=...)(*args, *d)`` matches the same finite differences;
- ``hvp``: ``srcdiff.hvp(f, wrt=p)(*args, v)`` projected on a random ``u`` matches a
  finite difference of srcdiff's own gradient along ``v`` when that gradient passed its
  check, else a mixed second difference of ``f``;
- ``hessian``, ``grad2``, ``penalty``: the Hessian, the gradient of a gradient and the
  gradient of a gradient penalty (second_order.py);
- ``vag``, ``f32``, ``numba``, ``explain``: value_and_grad, float32 arrays, jit="numba"
  and explain mode (variants.py);
- ``lists``: 1-D array parameters given as lists, where the program reads them as arrays
  (sequences.py).

A second copy of the module runs with ``np`` bound to ``autograd.numpy`` (HIPS autograd);
where autograd can run the program its gradients serve as a second opinion: a
disagreement counts as ``wrong`` when srcdiff disagrees with the finite differences
*and* with autograd (where autograd ran).  Autograd has blind spots of its own
(``np.full_like`` gives no gradient to its fill value), so where srcdiff and autograd
agree with each other but not with stable finite differences, the differences are
confirmed at a third, smaller step; if they hold, the check is ``wrong`` with a
signature of its own ending in ``(autograd agrees)``.  A point where finite differences are unstable
(the two step sizes disagree, or the one-sided slopes differ: a kink, a tie, a branch
boundary) is skipped and another point drawn; a check with no stable point is ``skip``.

Statuses per check: n/a (the check does not apply to this program), pass, skip, refused
(a ``srcdiff.SrcdiffError``: allowed), crash (any other exception, a ``SrcdiffError``
saying "internal error", or a time-out), wrong.  A program's kind is its worst check
(crash > wrong > refused > skip > pass > n/a), or ``invalid`` when the program itself
fails under NumPy (a generator bug).
"""
import signal
import tempfile
import warnings

import numpy as np

from .checker import Checker
from .common import Failure, Result, Timeout, load_module
from .second_order import check_grad2, check_hessian, check_penalty
from .sequences import check_lists
from .variants import check_explain, check_f32, check_numba, check_vag

try:
    import autograd
    import autograd.numpy  # noqa: F401  (the second copy of a program imports it)
except ImportError:        # the comparison with autograd is then left out
    autograd = None

# name -> the check, in the order they run (hvp and the second-order checks read grad's verdict)
CHECKS = {
    "grad": Checker.check_grad,
    "jvp": Checker.check_jvp,
    "hvp": Checker.check_hvp,
    "hessian": check_hessian,
    "grad2": check_grad2,
    "penalty": check_penalty,
    "vag": check_vag,
    "f32": check_f32,
    "numba": check_numba,
    "explain": check_explain,
    "lists": check_lists,
}
DEFAULT_CHECKS = ("grad", "jvp", "hvp")
ALL_CHECKS = tuple(CHECKS)
STATUSES = ("n/a", "pass", "skip", "refused", "crash", "wrong")
_RANK = {"n/a": -1, "pass": 0, "skip": 1, "refused": 2, "wrong": 3, "crash": 4, "invalid": 5}
_Checker = Checker  # the name the tests knew it by


def expand_checks(names):
    """Check names (a string with commas, or an iterable; ``all``, ``default``) to a tuple in run order."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    wanted = set()
    for n in names:
        if n in ("all", "default"):
            wanted |= set(ALL_CHECKS if n == "all" else DEFAULT_CHECKS)
        elif n in CHECKS:
            wanted.add(n)
        else:
            raise ValueError(f"unknown check {n!r}; checks: {', '.join(CHECKS)}, all, default")
    return tuple(n for n in CHECKS if n in wanted)


def _alarm(signum, frame):
    raise Timeout()


def check_program(program, folder=None, points=3, timeout=None, use_autograd=True, checks=DEFAULT_CHECKS):
    """Run ``checks`` (names, in ``CHECKS`` order) on ``program``; returns a ``Result``."""
    result = Result(program.seed, program.features, "pass")
    with tempfile.TemporaryDirectory(prefix="srcdiff-fuzz-", dir=folder) as tmp, \
            np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alarm = timeout is not None and hasattr(signal, "setitimer")
        if alarm:
            old = signal.signal(signal.SIGALRM, _alarm)
        try:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            module = load_module(program.source, tmp, program.seed)
            f = module.f
            first = float(f(*Checker(program, f, None, points).inputs(0)))
            if not np.isfinite(first):
                raise ValueError(f"f is not finite at the first point: {first}")
        except (Exception, Timeout) as exc:
            result.kind = "invalid"
            result.failures.append(Failure("program", "invalid", f"invalid:{type(exc).__name__}",
                                           f"{type(exc).__name__}: {exc}"[:400]))
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
            return result
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
        ag_f = None
        if use_autograd and autograd is not None:
            try:
                ag_f = load_module(program.autograd_source(), tmp, f"{program.seed}_ag").f
            except Exception:
                ag_f = None
        checker = Checker(program, f, ag_f, points)
        checker.notes, checker.folder = result.notes, tmp
        for name in expand_checks(checks):
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                outcome = CHECKS[name](checker)
            except Timeout:
                outcome = Failure(name, "crash", f"{name}:crash:Timeout (over {timeout} s)",
                                  f"no answer within {timeout} s")
            finally:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            if isinstance(outcome, Failure):
                result.checks[name] = outcome.status
                result.failures.append(outcome)
            else:
                result.checks[name] = outcome
        if alarm:
            signal.signal(signal.SIGALRM, old)
    result.kind = max(result.checks.values(), key=_RANK.__getitem__)
    return result
