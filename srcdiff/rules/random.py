"""Random draws: ``np.random.normal(size=...)``, ``rng.standard_normal(...)`` and their kind.

A draw is noise made in the forward sweep: it has no gradient (``ZERO``), and the
backward sweep reads the value the forward sweep drew (each gradient call draws once,
as one call of the function would).  A draw whose distribution depends on a value
srcdiff would have to differentiate (``rng.normal(mu, sigma)`` with ``mu`` computed, the
entries of ``rng.choice(x)`` or ``rng.permutation(x)``) is refused: write it as a
transform of standard noise (``mu + sigma * rng.standard_normal(size)``).  Integer draws
(``integers``, ``poisson``, ``binomial``) are piecewise constant in their parameters: no
gradient, whatever they are.  ``DRAWS`` names, per draw, its parameters in order (after
the generator, for a method call); the names in ``SHAPE_ONLY`` never need a constant.
"""
from .params import Refusal
from .scalar import ZERO

DRAWS = {
    "normal": ("loc", "scale", "size"), "standard_normal": ("size", "dtype"), "uniform": ("low", "high", "size"),
    "random": ("size", "dtype"), "random_sample": ("size",), "rand": None, "randn": None,
    "integers": ("low", "high", "size", "dtype", "endpoint"), "randint": ("low", "high", "size", "dtype"),
    "poisson": ("lam", "size"), "binomial": ("n", "p", "size"), "choice": ("a", "size", "replace", "p"),
    "permutation": ("x",), "exponential": ("scale", "size"), "standard_exponential": ("size",),
    "beta": ("a", "b", "size"), "gamma": ("shape", "scale", "size"), "standard_gamma": ("shape", "size"),
    "laplace": ("loc", "scale", "size"), "logistic": ("loc", "scale", "size"), "lognormal": ("mean", "sigma", "size"),
    "multivariate_normal": ("mean", "cov", "size"), "dirichlet": ("alpha", "size"), "standard_t": ("df", "size"),
    "chisquare": ("df", "size"), "default_rng": ("seed",), "RandomState": ("seed",),
}
SHAPE_ONLY = frozenset({"size", "dtype", "endpoint", "replace", "seed"})
_INTEGER_DRAWS = frozenset({"integers", "randint", "poisson", "binomial"})


def _draw(name, offset):
    def build(stmt, names):
        params = DRAWS[name]
        given = list(zip(params, stmt.args[offset:])) if params is not None else []
        for param, value in given + list(stmt.kwargs):
            if name in _INTEGER_DRAWS or param in SHAPE_ONLY or hasattr(value, "value"):
                continue
            raise Refusal(f"'{stmt.op}' draws random numbers: srcdiff does not differentiate a draw with respect "
                          f"to its {param}, which is computed here",
                          "draw standard noise and transform it: loc + scale * rng.standard_normal(size)")
        return ZERO
    return build


BUILDERS = {**{f"np.random.{name}": _draw(name, 0) for name in DRAWS},
            **{f".{name}()": _draw(name, 1) for name in DRAWS if name not in ("default_rng", "RandomState")}}
TANGENTS = BUILDERS
