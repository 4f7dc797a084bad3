"""Seeded random programs of numbers for the fuzzer's ``scalar`` family (``--features numba``):
the subset ``jit="numba"`` compiles (srcdiff/pipeline/jit.py), so that its generated code is
fuzzed too.

``generate_scalar(seed, features, size)`` writes a module like ``generate``'s: ``import
numpy as np``, ``import math``, float constants, an optional helper and ``f(...)`` whose
parameters are floats, 1-D float arrays (lengths 3 to 5) and at most one int loop count.
Arrays are read entry by entry only (``xs[i]``, ``xs[-1]``, ``for x in xs``, ``len(xs)``);
the code is ``math`` functions, ``+ - * /``, powers, ``abs``, ``min``/``max`` of two,
branches, conditional expressions, ``for``/``while`` loops with carried values, early
returns and helpers.  The other features given (``math``, ``kinks``, ``branch``,
``early_return``, ``for``, ``while``, ``helper``, ``index``) pick the constructs; with none
of them, every construct is used.  ``containers`` (group ``containers``; never in the numba
family's programs) adds lists written at constant positions (``L3 = [a, b]``, then
``L3[0] += 0.1 * u`` in loops and branches), dicts written at the top level (``D4 = {}``,
``D4["a"] = e``) and membership tests in displays (``t2 not in (0.5, -1.0)``).  The same
seed, features and size give the same text.
"""
import math
from dataclasses import dataclass

SCALAR_CONSTRUCTS = frozenset({"math", "kinks", "branch", "early_return", "for", "while", "helper", "index"})
CONTAINERS = "containers"  # not in SCALAR_CONSTRUCTS: taken only when asked for
LIMIT = 3.0
ARRAY_LENGTHS = (3, 4, 5)
FLOAT_NAMES = ("s", "c", "alpha", "beta", "r")
ARRAY_NAMES = ("xs", "ys", "zs")

MATH_OPS = (  # (template, bound of the result given the bound b of the operand)
    ("math.exp(math.tanh({a}))", lambda b: math.e),
    ("math.log(1.0 + {p} ** 2)", lambda b: math.log1p(b * b)),
    ("math.sqrt(1.0 + {p} ** 2)", lambda b: math.sqrt(1 + b * b)),
    ("math.sin({a})", lambda b: 1.0),
    ("math.cos({a})", lambda b: 1.0),
    ("math.tanh({a})", lambda b: 1.0),
    ("math.atan({a})", lambda b: 1.6),
    ("math.log1p({p} ** 2)", lambda b: math.log1p(b * b)),
    ("math.expm1(math.tanh({a}))", lambda b: 1.8),
    ("math.sinh(math.tanh({a}))", lambda b: 1.2),
    ("math.cosh(math.tanh({a}))", lambda b: 1.6),
    ("math.erf({a})", lambda b: 1.0),
    ("math.exp(-{p} ** 2)", lambda b: 1.0),
    ("math.pow(1.0 + {p} ** 2, 0.75)", lambda b: (1 + b * b) ** 0.75),
    ("1.0 / (1.0 + math.exp(-{p}))", lambda b: 1.0),
)
ARITH_OPS = (("-{p}", lambda b: b), ("{p} ** 2", lambda b: b * b), ("{p} ** 3", lambda b: b ** 3),
             ("0.5 * {p}", lambda b: 0.5 * b))


@dataclass
class _E:
    text: str
    bound: float
    atomic: bool = False

    def p(self):
        return self.text if self.atomic else f"({self.text})"


