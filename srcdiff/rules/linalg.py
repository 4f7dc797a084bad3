"""Gradient and tangent rules of ``np.linalg``, and of the runtime helpers they call.

``REVERSE`` holds one adjoint template per positional argument (``g`` the upstream
gradient, ``y`` the result, ``x`` the one argument or ``x0, x1, ...``); ``TANGENT`` the
tangent templates of forward mode, where ``g`` is the tangent of that argument.  Closed
forms reuse the result: ``inv``'s gradient is ``-y' g y'``, ``solve``'s a second solve
with the transposed matrix, ``slogdet``'s ``inv(a)'``.  Matrices are the last two axes of
a stack; ``rt.mT`` transposes them.  ``eigh`` and ``cholesky`` read only the lower
triangle (their gradients end in ``rt.sym_lower_grad``), and ``solve`` reads a vector
right-hand side as columns (``rt.columns``).  ``np.linalg.slogdet``, ``eigh``, ``svd`` and
``qr`` are lowered to one call per factor (``lower.linalg``): ``rt.logabsdet(a)``,
``np.linalg.eigvalsh(a)``, ``rt.eigh_vectors(a)``, ``rt.svd_u(a)``, ``np.linalg.svd(a,
compute_uv=False)``, ``rt.svd_vh(a)``, ``rt.qr_q(a)``, ``rt.qr_r(a)``.  Every helper these
templates call has a rule here, so gradients can be differentiated again, except
``rt.svd_u_grad`` and ``rt.svd_vh_grad`` (the gradients of singular vectors, which a
second derivative through them refuses by name); forward mode through singular vectors
and QR factors is refused too.  ``rules.norms`` has ``np.linalg.norm``.
"""
from .norms import NORM_BUILDERS, NORM_TANGENTS
from .scalar import ZERO
from .settings import keywords, setting

_INV_T = "rt.mT(np.linalg.inv(x))"
_TRACE_INV = "np.einsum('...ij,...ji->...', np.linalg.inv(x), g)"  # tr(inv(a) g)
_B_BAR = "np.linalg.solve(rt.mT(x0), rt.columns(g, x0, x1))"  # solve's second solve, as columns
_EIGVECS = "y @ (rt.inverse_gaps(np.linalg.eigvalsh(x)) * ({})) @ rt.mT(y)"

# ---- reverse: op -> one adjoint template per positional argument
REVERSE = {
    "np.linalg.inv": ("-(rt.mT(y) @ g @ rt.mT(y))",),
    "np.linalg.solve": (f"-rt.unbroadcast({_B_BAR} @ rt.mT(rt.columns(y, x0, x1)), x0)",
                        f"rt.unbroadcast(rt.uncolumns({_B_BAR}, x0, x1), x1)"),
    "np.linalg.det": (f"np.expand_dims(g * y, (-2, -1)) * {_INV_T}",),
    "rt.logabsdet": (f"np.expand_dims(g, (-2, -1)) * {_INV_T}",),
    "np.linalg.cholesky": ("rt.sym_lower_grad(rt.mT(np.linalg.solve(rt.mT(y), rt.mT(np.linalg.solve(rt.mT(y), "
                           "rt.lower_half(rt.mT(y) @ g))))))",),
    "np.linalg.eigvalsh": ("rt.sym_lower_grad(rt.eig_compose(rt.eigh_vectors(x), g))",),
    "rt.eigh_vectors": ("rt.sym_lower_grad(" + _EIGVECS.format("rt.mT(y) @ g") + ")",),
    "np.linalg.svdvals": ("rt.svd_u(x) * np.expand_dims(g, -2) @ rt.svd_vh(x)",),
    "np.linalg.pinv": ("-(rt.mT(y) @ g @ rt.mT(y)) + (rt.mT(g) - x @ y @ rt.mT(g)) @ y @ rt.mT(y)"
                       " + rt.mT(y) @ y @ (rt.mT(g) - rt.mT(g) @ y @ x)",),
    "rt.qr_q": ("rt.mT(np.linalg.solve(rt.tall_r(rt.qr_r(x)), rt.mT(g - y @ rt.sym_lower(rt.mT(g) @ y))))",),
    "rt.qr_r": ("rt.mT(np.linalg.solve(rt.tall_r(y), rt.mT(rt.qr_q(x) @ rt.sym_lower(y @ rt.mT(g)))))",),
    # the helpers of the gradients above
    "rt.mT": ("rt.mT(g)",),
    "rt.sym_lower": ("rt.sym_lower_grad(g)",),
    "rt.sym_lower_grad": ("rt.sym_lower(g)",),
    "rt.lower_half": ("rt.lower_half(g)",),  # a mask: its own adjoint
    "rt.tall_r": ("g",),
    "rt.columns": ("rt.uncolumns(g, x1, x2)", None, None),
    "rt.uncolumns": ("rt.columns(g, x1, x2)", None, None),
    "rt.eig_compose": ("(g + rt.mT(g)) @ x0 * np.expand_dims(x1, -2)", "rt.eig_project(x0, g)"),
    "rt.eig_project": ("(x1 + rt.mT(x1)) @ x0 * np.expand_dims(g, -2)", "rt.eig_compose(x0, g)"),
    "rt.inverse_gaps": ("np.sum(g * y * y, axis=-1) - np.sum(g * y * y, axis=-2)",),
}

