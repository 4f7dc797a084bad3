"""Lowering of the NumPy calls of linear algebra that are not one primitive as written.

``lower_call(lowerer, op, args, kwargs, node, hint)`` is asked about every ``np.*`` call
after its arguments are lowered; it returns None for calls it leaves alone, else the
operand (or a tuple of operands) of the call.  Output contract:
- a setting that shapes a gradient (``ord``, ``axis``, einsum's subscripts, ``k``...)
  that names a module-level constant or a value of an enclosing function is that value,
  a ``Const``, read now, as module constants are (a rebinding makes srcdiff build anew);
- a decomposition with a tuple result is one call per factor, each a primitive with its
  own rule, named as NumPy 2 names the fields: ``np.linalg.slogdet(a)`` is
  ``(rt.slogdet_sign(a), rt.logabsdet(a))``, ``np.linalg.eigh(a)`` is
  ``(np.linalg.eigvalsh(a), rt.eigh_vectors(a))``, ``np.linalg.svd(a)`` is ``(rt.svd_u(a),
  np.linalg.svd(a, compute_uv=False), rt.svd_vh(a))``, ``np.linalg.qr(a)`` is ``(rt.qr_q(a),
  rt.qr_r(a))`` (``mode='r'``: ``rt.qr_r(a)``).  A factor nobody reads is pruned from the
  generated code; one read twice is computed once, factors read together are computed
  one decomposition each.  Other options (``UPLO='U'``, ``mode='complete'``, a run-time
  ``full_matrices``) leave the call whole: it has no rule, so differentiating through it
  is refused by name;
- ``np.linalg.matrix_power(a, n)`` with a constant ``n != 0`` is products (``a @ a``...,
  by repeated squaring; ``np.linalg.inv(a)`` first for ``n < 0``).
"""
import math
import numbers

import numpy as np

from ..ir import Assign, Const, Global, Var

_MODULES = {"np": np, "math": math}
# the arguments that are settings, by position and by keyword
SETTINGS = {
    "np.linalg.norm": (1, 2, 3, "ord", "axis", "keepdims"), "np.einsum": (0,), "np.tensordot": (2, "axes"),
    "np.trace": (1, 2, 3, "offset", "axis1", "axis2"), "np.diagonal": (1, 2, 3, "offset", "axis1", "axis2"),
    "np.diag": (1, "k"), "np.triu": (1, "k"), "np.tril": (1, "k"), "np.cross": ("axis",),
    "np.linalg.matrix_power": (1, "n"), "np.linalg.svd": (1, 2, 3, "full_matrices", "compute_uv", "hermitian"),
    "np.linalg.qr": (1, "mode"), "np.linalg.eigh": (1, "UPLO"), "np.linalg.slogdet": (),
}


def lower_call(lowerer, op, args, kwargs, node, hint):
    """The operand(s) of the call ``op(*args, **kwargs)``, or None to emit it as it is."""
    if op not in SETTINGS:
        return None
    places = SETTINGS[op]
    known = lambda operand: _known(lowerer.shared.globals, _negated(lowerer, operand))
    args = [known(a) if i in places else a for i, a in enumerate(args)]
    kwargs = tuple((k, known(v) if k in places else v) for k, v in kwargs)
    split = _SPLITS.get(op)
    made = split(lowerer, args, dict(kwargs), node, hint) if split is not None else None
    return made if made is not None else lowerer.emit(op, tuple(args), node, hint, kwargs)


def _known(values, operand):
    """A Global holding a number, a string, None or a tuple of them (``np.inf`` too), as that Const."""
    if not isinstance(operand, Global):
        return operand
    module, _, attr = operand.name.partition(".")
    if attr and module in _MODULES and "." not in attr:
        values = {operand.name: getattr(_MODULES[module], attr, operand)}
    if operand.name not in values:
        return operand
    value = _plain(values[operand.name])
    return operand if value is None and values[operand.name] is not None else Const(value)


