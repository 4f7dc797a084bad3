"""Arguments of NumPy calls that lowering rewrites into the forms the rules read.

``NumpyArguments`` is mixed into ``arrays.ArrayLowering`` (it relies on ``expr``,
``argument``, ``emit``, ``resolve`` and ``is_value``).  Output contract:
- a dtype given as a type (``x.astype(np.float32)``, ``dtype=float``) is the constant
  string of its NumPy name (``'float32'``, ``'float64'``): generated code writes
  ``x.astype('float32')``;
- the bounds of ``np.clip`` given by keyword (``a_min=``, ``a_max=``, NumPy 2's ``min=``,
  ``max=``) are positional, a missing one ``None``: ``np.clip(x, None, 1.0)``, which every
  NumPy reads the same;
- ``np.concatenate(xs, axis)`` and ``np.stack(xs, axis)`` of a sequence given as one value
  (a parameter holding a list of arrays) are ``rt.concatenate_items(xs, axis)`` and
  ``rt.stack_items(xs, axis)``, and ``rt.joined_items(xs, 'vstack')`` for ``np.vstack``,
  ``np.hstack``, ``np.column_stack`` (a display ``[a, b]`` keeps its parts as arguments);
- ``out=`` (but ``out=None``) is refused at the call (``refuse_out``): an operation's result is
  a new value, so the array NumPy writes into would keep its old contents.
"""
import ast

import numpy as np

from .. import frontend
from ..errors import SrcdiffError, UnsupportedSyntaxError
from ..ir import Const

_BUILTIN_DTYPES = {"float": "float64", "int": np.dtype(int).name, "bool": "bool"}
_CLIP_BOUNDS = {"a_min": 1, "a_max": 2, "min": 1, "max": 2}
# np.<join>(xs) of a sequence value -> (the runtime helper, the constant arguments it takes first)
_SEQUENCE_VALUES = {"np.concatenate": ("rt.concatenate_items",), "np.stack": ("rt.stack_items",),
                    **{f"np.{kind}": ("rt.joined_items", kind) for kind in ("vstack", "hstack", "column_stack")}}
# Methods of a random generator (``rng.normal(...)``): draws, with no gradient (``rules.random``).
RANDOM_METHODS = frozenset({
    "normal", "standard_normal", "uniform", "random", "random_sample", "rand", "randn", "integers", "randint",
    "poisson", "binomial", "choice", "permutation", "exponential", "standard_exponential", "beta", "gamma",
    "standard_gamma", "laplace", "logistic", "lognormal", "multivariate_normal", "dirichlet", "standard_t",
    "chisquare",
})


class NumpyArguments:
    """Dtypes, clip bounds and sequences given whole; see the module docstring."""

    def dtype_constant(self, node):
        """``Const('float32')`` for an argument naming a NumPy scalar type or ``float``/``int``/``bool``, else None."""
        if not isinstance(node, (ast.Name, ast.Attribute)) or self.is_value(node):
            return None
        try:
            ref = self.resolve(node)
        except SrcdiffError:
            return None
        op = getattr(ref, "op", None) if isinstance(ref, frontend.PrimitiveRef) else None
        if op in _BUILTIN_DTYPES:
            return Const(_BUILTIN_DTYPES[op])
        kind = getattr(np, op[3:], None) if op and op.startswith("np.") and op.count(".") == 1 else None
        if isinstance(kind, type) and issubclass(kind, np.generic):
            return Const(np.dtype(kind).name)
        return None

    def refuse_out(self, op, kwargs, node):
        """Refuse ``out=`` (but ``out=None``): NumPy writes the result into that array too, which
        lowering, where every result is a new value, would not do (a later read of it is stale)."""
        out = dict(kwargs)["out"]
        if not (isinstance(out, Const) and out.value is None):
            raise self.error(UnsupportedSyntaxError, node, f"'{op}(..., out=...)' writes its result into an array, "
                             "which srcdiff does not model", f"bind the result instead: r = {op}(...) without out=")

    def clip_bounds(self, args, kwargs):
        """``np.clip``'s (or ``.clip()``'s) keyword bounds moved to their positions, gaps ``None``."""
        moved = False
        for name, value in sorted(kwargs, key=lambda item: _CLIP_BOUNDS.get(item[0], 9)):
            position = _CLIP_BOUNDS.get(name)
            if position is None or position < len(args):
                continue
            args.extend([Const(None)] * (position - len(args)))
            args.append(value)
            kwargs.remove((name, value))
            moved = True
        if moved and len(args) == 2:  # x.clip(min=0.0): no upper bound
            args.append(Const(None))
        return args, kwargs

    def sequence_value_call(self, op, node, hint):
        """``np.concatenate(xs)``, ``np.stack(xs)``, ``np.vstack(xs)``... of a value ``xs``, else None."""
        if op not in _SEQUENCE_VALUES or not node.args or isinstance(node.args[0], (ast.List, ast.Tuple)):
            return None
        sequence = self.expr(node.args[0])
        if isinstance(sequence, tuple):  # a tuple a helper returned: its parts are known
            return self.emit(op, tuple(sequence), node, hint,
                             tuple((k.arg, self.argument(k.value)) for k in node.keywords))
        helper, *settings = _SEQUENCE_VALUES[op]
        args = [sequence] + [Const(s) for s in settings] + [self.argument(a) for a in node.args[1:]]
        kwargs = tuple((k.arg, self.argument(k.value)) for k in node.keywords)
        return self.emit(helper, tuple(args), node, hint, kwargs)
