"""Gradient rules of tensor products and diagonals: ``np.einsum``, ``np.tensordot``,
``np.kron``, ``np.cross``, ``np.trace``, ``np.diagonal``, ``np.diag``, ``np.triu``, ``np.tril``,
and of the runtime helpers their gradients call (so a gradient can be differentiated again).

| call | gradient of ``a`` | of ``b`` |
| --- | --- | --- |
| ``np.einsum('ij,jk->ik', a, b)`` | ``np.einsum('ik,jk->ij', g, b)`` | ``np.einsum('ik,ij->jk', g, a)`` |
| ``np.tensordot(a, b, axes)`` | ``rt.tensordot_grad_left(g, a, b, axes)`` | ``rt.tensordot_grad_right(g, a, b, axes)`` |
| ``np.kron(a, b)`` | ``rt.kron_grad_left(g, a, b)`` | ``rt.kron_grad_right(g, a, b)`` |
| ``np.cross(a, b)`` | ``rt.cross_grad_left(g, a, b)``: ``b x g`` | ``rt.cross_grad_right(g, a, b)``: ``g x a`` |
| ``np.trace(a)``, ``np.diagonal(a)``, ``np.diag(a)`` | ``rt.trace_grad(g, a)``, ``rt.diagonal_grad(g, a)``, ``rt.diag_grad(g, a)`` | |
| ``np.triu(a, k)``, ``np.tril(a, k)`` | ``np.triu(g, k)``, ``np.tril(g, k)`` | |

An einsum operand's gradient is the einsum of ``g`` (read with the output's subscripts)
and the other operands, written to the operand's subscripts, summed down where the
operand was broadcast (``rt.unbroadcast``).  Where that output cannot be an einsum's (the
operand repeats a label: a diagonal; has a label nowhere else: a sum; or an ellipsis
that is not in front) it is ``rt.einsum_to``, which writes any such output.  The
subscripts must be a constant string (or NumPy's sublist form of constant lists).
Each helper is linear in ``g``; the product helpers follow ``rules.helpers``: the adjoint
of ``g`` in ``left(g, a, b)`` is the product of ``G`` and ``b``, that of ``b`` is ``right(g, G, b)``.
"""
from ..ir import Const
from ..runtime.tensors import parse_subscripts, sublist_subscripts
from .settings import fill, keywords, refuse, setting


def _einsum_form(stmt):
    """``(subscripts, positions of the operands)`` of an einsum call, string or sublist form."""
    args = stmt.args
    if isinstance(args[0], Const) and isinstance(args[0].value, str):
        return args[0].value, list(range(1, len(args)))
    pairs = len(args) // 2
    lists = args[1::2] + args[2 * pairs:]  # each operand's labels, then the output's
    if pairs and all(isinstance(a, Const) and isinstance(a.value, tuple) for a in lists):
        return sublist_subscripts([a.value for a in lists], pairs), [2 * i for i in range(pairs)]
    raise refuse(stmt, "the subscripts of 'np.einsum' must be a constant string: srcdiff reads them to write "
                 "the gradient code", "write the subscripts as a literal ('ij,jk->ik') or a module-level constant")


def _plain(term, output, others):
    """Whether an operand's gradient is an einsum: no repeated label, every label read
    elsewhere, and an ellipsis in front exactly where the other terms have one (NumPy sums
    no ellipsis away, and reads one only in front for ``rt.unbroadcast``)."""
    labels = term.replace("...", "")
    elsewhere = set(output.replace("...", "")).union(*(set(t) for t in others))
    ellipsis_elsewhere = any("..." in t for t in [output] + others)
    return (len(set(labels)) == len(labels) and set(labels) <= elsewhere
            and ("..." in term) == ellipsis_elsewhere and ("..." not in term or term.startswith("...")))


def _operand_gradients(subscripts, operands, names, count, helper=False):
    """The templates of every operand of an einsum (``operands``: positions of the arguments);
    ``helper``: of ``rt.einsum_to``, whose operands' gradients are ``rt.einsum_to`` again."""
    try:
        terms, output = parse_subscripts(subscripts, len(operands))
    except ValueError:
        return None  # NumPy refuses the call itself
    templates = [None] * count
    for k, position in enumerate(operands):
        others = [j for j in range(len(operands)) if j != k]
        subs = ",".join([output] + [terms[j] for j in others]) + "->" + terms[k]
        values = ", ".join(["g"] + [names[operands[j]] for j in others])
        many = ", optimize=True" if len(others) >= 2 else ""
        if not helper and _plain(terms[k], output, [terms[j] for j in others]):
            templates[position] = f"rt.unbroadcast(np.einsum({subs!r}, {values}{many}), {names[position]})"
        else:
            templates[position] = f"rt.einsum_to({subs!r}, {names[position]}, {values})"
    return tuple(templates)


def _einsum(stmt, names):
    subscripts, operands = _einsum_form(stmt)
    return _operand_gradients(subscripts, operands, names, len(names))


def _einsum_to(stmt, names):
    """``rt.einsum_to(subscripts, like, *operands)``: each operand as through an einsum."""
    if len(names) < 3 or not (isinstance(stmt.args[0], Const) and isinstance(stmt.args[0].value, str)):
        return None
    return _operand_gradients(stmt.args[0].value, list(range(2, len(names))), names, len(names), helper=True)


