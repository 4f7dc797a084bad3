"""What a free name of a user's function stands for: the Resolutions scopes return.

| Resolution | meaning |
| --- | --- |
| ``ModuleRef`` | a module: ``math``, ``np``, ``np.linalg``, ``rt`` (srcdiff's runtime), ``xp`` (an Array API namespace, ``standard``) or one of the user's |
| ``PrimitiveRef`` | a callable srcdiff knows by its canonical dotted name (``math.exp``, ``abs``) |
| ``FunctionRef`` | a user's function, inlined where it is called |
| ``ConstantRef`` | a module-level constant (value None when only known statically) |
| ``CustomFunctionRef`` | a subclass of ``srcdiff.Function``, called through its forward and backward |
| ``ClassRef`` | another class of the user's: its static and class methods are inlined, its constants read |
| ``GradientRef`` | a gradient srcdiff generated whose code keeps a tape (a function with loops): called, not inlined; its vector-Jacobian product is generated (a gradient penalty through loops) |
| ``GradientVjpRef`` | such a vector-Jacobian product: refused where it is called (a third derivative through loops) |

``primitive_name`` and ``known_module_attr`` map live objects and module attributes of
the modules srcdiff knows (``KNOWN_MODULES``) onto those Resolutions.  Both are for the
library's own objects: ``library_object`` tells a user's object rebound there
(``np.sin = my_sin``, a test's monkeypatch) apart, so that it is not given the rule of the
function it replaced.  SciPy is optional:
``scipy`` and ``scipy.special`` are known by name; their functions are looked up in the
module when SciPy is installed (the user's code imported it), else in ``SPECIAL_NAMES``,
the functions of ``scipy.special`` srcdiff has rules for (the command line never imports it).
"""
import builtins
import functools
import importlib
import math
import operator
import sys
import types
from dataclasses import dataclass

import numpy as np

from .. import runtime
from .standard import NAMESPACE_MODULES, standard_op


@dataclass(frozen=True)
class ModuleRef:
    """A module: ``canonical`` is 'math', 'np', 'np.linalg', 'rt', or 'user'."""

    canonical: str
    handle: object = None  # the module object (runtime) or a StaticScope (static)


@dataclass(frozen=True)
class PrimitiveRef:
    """A callable srcdiff knows by its canonical dotted name (``math.exp``, ``abs``)."""

    op: str


@dataclass(frozen=True)
class FunctionRef:
    """A user's function, differentiated through by inlining."""

    name: str
    load: object  # () -> Source


@dataclass(frozen=True)
class ConstantRef:
    """A module-level constant; ``value`` is None when only known statically."""

    name: str
    value: object = None


@dataclass(frozen=True)
class ClassRef:
    """A class of the user's: its methods are inlined and its constants read (``Model.helper(x)``);
    as a value, a global of generated code (``value``: the class)."""

    name: str
    value: object = None


@dataclass(frozen=True)
class GradientRef:
    """A gradient srcdiff generated for a function with loops whose code keeps a tape: a call
    of it stays a call (``lower.gradients``), differentiated through ``vjp()``, the compiled
    vector-Jacobian product of ``value`` that the pipeline generates once (reverse over forward);
    ``single``: ``value`` returns one gradient, not a tuple of ``count``."""

    name: str
    value: object
    vjp: object  # () -> the compiled vector-Jacobian product
    single: bool
    count: int


@dataclass(frozen=True)
class GradientVjpRef:
    """The vector-Jacobian product of a ``GradientRef``: a call of it is not differentiated again
    (it keeps a tape of its own)."""

    name: str
    gradient: str  # the name of the gradient it is the product of


@dataclass(frozen=True)
class CustomFunctionRef:
    """A subclass of ``srcdiff.Function``: called through its forward/backward pair."""

    name: str
    cls: object = None


BUILTIN_PRIMITIVES = frozenset({
    "abs", "max", "min", "float", "int", "round", "bool", "len", "range", "sum",
    "enumerate", "zip", "reversed", "list", "tuple", "dict", "pow", "divmod", "isinstance", "all", "any", "map",
    "sorted",
})

# The functions of the operator module that are Python's arithmetic, as the operations they are.
OPERATORS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**", "mod": "%", "matmul": "@", "neg": "neg",
             "abs": "abs"}

