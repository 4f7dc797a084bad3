"""Derive the gradient rules of elementary functions with sympy, and pin them.

For every function in ``ELEMENTARY`` sympy differentiates ``f(x)`` (or ``f(x0, x1)``),
substitutes the output back in where it appears (``exp -> y``, ``tanh -> 1 - y**2``,
``sqrt -> 1/(2*y)``), and prints the local gradient for the ``math`` module and for
``numpy`` alike.  ``python -m srcdiff.rules.derive`` writes the table to ``_derived.py``, which
is checked in: importing srcdiff never imports sympy, and a sympy upgrade cannot change
generated code silently (a test re-derives the table and compares).
"""
import ast
import os

# (math name or None, numpy name or None, arity, sympy builder taking the symbols)
ELEMENTARY = [
    ("sin", "sin", 1, lambda sp, x: sp.sin(x)),
    ("cos", "cos", 1, lambda sp, x: sp.cos(x)),
    ("tan", "tan", 1, lambda sp, x: sp.tan(x)),
    ("asin", "arcsin", 1, lambda sp, x: sp.asin(x)),
    ("acos", "arccos", 1, lambda sp, x: sp.acos(x)),
    ("atan", "arctan", 1, lambda sp, x: sp.atan(x)),
    ("sinh", "sinh", 1, lambda sp, x: sp.sinh(x)),
    ("cosh", "cosh", 1, lambda sp, x: sp.cosh(x)),
    ("tanh", "tanh", 1, lambda sp, x: sp.tanh(x)),
    ("asinh", "arcsinh", 1, lambda sp, x: sp.asinh(x)),
    ("acosh", "arccosh", 1, lambda sp, x: sp.acosh(x)),
    ("atanh", "arctanh", 1, lambda sp, x: sp.atanh(x)),
    ("exp", "exp", 1, lambda sp, x: sp.exp(x)),
    ("expm1", "expm1", 1, lambda sp, x: sp.exp(x) - 1),
    ("exp2", "exp2", 1, lambda sp, x: 2 ** x),
    ("log", "log", 1, lambda sp, x: sp.log(x)),
    ("log1p", "log1p", 1, lambda sp, x: sp.log(1 + x)),
    ("log2", "log2", 1, lambda sp, x: sp.log(x, 2)),
    ("log10", "log10", 1, lambda sp, x: sp.log(x, 10)),
    ("sqrt", "sqrt", 1, lambda sp, x: sp.sqrt(x)),
    ("erf", None, 1, lambda sp, x: sp.erf(x)),
    ("erfc", None, 1, lambda sp, x: sp.erfc(x)),
    ("gamma", None, 1, lambda sp, x: sp.gamma(x)),
    ("lgamma", None, 1, lambda sp, x: sp.loggamma(x)),
    (None, "square", 1, lambda sp, x: x ** 2),
    (None, "reciprocal", 1, lambda sp, x: 1 / x),
    ("atan2", "arctan2", 2, lambda sp, a, b: sp.atan2(a, b)),
    ("hypot", "hypot", 2, lambda sp, a, b: sp.sqrt(a ** 2 + b ** 2)),
    ("log/2", None, 2, lambda sp, a, b: sp.log(a) / sp.log(b)),
    (None, "logaddexp", 2, lambda sp, a, b: sp.log(sp.exp(a) + sp.exp(b))),
    (None, "logaddexp2", 2, lambda sp, a, b: sp.log(2 ** a + 2 ** b, 2)),
    (None, "deg2rad", 1, lambda sp, x: x * sp.pi / 180),
    (None, "radians", 1, lambda sp, x: x * sp.pi / 180),
    (None, "rad2deg", 1, lambda sp, x: x * 180 / sp.pi),
    (None, "degrees", 1, lambda sp, x: x * 180 / sp.pi),
]

# scipy.special's elementary functions (name, arity, sympy builder), printed for numpy
SPECIAL = [
    ("logit", 1, lambda sp, x: sp.log(x / (1 - x))),
    ("erf", 1, lambda sp, x: sp.erf(x)),
    ("erfc", 1, lambda sp, x: sp.erfc(x)),
    ("gammaln", 1, lambda sp, x: sp.loggamma(x)),
    ("digamma", 1, lambda sp, x: sp.polygamma(0, x)),
    ("betaln", 2, lambda sp, a, b: sp.loggamma(a) + sp.loggamma(b) - sp.loggamma(a + b)),
    ("gamma", 1, lambda sp, x: sp.gamma(x)),
    ("rgamma", 1, lambda sp, x: 1 / sp.gamma(x)),
    ("erfinv", 1, lambda sp, x: sp.erfinv(x)),
    ("erfcinv", 1, lambda sp, x: sp.erfcinv(x)),
]

