"""Gradient and tangent rules of ``np.linalg``, and of the runtime helpers they call.

``REVERSE`` holds one adjoint template per positional argument (``g`` the upstream
gradient, ``y`` the result, ``x`` the one argument or ``x0, x1, ...``); ``TANGENT`` the
tangent templates of forward mode, where ``g`` is the tangent of that argument.  Closed
forms reuse the result: ``inv``'s gradient is ``-y' g y'``, ``solve``'s a second solve
with the transposed matrix, ``slogdet``'s ``inv(a)'``.  Matrices are the last two axes of
a stack; ``rt.mT`` transposes them.  ``eigh`` and ``cholesky`` read only the lower
triangle (their gradients end in ``rt.sym_lower_grad``), and ``solve``'s helpers read a
right-hand side as ``solve`` read it, vectors or matrices (``rt.solve_t``).  ``np.linalg.slogdet``, ``eigh``, ``svd`` and
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
from .settings import keywords, refuse, setting

_INV_T = "rt.inv_t(x)"
_TRACE_INV = "np.einsum('...ij,...ij->...', rt.inv_t(x), g)"  # tr(inv(a) g)
_SHAPE = "0.0"  # the tangent through an argument that only says how to read another one
_B_BAR = "rt.solve_t(x0, g, x1)"  # solve's second solve, with the transposed matrix
_EIGVECS = "y @ (rt.inverse_gaps(np.linalg.eigvalsh(x)) * ({})) @ rt.mT(y)"

# ---- reverse: op -> one adjoint template per positional argument
REVERSE = {
    "np.linalg.inv": ("-(rt.mT(y) @ g @ rt.mT(y))",),
    "np.linalg.solve": (f"-rt.unbroadcast(rt.rhs_outer({_B_BAR}, y, x0, x1), x0)", f"rt.unbroadcast({_B_BAR}, x1)"),
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
    "rt.inv_t": ("-(y @ rt.mT(g) @ y)",),
    "rt.sym_lower": ("rt.sym_lower_grad(g)",),
    "rt.sym_lower_grad": ("rt.sym_lower(g)",),
    "rt.lower_half": ("rt.lower_half(g)",),  # a mask: its own adjoint
    "rt.tall_r": ("g",),  # a check of the value: the gradient passes through
    "rt.solve_t": ("-rt.unbroadcast(rt.rhs_outer(y, rt.solve_t(rt.mT(x0), g, x2), x0, x2), x0)",
                   "rt.unbroadcast(rt.solve_t(rt.mT(x0), g, x2), x1)", None),
    "rt.rhs_outer": ("rt.unbroadcast(rt.rhs_times(g, x1, x2, x3), x0)",
                     "rt.unbroadcast(rt.rhs_times(rt.mT(g), x0, x2, x3), x1)", None, None),
    "rt.rhs_times": ("rt.unbroadcast(rt.rhs_outer(g, x1, x2, x3), x0)",
                     "rt.unbroadcast(rt.rhs_times(rt.mT(x0), g, x2, x3), x1)", None, None),
    "rt.eig_compose": ("(g + rt.mT(g)) @ x0 * np.expand_dims(x1, -2)", "rt.eig_project(x0, g)"),
    "rt.eig_project": ("(x1 + rt.mT(x1)) @ x0 * np.expand_dims(g, -2)", "rt.eig_compose(x0, g)"),
    "rt.inverse_gaps": ("np.sum(g * y * y, axis=-1) - np.sum(g * y * y, axis=-2)",),
}

# ---- forward: op -> one tangent template per positional argument (g: that argument's tangent)
TANGENT = {
    "np.linalg.inv": ("-(y @ g @ y)",),
    "np.linalg.solve": ("-rt.solve_t(rt.mT(x0), rt.rhs_times(g, y, x0, x1), x1)", "np.linalg.solve(x0, g)"),
    "np.linalg.det": (f"y * {_TRACE_INV}",),
    "rt.logabsdet": (_TRACE_INV,),
    "np.linalg.cholesky": ("y @ rt.lower_half(rt.mT(np.linalg.solve(y, rt.mT(np.linalg.solve(y, "
                           "rt.sym_lower(g))))))",),
    "np.linalg.eigvalsh": ("rt.eig_project(rt.eigh_vectors(x), rt.sym_lower(g))",),
    "rt.eigh_vectors": ("y @ (rt.inverse_gaps(np.linalg.eigvalsh(x)) * (rt.mT(y) @ rt.sym_lower(g) @ y))",),
    "np.linalg.svdvals": ("np.sum(rt.svd_u(x) * (g @ rt.mT(rt.svd_vh(x))), axis=-2)",),
    "np.linalg.pinv": ("-(y @ g @ y) + y @ rt.mT(y) @ (rt.mT(g) - rt.mT(g) @ x @ y)"
                       " + (rt.mT(g) - y @ x @ rt.mT(g)) @ rt.mT(y) @ y",),
    # the helpers of the gradients above (those that are linear are in LINEAR and BILINEAR)
    "rt.inv_t": ("-(y @ rt.mT(g) @ y)",),
    "rt.tall_r": ("g",),  # a check of the value: the tangent passes through
    "rt.solve_t": ("-rt.solve_t(x0, rt.rhs_times(rt.mT(g), y, x0, x2), x2)", "rt.solve_t(x0, g, x2)", _SHAPE),
    "rt.eig_compose": ("g * np.expand_dims(x1, -2) @ rt.mT(x0) + x0 * np.expand_dims(x1, -2) @ rt.mT(g)",
                       "rt.eig_compose(x0, g)"),
    "rt.eig_project": ("np.sum(g * (x1 @ x0), axis=-2) + np.sum(x0 * (x1 @ g), axis=-2)", "rt.eig_project(x0, g)"),
    "rt.inverse_gaps": ("y * y * (np.expand_dims(g, -1) - np.expand_dims(g, -2))",),
}
# linear in the first argument, the others only give a shape: forward mode applies the op to the tangent
LINEAR = ("rt.mT", "rt.sym_lower", "rt.sym_lower_grad", "rt.lower_half")
BILINEAR = ("rt.rhs_outer", "rt.rhs_times")  # in their first two arguments; the others give shapes
NO_GRADIENT = ("rt.slogdet_sign", "np.linalg.matrix_rank")


def _table(table, stmt, names):
    templates = table[stmt.op]
    return templates if len(templates) == len(names) else None


def _svd(stmt, names):
    """``np.linalg.svd(a, compute_uv=False)``: the singular values (the factors are lowered apart)."""
    if setting(stmt, 2, "compute_uv", True) or setting(stmt, 3, "hermitian", False):
        raise refuse(stmt, "srcdiff differentiates 'np.linalg.svd' with constant full_matrices and compute_uv, "
                     "and hermitian=False", "pass compute_uv and full_matrices as constants, without hermitian")
    return REVERSE["np.linalg.svdvals"] + (None,) * (len(names) - 1)


def _svd_tangent(stmt, names):
    _svd(stmt, names)
    return TANGENT["np.linalg.svdvals"] + (None,) * (len(names) - 1)


def _svd_factor(helper, output=", y"):
    def build(stmt, names):
        full = setting(stmt, 1, "full_matrices", False)
        return (f"{helper}(g, x{output}{keywords(full_matrices=full)})",) if len(names) == 1 else None
    return build


def _whole(condition, hint):
    """The rule of a decomposition lowering left whole: a refusal saying which forms are differentiated."""
    def build(stmt, names):
        raise refuse(stmt, f"srcdiff differentiates '{stmt.op}' {condition}", hint)
    return build


def _matrix_power(stmt, names):
    """Lowering writes a constant power out as products: what is left is the power 0 (the
    identity: no gradient), or a power computed at run time, refused."""
    return ZERO if setting(stmt, 1, "n", what="power") == 0 else None


LINALG_BUILDERS = {
    **{op: lambda stmt, names: _table(REVERSE, stmt, names) for op in REVERSE},
    **{op: lambda stmt, names: ZERO for op in NO_GRADIENT},
    "np.linalg.svd": _svd, "np.linalg.matrix_power": _matrix_power,
    "np.linalg.eigh": _whole("reading the lower triangle (UPLO='L', the default)", "pass UPLO='L', or the transpose"),
    "np.linalg.qr": _whole("in the modes 'reduced' (the default) and 'r'", "use mode='reduced'"),
    "rt.svd_u": _svd_factor("rt.svd_u_grad"), "rt.svd_vh": _svd_factor("rt.svd_vh_grad"),
    **NORM_BUILDERS,
}
LINALG_TANGENTS = {
    **{op: lambda stmt, names: _table(TANGENT, stmt, names) for op in TANGENT},
    **{op: lambda stmt, names: ZERO for op in NO_GRADIENT},
    "np.linalg.svd": _svd_tangent, "np.linalg.matrix_power": _matrix_power,
    "rt.svd_u": _svd_factor("rt.svd_u_tangent", ""), "rt.svd_vh": _svd_factor("rt.svd_vh_tangent", ""),
    "rt.qr_q": lambda stmt, names: ("rt.qr_q_tangent(g, x)",) if len(names) == 1 else None,
    "rt.qr_r": lambda stmt, names: ("rt.qr_r_tangent(g, x)",) if len(names) == 1 else None,
    **NORM_TANGENTS,
}
LINALG_KEYWORDS = {"np.linalg.svd": frozenset({"compute_uv", "full_matrices", "hermitian"}),
                   "np.linalg.eigh": frozenset({"UPLO"}), "np.linalg.qr": frozenset({"mode"}),
                   "rt.svd_u": frozenset({"full_matrices"}), "rt.svd_vh": frozenset({"full_matrices"}),
                   "np.linalg.norm": frozenset({"ord", "axis", "keepdims"})}