def _negated(lowerer, operand):
    """``-np.inf`` (a negation of a constant, lowered just before) as a Global's negation,
    or ``operand`` itself; the negation left behind is pruned from the generated code."""
    if isinstance(operand, Var):
        for stmt in reversed(lowerer.shared.body[-4:]):
            if isinstance(stmt, Assign) and stmt.target is operand and stmt.op == "neg":
                inner = _known(lowerer.shared.globals, stmt.args[0])
                if isinstance(inner, Const) and isinstance(inner.value, (int, float)):
                    return Const(-inner.value)
    return operand


def _plain(value):
    """``value`` as a Python constant (a NumPy number becomes an int or a float, a list a
    tuple), or None when it is not one (an array, an object)."""
    if isinstance(value, (bool, str, float)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list)):
        parts = [_plain(v) for v in value]
        return None if any(p is None for p in parts) else tuple(parts)
    return None


def _option(args, kwargs, position, name, default):
    """The value of an option given by position or keyword; ``...`` when it is not a constant."""
    operand = args[position] if len(args) > position else kwargs.get(name, Const(default))
    return operand.value if isinstance(operand, Const) else ...


def _factor(lowerer, op, a, node, name, kwargs=()):
    target = Var(name)
    lowerer.shared.body.append(Assign(target, op, (a,), tuple(kwargs), lowerer.source.loc(node)))
    return target


def _slogdet(lowerer, args, kwargs, node, hint):
    if len(args) != 1 or kwargs:
        return None
    return (_factor(lowerer, "rt.slogdet_sign", args[0], node, "sign"),
            _factor(lowerer, "rt.logabsdet", args[0], node, "logabsdet"))


def _eigh(lowerer, args, kwargs, node, hint):
    if _option(args, kwargs, 1, "UPLO", "L") != "L" or set(kwargs) - {"UPLO"}:
        return None
    return (_factor(lowerer, "np.linalg.eigvalsh", args[0], node, "eigenvalues"),
            _factor(lowerer, "rt.eigh_vectors", args[0], node, "eigenvectors"))


def _svd(lowerer, args, kwargs, node, hint):
    full = _option(args, kwargs, 1, "full_matrices", True)
    if _option(args, kwargs, 2, "compute_uv", True) is not True or full not in (True, False):
        return None
    if _option(args, kwargs, 3, "hermitian", False) is not False:
        return None
    given = (("full_matrices", Const(True)),) if full else ()
    return (_factor(lowerer, "rt.svd_u", args[0], node, "U", given),
            _factor(lowerer, "np.linalg.svd", args[0], node, "S", (("compute_uv", Const(False)),)),
            _factor(lowerer, "rt.svd_vh", args[0], node, "Vh", given))


def _qr(lowerer, args, kwargs, node, hint):
    mode = _option(args, kwargs, 1, "mode", "reduced")
    if mode == "r":
        return lowerer.emit("rt.qr_r", (args[0],), node, hint)
    if mode != "reduced":
        return None
    return _factor(lowerer, "rt.qr_q", args[0], node, "Q"), _factor(lowerer, "rt.qr_r", args[0], node, "R")


def _matrix_power(lowerer, args, kwargs, node, hint):
    power = _option(args, kwargs, 1, "n", None)
    if type(power) is not int or power == 0 or len(args) + len(kwargs) != 2:
        return None
    base = args[0] if power > 0 else lowerer.emit("np.linalg.inv", (args[0],), node)
    return _power(lowerer, base, abs(power), node, hint)


def _power(lowerer, base, k, node, hint):
    """``base ** k`` (matrix products) by repeated squaring: ``a @ a``, then ``s @ s``..."""
    if k == 1:
        return base
    half = _power(lowerer, base, k // 2, node, None)
    if k % 2 == 0:
        return lowerer.emit("@", (half, half), node, hint)
    return lowerer.emit("@", (lowerer.emit("@", (half, half), node), base), node, hint)


_SPLITS = {"np.linalg.slogdet": _slogdet, "np.linalg.eigh": _eigh, "np.linalg.svd": _svd, "np.linalg.qr": _qr,
           "np.linalg.matrix_power": _matrix_power}
