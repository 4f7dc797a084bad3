"""The first-order checks and the second-order one that needs no new entry point: grad,
jvp and hvp of one program, each against finite differences and autograd (see check.py)."""
import numpy as np

import srcdiff

from .common import (FD1, FD2, Failure, Mutated, allclose, arbitrated, attempted, close, confirm, copy_value, describe,
                     exception_failure, probe, shift, type_problem, vdot)

try:
    import autograd
except ImportError:        # the comparison with autograd is then left out
    autograd = None


class Checker:
    """The checks' shared state for one program: its function, autograd's copy, the points
    drawn, and srcdiff's gradient once it passed (the second-order checks difference it)."""

    def __init__(self, program, f, ag_f, points):
        self.prog = program
        self.f = f
        self.ag_f = ag_f
        self.points = points
        self.wrt = program.wrt
        self.names = [p.name for p in program.params]
        self.grad_fn = None          # srcdiff's gradient, once it passed its check
        self.grad_ok = False
        self.notes = []              # check_program shares its result's list
        self.folder = None           # where check_program writes modules (the penalty's)

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
        before = [copy_value(a) for a in args]
        extra_before = [copy_value(a) for a in extra]
        out = fn(*args, *extra)
        for name, a, b in zip(self.names, args, before):
            if isinstance(a, np.ndarray) and not np.array_equal(a, b):
                raise Mutated(f"argument '{name}' was changed in place")
        for a, b in zip(extra, extra_before):
            if isinstance(a, np.ndarray) and not np.array_equal(a, b):
                raise Mutated("a tangent or vector argument was changed in place")
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
        outcome = self.gradient_check("grad", g)
        if outcome == "pass":
            self.grad_fn, self.grad_ok = g, True
        return outcome

    def gradient_check(self, name, g, unpack=None, inputs=None, failed=None):
        """``g(*args)``, the gradients wrt ``self.wrt`` (``unpack(out, args)`` reads them out of
        another result, or returns a Failure), against finite differences and autograd;
        ``failed(exc, stage)`` makes the Failure of an exception (``attempted``'s default)."""
        inputs = inputs or self.inputs
        for point in range(self.points):
            args = inputs(point)
            if not np.isfinite(self.value(args)):
                continue
            got, failure = attempted(name, "calling the gradient", lambda: self.call(g, args), failed)
            if failure:
                return failure
            if unpack is not None:
                got = unpack(got, args)
                if isinstance(got, Failure):
                    return got
            problem = self.gradient_problem(name, got, args)
            if problem:
                return problem
            mismatch, stable = None, True
            for salt in (1, 2):
                dirs = self.directions(args, point, salt)
                ref, ok = probe(lambda t: self.value(shift(args, self.wrt, dirs, t)), **FD1)
                if not ok:
                    stable = False
                    break
                mine = sum(vdot(gi, d) for gi, d in zip(got, dirs))
                if not close(mine, ref, FD1["rtol"]):
                    phi = lambda t, dirs=dirs: self.value(shift(args, self.wrt, dirs, t))  # noqa: E731
                    mismatch = (dirs, mine, ref, phi)
                    break
            if not stable:
                continue
            ag = self.autograd_grads(args)
            if mismatch is None:
                if ag is not None and not all(allclose(gi, a) for gi, a in zip(got, ag)):
                    self.note(f"{name}: agrees with finite differences, autograd differs")
                return "pass"
            if ag is not None and all(allclose(gi, a) for gi, a in zip(got, ag)):
                if not confirm(mismatch[3], mismatch[2], **FD1):
                    self.note(f"{name}: agrees with autograd, finite differences differ")
                    return "pass"
                return Failure(name, "wrong", f"{name}:wrong:value(autograd agrees)",
                               self.explain_grad(args, got, ag, mismatch, ag_agrees=True))
            return Failure(name, "wrong", f"{name}:wrong:value", self.explain_grad(args, got, ag, mismatch))
        return "skip"

    def gradient_problem(self, name, got, args):
        """A Failure when ``got`` is not one finite gradient per parameter of its type, else None."""
        if not isinstance(got, tuple) or len(got) != len(self.wrt):
            return Failure(name, "wrong", f"{name}:wrong:structure",
                           f"expected a tuple of {len(self.wrt)} gradients, got {describe(got)}")
        for i, gi in zip(self.wrt, got):
            problem = type_problem(gi, args[i], f"the gradient of '{self.names[i]}'")
            if problem:
                return Failure(name, "wrong", f"{name}:wrong:type", problem)
        if not all(np.all(np.isfinite(gi)) for gi in got):
            return Failure(name, "wrong", f"{name}:wrong:nan", "the gradient is not finite")
        return None

    def explain_grad(self, args, got, ag, mismatch, ag_agrees=False):
        dirs, mine, ref, _ = mismatch
        parts = [f"along a random direction srcdiff gives {mine:.6g}, finite differences {ref:.6g}"]
        bad = []
        for k, i in enumerate(self.wrt):
            one = [d if j == k else (np.zeros_like(d) if np.ndim(d) else 0.0) for j, d in enumerate(dirs)]
            r, ok = probe(lambda t: self.value(shift(args, self.wrt, one, t)), **FD1)
            m = vdot(got[k], one[k])
            if ok and not close(m, r, FD1["rtol"]):
                bad.append(f"'{self.names[i]}' {describe(args[i])} ({m:.4g} vs {r:.4g})")
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
            got, failure = attempted("jvp", "calling the jvp", lambda: self.call(j, args, dirs))
            if failure:
                return failure
            if np.ndim(got) != 0 or not np.isrealobj(got):
                # a number (or a 0-d array, as f itself may return from np.where)
                return Failure("jvp", "wrong", "jvp:wrong:type", f"the jvp is a {describe(got)}, expected a number")
            phi = lambda t: self.value(shift(args, self.wrt, dirs, t))  # noqa: E731
            ref, ok = probe(phi, **FD1)
            if not ok:
                continue
            got = float(got)
            if close(got, ref, FD1["rtol"]):
                return "pass"
            ag = self.autograd_grads(args)
            ag_value = None if ag is None else sum(vdot(a, d) for a, d in zip(ag, dirs))
            return arbitrated(self, "jvp", got, ref, ag_value, phi, FD1,
                              f"the jvp is {got:.6g} by srcdiff, {ref:.6g} by finite differences")
        return "skip"

    def hvp_parameter(self):
        """The parameter the second-order checks differentiate twice (drawn per seed)."""
        return int(np.random.default_rng([self.prog.seed, 99]).choice(self.wrt))

    def check_hvp(self):
        p = self.hvp_parameter()
        try:
            h = srcdiff.hvp(self.f, wrt=p)
        except Exception as exc:
            return exception_failure("hvp", exc, f"building the hvp wrt '{self.names[p]}'")

        def product(args, v, u):
            got = self.call(h, args, (v,))
            problem = type_problem(got, args[p], f"the hvp wrt '{self.names[p]}'")
            return Failure("hvp", "wrong", "hvp:wrong:type", problem) if problem else vdot(got, u)

        def by_autograd(args, v, u):
            ag = self.autograd_hvp(args, p, v)
            return None if ag is None else vdot(ag, u)
        return self.second_order("hvp", p, product, by_autograd)

    def second_order(self, name, p, product, by_autograd):
        """``product(args, v, u)``, srcdiff's u.H.v for the Hessian wrt parameter ``p`` (or a
        Failure), against finite differences (``second_reference``) and autograd."""
        for point in range(self.points):
            args = self.inputs(point)
            if not np.isfinite(self.value(args)):
                continue
            v, u = self.directions(args, point, 4, (p, p))
            mine, failure = attempted(name, f"calling the {name} wrt '{self.names[p]}'",
                                      lambda: product(args, v, u))
            if failure or isinstance(mine, Failure):
                return failure or mine
            phi, fd, how = self.second_reference(args, (p,), (v,), (u,))
            ref, ok = probe(phi, **fd)
            if not ok:
                continue
            if close(mine, ref, fd["rtol"]):
                return "pass"
            return arbitrated(self, name, mine, ref, by_autograd(args, v, u), phi, fd,
                              f"wrt '{self.names[p]}' {describe(args[p])}: u.Hv is {mine:.6g} by srcdiff, {ref:.6g} by {how}")
        return "skip"

    def second_reference(self, args, wrt, vs, us):
        """``(phi, fd, how)``: phi(t) = sum_i <grad_i f(args + t v), u_i> over parameters ``wrt``,
        by srcdiff's gradient where it passed its check, else by differences of f; ``fd``
        the finite-difference settings for phi'(0) = u.H.v."""
        if self.grad_ok:
            ks = [self.wrt.index(p) for p in wrt]

            def phi(t):
                g = self.grad_fn(*shift(args, wrt, vs, t))
                return sum(vdot(g[k], u) for k, u in zip(ks, us))
            return phi, FD1, "finite differences of the gradient"
        s = FD2["inner"]

        def phi(t):
            base = shift(args, wrt, vs, t)
            return (self.value(shift(base, wrt, us, s)) - self.value(shift(base, wrt, us, -s))) / (2 * s)
        return phi, FD2, "second differences of f"

    def note(self, text):
        self.notes.append(text)

