"""Runtime helpers of ``np.linalg``'s gradients: matrix transposes and triangles, the
right-hand sides of ``solve`` (vectors or matrices), and the factors of ``slogdet``, ``eigh``, ``svd`` and ``qr``
one at a time.

Every helper works on a matrix or a stack of them (the last two axes), as ``np.linalg``
does.  ``eigh`` and ``cholesky`` read only the lower triangle of their argument: they
compute a function of ``sym_lower(a)``, whose gradient is ``sym_lower_grad`` of the
gradient with respect to that symmetric matrix, exact for any ``a``.  Each factor of a
decomposition is its own call (``eigh_vectors``, ``svd_u``, ``qr_r``...), recomputed
where several are read, so that each has a gradient rule of its own.  Degenerate
eigenvalues and singular values make eigenvectors and singular vectors non-unique:
``inverse_gaps`` and the ``svd_*_grad`` helpers refuse them (``ArrayGradientError``)
instead of returning infinities.
"""
import numpy as np

from .arguments import ArrayGradientError
from .namespaces import namespace_of as namespace

__all__ = ["mT", "inv_t", "sym_lower", "sym_lower_grad", "lower_half", "solve_t", "rhs_outer", "rhs_times", "slogdet_sign", "logabsdet",
           "eigh_vectors", "svd_u", "svd_vh", "qr_q", "qr_r", "tall_r", "eig_compose", "eig_project", "inverse_gaps",
           "svd_u_grad", "svd_vh_grad", "svd_u_tangent", "svd_vh_tangent", "qr_q_tangent", "qr_r_tangent"]
_NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def mT(x):
    """The transpose of a matrix or of each matrix of a stack (the array API's ``x.mT``)."""
    return namespace(x).swapaxes(x, -1, -2)


def sym_lower(x):
    """The symmetric matrix with ``x``'s lower triangle: what ``eigh`` and ``cholesky`` read."""
    xp = namespace(x)
    return xp.tril(x) + mT(xp.tril(x, -1))


def sym_lower_grad(g):
    """The gradient of ``sym_lower``: ``g`` on the lower triangle, plus ``g``'s upper one folded onto it."""
    xp = namespace(g)
    return xp.tril(g) + xp.tril(mT(g), -1)


def lower_half(x):
    """The lower triangle of ``x`` with its diagonal halved (Murray's Phi of the Cholesky gradient)."""
    xp = namespace(x)
    return xp.tril(x) - 0.5 * (x * xp.eye(xp.shape(x)[-1]))


def inv_t(a):
    """``inv(a).T`` (the gradient of ``log |det a|``), refused for a singular ``a``."""
    try:
        return mT(namespace(a).linalg.inv(a))
    except np.linalg.LinAlgError:
        raise ArrayGradientError("srcdiff differentiates np.linalg.det and slogdet through the inverse of the matrix, "
                                 "and this matrix is singular", hint="keep the matrix invertible (add a small multiple "
                                 "of the identity)") from None


def _vector_rhs(a, b):
    """Whether ``np.linalg.solve(a, b)`` reads ``b`` as vectors (NumPy 2: ``b`` is 1-d; before: one axis less than ``a``)."""
    xp = namespace(a, b)
    return xp.ndim(b) == 1 if _NUMPY2 or xp is not np else xp.ndim(b) == xp.ndim(a) - 1


def _columns(v, a, b):
    """``v``, shaped like a right-hand side ``b`` of ``solve(a, b)``, as matrices: vectors become columns."""
    return namespace(v).expand_dims(v, -1) if _vector_rhs(a, b) else v


def _uncolumns(v, a, b):
    return v[..., 0] if _vector_rhs(a, b) else v


def solve_t(a, g, b):
    """``solve(a.T, g)``, ``g`` a right-hand side read as ``b`` is (vectors or matrices): the
    second solve of ``solve``'s gradient."""
    return _uncolumns(namespace(a, g).linalg.solve(mT(a), _columns(g, a, b)), a, b)


def rhs_outer(z, y, a, b):
    """``z @ y.T`` for right-hand sides ``z``, ``y`` read as ``b`` is (an outer product of vectors)."""
    return _columns(z, a, b) @ mT(_columns(y, a, b))


def rhs_times(m, y, a, b):
    """``m @ y`` for matrices ``m`` and a right-hand side ``y`` read as ``b`` is."""
    return _uncolumns(m @ _columns(y, a, b), a, b)


# ---------------------------------------------------------------- factors, one at a time

