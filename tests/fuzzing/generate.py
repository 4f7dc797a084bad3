"""Seeded random NumPy programs for the differential fuzzer.

``generate(seed, features)`` returns a ``Program``: the text of one module with
``import numpy as np``, ``import math``, module-level constants, an optional helper
function and a target function ``f(...)`` whose result is a number, plus the list of
``f``'s parameters (name, kind, shape) so a checker can draw inputs.  The same seed,
features and size always give the same text (``random.Random(seed)`` only, features
walked in sorted order).

Every construct sits behind a feature name (``FEATURES``); ``GROUPS`` names the sets
the tests enable separately.  The generator tracks each value's shape and a bound on its
magnitude, so operands agree (broadcasting, matrix products) and values stay small:
anything that could grow past ``LIMIT`` is squashed with ``np.tanh`` or scaled down.
Domains are safe by construction (``np.log(1.0 + x ** 2)``, ``np.exp(np.tanh(x))``,
denominators ``1.0 + x ** 2``).  The result is ``np.sum(W * v) + ...`` over a few values
with fixed random weight arrays ``W`` baked into the module, so a transposed or
misrouted gradient cannot hide behind a uniform upstream gradient.

The feature ``scalar`` (group ``numba``; not in ``all``, whose programs stay as they were)
writes another family instead: programs of numbers and 1-D float arrays read entry by
entry, the subset ``jit="numba"`` compiles (``generate_scalar.py``).
"""
import math
import random
from dataclasses import dataclass, field

import numpy as np

from .generate_scalar import generate_scalar

FEATURES = (
    "arith",         # element-wise + - * / with broadcasting, unary minus, powers
    "ufunc",         # np.exp(np.tanh(.)), np.log(1 + x**2), sin, cos, tanh, ...
    "math",          # math.* and builtins on scalars
    "kinks",         # abs, np.maximum/minimum, clip, builtin max/min, np.where
    "reduce",        # np.sum/mean/max/min/prod/var, axis, keepdims, methods
    "linalg",        # @, np.matmul, np.dot, .dot, np.inner, np.outer
    "shape",         # .T, np.transpose, reshape, ravel, flatten, expand_dims, squeeze
    "display",       # list/tuple displays given to numpy: np.array([..]), np.sum([..]), stack, concatenate
    "construct",     # np.full, np.linspace, np.ones * s, np.full_like, np.eye @ x
    "index",         # reads: ints, slices, integer arrays, masks, None
    "write",         # y = x.copy(); y[0] = ...; y[1:] += ...
    "branch",        # if/elif/else on data, conditional expressions, one-sided updates
    "early_return",  # if cond: return ... (in f, in branches, in loops, in the helper)
    "for",           # for over range (constant or an int parameter), displays, rows; carried values
    "while",         # while with a bounded counter (and sometimes a data condition)
    "helper",        # a module-level helper function called from f
)

SCALAR = "scalar"    # the programs of generate_scalar.py; not in FEATURES, so "all" stays NumPy code
CONTAINERS = "containers"  # lists and dicts written, in the programs of generate_scalar.py
_BASE = {"arith"}
GROUPS = {
    "elementwise": _BASE | {"ufunc"},
    "math": _BASE | {"math"},
    "kinks": _BASE | {"kinks"},
    "reduce": _BASE | {"reduce"},
    "linalg": _BASE | {"linalg"},
    "shape": _BASE | {"shape"},
    "display": _BASE | {"display"},
    "construct": _BASE | {"construct"},
    "index": _BASE | {"index"},
    "write": _BASE | {"write"},
    "branch": _BASE | {"ufunc", "branch"},
    "early_return": _BASE | {"ufunc", "early_return"},
    "for": _BASE | {"ufunc", "for"},
    "while": _BASE | {"ufunc", "while"},
    "helper": _BASE | {"ufunc", "helper"},
    "all": set(FEATURES),
    "numba": _BASE | {SCALAR},   # programs of numbers and 1-D float arrays: what jit="numba" compiles
    "containers": _BASE | {SCALAR, CONTAINERS},  # those programs, with lists and dicts written
}

LIMIT = 3.0          # magnitudes above this are squashed before a value is stored
INPUT_BOUND = 1.2    # inputs are drawn from [-INPUT_BOUND, INPUT_BOUND]
PARAM_SHAPES = [(), (3,), (4,), (3, 3), (3, 3), (4, 3), (1, 3), (3, 1)]
ARRAY_NAMES = ["x", "y", "z", "a", "b", "A", "B", "M", "P", "v", "u", "w", "q", "X"]
SCALAR_NAMES = ["s", "c", "alpha", "beta", "r", "k", "h0", "lam"]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str      # "float", "array" or "int"
    shape: tuple   # () for float and int


@dataclass
class Program:
    seed: int
    features: tuple
    size: int
    source: str
    params: list = field(default_factory=list)

    @property
    def wrt(self):
        """Positions of the differentiable parameters (every one but int loop counts)."""
        return tuple(i for i, p in enumerate(self.params) if p.kind != "int")

    def autograd_source(self):
        """The same module with ``np`` bound to HIPS autograd's NumPy wrapper."""
        return self.source.replace("import numpy as np\n", "import autograd.numpy as np\n", 1)


def expand_features(names):
    """Group names and feature names (a string with commas, or an iterable) to a sorted tuple."""
    if names is None:
        return tuple(sorted(FEATURES))
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    out = set()
    for n in names:
        if n in GROUPS:
            out |= GROUPS[n]
        elif n in FEATURES or n in (SCALAR, CONTAINERS):
            out.add(n)
        else:
            raise ValueError(f"unknown feature or group {n!r}; features: {', '.join(FEATURES)}; "
                             f"groups: {', '.join(GROUPS)}")
    out.add("arith")
    return tuple(sorted(out))


def generate(seed, features=None, size=None):
    """The program of ``seed`` with these features (names or groups); ``size`` statements
    at the top level of ``f`` (3 to 7 when left out)."""
    feats = expand_features(features)
    rng = random.Random(seed)
    n = size if size is not None else rng.randint(3, 7)
    if SCALAR in feats:
        source, params = generate_scalar(rng, feats, n)
        params = [Param(*p) for p in params]
    else:
        source, params = _Gen(rng, frozenset(feats)).module(n)
    header = f"# srcdiff fuzz program: seed={seed} features={','.join(feats)} size={n}\n"
    return Program(seed=seed, features=feats, size=n, source=header + source, params=params)


