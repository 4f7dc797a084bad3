"""Forward mode of linear algebra: the forms of the linear and multilinear calls, and
the tangent templates of the others (``rules.linalg.LINALG_TANGENTS``, and
``rules.arrays.STATISTICS_TANGENTS`` for ``np.var`` and ``np.std``).

``LINALG_FORMS`` extends ``tangents.FORMS`` (op -> kind, positions it is linear in,
positions that only give a shape): einsum and ``rt.einsum_to`` are multilinear in every
operand, ``np.tensordot``, ``np.kron``, ``np.cross`` and their gradients' helpers in two;
traces, diagonals, triangles and the helpers that move or fold matrices are linear.
``template_terms`` fills in a tangent template per argument that carries a tangent
(``g`` its tangent, ``y`` the result, ``x``/``x0``... the arguments); a template that
is None where a tangent arrives makes the whole result None (the caller refuses the
statement by name), ``ZERO`` gives no tangent.
"""
from ..ir import copy_expr, is_zero, simplify_expr
from ..rules import HELPER_TANGENTS, SEQUENCE_FUNCTION_TANGENTS, STATISTICS_TANGENTS, ZERO, placeholders, template_ast
from ..rules.linalg import BILINEAR, LINALG_TANGENTS, LINEAR


_MANY = range(2 ** 31)  # every position (the constants among them never carry a tangent)
LINALG_FORMS = {
    "np.einsum": ("multilinear", _MANY, ()),
    "rt.einsum_to": ("multilinear", range(2, 2 ** 31), (1,)),
    **{op: ("multilinear", (0, 1), ()) for op in ("np.tensordot", "np.kron", "np.cross")},
    **{op: ("multilinear", (0, 2), (1,)) for op in ("rt.tensordot_grad_left", "rt.kron_grad_left", "rt.cross_grad_left")},
    **{op: ("multilinear", (0, 1), (2,)) for op in ("rt.tensordot_grad_right", "rt.kron_grad_right",
                                                   "rt.cross_grad_right")},
    **{op: ("multilinear", (0, 1), (2, 3)) for op in BILINEAR},
    **{op: ("linear", (0,), ()) for op in ("np.trace", ".trace()", "np.diagonal", ".diagonal()", "np.diag",
                                           "np.triu", "np.tril")},
    **{op: ("linear", (0,), _MANY[1:]) for op in ("rt.trace_grad", "rt.diagonal_grad", "rt.diag_grad", *LINEAR)},
}


# op -> its tangent templates: np.linalg (norms included), its gradients' helpers, np.var and np.std and theirs
TANGENT_TEMPLATES = {**LINALG_TANGENTS, **STATISTICS_TANGENTS, **HELPER_TANGENTS, **SEQUENCE_FUNCTION_TANGENTS}


def template_terms(stmt, active, tangent_of, operand, y):
    """The tangent terms of ``stmt`` from its tangent templates; None where it has none."""
    templates = TANGENT_TEMPLATES[stmt.op](stmt, placeholders(len(stmt.args)))
    if templates is ZERO:
        return []
    if templates is None or any(templates[i] is None for i in active):
        return None
    bindings = {"y": y}
    bindings.update(zip(placeholders(len(stmt.args)), (operand(a) for a in stmt.args)))
    terms = []
    for i in active:
        bindings["g"] = tangent_of[stmt.args[i]]
        term = simplify_expr(copy_expr(template_ast(templates[i]), bindings), copy=False)
        if not is_zero(term):
            terms.append(term)
    return terms