def _axes(stmt, position):
    return keywords(axes=setting(stmt, position, "axes", 2))


def _tensordot(stmt, names):
    axes = _axes(stmt, 2)
    return fill(len(names), f"rt.tensordot_grad_left(g, x0, x1{axes})", f"rt.tensordot_grad_right(g, x0, x1{axes})")


def _bilinear_helpers(product, left, right, settings=lambda stmt: ""):
    """Rules of ``left(g, a, b)`` and ``right(g, a, b)``, the gradients of ``product(a, b)``
    (``settings(stmt)``: the keyword arguments of the helper's call, passed on)."""
    return {
        left: lambda stmt, names: fill(len(names), f"{product}(g, x2{settings(stmt)})", None,
                                       f"{right}(x0, g, x2{settings(stmt)})") if len(names) >= 3 else None,
        right: lambda stmt, names: fill(len(names), f"{product}(x1, g{settings(stmt)})",
                                        f"{left}(x0, x1, g{settings(stmt)})") if len(names) >= 3 else None,
    }


_CROSS_AXES = ("axisa", "axisb", "axisc", "axis")


def _cross_settings(stmt, first):
    """``, axisa=0, axis=1``: the axes of a cross product given from position ``first`` on
    (2 for ``np.cross(a, b, axisa, axisb, axisc, axis)``; the helpers take them by keyword)."""
    values = {name: setting(stmt, None if first is None else first + k, name) for k, name in enumerate(_CROSS_AXES)}
    return keywords(**values)


def _cross(stmt, names):
    axes = _cross_settings(stmt, 2)
    return fill(len(names), f"rt.cross_grad_left(g, x0, x1{axes})", f"rt.cross_grad_right(g, x0, x1{axes})")


def _diagonal_settings(stmt, first=1):
    """The settings of a diagonal read, from position ``first`` on (2 for the helpers, after ``g``)."""
    offset = setting(stmt, first, "offset", 0)
    axis1, axis2 = setting(stmt, first + 1, "axis1", 0), setting(stmt, first + 2, "axis2", 1)
    return keywords(offset=offset or None, axis1=axis1 or None, axis2=None if axis2 == 1 else axis2)


def _diagonal_of(helper):
    return lambda stmt, names: fill(len(names), f"{helper}(g, {names[0]}{_diagonal_settings(stmt)})")


def _diag_k(stmt, position=1):
    return keywords(k=setting(stmt, position, "k", 0) or None)


TENSOR_BUILDERS = {
    "np.einsum": _einsum, "rt.einsum_to": _einsum_to, "np.tensordot": _tensordot,
    "np.kron": lambda stmt, names: ("rt.kron_grad_left(g, x0, x1)", "rt.kron_grad_right(g, x0, x1)")
    if len(names) == 2 else None,
    "np.cross": _cross,
    "np.trace": _diagonal_of("rt.trace_grad"), ".trace()": _diagonal_of("rt.trace_grad"),
    "np.diagonal": _diagonal_of("rt.diagonal_grad"), ".diagonal()": _diagonal_of("rt.diagonal_grad"),
    "np.diag": lambda stmt, names: fill(len(names), f"rt.diag_grad(g, {names[0]}{_diag_k(stmt)})"),
    "np.triu": lambda stmt, names: fill(len(names), f"np.triu(g{_diag_k(stmt)})"),
    "np.tril": lambda stmt, names: fill(len(names), f"np.tril(g{_diag_k(stmt)})"),
    # the helpers of the gradients above
    **_bilinear_helpers("np.tensordot", "rt.tensordot_grad_left", "rt.tensordot_grad_right", lambda s: _axes(s, 3)),
    **_bilinear_helpers("np.kron", "rt.kron_grad_left", "rt.kron_grad_right"),
    **_bilinear_helpers("np.cross", "rt.cross_grad_left", "rt.cross_grad_right", lambda s: _cross_settings(s, None)),
    "rt.trace_grad": lambda stmt, names: fill(len(names), f"np.trace(g{_diagonal_settings(stmt, 2)})"),
    "rt.diagonal_grad": lambda stmt, names: fill(len(names), f"np.diagonal(g{_diagonal_settings(stmt, 2)})"),
    "rt.diag_grad": lambda stmt, names: fill(len(names), f"np.diag(g{_diag_k(stmt, 2)})"),
}
# the keyword arguments each rule reads (any other one means no rule)
TENSOR_KEYWORDS = {
    "np.einsum": frozenset({"optimize"}), "rt.einsum_to": frozenset(), "np.tensordot": frozenset({"axes"}),
    "np.cross": frozenset(_CROSS_AXES), "np.trace": frozenset({"offset", "axis1", "axis2"}),
    ".trace()": frozenset({"offset", "axis1", "axis2"}), "np.diagonal": frozenset({"offset", "axis1", "axis2"}),
    ".diagonal()": frozenset({"offset", "axis1", "axis2"}), "np.diag": frozenset({"k"}),
    "np.triu": frozenset({"k"}), "np.tril": frozenset({"k"}),
}
