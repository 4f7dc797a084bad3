"""Gradient rules of containers of parameters (``lower.trees``, ``runtime.trees``).

A part of a container read at a constant path (``field[]``, ``field.``) passes no gradient
back to the container: the parts a function uses are differentiated as values of their
own, and ``rt.tree_grad(p, path, g, ...)`` puts their gradients together in ``p``'s
structure.  So that a container's gradient can be differentiated again (a Hessian-vector
product in reverse over reverse, a Jacobian), the runtime's tree helpers have rules:

| helper | adjoint of its arguments |
| --- | --- |
| ``rt.tree_grad(p, path_i, g_i, ...)`` | ``g_i``: ``rt.tree_part(G, path_i)`` (``p`` and the paths give the structure) |
| ``rt.tree_part(t, path)`` | ``t``: ``rt.tree_grad(t, path, G)`` |
| ``rt.tree_vdot(a, b)`` | ``rt.tree_scale(G, b)``, ``rt.tree_scale(G, a)`` |
| ``rt.tree_scale(s, t)`` | ``rt.tree_vdot(G, t)``, ``rt.tree_scale(s, G)`` |
"""

TREE_RULES = {
    "field[]": (None, None),
    "field.": (None, None),
    "rt.tree_part": ("rt.tree_grad(x0, x1, g)", None),
    "rt.tree_vdot": ("rt.tree_scale(g, x1)", "rt.tree_scale(g, x0)"),
    "rt.tree_scale": ("rt.tree_vdot(g, x1)", "rt.tree_scale(x0, g)"),
}


def tree_grad_rule(nargs):
    """The rule of ``rt.tree_grad`` with ``nargs`` arguments: each gradient's adjoint is the
    part of the upstream gradient at its path."""
    if nargs % 2 == 0:
        return None
    return (None,) + tuple(None if i % 2 else f"rt.tree_part(g, x{i - 1})" for i in range(1, nargs))


VARIADIC = {"rt.tree_grad": tree_grad_rule}
