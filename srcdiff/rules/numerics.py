"""Gradient rules of the runtime helpers that lowering writes some NumPy calls with
(``runtime.numerics``, ``lower.numpy_forms``).

Each is linear in its first argument, so its adjoint is the transposed move and its tangent
the helper applied to the tangent (``LINEAR``: ``(linear, shape-only)`` positions), but for
``rt.full_rank``, and ``rt.weights_total``, which check the value and pass the tangent on unchecked (``TANGENTS``):

| helper                          | adjoint of the first argument             |
| ------------------------------- | ----------------------------------------- |
| ``rt.item(x)``                  | ``np.reshape(g, np.shape(x))``             |
| ``rt.outer_operand(a, b)``      | ``np.reshape(g, np.shape(a))``             |
| ``rt.full_rank(a, rcond)``      | ``g`` (a check of the value)               |
| ``rt.vander_column(x)``         | ``np.reshape(g, np.shape(x))`` (its column back to a vector) |
| ``rt.average_weights(a, w, axis)`` | to ``w``: ``np.reshape(g, np.shape(w))`` |
| ``rt.weights_total(s)``         | ``g`` (a check of the value)               |
| ``rt.observation_rows(m, rowvar)`` | ``rt.observation_rows_grad(g, m, rowvar)``, whose adjoint is ``rt.observation_rows(g, rowvar)`` |

The indices ``rt.along_axis_index``, ``rt.take_index``, ``rt.partition_order``, ``rt.convolve_index`` and the mask ``rt.convolve_mask``
have no gradient (``arrays.NO_GRADIENT``).
"""

BUILDERS = {
    "rt.item": lambda stmt, names: ("np.reshape(g, np.shape(x))",) if len(names) == 1 else None,
    "rt.outer_operand": lambda stmt, names: ("np.reshape(g, np.shape(x0))", None) if len(names) == 2 else None,
    "rt.full_rank": lambda stmt, names: ("g", None) if len(names) == 2 else None,
    "rt.vander_column": lambda stmt, names: ("np.reshape(g, np.shape(x))",) if len(names) == 1 else None,
    "rt.average_weights": lambda stmt, names: (None, "np.reshape(g, np.shape(x1))", None) if len(names) == 3 else None,
    "rt.weights_total": lambda stmt, names: ("g",) if len(names) == 1 else None,
    "rt.observation_rows": lambda stmt, names: ("rt.observation_rows_grad(g, x0, x1)", None) if len(names) == 2 else None,
    "rt.observation_rows_grad": lambda stmt, names: ("rt.observation_rows(g, x2)", None, None) if len(names) == 3 else None,
}
LINEAR = {"rt.item": ((0,), ()), "rt.outer_operand": ((0,), (1,)), "rt.vander_column": ((0,), ()),
          "rt.average_weights": ((1,), (0, 2)), "rt.observation_rows": ((0,), (1,)),
          "rt.observation_rows_grad": ((0,), (1, 2))}
# the checks are of the value: the tangent passes unchecked
TANGENTS = {"rt.full_rank": BUILDERS["rt.full_rank"], "rt.weights_total": BUILDERS["rt.weights_total"]}
