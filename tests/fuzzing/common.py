"""What the fuzzer's checks share: failures and results, failure signatures, loading a
program as a module, and the numbers (finite differences and tolerances).

A signature groups failures into families: ``check:status:`` then the exception type and
the first line of its message with names, paths and numbers blanked out (and where it
was raised for a crash), or ``check:wrong:<what>`` for a wrong answer.
"""
import importlib.util
import itertools
import os
import pathlib
import re
import traceback
from dataclasses import dataclass, field

import numpy as np

import srcdiff

from .generate import ARRAY_NAMES, SCALAR_NAMES


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
    line = re.sub(r"^<srcdiff (\w+)(?: \w+)?>:\d+:\d+: (error: )?", r"in generated \1: ", line)
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


def attempted(check, stage, thunk, failed=None):
    """``(thunk(), None)``, or ``(None, a Failure)`` where the call changed an argument
    (``Mutated``: wrong) or raised (``failed(exc, stage)``; ``exception_failure`` by default)."""
    try:
        return thunk(), None
    except Mutated as exc:
        return None, Failure(check, "wrong", f"{check}:wrong:mutated", str(exc))
    except Exception as exc:
        return None, failed(exc, stage) if failed is not None else exception_failure(check, exc, stage)


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

def copy_value(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def shift(args, wrt, dirs, t):
    out = list(args)
    for i, d in zip(wrt, dirs):
        if isinstance(args[i], np.ndarray):
            out[i] = args[i] + t * d
        else:
            out[i] = float(args[i] + t * d)
    return out


def vdot(a, b):
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
    return ok and close(again, ref, rtol / 10)


def arbitrated(checker, name, mine, ref, ag, phi, fd, said):
    """The verdict on srcdiff's number ``mine`` where finite differences gave another, ``ref``
    (of ``phi'(0)`` with settings ``fd``): where autograd's ``ag`` agrees with srcdiff and
    differences at smaller steps do not give ``ref`` again, a pass (noted); else a Failure,
    its message ``said`` and autograd's number."""
    sig = f"{name}:wrong:value"
    if ag is not None and close(mine, ag, AG_RTOL * 10):
        if not confirm(phi, ref, **fd):
            checker.note(f"{name}: agrees with autograd, finite differences differ")
            return "pass"
        sig += "(autograd agrees)"
    return Failure(name, "wrong", sig, said + (f", {ag:.6g} by autograd" if ag is not None else "; autograd could not run it"))


def close(got, ref, rtol):
    return abs(got - ref) <= rtol * (1.0 + abs(ref) + abs(got))


def allclose(a, b, rtol=AG_RTOL):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = 1.0 + float(np.max(np.abs(b), initial=0.0))
    return bool(np.all(np.abs(a - b) <= rtol * scale))


def describe(x):
    if isinstance(x, np.ndarray):
        return f"ndarray{x.shape} {x.dtype}"
    return type(x).__name__


def type_problem(value, param, what):
    """Why ``value`` is not shaped like ``param`` (None when it is)."""
    if isinstance(param, np.ndarray):
        if not isinstance(value, np.ndarray):
            return f"{what} is a {describe(value)}, the parameter an ndarray{param.shape}"
        if value.shape != param.shape or value.dtype != param.dtype:
            return f"{what} is {describe(value)}, the parameter {describe(param)}"
        return None
    if type(value) is not float:
        return f"{what} is a {describe(value)}, the parameter a float"
    return None




class Mutated(Exception):
    """A generated function changed one of its inputs in place."""