# ----------------------------------------------------------------------------------------
# values and expressions

@dataclass
class _Val:
    name: str
    shape: tuple
    bound: float
    protected: bool = False   # a parameter: never rebound with another shape


@dataclass
class _Expr:
    text: str
    shape: tuple
    bound: float
    atomic: bool = False

    @property
    def name(self):
        return self.text

    def p(self):
        """The text, parenthesised unless it is a name or a call."""
        return self.text if self.atomic else f"({self.text})"


def _bshape(*shapes):
    try:
        out = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None
    if len(out) > 2 or int(np.prod(out, dtype=int)) > 16:
        return None
    return out


def _size(shape):
    return int(np.prod(shape, dtype=int))


def _fmt(x):
    return f"{x:.3g}" if abs(x) >= 1e-3 else "0.0"


class _Gen:
    def __init__(self, rng, features):
        self.r = rng
        self.f = features
        self.consts = []          # module-level lines
        self.const_values = {}    # their values
        self._int_param = None
        self.n_const = 0
        self.n_tmp = 0
        self.lines = []           # the function being written
        self.helper = None        # (name, shapes of its two parameters) once written
        self.in_helper = False
        self.loop_vars = []       # (name, trip bound) of the loops around the current point

    # -- small tools -------------------------------------------------------------------
    def has(self, feature):
        return feature in self.f

    def tmp(self, prefix=None):
        self.n_tmp += 1
        prefix = prefix or self.r.choice(["t", "t", "t", "h", "u", "g", "m"])
        return f"{prefix}{self.n_tmp}"

    def emit(self, indent, line):
        self.lines.append("    " * indent + line)

    def const(self, shape, low=0.05, high=1.0, kind="C"):
        """A module-level constant: random entries of magnitude in [low, high], random signs."""
        self.n_const += 1
        name = f"{kind}{self.n_const}"
        flat = [self.r.uniform(low, high) * self.r.choice([-1, 1]) for _ in range(max(1, _size(shape)))]
        if shape == ():
            self.consts.append(f"{name} = {flat[0]:.3f}")
            self.const_values[name] = round(flat[0], 3)
            return _Expr(name, (), abs(flat[0]), True)
        arr = np.round(np.array(flat).reshape(shape), 3)
        text = np.array2string(arr, separator=", ", precision=3, floatmode="fixed", max_line_width=10_000)
        self.consts.append(f"{name} = np.array({text})")
        self.const_values[name] = arr
        return _Expr(name, shape, high, True)

    def lit(self, low=0.2, high=1.5, signed=True):
        v = self.r.uniform(low, high) * (self.r.choice([-1, 1]) if signed else 1)
        return _Expr(_fmt(v), (), abs(v), v >= 0)

    def pick(self, pool, pred=None):
        cands = [v for v in pool if pred is None or pred(v)]
        if not cands:
            return None
        weights = [1 + i for i in range(len(cands))]    # later values more often
        return self.r.choices(cands, weights)[0]

    def val(self, v):
        return _Expr(v.name, v.shape, v.bound, True)

    def tame(self, e):
        """Keep magnitudes small: squash or scale anything whose bound passes LIMIT."""
        if e.bound <= LIMIT:
            return e
        if e.bound <= 4 * LIMIT and self.r.random() < 0.5:
            k = LIMIT / e.bound
            return _Expr(f"{_fmt(k)} * {e.p()}", e.shape, e.bound * k)
        return _Expr(f"np.tanh({e.text})", e.shape, 1.0, True)

    def scalar_of(self, pool):
        """A number-valued expression: a scalar value of the pool, or a sum of an array."""
        v = self.pick(pool, lambda v: v.shape == ())
        if v is not None and self.r.random() < 0.8:
            return self.val(v)
        v = self.pick(pool)
        if v.shape == ():
            return self.val(v)
        return self.tame(_Expr(f"np.mean({v.name})", (), v.bound, True))

    # -- expressions ---------------------------------------------------------------------
    def operand(self, pool, pred=None):
        v = self.pick(pool, pred)
        if v is None:
            return None
        e = self.val(v)
        if self.has("ufunc") and self.r.random() < 0.25:
            e = self.ufunc(e)
        return e

    def unary_ops(self):
        ops = []
        if self.has("ufunc"):
            ops += [
                ("np.exp(np.tanh({a}))", lambda b: math.e),
                ("np.log(1.0 + {p} ** 2)", lambda b: math.log1p(b * b)),
                ("np.sqrt(1.0 + {p} ** 2)", lambda b: math.sqrt(1 + b * b)),
                ("np.sin({a})", lambda b: 1.0),
                ("np.cos({a})", lambda b: 1.0),
                ("np.tanh({a})", lambda b: 1.0),
                ("np.arctan({a})", lambda b: 1.6),
                ("np.log1p({p} ** 2)", lambda b: math.log1p(b * b)),
                ("np.square({a})", lambda b: b * b),
                ("1.0 / (1.0 + np.exp(-{p}))", lambda b: 1.0),
                ("np.expm1(np.tanh({a}))", lambda b: 1.8),
                ("np.sinh(np.tanh({a}))", lambda b: 1.2),
                ("np.cosh(np.tanh({a}))", lambda b: 1.6),
            ]
        if self.has("arith"):
            ops += [("-{p}", lambda b: b), ("{p} ** 2", lambda b: b * b), ("{p} ** 3", lambda b: b ** 3),
                    ("0.5 * {p}", lambda b: 0.5 * b)]
        return ops

    def ufunc(self, e):
        template, bound = self.r.choice(self.unary_ops())
        text = template.format(a=e.text, p=e.p())
        atomic = template.startswith("np.")
        return _Expr(text, e.shape, bound(e.bound), atomic)

    def broadcast_partner(self, pool, a, allow_const=True):
        """An operand broadcasting with ``a``: a value, a constant (non-tangent) or a number."""
        roll = self.r.random()
        if roll < 0.15:
            return self.lit()
        if allow_const and roll < 0.45:
            shapes = [s for s in PARAM_SHAPES + [(4, 1), (1, 4), (3, 4)] if _bshape(a.shape, s) is not None]
            shapes.append(a.shape)
            # prefer constants that broadcast a up: forward mode must broadcast the tangent
            up = [s for s in shapes if _bshape(a.shape, s) != a.shape]
            shape = self.r.choice(up if up and self.r.random() < 0.6 else shapes)
            return self.const(shape)
        return self.operand(pool, lambda v: _bshape(a.shape, v.shape) is not None)

    def e_binary(self, pool):
        a = self.operand(pool)
        b = self.broadcast_partner(pool, a)
        if b is None:
            return None
        if self.r.random() < 0.5:
            a, b = b, a
        shape = _bshape(a.shape, b.shape)
        op = self.r.choice(["+", "-", "*", "*", "/", "/"])
        if op == "/":
            if self.r.random() < 0.5:
                return _Expr(f"{a.p()} / (1.0 + {b.p()} ** 2)", shape, a.bound)
            return _Expr(f"{a.p()} / (2.0 + np.cos({b.text}))", shape, a.bound)
        bound = a.bound * b.bound if op == "*" else a.bound + b.bound
        return _Expr(f"{a.p()} {op} {b.p()}", shape, bound)

    def e_unary(self, pool):
        return self.ufunc(self.operand(pool))

    def e_math(self, pool):
        s = self.scalar_of(pool)
        if s.shape != ():
            return None
        ops = [
            ("math.exp(math.tanh({a}))", lambda b: math.e),
            ("math.log(1.0 + {p} ** 2)", lambda b: math.log1p(b * b)),
            ("math.sqrt(1.0 + {p} ** 2)", lambda b: math.sqrt(1 + b * b)),
            ("math.sin({a})", lambda b: 1.0),
            ("math.cos({a})", lambda b: 1.0),
            ("math.tanh({a})", lambda b: 1.0),
            ("math.atan({a})", lambda b: 1.6),
            ("math.log1p({p} ** 2)", lambda b: math.log1p(b * b)),
            ("math.pow({a}, 2)", lambda b: b * b),
            ("float({a}) * 0.5", lambda b: 0.5 * b),
            ("math.erf({a})", lambda b: 1.0),
        ]
        t, bound = self.r.choice(ops)
        e = _Expr(t.format(a=s.text, p=s.p()), (), bound(s.bound), t.startswith("math.") and "*" not in t)
        if self.r.random() < 0.3:
            s2 = self.scalar_of(pool)
            if s2.shape == ():
                # away from the origin, where hypot has no derivative
                e = _Expr(f"math.hypot({e.text}, 0.5 + {s2.p()} ** 2)", (), e.bound + 0.5 + s2.bound ** 2, True)
        return e

    def e_kink(self, pool):
        a = self.operand(pool)
        roll = self.r.random()
        if roll < 0.25:
            return _Expr(f"np.abs({a.text})", a.shape, a.bound, True)
        if roll < 0.35:
            return _Expr(f"abs({a.text})", a.shape, a.bound, True)
        if roll < 0.6:
            b = self.broadcast_partner(pool, a)
            if b is None:
                return None
            fn = self.r.choice(["np.maximum", "np.minimum"])
            return _Expr(f"{fn}({a.text}, {b.text})", _bshape(a.shape, b.shape), max(a.bound, b.bound), True)
        if roll < 0.7:
            return _Expr(f"np.clip({a.text}, -0.5, 0.6)", a.shape, min(a.bound, 0.6), True)
        if roll < 0.85:
            s1, s2 = self.scalar_of(pool), self.scalar_of(pool)
            if s1.text == s2.text:
                s2 = _Expr(f"{s2.p()} * 0.5", (), s2.bound * 0.5)
            fn = self.r.choice(["max", "min"])
            return _Expr(f"{fn}({s1.text}, {s2.text})", (), max(s1.bound, s2.bound), True)
        return _Expr(f"np.where({a.text} > 0.0, {a.text}, 0.3 * {a.p()})", a.shape, a.bound, True)

    def e_reduce(self, pool):
        v = self.pick(pool, lambda v: v.shape != ())
        if v is None:
            return None
        a = self.val(v) if self.r.random() < 0.7 else self.operand(pool, lambda w: w is v)
        ops = ["sum", "sum", "sum", "mean", "mean", "max", "min", "prod", "var"]
        op = self.r.choice(ops)
        nd = len(a.shape)
        axis = self.r.choice([None, None] + list(range(nd)) + [-1] + ([(0, 1)] if nd == 2 else []))
        keep = axis is not None and self.r.random() < 0.35
        if axis is None:
            shape = (1,) * nd if keep else ()
            n = _size(a.shape)
        else:
            axes = axis if isinstance(axis, tuple) else (axis % nd,)
            n = _size([a.shape[i] for i in axes])
            shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape)) if keep else \
                tuple(d for i, d in enumerate(a.shape) if i not in axes)
        if op == "prod" and n > 4:
            op = "sum"
        bound = {"sum": a.bound * n, "mean": a.bound, "max": a.bound, "min": a.bound,
                 "prod": a.bound ** n, "var": a.bound ** 2}[op]
        args = []
        if axis is not None:
            args.append(f"axis={axis}")
        if keep:
            args.append("keepdims=True")
        if self.r.random() < 0.35:
            text = f"{a.p()}.{op}({', '.join(args)})"
        else:
            text = f"np.{op}({', '.join([a.text] + args)})"
        if op in ("sum", "mean") and self.r.random() < 0.08 and nd >= 1:
            text, shape, bound = f"np.linalg.norm({a.text})", (), a.bound * math.sqrt(_size(a.shape))
        return _Expr(text, shape, bound, True)

    def partner(self, pool, ok, shapes):
        """A value satisfying ``ok`` (a tangent-carrying operand), else a constant of one of ``shapes``."""
        if self.r.random() < 0.6:
            e = self.operand(pool, ok)
            if e is not None:
                return e
        return self.const(self.r.choice(shapes))

    def e_linalg(self, pool):
        a = self.operand(pool, lambda v: len(v.shape) >= 1)
        if a is None:
            return None
        if len(a.shape) == 2 and self.r.random() < 0.25:
            a = _Expr(f"{a.p()}.T", a.shape[::-1], a.bound, True)
        roll = self.r.random()
        if roll < 0.2:
            # np.inner: the last axes agree; square 2-D operands on purpose
            k = a.shape[-1]
            b = self.partner(pool, lambda v: len(v.shape) >= 1 and v.shape[-1] == k, [(k,), (3, k), (k, k), (4, k)])
            if self.r.random() < 0.5:
                a, b = b, a
            shape = a.shape[:-1] + b.shape[:-1]
            return _Expr(f"np.inner({a.text}, {b.text})", shape, a.bound * b.bound * k, True)
        if roll < 0.3:
            if _size(a.shape) > 4:
                return None
            b = self.partner(pool, lambda v: v.shape != () and _size(v.shape) <= 4, [(3,), (4,), (1, 3)])
            if self.r.random() < 0.5:
                a, b = b, a
            return _Expr(f"np.outer({a.text}, {b.text})", (_size(a.shape), _size(b.shape)), a.bound * b.bound, True)
        if self.r.random() < 0.5:
            # a on the left: the right operand's first axis is a's last
            k = a.shape[-1]
            b = self.partner(pool, lambda v: len(v.shape) >= 1 and v.shape[0] == k,
                             [(k,), (k, 3), (k, 4), (k, 1), (k, k)])
            left, right = a, b
        else:
            # a on the right: the left operand's last axis is a's first
            k = a.shape[0]
            b = self.partner(pool, lambda v: len(v.shape) >= 1 and v.shape[-1] == k,
                             [(k,), (3, k), (4, k), (1, k), (k, k)])
            left, right = b, a
        shape = left.shape[:-1] + right.shape[1:]
        form = self.r.choice(["@", "@", "np.matmul", "np.dot", ".dot"])
        bound = left.bound * right.bound * k
        if form == "@":
            return _Expr(f"{left.p()} @ {right.p()}", shape, bound)
        if form == ".dot":
            return _Expr(f"{left.p()}.dot({right.text})", shape, bound, True)
        return _Expr(f"{form}({left.text}, {right.text})", shape, bound, True)

    def e_shape(self, pool):
        v = self.pick(pool, lambda v: v.shape != ())
        if v is None:
            return None
        a = self.val(v)
        nd, n = len(a.shape), _size(a.shape)
        forms = []
        if nd == 2:
            forms += [(f"{a.name}.T", a.shape[::-1]), (f"np.transpose({a.name})", a.shape[::-1]),
                      (f"np.transpose({a.name}, (1, 0))", a.shape[::-1])]
            if 1 in a.shape:
                forms.append((f"np.squeeze({a.name})", tuple(d for d in a.shape if d != 1)))
        else:
            forms += [(f"np.expand_dims({a.name}, 0)", (1,) + a.shape), (f"{a.name}.reshape(1, -1)", (1, n)),
                      (f"{a.name}.reshape(-1, 1)", (n, 1))]
        forms += [(f"{a.name}.reshape(-1)", (n,)), (f"np.ravel({a.name})", (n,)), (f"{a.name}.ravel()", (n,)),
                  (f"{a.name}.flatten()", (n,))]
        splits = [(r, n // r) for r in range(1, n + 1) if n % r == 0 and (r, n // r) != a.shape]
        if splits:
            r, c = self.r.choice(splits)
            forms += [(f"np.reshape({a.name}, ({r}, {c}))", (r, c)), (f"{a.name}.reshape({r}, {c})", (r, c)),
                      (f"{a.name}.reshape(({r}, {c}))", (r, c))]
        text, shape = self.r.choice(forms)
        return _Expr(text, shape, a.bound, True)

    def same_shape_pair(self, pool, want=None):
        a = self.operand(pool, want)
        if a is None:
            return None, None
        b = self.operand(pool, lambda v: v.shape == a.shape and v.name != a.text)
        if b is None or self.r.random() < 0.25:
            b = self.const(a.shape) if a.shape != () else self.lit()
        return a, b

    def e_display(self, pool):
        roll = self.r.random()
        if roll < 0.3:
            items = [self.scalar_of(pool) for _ in range(self.r.randint(2, 4))]
            if self.r.random() < 0.3:
                items.append(self.lit())
            open_, close = ("[", "]") if self.r.random() < 0.7 else ("(", ")")
            text = f"np.array({open_}{', '.join(i.text for i in items)}{close})"
            if self.r.random() < 0.25:
                fn = self.r.choice(["np.sum", "np.mean", "np.stack"])
                shape = (len(items),) if fn == "np.stack" else ()
                text = f"{fn}({open_}{', '.join(i.text for i in items)}{close})"
                return _Expr(text, shape, max(i.bound for i in items) * len(items), True)
            return _Expr(text, (len(items),), max(i.bound for i in items), True)
        a, b = self.same_shape_pair(pool, lambda v: v.shape != ())
        if a is None:
            return None
        items = f"{a.text}, {b.text}"
        bound = max(a.bound, b.bound)
        display = f"[{items}]" if self.r.random() < 0.6 else f"({items})"
        nd = len(a.shape)
        choices = []
        choices += [(f"np.sum({display})", (), 2 * bound * _size(a.shape)),
                    (f"np.sum({display}, axis=0)", a.shape, 2 * bound),
                    (f"np.mean({display}, axis=0)", a.shape, bound)]
        if nd == 1:
            choices += [(f"np.array({display})", (2,) + a.shape, bound), (f"np.stack({display})", (2,) + a.shape, bound),
                        (f"np.stack({display}, axis=1)", a.shape + (2,), bound),
                        (f"np.vstack({display})", (2,) + a.shape, bound)]
            c = self.operand(pool, lambda v: len(v.shape) == 1)
            choices += [(f"np.concatenate([{a.text}, {c.text}])", (a.shape[0] + c.shape[0],), max(bound, c.bound)),
                        (f"np.hstack(({a.text}, {c.text}))", (a.shape[0] + c.shape[0],), max(bound, c.bound))]
        if nd == 2:
            choices += [(f"np.concatenate({display})", (2 * a.shape[0], a.shape[1]), bound),
                        (f"np.concatenate({display}, axis=1)", (a.shape[0], 2 * a.shape[1]), bound),
                        (f"np.vstack({display})", (2 * a.shape[0], a.shape[1]), bound),
                        (f"np.hstack({display})", (a.shape[0], 2 * a.shape[1]), bound)]
        text, shape, bound = self.r.choice(choices)
        if len(shape) > 2 or _size(shape) > 24:
            return None
        return _Expr(text, shape, bound, True)

    def e_construct(self, pool):
        s = self.scalar_of(pool)
        roll = self.r.random()
        if roll < 0.25:
            shape = self.r.choice([(3,), (4,), (4, 3), (3, 3)])
            st = f"({shape[0]},)" if len(shape) == 1 else str(shape)
            return _Expr(f"np.full({st}, {s.text})", shape, s.bound, True)
        if roll < 0.45:
            s2 = self.scalar_of(pool)
            n = self.r.choice([3, 4, 5])
            return _Expr(f"np.linspace({s.text}, {s2.text}, {n})", (n,), max(s.bound, s2.bound), True)
        if roll < 0.6:
            shape = self.r.choice([(3,), (4, 3), (3, 1)])
            ctor = self.r.choice(["np.ones", "np.zeros"])
            st = str(shape[0]) if len(shape) == 1 else str(shape)
            if ctor == "np.ones":
                return _Expr(f"np.ones({st}) * {s.p()}", shape, s.bound)
            return _Expr(f"np.zeros({st}) + {s.p()}", shape, s.bound)
        a = self.pick(pool, lambda v: v.shape != ())
        if a is None:
            return None
        if roll < 0.75:
            return _Expr(f"np.full_like({a.name}, {s.text})", a.shape, s.bound, True)
        if roll < 0.85:
            return _Expr(f"np.ones_like({a.name}) * {s.p()} + {a.name}", a.shape, s.bound + a.bound)
        if roll < 0.92 and a.shape[0] in (3, 4):
            n = a.shape[0]
            return _Expr(f"np.eye({n}) @ {a.name}", a.shape, a.bound)
        n = self.r.choice([3, 4])
        return _Expr(f"np.arange({n}) * {s.p()}", (n,), s.bound * (n - 1))

    def index_forms(self, a, loop=None):
        """(index text, result shape) pairs valid for a value of shape ``a.shape``."""
        forms = []
        if len(a.shape) == 1:
            n = a.shape[0]
            forms += [("0", ()), ("-1", ()), (f"{n - 1}", ()), ("::-1", (n,)), ("::2", ((n + 1) // 2,)),
                      ("None, :", (1, n)), (":, None", (n, 1)), ("[0, 0]", (2,))]
            if n >= 2:
                forms += [("1:", (n - 1,)), (":2", (2,)), ("[1, 0]", (2,))]
            if n >= 3:
                forms += [("[0, 2, 2]", (3,)), ("[2, 0]", (2,)), ("1:-1", (n - 2,))]
            if loop is not None and loop[1] <= n:
                forms += [(loop[0], ())] * 4
        elif len(a.shape) == 2:
            m, n = a.shape
            forms += [("0", (n,)), ("-1", (n,)), (f"{m - 1}, 0", ()), (":, 0", (m,)), (":, -1", (m,)),
                      ("[0, 0]", (2, n)), (":, [0]", (m, 1)), ("..., 0", (m,)), ("::-1", (m, n)),
                      (":, :2", (m, min(2, n))), ("0, ::-1", (n,))]
            if n > 1:
                forms += [("0, 1:", (n - 1,)), (":, [1, 0]", (m, 2))]
            if m > 1:
                forms += [("1:", (m - 1, n)), ("1:, :2", (m - 1, min(2, n)))]
            if m >= 2 and n >= 2:
                forms += [("np.arange(2), [1, 0]", (2,)), ("[1, 0], [0, 1]", (2,))]
            if loop is not None and loop[1] <= m:
                forms += [(loop[0], (n,))] * 3
                if loop[1] <= n:
                    forms += [(f"{loop[0]}, {loop[0]}", ())]
        return forms

    def e_index(self, pool):
        v = self.pick(pool, lambda v: v.shape != ())
        if v is None:
            return None
        a = self.val(v)
        loop = self.loop_vars[-1] if self.loop_vars else None
        forms = self.index_forms(a, loop)
        if len(a.shape) == 1 and self.r.random() < 0.1:
            mask = self.const(a.shape)
            k = int(np.sum(self.const_values[mask.text] > 0))
            return _Expr(f"{a.name}[{mask.text} > 0.0]", (k,), a.bound, True) if k > 0 else None
        if self.r.random() < 0.1 and len(a.shape) == 1 and a.shape[0] >= 3:
            self.n_const += 1
            name = f"I{self.n_const}"
            idx = [self.r.randrange(a.shape[0]) for _ in range(self.r.randint(1, 4))]
            self.consts.append(f"{name} = np.array({idx})")
            return _Expr(f"{a.name}[{name}]", (len(idx),), a.bound, True)
        index, shape = self.r.choice(forms)
        return _Expr(f"{a.name}[{index}]", shape, a.bound, True)

    def e_helper_call(self, pool):
        if self.helper is None or self.in_helper:
            return None
        name, shapes, out_shape = self.helper
        args = []
        for s in shapes:
            v = self.pick(pool, lambda v: v.shape == s)
            if v is None:
                return None
            args.append(self.val(v) if self.r.random() < 0.7 else self.operand(pool, lambda w: w is v))
        texts = [x.text for x in args]
        roll = self.r.random()
        if roll < 0.25:
            texts.append(f"c={self.lit(0.2, 0.9, False).text}")
        elif roll < 0.4:
            texts.append(self.lit(0.2, 0.9, False).text)
        return _Expr(f"{name}({', '.join(texts)})", out_shape, LIMIT, True)

    def expression(self, pool):
        """One right-hand side, drawn from the enabled feature families."""
        makers = [(4, self.e_binary)]
        if self.has("ufunc"):
            makers.append((2, self.e_unary))
        if self.has("math") and any(v.shape == () for v in pool):
            makers.append((3, self.e_math))
        if self.has("kinks"):
            makers.append((3, self.e_kink))
        if self.has("reduce"):
            makers.append((3, self.e_reduce))
        if self.has("linalg"):
            makers.append((4, self.e_linalg))
        if self.has("shape"):
            makers.append((2, self.e_shape))
        if self.has("display"):
            makers.append((3, self.e_display))
        if self.has("construct"):
            makers.append((3, self.e_construct))
        if self.has("index"):
            makers.append((3, self.e_index))
        if self.has("helper") and self.helper is not None and not self.in_helper:
            makers.append((3, self.e_helper_call))
        for _ in range(20):
            maker = self.r.choices([m for _, m in makers], [w for w, _ in makers])[0]
            e = maker(pool)
            if e is None or e.shape is None or len(e.shape) > 2 or _size(e.shape) > 24:
                continue
            if e.shape != () and self.r.random() < 0.25:
                # combined with something else now and then: deeper expression trees
                b = self.broadcast_partner(pool, e)
                shape = None if b is None else _bshape(e.shape, b.shape)
                if shape is not None:
                    op = self.r.choice(["+", "*", "-"])
                    bound = e.bound * b.bound if op == "*" else e.bound + b.bound
                    e = _Expr(f"{e.p()} {op} {b.p()}", shape, bound)
            return self.tame(e)
        return self.tame(self.e_binary(pool))

    def fit(self, pool, e, shape):
        """``e`` made exactly ``shape``, mixed with a value of that shape where it differs."""
        if e.shape == shape:
            return e
        base = self.pick(pool, lambda v: v.shape == shape)
        if _bshape(e.shape, shape) != shape:
            e = _Expr(f"np.mean({e.text})", (), e.bound, True)
        if base is None:   # shape () without a scalar at hand
            return self.tame(_Expr(f"np.sum({e.text})", (), e.bound * max(1, _size(e.shape)), True))
        op = self.r.choice(["+", "*", "-"])
        bound = base.bound * e.bound if op == "*" else base.bound + e.bound
        return self.tame(_Expr(f"{base.name} {op} {e.p()}", shape, bound))

    # -- statements ----------------------------------------------------------------------
    def assign(self, pool, indent, e, name=None):
        name = name or self.tmp()
        self.emit(indent, f"{name} = {e.text}")
        pool.append(_Val(name, e.shape, e.bound))
        return pool[-1]

    def loss(self, pool):
        """The number f returns: weighted sums of a few values with fixed random weights."""
        made = [v for v in pool if not v.protected]
        chosen = []
        if made:
            chosen.append(made[-1])
        for _ in range(self.r.randint(0, 2)):
            v = self.pick(pool)
            if v not in chosen:
                chosen.append(v)
        if not chosen:
            chosen.append(pool[-1])
        terms = []
        for v in chosen:
            if v.shape == ():
                terms.append(f"{self.lit(0.3, 1.3).text} * {v.name}" if self.r.random() < 0.7 else v.name)
            else:
                w = self.const(v.shape, 0.2, 1.5, kind="W")
                terms.append(f"np.sum({w.text} * {v.name})" if self.r.random() < 0.8 else f"({w.text} * {v.name}).sum()")
        return " + ".join(terms)

    def condition(self, pool):
        def one():
            v = self.pick(pool)
            c = _fmt(self.r.uniform(-0.3, 0.3) * min(v.bound, 1.0))
            op = self.r.choice([">", "<"])
            if v.shape == ():
                return f"{v.name} {op} {c}"
            fn = self.r.choice(["np.sum", "np.mean", "np.max", "np.min"])
            if fn == "np.sum":
                c = _fmt(self.r.uniform(-0.3, 0.3) * min(v.bound, 1.0) * _size(v.shape))
            return f"{fn}({v.name}) {op} {c}"
        roll = self.r.random()
        if roll < 0.7:
            return one()
        if roll < 0.8:
            return f"not {one()}"
        return f"{one()} {self.r.choice(['and', 'or'])} {one()}"

    def stmt(self, pool, indent, depth, top):
        """One statement (or a compound one) at ``indent``; updates ``pool``."""
        choices = [(10, "assign")]
        if top and depth == 0 and self.r.random() < 0.15:
            choices.append((3, "rebind"))
        if depth < 2:
            if self.has("write"):
                choices.append((2, "write"))
            if self.has("branch"):
                choices.append((3, "branch"))
            if self.has("early_return"):
                choices.append((2, "early_return"))
            if self.has("for"):
                choices.append((3, "for"))
            if self.has("while"):
                choices.append((2, "while"))
        kind = self.r.choices([k for _, k in choices], [w for w, _ in choices])[0]
        getattr(self, f"s_{kind}")(pool, indent, depth)

    def s_assign(self, pool, indent, depth):
        self.assign(pool, indent, self.expression(pool))

    def s_rebind(self, pool, indent, depth):
        """``x = g(x)``: a name bound again (a parameter keeps its shape)."""
        v = self.pick(pool)
        e = self.expression(pool)
        if v.protected or self.r.random() < 0.5:
            e = self.fit(pool, e, v.shape)
        self.emit(indent, f"{v.name} = {e.text}")
        pool[:] = [w for w in pool if w.name != v.name] + [_Val(v.name, e.shape, e.bound, v.protected)]

    def write_index(self, shape):
        """(index, target shape) of an item write, distinct positions only."""
        if len(shape) == 1:
            n = shape[0]
            forms = [("0", ()), ("-1", ()), ("::2", ((n + 1) // 2,))]
            if n >= 2:
                forms += [("1:", (n - 1,)), (":2", (2,))]
            if n >= 3:
                forms += [("[0, 2]", (2,))]
            return self.r.choice(forms)
        m, n = shape
        forms = [("0", (n,)), (":, 0", (m,)), (f"{m - 1}, {n - 1}", ())]
        if n > 1:
            forms.append(("0, 1:", (n - 1,)))
        if m > 1:
            forms.append(("1:, :2", (m - 1, min(2, n))))
        return self.r.choice(forms)

    def s_write(self, pool, indent, depth):
        v = self.pick(pool, lambda v: v.shape != ())
        if v is None or 0 in v.shape:
            return self.s_assign(pool, indent, depth)
        name = self.tmp("y")
        roll = self.r.random()
        if roll < 0.6:
            self.emit(indent, f"{name} = {v.name}.copy()")
        elif roll < 0.8:
            self.emit(indent, f"{name} = np.zeros_like({v.name})")
        else:
            self.emit(indent, f"{name} = np.array({v.name})" if self.r.random() < 0.5 else f"{name} = np.copy({v.name})")
        bound = v.bound
        used = set()
        for _ in range(self.r.randint(1, 2)):
            index, target = self.write_index(v.shape)
            if index in used:
                continue
            used.add(index)
            e = self.expression(pool)
            if _bshape(e.shape, target) != target:
                e = self.tame(_Expr(f"np.mean({e.text})", (), e.bound, True))
            op = self.r.choice(["=", "=", "+=", "-=", "*="])
            self.emit(indent, f"{name}[{index}] {op} {e.text}")
            bound = bound * e.bound if op == "*=" else bound + e.bound
        if self.has("for") and len(v.shape) >= 1 and self.r.random() < 0.3 and depth < 2:
            # a write per iteration of a loop
            i = self.tmp("i")
            k = self.r.randint(1, v.shape[0])
            self.emit(indent, f"for {i} in range({k}):")
            inner = list(pool)
            self.loop_vars.append((i, k))
            e = self.expression(inner)
            self.loop_vars.pop()
            target = v.shape[1:]
            if _bshape(e.shape, target) != target:
                e = self.tame(_Expr(f"np.mean({e.text})", (), e.bound, True))
            self.emit(indent + 1, f"{name}[{i}] = {e.text}")
            bound += e.bound
        pool.append(_Val(name, v.shape, bound))
        if bound > LIMIT:
            self.assign(pool, indent, self.tame(_Expr(name, v.shape, bound, True)))

    def block(self, pool, indent, depth, n):
        inner = list(pool)
        for _ in range(n):
            self.stmt(inner, indent, depth, top=False)
        return inner

    def s_branch(self, pool, indent, depth):
        cond = self.condition(pool)
        roll = self.r.random()
        target = self.pick(pool)
        if roll < 0.2:
            # conditional expression
            e1 = self.fit(pool, self.expression(pool), target.shape)
            e2 = self.fit(pool, self.expression(pool), target.shape)
            name = self.tmp("r")
            self.emit(indent, f"{name} = {e1.p()} if {cond} else {e2.p()}")
            pool.append(_Val(name, target.shape, max(e1.bound, e2.bound)))
            return
        if roll < 0.4:
            # one-sided update of an existing value: merged with its old value
            self.emit(indent, f"if {cond}:")
            inner = self.block(pool, indent + 1, depth + 1, self.r.randint(0, 1))
            e = self.fit(inner, self.expression(inner), target.shape)
            self.emit(indent + 1, f"{target.name} = {e.text}")
            pool[:] = [w for w in pool if w.name != target.name] + [
                _Val(target.name, target.shape, max(target.bound, e.bound))]
            return
        name = self.tmp("r")
        arms = 3 if roll > 0.9 else 2
        bound = 0.0
        for arm in range(arms):
            head = f"if {cond}:" if arm == 0 else ("else:" if arm == arms - 1 else f"elif {self.condition(pool)}:")
            self.emit(indent, head)
            inner = self.block(pool, indent + 1, depth + 1, self.r.randint(0, 2))
            e = self.fit(inner, self.expression(inner), target.shape)
            self.emit(indent + 1, f"{name} = {e.text}")
            bound = max(bound, e.bound)
        pool.append(_Val(name, target.shape, bound))

    def s_early_return(self, pool, indent, depth):
        self.emit(indent, f"if {self.condition(pool)}:")
        inner = self.block(pool, indent + 1, depth + 1, self.r.randint(0, 1))
        if self.in_helper:
            _, shapes, out_shape = self.helper_sig
            e = self.fit(inner, self.expression(inner), out_shape)
            self.emit(indent + 1, f"return {e.text}")
        else:
            self.emit(indent + 1, f"return {self.loss(inner)}")
        if self.r.random() < 0.3:
            # the rest in an else: both forms of the same thing
            self.emit(indent, "else:")
            self.s_assign(pool, indent + 1, depth + 1)

    def carried_update(self, inner, h):
        e = self.expression(inner)
        if _bshape(e.shape, h.shape) != h.shape:
            e = self.tame(_Expr(f"np.mean({e.text})", (), e.bound, True))
        form = self.r.choice(["0.5 * {h} + 0.5 * np.tanh({e})", "np.tanh({h} + {e})", "0.8 * {h} + 0.2 * np.sin({e})",
                              "{h} * np.cos({e})"])
        return form.format(h=h.name, e=e.text)

    def s_for(self, pool, indent, depth):
        # the carried value starts as a copy of a value of the pool
        start = self.pick(pool)
        h = _Val(self.tmp("h"), start.shape, 1.0 + start.bound)
        self.emit(indent, f"{h.name} = {start.name}")
        acc = None
        if self.r.random() < 0.4:
            acc = _Val(self.tmp("acc"), (), 0.0)
            self.emit(indent, f"{acc.name} = 0.0")
        i = self.tmp("i")
        roll = self.r.random()
        rows = [v for v in pool if len(v.shape) >= 1 and v.shape[1:] and _bshape(v.shape[1:], h.shape) == h.shape]
        int_param = self.int_param
        if roll < 0.15 and rows:
            seq = self.r.choice(rows)
            item = _Val(self.tmp("row"), seq.shape[1:], seq.bound)
            self.emit(indent, f"for {item.name} in {seq.name}:")
            trip, extra = seq.shape[0], [item]
            loop = None
        elif roll < 0.3:
            same = [v for v in pool if v.shape == h.shape]
            items = [self.r.choice(same).name for _ in range(self.r.randint(2, 3))]
            item = _Val(self.tmp("w"), h.shape, max(v.bound for v in same))
            self.emit(indent, f"for {item.name} in ({', '.join(items)}):")
            trip, extra, loop = len(items), [item], None
        else:
            if int_param is not None and self.r.random() < 0.5:
                rng, trip = f"range({int_param})", 3
            else:
                trip = self.r.randint(1, 4)
                rng = self.r.choice([f"range({trip})", f"range(0, {trip})", f"reversed(range({trip}))"])
            self.emit(indent, f"for {i} in {rng}:")
            extra, loop = [], (i, trip)
        if loop:
            self.loop_vars.append(loop)
        inner = list(pool) + [h] + extra
        if acc:
            inner.append(acc)
        inner = self.block(inner, indent + 1, depth + 1, self.r.randint(0, 2))
        if loop and self.r.random() < 0.3:
            self.emit(indent + 1, f"{h.name} = {h.name} * (1.0 - 0.1 * {i})" if self.r.random() < 0.5 else
                      f"{h.name} = {h.name} + 0.1 * float({i})")
        self.emit(indent + 1, f"{h.name} = {self.carried_update(inner, h)}")
        if acc:
            e = self.expression(inner)
            w = self.const(e.shape, 0.2, 1.0, kind="W") if e.shape != () else self.lit(0.2, 1.0)
            self.emit(indent + 1, f"{acc.name} = {acc.name} + np.sum({w.text} * {e.p()})")
            acc.bound = trip * e.bound * max(1, _size(e.shape))
        if self.has("early_return") and self.r.random() < 0.15 and not self.in_helper:
            self.emit(indent + 1, f"if {self.condition(inner)}:")
            self.emit(indent + 2, f"return {self.loss(inner)}")
        elif self.r.random() < 0.1:
            self.emit(indent + 1, f"if {self.condition(inner)}:")
            self.emit(indent + 2, "break")
        if loop:
            self.loop_vars.pop()
        h.bound = max(h.bound, 1.0)
        pool.append(h)
        if acc:
            pool.append(acc)
        if extra and self.r.random() < 0.4:  # the last item, still bound after the loop
            pool.append(extra[0])

    def s_while(self, pool, indent, depth):
        start = self.pick(pool)
        h = _Val(self.tmp("h"), start.shape, 1.0 + start.bound)
        k = self.tmp("k")
        trip = self.r.randint(1, 4)
        self.emit(indent, f"{h.name} = {start.name}")
        self.emit(indent, f"{k} = 0")
        limit = self.int_param if self.int_param is not None and self.r.random() < 0.3 else str(trip)
        if self.r.random() < 0.3:
            self.emit(indent, f"while {k} < {limit} and np.sum({h.name} ** 2) < {_fmt(self.r.uniform(2, 8))}:")
        else:
            self.emit(indent, f"while {k} < {limit}:")
        inner = self.block(list(pool) + [h], indent + 1, depth + 1, self.r.randint(0, 2))
        self.emit(indent + 1, f"{h.name} = {self.carried_update(inner, h)}")
        self.emit(indent + 1, self.r.choice([f"{k} = {k} + 1", f"{k} += 1"]))
        h.bound = max(h.bound, 1.0)
        pool.append(h)

    @property
    def int_param(self):
        """The int parameter loops may run to (none inside the helper: it is f's)."""
        return None if self.in_helper else self._int_param

    # -- the module ---------------------------------------------------------------------
    def params(self):
        n = self.r.randint(1, 4)
        names_a = list(ARRAY_NAMES)
        names_s = list(SCALAR_NAMES)
        self.r.shuffle(names_a)
        self.r.shuffle(names_s)
        out = []
        for j in range(n):
            shape = self.r.choice(PARAM_SHAPES)
            if shape == ():
                out.append(Param(names_s.pop(), "float", ()))
            else:
                out.append(Param(names_a.pop(), "array", shape))
        if self.has("math") and not any(p.kind == "float" for p in out):
            out.insert(self.r.randint(0, len(out)), Param(names_s.pop(), "float", ()))
        if not any(p.kind == "array" for p in out):
            out.insert(self.r.randint(0, len(out)), Param(names_a.pop(), "array", self.r.choice(PARAM_SHAPES[1:])))
        self._int_param = None
        if (self.has("for") or self.has("while")) and self.r.random() < 0.35:
            out.append(Param("n", "int", ()))
            self._int_param = "n"
        return out

    def write_helper(self, params):
        """``def helper(a, b, c=0.5)`` on the shapes of two of f's parameters."""
        diff = [p for p in params if p.kind != "int"]
        s1 = self.r.choice(diff).shape
        s2 = self.r.choice(diff).shape
        self.helper_sig = ("helper", (s1, s2), s1)
        self.in_helper = True
        saved, self.lines = self.lines, []
        self.emit(0, "def helper(p, q, c=0.5):")
        if self.r.random() < 0.3:
            self.emit(1, '"""A helper f calls (inlined by srcdiff)."""')
        pool = [_Val("p", s1, INPUT_BOUND, True), _Val("q", s2, INPUT_BOUND, True)]
        for _ in range(self.r.randint(1, 3)):
            self.stmt(pool, 1, 1, top=False)
        e = self.fit(pool, self.expression(pool), s1)
        self.emit(1, f"return c * {e.p()}")
        text, self.lines = self.lines, saved
        self.in_helper = False
        self.helper = self.helper_sig
        return text

    def module(self, n):
        params = self.params()
        helper = self.write_helper(params) if self.has("helper") else []
        self.lines = []
        self.emit(0, f"def f({', '.join(p.name for p in params)}):")
        pool = [_Val(p.name, p.shape, INPUT_BOUND, True) for p in params if p.kind != "int"]
        for _ in range(n):
            self.stmt(pool, 1, 0, top=True)
        self.emit(1, f"return {self.loss(pool)}")
        parts = ["import numpy as np", "import math", ""]
        parts += self.consts
        parts.append("")
        if helper:
            parts += ["", *helper, "", ""]
        parts += self.lines
        return "\n".join(parts) + "\n", params
