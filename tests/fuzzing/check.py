"""Differential checks of one generated program against finite differences and autograd.

``check_program(program)`` writes the program to a module file (srcdiff reads source
from files), imports it, and checks three public entry points at random inputs:

- ``grad``: ``srcdiff.grad(f, wrt=all float parameters)``: each gradient has its
  parameter's type, shape and dtype, the inputs are left as they were, and the
  directional derivative ``sum_i <g_i, d_i>`` along random directions ``d`` matches a
  central finite difference of ``f``;
- ``jvp``: ``srcdiff.jvp(f, wrt=...)(*args, *d)`` matches the same finite differences;
- ``hvp``: ``srcdiff.hvp(f, wrt=p)(*args, v)`` projected on a random ``u`` matches a
  finite difference of srcdiff's own gradient along ``v`` when that gradient passed its
  check, else a mixed second difference of ``f``.

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

Statuses per check: pass, skip, refused (a ``srcdiff.SrcdiffError``: allowed), crash (any
other exception, a ``SrcdiffError`` saying "internal error", or a time-out), wrong.  A program's kind is
its worst check (crash > wrong > refused > skip > pass), or ``invalid`` when the program
itself fails under NumPy (a generator bug).
"""
import importlib.util
import itertools
import os
import pathlib
import re
import signal
import tempfile
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

import srcdiff

from .generate import ARRAY_NAMES, SCALAR_NAMES

try:
    import autograd
    import autograd.numpy  # noqa: F401  (the second copy of a program imports it)
except ImportError:        # the comparison with autograd is then left out
    autograd = None

CHECKS = ("grad", "jvp", "hvp")
STATUSES = ("pass", "skip", "refused", "crash", "wrong")
_RANK = {"pass": 0, "skip": 1, "refused": 2, "wrong": 3, "crash": 4, "invalid": 5}

