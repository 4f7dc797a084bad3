"""The second-order checks beyond ``hvp``: ``hessian``, ``grad2`` and ``penalty``.

- ``hessian``: ``srcdiff.hessian(f, wrt=p)(*args)`` (a float for a float parameter, an
  array of shape S + S and the parameter's dtype for an array of shape S), read as
  u.H.v for random u and v, against the same references as ``hvp`` (finite differences
  of srcdiff's checked gradient, else second differences of f) and autograd's Hessian;
- ``grad2``: ``srcdiff.grad(srcdiff.grad(f, wrt=p), wrt=p)`` for a float parameter ``p``
  (``n/a`` when ``f`` has none): the gradient of a gradient, a float;
- ``penalty``: the gradient-penalty form: the module gets ``grad_of_f = srcdiff.grad(f,
  wrt=...)`` and ``penalty(...) = sum_i <grad_of_f(...)[i], w_i>`` for fixed weights
  ``w``, and ``srcdiff.grad(penalty)`` (which inlines the generated gradient), H w, is
  checked along random directions against finite differences of the gradient and autograd.
"""
import numpy as np

import srcdiff

from .common import (Failure, arbitrated, attempted, close, describe, exception_failure, load_module,
                     probe, type_problem, vdot)

try:
    import autograd
    import autograd.numpy as anp
except ImportError:        # the comparison with autograd is then left out
    autograd = anp = None


def check_hessian(checker):
    p = checker.hvp_parameter()
    name = checker.names[p]
    try:
        h = srcdiff.hessian(checker.f, wrt=p)
    except Exception as exc:
        return exception_failure("hessian", exc, f"building the hessian wrt '{name}'")

    def product(args, v, u):
        got = checker.call(h, args)
        problem = _hessian_problem(got, args[p], f"the hessian wrt '{name}'")
        if problem:
            return Failure("hessian", "wrong", "hessian:wrong:type", problem)
        return _bilinear(got, u, v)

    def by_autograd(args, v, u):
        return _autograd_number(lambda: _bilinear(autograd.hessian(checker.ag_f, p)(*args), u, v), checker)
    return checker.second_order("hessian", p, product, by_autograd)


def check_grad2(checker):
    floats = [i for i in checker.wrt if checker.prog.params[i].kind == "float"]
    if not floats:
        return "n/a"
    p = floats[int(np.random.default_rng([checker.prog.seed, 98]).integers(len(floats)))]
    name = checker.names[p]
    try:
        g2 = srcdiff.grad(srcdiff.grad(checker.f, wrt=p), wrt=p)
    except Exception as exc:
        return exception_failure("grad2", exc, f"building grad(grad(f, wrt='{name}'), wrt='{name}')")

    def product(args, v, u):
        got = checker.call(g2, args)
        problem = type_problem(got, args[p], "the second derivative")
        return Failure("grad2", "wrong", "grad2:wrong:type", problem) if problem else got * v * u

    def by_autograd(args, v, u):
        return _autograd_number(lambda: autograd.grad(autograd.grad(checker.ag_f, p), p)(*args) * v * u, checker)
    return checker.second_order("grad2", p, product, by_autograd)


# ---- the gradient penalty ------------------------------------------------------------------

def penalty_source(program, weights):
    """The program's module with ``grad_of_f`` and ``penalty`` appended (weights per wrt parameter)."""
    params = ", ".join(p.name for p in program.params)
    lines = [program.source.rstrip("\n"), "", "import srcdiff", "",
             f"grad_of_f = srcdiff.grad(f, wrt={tuple(program.wrt)!r})"]
    terms = []
    for k, w in enumerate(weights):
        lines.append(f"PENALTY_W{k} = " + (f"np.array({w.tolist()!r})" if isinstance(w, np.ndarray) else repr(w)))
        terms.append(f"np.sum(PENALTY_W{k} * g_of_f[{k}])")
    lines += ["", "", f"def penalty({params}):", f"    g_of_f = grad_of_f({params})",
              "    return " + " + ".join(terms), ""]
    return "\n".join(lines)


def penalty_weights(checker):
    """Fixed weights w (one per wrt parameter, |w| = 1, rounded so the module's text is exact)."""
    rng = np.random.default_rng([checker.prog.seed, 97])
    shapes = [checker.prog.params[i].shape for i in checker.wrt]
    raw = [rng.standard_normal(s) for s in shapes]
    norm = np.sqrt(sum(float(np.sum(w * w)) for w in raw)) or 1.0
    return [np.round(w / norm, 6) if s else float(np.round(w / norm, 6)) for w, s in zip(raw, shapes)]


def check_penalty(checker):
    weights = penalty_weights(checker)
    wrt = checker.wrt
    try:
        module = load_module(penalty_source(checker.prog, weights), checker.folder, f"{checker.prog.seed}_pen")
        g = srcdiff.grad(module.penalty, wrt=wrt)
    except Exception as exc:
        return exception_failure("penalty", exc, "building the gradient of the gradient penalty")
    for point in range(checker.points):
        args = checker.inputs(point)
        if not np.isfinite(checker.value(args)):
            continue
        got, failure = attempted("penalty", "calling the gradient of the gradient penalty",
                                 lambda: checker.call(g, args))
        if failure:
            return failure
        problem = checker.gradient_problem("penalty", got, args)
        if problem:
            return problem
        dirs = checker.directions(args, point, 5)
        mine = sum(vdot(gi, d) for gi, d in zip(got, dirs))
        phi, fd, how = checker.second_reference(args, wrt, dirs, weights)
        ref, ok = probe(phi, **fd)
        if not ok:
            continue
        if close(mine, ref, fd["rtol"]):
            return "pass"
        ag = _autograd_number(lambda: _autograd_penalty(checker, args, weights, dirs), checker)
        return arbitrated(checker, "penalty", mine, ref, ag, phi, fd,
                          f"d.Hw along a random d is {mine:.6g} by srcdiff, {ref:.6g} by {how}")
    return "skip"


def _autograd_penalty(checker, args, weights, dirs):
    def penalty(*a):
        return sum(anp.sum(autograd.grad(checker.ag_f, i)(*a) * w) for i, w in zip(checker.wrt, weights))
    return sum(vdot(autograd.grad(penalty, i)(*args), d) for i, d in zip(checker.wrt, dirs))


# ---- numbers ------------------------------------------------------------------------------

def _bilinear(h, u, v):
    """u.H.v for a Hessian ``h`` of shape S + S (or a number) and u, v of shape S."""
    if np.ndim(u) == 0:
        return float(np.asarray(h, dtype=np.float64).reshape(())) * u * v
    n = np.size(u)
    matrix = np.asarray(h, dtype=np.float64).reshape(n, n)
    return float(np.ravel(u) @ matrix @ np.ravel(v))


def _hessian_problem(h, param, what):
    if not isinstance(param, np.ndarray):
        return type_problem(h, param, what)
    if not isinstance(h, np.ndarray) or h.shape != param.shape * 2 or h.dtype != param.dtype:
        return f"{what} is {describe(h)}, expected ndarray{param.shape * 2} {param.dtype}"
    if not np.all(np.isfinite(h)):
        return f"{what} is not finite"
    return None


def _autograd_number(compute, checker):
    """``compute()`` as a float, or None where autograd cannot run the program."""
    if checker.ag_f is None:
        return None
    try:
        value = float(compute())
    except Exception:
        return None
    return value if np.isfinite(value) else None