def slogdet_sign(a):
    """The sign of ``np.linalg.slogdet(a)`` (piecewise constant: no gradient)."""
    return namespace(a).linalg.slogdet(a)[0]


def logabsdet(a):
    """The log of the absolute determinant, ``np.linalg.slogdet(a)[1]``."""
    return namespace(a).linalg.slogdet(a)[1]


def eigh_vectors(a):
    """The eigenvectors of ``np.linalg.eigh(a)`` (columns, in ascending order of the eigenvalues)."""
    return namespace(a).linalg.eigh(a)[1]


def svd_u(a, full_matrices=False):
    """``U`` of ``np.linalg.svd(a, full_matrices)``."""
    return namespace(a).linalg.svd(a, full_matrices=full_matrices)[0]


def svd_vh(a, full_matrices=False):
    """``Vh`` of ``np.linalg.svd(a, full_matrices)``."""
    return namespace(a).linalg.svd(a, full_matrices=full_matrices)[2]


def qr_q(a):
    """``Q`` of ``np.linalg.qr(a)`` (mode 'reduced')."""
    return namespace(a).linalg.qr(a)[0]


def qr_r(a):
    """``R`` of ``np.linalg.qr(a)`` (mode 'reduced' or 'r')."""
    return namespace(a).linalg.qr(a)[1]


def tall_r(r):
    """``r`` itself, refused unless it is square and invertible: srcdiff differentiates the QR
    decomposition of square and tall matrices of full column rank."""
    xp = namespace(r)
    shape = tuple(xp.shape(r))
    if shape[-1] != shape[-2]:
        raise ArrayGradientError("srcdiff differentiates np.linalg.qr of a matrix with at least as many rows as "
                                 f"columns; this one gives an R of shape {shape}",
                                 hint="differentiate the QR decomposition of the transposed matrix instead")
    if xp.any(xp.diagonal(r, axis1=-2, axis2=-1) == 0):
        raise ArrayGradientError("the columns of the matrix given to np.linalg.qr are linearly dependent, so its "
                                 "Q is not unique and has no gradient", hint="pass a matrix of full column rank")
    return r


# ---------------------------------------------------------------- eigenvalues and eigenvectors

def eig_compose(v, d):
    """``v @ diag(d) @ v.T`` for each matrix of a stack."""
    return (v * namespace(v).expand_dims(d, -2)) @ mT(v)


def eig_project(v, x):
    """``diag(v.T @ x @ v)`` for each matrix of a stack (the adjoint of ``eig_compose`` in ``d``)."""
    return namespace(v).sum(v * (x @ v), axis=-2)


def inverse_gaps(w):
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it, for sorted eigenvalues ``w``.

    Refused (``ArrayGradientError``) when two eigenvalues are equal to within rounding
    (``n * eps * max |w|``): the eigenvectors of a repeated eigenvalue are not unique."""
    xp = namespace(w)
    gaps = xp.expand_dims(w, -2) - xp.expand_dims(w, -1)
    off = _off_diagonal(xp, xp.shape(w)[-1])
    _refuse_degenerate(xp, xp.where(off, xp.abs(gaps), xp.inf), w, "eigenvalues", "eigenvectors of np.linalg.eigh")
    return xp.where(off, 1.0 / xp.where(off, gaps, 1.0), 0.0)


def _off_diagonal(xp, n):
    """The mask of the entries off the diagonal of an ``n`` x ``n`` matrix."""
    return xp.arange(n)[:, None] != xp.arange(n)[None, :]


def _refuse_degenerate(xp, gaps, values, what, of):
    """Refused when the smallest of ``gaps`` is 0 to within rounding of the largest ``|values|``."""
    if not xp.size(gaps):
        return
    eps = np.finfo(np.result_type(values, float)).eps if xp is np else xp.finfo(values.dtype).eps
    tolerance = max(xp.shape(values)[-1], 1) * eps * float(xp.max(xp.abs(values)))
    if float(xp.min(gaps)) <= tolerance:
        raise ArrayGradientError(f"two {what} are equal (to within rounding), so the {of} are not unique and "
                                 "have no gradient", hint=f"differentiate a function of the {what} only, or of a "
                                 "projector onto the eigenspace (v @ v.T summed over the repeated ones)")


# ---------------------------------------------------------------- singular vectors

def _svd_parts(a, full_matrices):
    xp = namespace(a)
    m, n = tuple(xp.shape(a))[-2:]
    if full_matrices and m != n:
        raise ArrayGradientError("the extra singular vectors of np.linalg.svd(a, full_matrices=True) of a "
                                 f"non-square matrix (shape {tuple(xp.shape(a))}) are not unique and have no gradient",
                                 hint="call np.linalg.svd(a, full_matrices=False)")
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    gaps = xp.expand_dims(s, -2) ** 2 - xp.expand_dims(s, -1) ** 2
    off = _off_diagonal(xp, xp.shape(s)[-1])
    _refuse_degenerate(xp, xp.where(off, xp.abs(gaps), xp.inf), s ** 2, "singular values",
                       "singular vectors of np.linalg.svd")
    if m != n:
        _refuse_degenerate(xp, s, s, "singular values", "singular vectors of np.linalg.svd")  # a zero one
    f = xp.where(off, 1.0 / xp.where(off, gaps, 1.0), 0.0)
    return u, s, mT(vh), f


def svd_u_grad(g, a, u, full_matrices=False):
    """The gradient of ``a`` through ``U`` of its SVD (Townsend's formula):
    ``U [(F o (U'G - G'U)) S] V' + (I - U U') G S^-1 V'``, with ``F[i, j] = 1 / (s_j^2 - s_i^2)``."""
    xp = namespace(g, a)
    u, s, v, f = _svd_parts(a, full_matrices)
    inner = u @ ((f * (mT(u) @ g - mT(g) @ u)) * xp.expand_dims(s, -2))
    if xp.shape(a)[-2] > xp.shape(s)[-1]:
        inner = inner + (g - u @ (mT(u) @ g)) / xp.expand_dims(s, -2)
    return inner @ mT(v)