# finite differences: first derivatives (grad, jvp, hvp from srcdiff's gradient) ...
FD1 = dict(hs=(1e-5, 1e-4), h_one=1e-7, stable=2e-5, kink=1e-4, rtol=1e-4)
# ... and the mixed second difference of f for hvp when the gradient cannot be trusted
FD2 = dict(hs=(1e-3, 3e-3), h_one=1e-4, stable=3e-4, kink=3e-3, inner=1e-4, rtol=2e-3)
AG_RTOL = 1e-6     # srcdiff against autograd: both exact up to rounding


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` swallows it."""


@dataclass
class Failure:
    check: str
    status: str      # refused, crash or wrong
    signature: str   # what groups failures into families
    message: str


@dataclass
class Result:
    seed: int
    features: tuple
    kind: str
    checks: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def to_dict(self):
        return {"seed": self.seed, "features": list(self.features), "kind": self.kind, "checks": self.checks,
                "failures": [f.__dict__ for f in self.failures], "notes": self.notes}


# ----------------------------------------------------------------------------------------
# signatures

_PARAM_NAMES = frozenset(ARRAY_NAMES + SCALAR_NAMES + ["p", "q", "c", "n"])
_BASE_NAMES = "|".join(sorted(set(ARRAY_NAMES + SCALAR_NAMES + ["p", "q", "c", "n", "v", "s"]), key=len, reverse=True))
_GENERATED_NAME = re.compile(
    rf"^(?:(?:grad\d*|dot|d)_)*(?:(?:[thugmrykiwsCWI]|acc|row)\d+|{_BASE_NAMES})(?:_\d+)*$")


def _normalise(text):
    """The first line of a message without paths, positions and program-specific names."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    line = re.sub(r"^<srcdiff (\w+)>:\d+:\d+: (error: )?", r"in generated \1: ", line)
    line = re.sub(r"^\S+\.py:\d+:\d+: (error: )?", "", line)
    line = re.sub(r"^error: ", "", line)
    line = re.sub(r"\S*fuzzprog_\w+", "PROG", line)

    def generated(word):
        return bool(_GENERATED_NAME.match(word)) and (len(word) > 1 and any(ch.isdigit() for ch in word)
                                                      or word in _PARAM_NAMES)

    def quoted(m):
        inner = m.group(1)
        if re.fullmatch(r"[A-Za-z_]\w*", inner):
            return "'V'" if generated(inner) else m.group(0)
        # code inside quotes: its program-specific names blanked
        return "'" + re.sub(r"\b[A-Za-z_]\w*\b", lambda w: "V" if generated(w.group(0)) else w.group(0), inner) + "'"
    line = re.sub(r"'([^']*)'", quoted, line)
    line = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: "V" if generated(m.group(0)) and m.group(0) not in _PARAM_NAMES
                  else m.group(0), line)
    line = re.sub(r"\d+", "N", line)
    return line[:110]


def _where(exc):
    """The innermost frame of srcdiff (or of generated code) that raised ``exc``."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if f"{os.sep}srcdiff{os.sep}" in frame.filename:
            return f"{pathlib.Path(frame.filename).stem}.{frame.name}"
    if frames:
        last = frames[-1]
        if "fuzzprog_" in last.filename:
            return "user function"
        generated = re.match(r"<srcdiff (\w+)", last.filename)
        if generated:
            return f"generated {generated.group(1)}"
        return f"{pathlib.Path(last.filename).stem}.{last.name}"
    return "?"


def exception_failure(check, exc, stage):
    if isinstance(exc, srcdiff.SrcdiffError) and "internal error" not in str(exc):
        status = "refused"
        sig = f"{check}:refused:{type(exc).__name__}: {_normalise(str(exc))}"
    else:
        status = "crash"
        sig = f"{check}:crash:{type(exc).__name__}: {_normalise(str(exc))} @ {_where(exc)}"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Failure(check, status, sig, f"{stage}: {type(exc).__name__}: {first}"[:400])


# ----------------------------------------------------------------------------------------
# modules

_counter = itertools.count()


def load_module(text, folder, stem):
    """Write ``text`` to ``folder/<unique name>.py`` and import it (not into sys.modules)."""
    name = f"fuzzprog_{stem}_{os.getpid()}_{next(_counter)}"
    path = pathlib.Path(folder) / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------
# numbers

def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def _shift(args, wrt, dirs, t):
    out = list(args)
    for i, d in zip(wrt, dirs):
        if isinstance(args[i], np.ndarray):
            out[i] = args[i] + t * d
        else:
            out[i] = float(args[i] + t * d)
    return out


def _vdot(a, b):
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def probe(phi, hs, h_one, stable, kink, **_):
    """phi'(0) by central differences, and whether that number can be trusted: the two
    step sizes agree and the one-sided slopes agree (no kink, tie or jump at the point)."""
    p0 = phi(0.0)
    c = [(phi(h) - phi(-h)) / (2 * h) for h in hs]
    fwd = (phi(h_one) - p0) / h_one
    bwd = (p0 - phi(-h_one)) / h_one
    scale = 1.0 + abs(c[0])
    ok = (np.isfinite(c).all() and abs(c[0] - c[1]) <= stable * scale and abs(fwd - bwd) <= kink * scale)
    return c[0], bool(ok)


def confirm(phi, ref, hs, h_one, stable, kink, rtol, **_):
    """Finite differences at smaller steps give ``ref`` again (and are stable)."""
    again, ok = probe(phi, (hs[0] / 10, hs[0] / 3), h_one, stable, kink)
    return ok and _close(again, ref, rtol / 10)


def _close(got, ref, rtol):
    return abs(got - ref) <= rtol * (1.0 + abs(ref) + abs(got))


def _allclose(a, b, rtol=AG_RTOL):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = 1.0 + float(np.max(np.abs(b), initial=0.0))
    return bool(np.all(np.abs(a - b) <= rtol * scale))


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"ndarray{x.shape} {x.dtype}"
    return type(x).__name__


def _type_problem(value, param, what):
    """Why ``value`` is not shaped like ``param`` (None when it is)."""
    if isinstance(param, np.ndarray):
        if not isinstance(value, np.ndarray):
            return f"{what} is a {_describe(value)}, the parameter an ndarray{param.shape}"
        if value.shape != param.shape or value.dtype != param.dtype:
            return f"{what} is {_describe(value)}, the parameter {_describe(param)}"
        return None
    if type(value) is not float:
        return f"{what} is a {_describe(value)}, the parameter a float"
    return None


# ----------------------------------------------------------------------------------------
# one program

class _Checker:
    def __init__(self, program, f, ag_f, points):
        self.prog = program
        self.f = f
        self.ag_f = ag_f
        self.points = points
        self.wrt = program.wrt
        self.names = [p.name for p in program.params]
        self.grad_fn = None          # srcdiff's gradient, once it passed its check
        self.grad_ok = False

    # inputs -----------------------------------------------------------------------------
    def inputs(self, point):
        rng = np.random.default_rng([self.prog.seed, point])
        args = []
        for p in self.prog.params:
            if p.kind == "array":
                args.append(rng.uniform(-1.2, 1.2, size=p.shape))
            elif p.kind == "float":
                args.append(float(rng.uniform(-1.2, 1.2)))
            else:
                args.append(int(rng.integers(1, 4)))
        return args

    def directions(self, args, point, salt, wrt=None):
        wrt = self.wrt if wrt is None else wrt
        rng = np.random.default_rng([self.prog.seed, point, salt])
        dirs = [rng.standard_normal(np.shape(args[i])) for i in wrt]
        norm = np.sqrt(sum(float(np.sum(d * d)) for d in dirs)) or 1.0
        return [d / norm if np.ndim(d) else float(d / norm) for d in dirs]

    def value(self, args):
        return float(self.f(*args))

    def call(self, fn, args, extra=()):
        """Call a generated function on copies it must not change; check they did not."""
        before = [_copy(a) for a in args]
        extra_before = [_copy(a) for a in extra]
        out = fn(*args, *extra)
        for name, a, b in zip(self.names, args, before):
            if isinstance(a, np.ndarray) and not np.array_equal(a, b):
                raise _Mutated(f"argument '{name}' was changed in place")
        for a, b in zip(extra, extra_before):
            if isinstance(a, np.ndarray) and not np.array_equal(a, b):
                raise _Mutated("a tangent or vector argument was changed in place")
        return out

    def autograd_grads(self, args):
        if self.ag_f is None:
            return None
        try:
            out = []
            for i in self.wrt:
                g = autograd.grad(self.ag_f, i)(*args)
                g = np.asarray(g, dtype=np.float64)
                if g.shape != np.shape(args[i]) or not np.all(np.isfinite(g)):
                    return None
                out.append(g)
            return out
        except Exception:
            return None

    def autograd_hvp(self, args, p, v):
        if self.ag_f is None:
            return None
        try:
            h = np.asarray(autograd.hessian_vector_product(self.ag_f, p)(*args, v), dtype=np.float64)
            return h if h.shape == np.shape(args[p]) and np.all(np.isfinite(h)) else None
        except Exception:
            return None

    # the checks -------------------------------------------------------------------------
    def check_grad(self):
        try:
            g = srcdiff.grad(self.f, wrt=self.wrt)
        except Exception as exc:
            return exception_failure("grad", exc, "building the gradient")
        unstable = 0
        for point in range(self.points):
            args = self.inputs(point)
            if not np.isfinite(self.value(args)):
                continue
            try:
                got = self.call(g, args)
            except _Mutated as exc:
                return Failure("grad", "wrong", "grad:wrong:mutated", str(exc))
            except Exception as exc:
                return exception_failure("grad", exc, "calling the gradient")
            if not isinstance(got, tuple) or len(got) != len(self.wrt):
                return Failure("grad", "wrong", "grad:wrong:structure",
                               f"expected a tuple of {len(self.wrt)} gradients, got {_describe(got)}")
            for i, gi in zip(self.wrt, got):
                problem = _type_problem(gi, args[i], f"the gradient of '{self.names[i]}'")
                if problem:
                    return Failure("grad", "wrong", "grad:wrong:type", problem)
            if not all(np.all(np.isfinite(gi)) for gi in got):
                return Failure("grad", "wrong", "grad:wrong:nan", "the gradient is not finite")
            mismatch, stable = None, True
            for salt in (1, 2):
                dirs = self.directions(args, point, salt)
                ref, ok = probe(lambda t: self.value(_shift(args, self.wrt, dirs, t)), **FD1)
                if not ok:
                    stable = False
                    break
                mine = sum(_vdot(gi, d) for gi, d in zip(got, dirs))
                if not _close(mine, ref, FD1["rtol"]):
                    phi = lambda t, dirs=dirs: self.value(_shift(args, self.wrt, dirs, t))  # noqa: E731
                    mismatch = (dirs, mine, ref, phi)
                    break
            if not stable:
                unstable += 1
                continue
            ag = self.autograd_grads(args)
            if mismatch is None:
                if ag is not None and not all(_allclose(gi, a) for gi, a in zip(got, ag)):
                    self.note("grad: agrees with finite differences, autograd differs")
                self.grad_fn, self.grad_ok = g, True
                return "pass"
            if ag is not None and all(_allclose(gi, a) for gi, a in zip(got, ag)):
                if not confirm(mismatch[3], mismatch[2], **FD1):
                    self.note("grad: agrees with autograd, finite differences differ")
                    self.grad_fn, self.grad_ok = g, True
                    return "pass"
                return Failure("grad", "wrong", "grad:wrong:value(autograd agrees)",
                               self.explain_grad(args, got, ag, mismatch, ag_agrees=True))
            return Failure("grad", "wrong", "grad:wrong:value", self.explain_grad(args, got, ag, mismatch))
        return "skip"

    def explain_grad(self, args, got, ag, mismatch, ag_agrees=False):
        dirs, mine, ref, _ = mismatch
        parts = [f"along a random direction srcdiff gives {mine:.6g}, finite differences {ref:.6g}"]
        bad = []
        for k, i in enumerate(self.wrt):
            one = [d if j == k else (np.zeros_like(d) if np.ndim(d) else 0.0) for j, d in enumerate(dirs)]
            r, ok = probe(lambda t: self.value(_shift(args, self.wrt, one, t)), **FD1)
            m = _vdot(got[k], one[k])
            if ok and not _close(m, r, FD1["rtol"]):
                bad.append(f"'{self.names[i]}' {_describe(args[i])} ({m:.4g} vs {r:.4g})")
        if bad:
            parts.append("wrong for " + ", ".join(bad))
        if ag_agrees:
            parts.append("autograd gives srcdiff's numbers (both wrong: finite differences hold at three steps)")
        else:
            parts.append("autograd agrees with finite differences" if ag is not None else "autograd could not run it")
        return "; ".join(parts)

    def check_jvp(self):
        try:
            j = srcdiff.jvp(self.f, wrt=self.wrt)
        except Exception as exc:
            return exception_failure("jvp", exc, "building the jvp")
        for point in range(self.points):
            args = self.inputs(point)
            if not np.isfinite(self.value(args)):
                continue
            dirs = self.directions(args, point, 3)
            try:
                got = self.call(j, args, dirs)
            except _Mutated as exc:
                return Failure("jvp", "wrong", "jvp:wrong:mutated", str(exc))
            except Exception as exc:
                return exception_failure("jvp", exc, "calling the jvp")
            if np.ndim(got) != 0 or not np.isrealobj(got):
                # a number (or a 0-d array, as f itself may return from np.where)
                return Failure("jvp", "wrong", "jvp:wrong:type", f"the jvp is a {_describe(got)}, expected a number")
            phi = lambda t: self.value(_shift(args, self.wrt, dirs, t))  # noqa: E731
            ref, ok = probe(phi, **FD1)
            if not ok:
                continue
            got = float(got)
            if _close(got, ref, FD1["rtol"]):
                return "pass"
            ag = self.autograd_grads(args)
            ag_value = None if ag is None else sum(_vdot(a, d) for a, d in zip(ag, dirs))
            sig = "jvp:wrong:value"
            if ag_value is not None and _close(got, ag_value, AG_RTOL * 10):
                if not confirm(phi, ref, **FD1):
                    self.note("jvp: agrees with autograd, finite differences differ")
                    return "pass"
                sig += "(autograd agrees)"
            return Failure("jvp", "wrong", sig,
                           f"srcdiff's jvp gives {got:.6g}, finite differences {ref:.6g}"
                           + (f", autograd {ag_value:.6g}" if ag_value is not None else "; autograd could not run it"))
        return "skip"

    def check_hvp(self):
        rng = np.random.default_rng([self.prog.seed, 99])
        p = int(rng.choice(self.wrt))
        try:
            h = srcdiff.hvp(self.f, wrt=p)
        except Exception as exc:
            return exception_failure("hvp", exc, f"building the hvp wrt '{self.names[p]}'")
        for point in range(self.points):
            args = self.inputs(point)
            if not np.isfinite(self.value(args)):
                continue
            v, u = self.directions(args, point, 4, (p, p))
            try:
                got = self.call(h, args, (v,))
            except _Mutated as exc:
                return Failure("hvp", "wrong", "hvp:wrong:mutated", str(exc))
            except Exception as exc:
                return exception_failure("hvp", exc, f"calling the hvp wrt '{self.names[p]}'")
            problem = _type_problem(got, args[p], f"the hvp wrt '{self.names[p]}'")
            if problem:
                return Failure("hvp", "wrong", "hvp:wrong:type", problem)
            mine = _vdot(got, u)
            k = self.wrt.index(p)
            if self.grad_ok:
                # finite differences of srcdiff's own gradient (it passed its check)
                def phi(t):
                    return _vdot(self.grad_fn(*_shift(args, (p,), (v,), t))[k], u)
                fd = FD1
                rtol, how = FD1["rtol"], "finite differences of the gradient"
            else:
                s = FD2["inner"]

                def phi(t):
                    base = _shift(args, (p,), (v,), t)
                    return (self.value(_shift(base, (p,), (u,), s)) - self.value(_shift(base, (p,), (u,), -s))) / (2 * s)
                fd = FD2
                rtol, how = FD2["rtol"], "second differences of f"
            ref, ok = probe(phi, **fd)
            if not ok:
                continue
            if _close(mine, ref, rtol):
                return "pass"
            ag = self.autograd_hvp(args, p, v)
            sig = "hvp:wrong:value"
            if ag is not None and _allclose(got, ag, AG_RTOL * 10):
                if not confirm(phi, ref, **fd):
                    self.note("hvp: agrees with autograd, finite differences differ")
                    return "pass"
                sig += "(autograd agrees)"
            return Failure("hvp", "wrong", sig,
                           f"wrt '{self.names[p]}' {_describe(args[p])}: u.Hv is {mine:.6g} by srcdiff, {ref:.6g} by {how}"
                           + (f", {_vdot(ag, u):.6g} by autograd" if ag is not None else "; autograd could not run it"))
        return "skip"

    def note(self, text):
        self.notes.append(text)


class _Mutated(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def check_program(program, folder=None, points=3, timeout=None, use_autograd=True):
    """Run the three checks on ``program``; returns a ``Result``."""
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
            first = float(f(*_Checker(program, f, None, points).inputs(0)))
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
        checker = _Checker(program, f, ag_f, points)
        checker.notes = result.notes
        for name in CHECKS:
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                outcome = getattr(checker, f"check_{name}")()
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