# Other names of one function (NumPy's array-API names, conj; scipy.special's psi; rt.grown), as the name the rules use.
NUMPY_ALIASES = {"scipy.special.psi": "scipy.special.digamma", "scipy.special.jn": "scipy.special.jv",
                 "np.acos": "np.arccos", "np.asin": "np.arcsin", "np.atan": "np.arctan", "np.atan2": "np.arctan2",
                 "np.acosh": "np.arccosh", "np.asinh": "np.arcsinh", "np.atanh": "np.arctanh", "np.pow": "np.power",
                 "np.concat": "np.concatenate", "np.permute_dims": "np.transpose", "np.conj": "np.conjugate",
                 "rt.grown": "rt.appended"}  # a list grown in place where printed (emit.growth): read back, a new one

MODULE_ALIASES = {"math": "math", "numpy": "np", "numpy.linalg": "np.linalg", "srcdiff.runtime": "rt",
                  "numpy.random": "np.random", "scipy": "scipy", "scipy.special": "scipy.special",
                  "functools": "functools", "array_api_compat": "array_api_compat", "statistics": "statistics",
                  **dict.fromkeys(NAMESPACE_MODULES, "xp")}
KNOWN_MODULES = ("math", "np", "np.linalg", "rt", "np.random", "scipy", "scipy.special", "functools", "xp", "xp.linalg",
                 "array_api_compat", "statistics")
SPECIAL_NAMES = frozenset({"expit", "logit", "logsumexp", "softmax", "log_softmax", "gammaln", "digamma", "erf", "erfc",
                           "xlogy", "xlog1py", "betaln", "gamma", "rgamma", "erfinv", "erfcinv", "psi", "j0", "j1",
                           "jv", "jn", "y0", "y1", "yv", "yn", "i0", "i1", "iv", "ive", "polygamma"})


_PRIMITIVES_BY_ID = None
# The package whose own objects a known module holds (their ``__module__`` starts with it).
_PACKAGES = {"np": "numpy", "np.linalg": "numpy", "np.random": "numpy", "math": "math", "rt": "srcdiff",
             "scipy.special": "scipy", "statistics": "statistics"}
_LIBRARY_OBJECTS = {}  # (canonical module, attribute) -> the library's object there (``library_object``)


def library_object(canonical, attr, value):
    """Whether ``value``, the object at ``canonical.attr`` now, is the one srcdiff's rule for
    that name is for: the first object seen there, if it said it was the library's function
    of that name (``_named``; a constant cannot say, and is taken as it was first seen).
    False for an object a user rebound there since, or before srcdiff first looked."""
    package = _PACKAGES.get(canonical)
    if package is None:  # a namespace resolved by the standard's names, whatever library provides it
        return True
    key = (canonical, attr)
    if key not in _LIBRARY_OBJECTS:
        if callable(value) and not (_belongs_to(value, package) and _named(value, canonical, attr)):
            return False
        _LIBRARY_OBJECTS[key] = value
    return _LIBRARY_OBJECTS[key] is value


def _belongs_to(value, package):
    """Whether the callable ``value`` says it is part of ``package`` (its ``__module__``)."""
    owner = getattr(value, "__module__", None)
    return isinstance(owner, str) and owner.split(".")[0] == package


def _named(value, canonical, attr):
    """Whether the library's callable ``value`` is its function ``attr``: named so, a class, or
    an alias the primitives table knows by that name (``np.abs`` is ``np.absolute``), not
    another function of the library put there (``math.sin = math.cos``)."""
    if isinstance(value, type) or getattr(value, "__name__", None) == attr:
        return True
    name = f"{canonical}.{attr}"
    return primitive_name(value) == NUMPY_ALIASES.get(name, name)


def primitive_name(value):
    """The canonical name of a known math/numpy/builtin/runtime callable, else None."""
    global _PRIMITIVES_BY_ID
    if _PRIMITIVES_BY_ID is None:  # built on first use: it walks every name of numpy
        table = {}
        for prefix, module in (("np.linalg", np.linalg), ("np", np), ("math", math), ("rt", runtime),
                               ("np.random", np.random)):
            for attr in dir(module):
                obj = getattr(module, attr)
                if (callable(obj) and not isinstance(obj, type) or prefix != "rt" and isinstance(obj, np.ufunc)) \
                        and _belongs_to(obj, _PACKAGES[prefix]):  # not a user's function rebound there
                    table.setdefault(id(obj), f"{prefix}.{attr}")
        for attr in BUILTIN_PRIMITIVES:
            table[id(getattr(builtins, attr))] = attr
        table[id(functools.partial)] = "functools.partial"  # lowered as a function value
        for attr, op in OPERATORS.items():
            table[id(getattr(operator, attr))] = op
        _PRIMITIVES_BY_ID = table
    if _is_array_namespace(value):
        return "array_api_compat.array_namespace"
    found = _PRIMITIVES_BY_ID.get(id(value)) or _special_name(value) or _statistics_name(value)
    found = NUMPY_ALIASES.get(found, found)
    if found is not None and found.startswith("rt.") and not getattr(value, "__module__", "").startswith("srcdiff.runtime"):
        return None
    return found