def svd_vh_grad(g, a, vh, full_matrices=False):
    """The gradient of ``a`` through ``Vh`` of its SVD: with ``Gv = g.T`` (the gradient of ``V``),
    ``U [S (F o (V'Gv - Gv'V))] V' + U S^-1 Gv' (I - V V')``."""
    xp = namespace(g, a)
    u, s, v, f = _svd_parts(a, full_matrices)
    gv = mT(g)
    inner = (xp.expand_dims(s, -1) * (f * (mT(v) @ gv - mT(gv) @ v))) @ mT(v)
    if xp.shape(a)[-1] > xp.shape(s)[-1]:
        inner = inner + (mT(gv) - (mT(gv) @ v) @ mT(v)) / xp.expand_dims(s, -1)
    return u @ inner


def svd_u_tangent(t, a, full_matrices=False):
    """The derivative of ``U`` along ``t``: with ``P = U' t V``,
    ``U (F o (P S + S P')) + (I - U U') t V S^-1``."""
    xp = namespace(t, a)
    u, s, v, f = _svd_parts(a, full_matrices)
    p = mT(u) @ t @ v
    tangent = u @ (f * (p * xp.expand_dims(s, -2) + xp.expand_dims(s, -1) * mT(p)))
    if xp.shape(a)[-2] > xp.shape(s)[-1]:
        tangent = tangent + (t @ v - u @ p) / xp.expand_dims(s, -2)
    return tangent


def svd_vh_tangent(t, a, full_matrices=False):
    """The derivative of ``Vh`` along ``t``: the transpose of ``V (F o (S P + P' S)) + (I - V V') t' U S^-1``."""
    xp = namespace(t, a)
    u, s, v, f = _svd_parts(a, full_matrices)
    p = mT(u) @ t @ v
    tangent = v @ (f * (xp.expand_dims(s, -1) * p + mT(p) * xp.expand_dims(s, -2)))
    if xp.shape(a)[-1] > xp.shape(s)[-1]:
        tangent = tangent + (mT(t) @ u - v @ mT(p)) / xp.expand_dims(s, -2)
    return mT(tangent)


def _qr_tangents(t, a):
    """``(dQ, dR)`` along ``t``: with ``X = Q' t R^-1`` split into an antisymmetric part
    (from its strict lower triangle) and an upper triangular rest ``D``, ``dR = D R`` and
    ``dQ = t R^-1 - Q D``."""
    xp = namespace(t, a)
    q, r = xp.linalg.qr(a)
    r = tall_r(r)
    p = mT(xp.linalg.solve(mT(r), mT(t)))
    x = mT(q) @ p
    lower = xp.tril(x, -1)
    rest = x - lower + mT(lower)
    return p - q @ rest, rest @ r


def qr_q_tangent(t, a):
    """The derivative of ``Q`` of ``np.linalg.qr(a)`` along ``t``."""
    return _qr_tangents(t, a)[0]


def qr_r_tangent(t, a):
    """The derivative of ``R`` of ``np.linalg.qr(a)`` along ``t``."""
    return _qr_tangents(t, a)[1]