# ---- forward: op -> one tangent template per positional argument (g: that argument's tangent)
TANGENT = {
    "np.linalg.inv": ("-(y @ g @ y)",),
    "np.linalg.solve": ("-rt.uncolumns(np.linalg.solve(x0, g @ rt.columns(y, x0, x1)), x0, x1)",
                        "np.linalg.solve(x0, g)"),
    "np.linalg.det": (f"y * {_TRACE_INV}",),
    "rt.logabsdet": (_TRACE_INV,),
    "np.linalg.cholesky": ("y @ rt.lower_half(rt.mT(np.linalg.solve(y, rt.mT(np.linalg.solve(y, "
                           "rt.sym_lower(g))))))",),
    "np.linalg.eigvalsh": ("rt.eig_project(rt.eigh_vectors(x), rt.sym_lower(g))",),
    "rt.eigh_vectors": ("y @ (rt.inverse_gaps(np.linalg.eigvalsh(x)) * (rt.mT(y) @ rt.sym_lower(g) @ y))",),
    "np.linalg.svdvals": ("np.sum(rt.svd_u(x) * (g @ rt.mT(rt.svd_vh(x))), axis=-2)",),
    "np.linalg.pinv": ("-(y @ g @ y) + y @ rt.mT(y) @ (rt.mT(g) - rt.mT(g) @ x @ y)"
                       " + (rt.mT(g) - y @ x @ rt.mT(g)) @ rt.mT(y) @ y",),
    "rt.eig_compose": ("g * np.expand_dims(x1, -2) @ rt.mT(x0) + x0 * np.expand_dims(x1, -2) @ rt.mT(g)",
                       "rt.eig_compose(x0, g)"),
    "rt.eig_project": ("np.sum(g * (x1 @ x0), axis=-2) + np.sum(x0 * (x1 @ g), axis=-2)", "rt.eig_project(x0, g)"),
    "rt.inverse_gaps": ("y * y * (np.expand_dims(g, -1) - np.expand_dims(g, -2))",),
}
# linear in the first argument, the others only give a shape: forward mode applies the op to the tangent
LINEAR = ("rt.mT", "rt.sym_lower", "rt.sym_lower_grad", "rt.lower_half", "rt.tall_r", "rt.columns", "rt.uncolumns")
NO_GRADIENT = ("rt.slogdet_sign", "np.linalg.matrix_rank")


def _table(table, stmt, names):
    templates = table[stmt.op]
    return templates if len(templates) == len(names) else None


def _svd(stmt, names):
    """``np.linalg.svd(a, compute_uv=False)``: the singular values (the factors are lowered apart)."""
    if setting(stmt, 2, "compute_uv", True) or setting(stmt, None, "hermitian", False) or len(names) > 1:
        return None
    return REVERSE["np.linalg.svdvals"]


def _svd_tangent(stmt, names):
    return TANGENT["np.linalg.svdvals"] if _svd(stmt, names) is not None else None


def _svd_factor(helper, output=", y"):
    def build(stmt, names):
        full = setting(stmt, 1, "full_matrices", False)
        return (f"{helper}(g, x{output}{keywords(full_matrices=full)})",) if len(names) == 1 else None
    return build


def _matrix_power(stmt, names):
    """Lowering writes a constant power out as products; a power still here is computed at run time."""
    setting(stmt, 1, "n", what="power")
    return None


LINALG_BUILDERS = {
    **{op: lambda stmt, names: _table(REVERSE, stmt, names) for op in REVERSE},
    **{op: lambda stmt, names: ZERO for op in NO_GRADIENT},
    "np.linalg.svd": _svd, "np.linalg.matrix_power": _matrix_power,
    "rt.svd_u": _svd_factor("rt.svd_u_grad"), "rt.svd_vh": _svd_factor("rt.svd_vh_grad"),
    **NORM_BUILDERS,
}
LINALG_TANGENTS = {
    **{op: lambda stmt, names: _table(TANGENT, stmt, names) for op in TANGENT},
    **{op: lambda stmt, names: ZERO for op in NO_GRADIENT},
    "np.linalg.svd": _svd_tangent,
    "rt.svd_u": _svd_factor("rt.svd_u_tangent", ""), "rt.svd_vh": _svd_factor("rt.svd_vh_tangent", ""),
    "rt.qr_q": lambda stmt, names: ("rt.qr_q_tangent(g, x)",) if len(names) == 1 else None,
    "rt.qr_r": lambda stmt, names: ("rt.qr_r_tangent(g, x)",) if len(names) == 1 else None,
    **NORM_TANGENTS,
}
LINALG_KEYWORDS = {"np.linalg.svd": frozenset({"compute_uv", "full_matrices"}),
                   "rt.svd_u": frozenset({"full_matrices"}), "rt.svd_vh": frozenset({"full_matrices"}),
                   "np.linalg.norm": frozenset({"ord", "axis", "keepdims"})}