def _is_array_namespace(value):
    """Whether ``value`` is array-api-compat's ``array_namespace``."""
    compat = sys.modules.get("array_api_compat")
    return compat is not None and value is getattr(compat, "array_namespace", None)


def _special_name(value):
    """``scipy.special.<name>`` for a function of ``scipy.special`` (if the user imported it), else None."""
    special = sys.modules.get("scipy.special")
    if special is None or not callable(value):
        return None
    known = [name for name in sorted(SPECIAL_NAMES) if getattr(special, name, None) is value]  # digamma is psi too
    name = known[0] if known else getattr(value, "__name__", None)
    return f"scipy.special.{name}" if name and getattr(special, name, None) is value else None


def _statistics_name(value):
    """``statistics.<name>`` for a function of ``statistics`` (if anything imported it), else None:
    srcdiff does not import the module itself."""
    module, name = sys.modules.get("statistics"), getattr(value, "__name__", None)
    if module is None or not name or isinstance(value, type) or getattr(value, "__module__", None) != "statistics":
        return None
    return f"statistics.{name}" if getattr(module, name, None) is value else None


def known_module_attr(canonical, attr):
    """The Resolution of ``attr`` of a module srcdiff knows (``KNOWN_MODULES``), or None."""
    if canonical == "scipy":
        return ModuleRef("scipy.special", sys.modules.get("scipy.special")) if attr == "special" else None
    if canonical in ("xp", "xp.linalg", "array_api_compat"):
        return _namespace_attr(canonical, attr)
    if canonical == "scipy.special" and "scipy.special" not in sys.modules:
        name = f"scipy.special.{attr}"
        return PrimitiveRef(NUMPY_ALIASES.get(name, name)) if attr in SPECIAL_NAMES else None
    if (canonical, attr) in _KNOWN_ATTRS:
        return _KNOWN_ATTRS[canonical, attr]
    if canonical == "statistics" and canonical not in _KNOWN_HANDLES:  # on first use, not with srcdiff's import
        _KNOWN_HANDLES[canonical] = importlib.import_module("statistics")
    module = _KNOWN_HANDLES[canonical] if canonical in _KNOWN_HANDLES else sys.modules.get("scipy.special")
    found = _known_attr(module, canonical, attr)
    if canonical in _KNOWN_HANDLES:  # modules imported with srcdiff: their functions stay what they are
        _KNOWN_ATTRS[canonical, attr] = found
    return found


_KNOWN_HANDLES = {"math": math, "np": np, "np.linalg": np.linalg, "rt": runtime, "np.random": np.random,
                  "functools": functools}
_KNOWN_ATTRS = {}  # (canonical module, attribute) -> its Resolution, for the modules of _KNOWN_HANDLES


def _known_attr(module, canonical, attr):
    """The Resolution of ``module.attr`` for the known module named ``canonical``, or None."""
    if not hasattr(module, attr):
        return None
    value = getattr(module, attr)
    if isinstance(value, types.ModuleType):
        return ModuleRef(MODULE_ALIASES.get(value.__name__, "user"), value)
    if callable(value):
        return PrimitiveRef(NUMPY_ALIASES.get(f"{canonical}.{attr}", f"{canonical}.{attr}"))
    return ConstantRef(f"{canonical}.{attr}", value)


def _namespace_attr(canonical, attr):
    """``xp.<attr>`` of a standard namespace (its functions by ``standard.standard_op``, ``xp.linalg``)
    or ``array_api_compat.array_namespace``; None for anything else."""
    if canonical == "array_api_compat":
        return PrimitiveRef("array_api_compat.array_namespace") if attr == "array_namespace" else None
    if canonical == "xp" and attr == "linalg":
        return ModuleRef("xp.linalg")
    op = standard_op(canonical, attr)
    return None if op is None else PrimitiveRef(op)