class _ScalarGen:
    def __init__(self, rng, constructs):
        self.r = rng
        self.c = constructs
        self.consts = []
        self.lines = []
        self.n = 0
        self.arrays = []        # (name, length) of f's array parameters
        self.loop_reads = []    # expressions of numbers the enclosing loops give (xs[i], x, float(i))
        self.helper = False
        self.int_param = None   # the name of f's int parameter, a loop count, if it has one

    def has(self, construct):
        return construct in self.c

    def name(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, indent, line):
        self.lines.append("    " * indent + line)

    def const(self):
        name = self.name("C")
        value = self.r.uniform(0.1, 1.2) * self.r.choice([-1, 1])
        self.consts.append(f"{name} = {value:.3f}")
        return _E(name, abs(value), True)

    def lit(self):
        value = self.r.uniform(0.2, 1.5) * self.r.choice([-1, 1])
        return _E(f"{value:.3g}", abs(value), value >= 0)

    def tame(self, e):
        if e.bound <= LIMIT:
            return e
        if e.bound <= 4 * LIMIT and self.r.random() < 0.5:
            k = LIMIT / e.bound
            return _E(f"{k:.3g} * {e.p()}", LIMIT)
        return _E(f"math.tanh({e.text})", 1.0, True)

    # -- expressions ---------------------------------------------------------------------
    def atom(self, pool):
        roll = self.r.random()
        if self.loop_reads and roll < 0.45:
            return _E(self.r.choice(self.loop_reads), 1.2 * 5, True)
        if self.arrays and self.has("index") and roll < 0.6:
            name, length = self.r.choice(self.arrays)
            k = self.r.randrange(-length, length)
            return _E(f"{name}[{k}]", 1.2, True)
        if roll < 0.7 and pool:
            weights = [1 + i for i in range(len(pool))]
            name, bound = self.r.choices(pool, weights)[0]
            return _E(name, bound, True)
        return self.const() if self.r.random() < 0.5 else self.lit()

    def expr(self, pool, depth=0):
        if depth >= 2:
            return self.atom(pool)
        kinds = ["atom", "unary", "binary", "binary"]
        kinds += ["kink"] * self.has("kinks") + ["ifexp"] * self.has("branch") + ["helper"] * self.helper
        kind = self.r.choice(kinds)
        if kind == "atom":
            return self.atom(pool)
        if kind == "unary":
            ops = ARITH_OPS + (MATH_OPS if self.has("math") else ())
            template, bound = self.r.choice(ops)
            a = self.expr(pool, depth + 1)
            return self.tame(_E(template.format(a=a.text, p=a.p()), bound(a.bound), template.startswith("math.")))
        if kind == "binary":
            a, b = self.expr(pool, depth + 1), self.expr(pool, depth + 1)
            op = self.r.choice(["+", "-", "*", "/"])
            if op == "/":
                return _E(f"{a.p()} / (1.0 + {b.p()} ** 2)", a.bound)
            return self.tame(_E(f"{a.p()} {op} {b.p()}", a.bound * b.bound if op == "*" else a.bound + b.bound))
        if kind == "kink":
            a, b = self.expr(pool, depth + 1), self.expr(pool, depth + 1)
            form = self.r.choice(["abs({a})", "math.fabs({a})", "min({a}, {b})", "max({a}, {b})"])
            return _E(form.format(a=a.text, b=b.text), max(a.bound, b.bound), True)
        if kind == "ifexp":
            a, b = self.expr(pool, depth + 1), self.expr(pool, depth + 1)
            return _E(f"{a.p()} if {self.condition(pool)} else {b.p()}", max(a.bound, b.bound))
        a, b = self.expr(pool, depth + 1), self.expr(pool, depth + 1)
        return _E(f"helper({a.text}, {b.text})", 2.0 * (1.0 + a.bound), True)

    def condition(self, pool):
        a = self.atom(pool)
        while a.text[0] in "-0123456789C":   # a test of a constant is decided before it runs
            a = self.atom(pool)
        if self.has(CONTAINERS) and self.r.random() < 0.2:  # rarely false: the test of a display runs
            return f"{a.text} {self.r.choice(['not in', 'in'])} ({self.lit().text}, {self.lit().text})"
        return f"{a.text} {self.r.choice(['<', '>', '<=', '>='])} {self.r.uniform(-0.5, 0.5):.3g}"

    # -- statements ----------------------------------------------------------------------
    def block(self, pool, indent, depth, n):
        for _ in range(n):
            self.stmt(pool, indent, depth)

    def stmt(self, pool, indent, depth):
        kinds = ["assign", "assign"]
        if depth < 2:
            kinds += ["for"] * 2 * self.has("for") + ["while"] * self.has("while") + ["branch"] * self.has("branch")
        if self.has("early_return") and depth < 2:
            kinds.append("early_return")
        if self.has(CONTAINERS):
            kinds += ["list"] + ["dict"] * (depth == 0) + ["write"] * 2 * any(_written(t, depth) for t, _ in pool)
        getattr(self, f"s_{self.r.choice(kinds)}")(pool, indent, depth)

    def s_list(self, pool, indent, depth):
        """A list display of numbers: its items go into the pool, and later statements write them."""
        name = self.name("L")
        items = [self.tame(self.expr(pool)) for _ in range(self.r.randint(2, 3))]
        self.emit(indent, f"{name} = [{', '.join(i.text for i in items)}]")
        pool += [(f"{name}[{k}]", i.bound) for k, i in enumerate(items)]

    def s_dict(self, pool, indent, depth):
        """A dict built at the top level, empty or from a display; its entries go into the pool."""
        name = self.name("D")
        if self.r.random() < 0.5:
            self.emit(indent, f"{name} = {{}}")
            e = self.tame(self.expr(pool))
            self.emit(indent, f'{name}["a"] = {e.text}')
        else:
            e = self.tame(self.expr(pool))
            self.emit(indent, f'{name} = {{"a": {e.text}}}')
        pool.append((f'{name}["a"]', e.bound))

    def s_write(self, pool, indent, depth):
        """A write into an item of a list (anywhere) or an entry of a dict (at the top level)."""
        target, bound = self.r.choice([(t, b) for t, b in pool if _written(t, depth)])
        u = self.tame(self.expr(pool))
        if target.startswith("D") and self.r.random() < 0.4:  # a new entry
            target = target.replace('["a"]', f'["{self.name("k")}"]')
            self.emit(indent, f"{target} = {u.text}")
            pool.append((target, u.bound))
            return
        form = self.r.choice(["{t} += 0.1 * {u}", "{t} = 0.5 * {t} + 0.5 * {u}", "{t} = {u}", "{t} *= 0.5"])
        self.emit(indent, form.format(t=target, u=u.p()))
        pool.append((target, max(bound, u.bound)))  # the pool's bound of a name is its latest

    def s_assign(self, pool, indent, depth):
        e = self.tame(self.expr(pool))
        name = self.name(self.r.choice(["t", "t", "h", "u"]))
        self.emit(indent, f"{name} = {e.text}")
        pool.append((name, e.bound))

    def s_branch(self, pool, indent, depth):
        name = self.name("r")
        self.emit(indent, f"if {self.condition(pool)}:")
        inner = list(pool)
        self.block(inner, indent + 1, depth + 1, self.r.randint(0, 1))
        a = self.tame(self.expr(inner))
        self.emit(indent + 1, f"{name} = {a.text}")
        self.emit(indent, "else:")
        inner = list(pool)
        self.block(inner, indent + 1, depth + 1, self.r.randint(0, 1))
        b = self.tame(self.expr(inner))
        self.emit(indent + 1, f"{name} = {b.text}")
        pool.append((name, max(a.bound, b.bound)))

    def s_early_return(self, pool, indent, depth):
        self.emit(indent, f"if {self.condition(pool)}:")
        self.emit(indent + 1, f"return {self.tame(self.expr(pool)).text}")

    def carried(self, pool, indent, depth):
        """A loop body: a few statements, then the carried value's update."""
        acc = self.name("acc")
        self.lines.insert(len(self.lines) - 1, "    " * (indent - 1) + f"{acc} = {self.lit().text}")
        inner = list(pool) + [(acc, LIMIT)]
        self.block(inner, indent, depth + 1, self.r.randint(0, 2))
        update = self.expr(inner)
        form = self.r.choice(["{acc} = {acc} + {u}", "{acc} += {u}", "{acc} = math.tanh({w} * {acc} + {u})",
                              "{acc} = 0.8 * {acc} + 0.2 * math.sin({u})"])
        if "math." in form and not self.has("math"):
            form = "{acc} = 0.5 * {acc} + {u}"
        scale = "" if "tanh" in form or "sin" in form else "0.1 * "
        self.emit(indent, form.format(acc=acc, u=scale + update.p(), w=f"{self.r.uniform(-0.9, 0.9):.3g}"))
        return acc

    def s_for(self, pool, indent, depth):
        forms = ["range_len", "items", "range"] if self.arrays else ["range"]
        form = self.r.choice(forms)
        i = self.name("i")
        if form == "range_len":
            name, _ = self.r.choice(self.arrays)
            self.emit(indent, f"for {i} in range(len({name})):")
            reads = [f"{name}[{i}]", f"{name}[{i}]", f"float({i})"]
        elif form == "items":
            name, _ = self.r.choice(self.arrays)
            self.emit(indent, f"for {i} in {name}:")
            reads = [i]
        else:
            self.emit(indent, f"for {i} in range({self.int_param or self.r.randint(2, 4)}):")
            reads = [f"float({i})"]
        self.loop_reads += reads
        acc = self.carried(pool, indent + 1, depth)
        del self.loop_reads[-len(reads):]
        pool.append((acc, LIMIT))
        if form == "items" and self.r.random() < 0.5:  # the last item, still bound after the loop
            pool.append((i, 1.2))

    def s_while(self, pool, indent, depth):
        k = self.name("k")
        self.emit(indent, f"{k} = 0")
        bound = f"len({self.r.choice(self.arrays)[0]})" if self.arrays and self.r.random() < 0.5 else "3"
        self.emit(indent, f"while {k} < {bound}:")
        self.loop_reads.append(f"float({k})")
        acc = self.carried(pool, indent + 1, depth)
        self.loop_reads.pop()
        self.emit(indent + 1, f"{k} += 1")
        pool.append((acc, LIMIT))

    # -- the module ----------------------------------------------------------------------
    def params(self):
        names = list(self.r.sample(FLOAT_NAMES, self.r.randint(1, 3)))
        arrays = list(self.r.sample(ARRAY_NAMES, self.r.randint(1, 2)))
        self.arrays = [(a, self.r.choice(ARRAY_LENGTHS)) for a in arrays]
        self.int_param = "n" if self.has("for") and self.r.random() < 0.3 else None
        order = names + arrays + ([self.int_param] if self.int_param else [])
        self.r.shuffle(order)
        return order

    def write_helper(self):
        self.emit(0, "def helper(p, q):")
        pool = [("p", 2.0), ("q", 2.0)]
        saved = self.arrays, self.int_param
        self.arrays, self.int_param = [], None   # the helper reads its own parameters only
        self.block(pool, 1, 1, self.r.randint(0, 2))
        self.emit(1, f"return {self.tame(self.expr(pool)).text}")
        self.arrays, self.int_param = saved
        self.emit(0, "")
        self.emit(0, "")
        self.helper = True

    def module(self, n):
        order = self.params()
        if self.has("helper"):
            self.write_helper()
        self.emit(0, f"def f({', '.join(order)}):")
        pool = [(p, 1.2) for p in order if p not in {a for a, _ in self.arrays} and p != self.int_param]
        for _ in range(n):
            self.stmt(pool, 1, 0)
        terms = [f"{self.const().text} * {name}" for name, _ in self.r.sample(pool, min(len(pool), 3))]
        terms += [f"{self.const().text} * {a}[{self.r.randrange(length)}]" for a, length in self.arrays
                  if self.r.random() < 0.5]
        self.emit(1, f"return {' + '.join(terms) or '0.0'}")
        return "\n".join(["import numpy as np", "import math", "", *self.consts, "", "", *self.lines]) + "\n"


def _written(target, depth):
    """Whether the pool's ``target`` may be written at ``depth``: a list's item anywhere, a dict's entry at the top."""
    return target.startswith("L") and target.endswith("]") or target.startswith("D") and depth == 0


def generate_scalar(rng, features, n):
    """The module text and the parameters (name, kind, shape) of the ``scalar`` family."""
    constructs = (SCALAR_CONSTRUCTS & set(features) or SCALAR_CONSTRUCTS) | (set(features) & {CONTAINERS})
    gen = _ScalarGen(rng, constructs)
    source = gen.module(n)
    lengths = dict(gen.arrays)
    names = source.split("def f(", 1)[1].split(")", 1)[0].split(", ")
    params = [("array", (lengths[p],)) if p in lengths else ("int", ()) if p == gen.int_param else ("float", ())
              for p in names]
    return source, [(p, kind, shape) for p, (kind, shape) in zip(names, params)]