# sympy's printed function names -> (math spelling, numpy spelling)
_FUNCTION_NAMES = {
    "sin": ("math.sin", "np.sin"), "cos": ("math.cos", "np.cos"), "tan": ("math.tan", "np.tan"),
    "sinh": ("math.sinh", "np.sinh"), "cosh": ("math.cosh", "np.cosh"), "tanh": ("math.tanh", "np.tanh"),
    "exp": ("math.exp", "np.exp"), "log": ("math.log", "np.log"), "sqrt": ("math.sqrt", "np.sqrt"),
    "digamma": ("rt.digamma", "rt.digamma"), "polygamma": ("rt.polygamma", "rt.polygamma"), "Abs": ("abs", "np.abs"),
}
_CONSTANT_NAMES = {"pi": ("math.pi", "np.pi"), "E": ("math.e", "np.e")}


def derive_one(sp, arity, build):
    """The local gradients of ``build`` as sympy expressions in x (or x0, x1) and y."""
    xs = sp.symbols("x") if arity == 1 else sp.symbols("x0 x1")
    xs = (xs,) if arity == 1 else xs
    y = sp.Symbol("y")
    output = build(sp, *xs)
    grads = []
    for x in xs:
        raw = sp.diff(output, x)
        candidates = [c.subs(output, y) for c in (raw, sp.simplify(raw))] + [raw]
        # fewest operations wins; on a tie, the form reusing the output y, then the first
        best = min(candidates, key=lambda c: (sp.count_ops(c), not c.has(y)))
        shorter = [c for c in _through_logarithm(sp, output, raw, y) if sp.count_ops(c) < sp.count_ops(best)]
        grads.append(shorter[0] if shorter else best)
    return grads


def _through_logarithm(sp, output, raw, y):
    """``raw`` with the argument ``u`` of a logarithm ``output = log_b(u)`` written as ``b ** y``:
    logaddexp's ``exp(x0) / (exp(x0) + exp(x1))`` becomes ``exp(x0 - y)`` (which cannot overflow).
    Taken only where it is strictly shorter, so no other rule changes."""
    for log in sorted(output.atoms(sp.log), key=sp.default_sort_key):
        u = log.args[0]
        scale = sp.simplify(output / log)
        if not u.is_number and not scale.free_symbols:
            yield sp.powsimp(raw.subs(u, sp.exp(1 / scale) ** y))


def print_local(sp, expr, flavour):
    """A sympy local gradient as Python source: flavour 0 for math, 1 for numpy."""
    expr = expr.replace(lambda e: isinstance(e, sp.polygamma) and e.args[0] == 0,
                        lambda e: sp.Function("digamma")(e.args[1]))
    tree = ast.parse(sp.sstr(expr), mode="eval")

    class Spell(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            name = node.func.id
            if name not in _FUNCTION_NAMES:
                raise ValueError(f"no spelling for sympy function {name}")
            node.func = ast.parse(_FUNCTION_NAMES[name][flavour], mode="eval").body
            return node

        def visit_Name(self, node):
            if node.id in _CONSTANT_NAMES:
                return ast.parse(_CONSTANT_NAMES[node.id][flavour], mode="eval").body
            return node

    return ast.unparse(Spell().visit(tree))


def derive_table():
    """``{op: (template, ...)}`` for every entry of ELEMENTARY, each template ``g * (...)``."""
    import sympy as sp  # loaded here only: importing srcdiff never imports sympy (test_derive checks it)
    table = {}
    for math_name, numpy_name, arity, build in ELEMENTARY:
        grads = derive_one(sp, arity, build)
        for prefix, name, flavour in (("math.", math_name, 0), ("np.", numpy_name, 1)):
            if name is not None:
                table[prefix + name] = tuple(f"g * ({print_local(sp, d, flavour)})" for d in grads)
    for name, arity, build in SPECIAL:
        grads = derive_one(sp, arity, build)
        table["scipy.special." + name] = tuple(f"g * ({print_local(sp, d, 1)})" for d in grads)
    return table


def render_module(table):
    """The text of ``_derived.py`` for ``table``."""
    lines = ['"""Gradient rules derived by sympy; generated by ``python -m srcdiff.rules.derive``: do not edit."""',
             "", "DERIVED = {"]
    for op in sorted(table):
        lines.append(f"    {op!r}: {table[op]!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


DERIVED_PATH = os.path.join(os.path.dirname(__file__), "_derived.py")

if __name__ == "__main__":
    with open(DERIVED_PATH, "w", encoding="utf-8") as out:
        out.write(render_module(derive_table()))
    print(f"wrote {DERIVED_PATH}")
