"""The tangent rules of forward mode: how a statement's tangent is made from its inputs'.

``tangent_terms(stmt, tangent_of, operand)`` returns the terms whose sum is the tangent
of ``stmt.target``.  Three kinds of rule, tried in this order:

| kind            | ops                                                   | tangent of ``y = op(a, b)``                  |
| --------------- | ----------------------------------------------------- | -------------------------------------------- |
| linear          | reductions, reshapes, transposes, indexing, joining,  | ``op(dot_a, b)``: the same operation applied |
|                 | ``np.where``, item writes, and the runtime helpers of | to the tangents of the positions it is       |
|                 | array gradients (``rt.unbroadcast``, ``rt.like``...)  | linear in (zeros for those without one)      |
|                 | (``rt.index_grads``: the pairs whose ``g`` has one)   |                                              |
| multilinear     | ``@``, ``np.dot``, ``np.inner``, ``np.outer``,        | ``op(dot_a, b) + op(a, dot_b)``              |
|                 | ``rt.matmul_grad_left(g, a, b)`` and friends          |                                              |
| element-wise    | everything else with a rule in ``rules``              | the adjoint template with ``g`` replaced by  |
|                 | (``+ * exp ...``, NumPy's ufuncs through their        | the input's tangent: ``dot_a * b``           |
|                 | scalar rule)                                          |                                              |

A linear rule also names the positions whose values only give a shape, or route
piecewise-constantly (``x`` in ``rt.unbroadcast(g, x)``, in ``rt.max_grad(g, x)``): a
tangent there contributes nothing.  A tangent reaching any other position is an error
(``NoRule``), never a silent zero.  Element-wise templates are used without the
reverse sweep's ``rt.unbroadcast`` wrappers: forward mode broadcasts like NumPy does,
except where only a smaller operand carries a tangent (``X + b``): there the sum is
wrapped in ``rt.broadcast_like(..., y)`` (array code only, and only where ``kinds``
cannot prove an operand with a tangent has the result's shape), so every tangent has
its value's shape.
"""
import ast

from ..analysis import OTHER, SCALAR
from ..ir import SEQUENCE_OPS, Var, copy_expr, dotted, is_zero, operation_node, simplify_expr
from ..rules import (COMPUTED, ELEMENTWISE, ELEMENTWISE_BUILDERS, EXACT, LINEAR_FORMS, NO_GRADIENT, STATISTICS_LINEAR, ZERO,
                     CustomRule, dtype_of_result, placeholders, rule_of_call, tangent_rule, template_ast)
from .contributions import as_number, of_values_alone
from .linalg_tangents import LINALG_FORMS, TANGENT_TEMPLATES, template_terms

_REDUCE = ("np.sum", ".sum()", "np.mean", ".mean()", "np.average")
_SHAPE = ("np.reshape", ".reshape()", "np.ravel", ".ravel()", ".flatten()", "np.squeeze", ".squeeze()",
          "np.expand_dims", "np.copy", ".copy()", "np.asarray", ".real",
          "np.real", "np.conjugate", "np.real_if_close", "np.cumsum", ".cumsum()", "np.transpose", ".transpose()", ".T", "[]", "np.broadcast_to", "np.swapaxes", "np.moveaxis")
_GRAD_HELPERS = ("rt.unbroadcast", "rt.broadcast_like", "rt.like", "rt.sum_grad", "rt.mean_grad", "rt.max_grad",
                 "rt.min_grad", "rt.index_grad", "rt.cumsum_grad")
_PRODUCTS = ("@", "np.matmul", "np.dot", ".dot()", "np.inner", "np.outer")
_PRODUCT_GRADS = ("rt.matmul_grad_left", "rt.matmul_grad_right", "rt.dot_grad_left", "rt.dot_grad_right",
                  "rt.inner_grad_left", "rt.inner_grad_right")

_STORES = frozenset({"np.full", "np.full_like", "rt.setitem"})  # storing into an array whose dtype may be integers

# op -> (kind, positions it is linear in, positions whose tangent does not matter)
FORMS = {
    **{op: ("linear", (0,), ()) for op in _REDUCE + _SHAPE},
    **{op: ("linear", (0,), (1,)) for op in _GRAD_HELPERS},
    "np.array": ("linear", (0,), ()),
    "np.full": ("linear", (1,), (0,)),
    "np.full_like": ("linear", (1,), (0,)),
    "np.linspace": ("linear", (0, 1), (2,)),
    # a tuple is only ever a shape, axes or repetitions (lowering stacks a display of values): no tangent
    "tuple": ("linear", (), range(2 ** 31)),
    "rt.written_grad": ("linear", (0,), (2,)),
    "rt.concatenate_grad": ("linear", (0,), (2,)),
    "rt.setitem": ("linear", (0, 1), ()),
    "rt.if_inexact": ("linear", (0,), (1,)),
    "rt.tangent_like": ("linear", (0,), (1,)),
    "np.where": ("linear", (1, 2), ()),
    "rt.vdot": ("multilinear", (0, 1), ()),
    "field[]": ("linear", (0,), ()),  # the same part of the container's tangent: dot_p['W']
    "field.": ("linear", (0,), ()),
    "rt.tree_part": ("linear", (0,), ()),
    "rt.tree_vdot": ("multilinear", (0, 1), ()),
    "rt.tree_scale": ("multilinear", (0, 1), ()),
    "rt.appended": ("linear", (0, 1), ()),  # lists (lower.sequences)
    "rt.but_last": ("linear", (0,), ()),
    **{op: ("linear", (0,), ()) for op in ("math.fsum",) + STATISTICS_LINEAR},  # fsum, statistics.fmean and mean
    **{op: ("multilinear", (0, 1), ()) for op in _PRODUCTS},
    **{op: ("multilinear", (0, 2), (1,)) for op in _PRODUCT_GRADS if op.endswith("left")},
    **{op: ("multilinear", (0, 1), (2,)) for op in _PRODUCT_GRADS if op.endswith("right")},
    **{op: ("linear",) + positions for op, positions in LINEAR_FORMS.items()},  # rules.families' helpers
    **LINALG_FORMS,  # einsum, tensordot, kron, cross, traces, diagonals, triangles, matrix helpers
}


class NoRule(Exception):
    """A tangent reaches an input the statement's rule cannot carry it through."""


def tangent_terms(stmt, tangent_of, operand, y, shapes=None):
    """The terms (simplified ASTs, none zero) of the tangent of ``stmt.target``.

    ``tangent_of`` maps a Var to the expression of its tangent; ``operand(arg)`` gives
    the expression of an argument's value; ``y`` is the expression of the target's value;
    ``shapes`` is ``kinds.infer_shapes`` of array code (None for scalar code).  The
    tangent has the shape of ``y``: an element-wise tangent that may be smaller (only
    ``b`` carries one in ``X + b``) is one term, ``rt.broadcast_like(dot_b, y)``.
    Returns ``[]`` when the statement has no tangent; raises NoRule.
    """
    active = [i for i, a in enumerate(stmt.args) if isinstance(a, Var) and a in tangent_of]
    if any(isinstance(v, Var) and v in tangent_of for _, v in stmt.kwargs):
        raise NoRule
    if not active:
        return []
    cast = dtype_of_result(stmt)  # a result of integers or booleans has no tangent (``rules.casts``)
    if cast == COMPUTED or "initial" in dict(stmt.kwargs):  # a reduction's start value: affine, not linear
        raise NoRule
    if cast == EXACT:
        return []
    if stmt.op == "rt.tree_grad":
        return _tree_grad_terms(stmt, active, tangent_of, operand)
    joins = stmt.op in SEQUENCE_OPS or stmt.op in ("list", "tuple")  # linear in every part
    form = FORMS.get(stmt.op, ("linear", tuple(range(len(stmt.args))), ()) if joins else None)
    if form is not None:
        terms = _linear_terms(stmt, form, active, tangent_of, operand)
        if terms and stmt.op in _STORES:  # into an array of integers: truncated, piecewise constant
            return [ast.Call(func=dotted("rt.if_inexact"), args=[sum_terms(terms), copy_expr(y)], keywords=[])]
        return terms
    if stmt.op in _EXTREMA:
        return _extremum_terms(stmt, active, tangent_of, operand, y)
    if stmt.op in TANGENT_TEMPLATES:  # np.linalg (norms included), its gradients' helpers, np.var, np.std
        terms = template_terms(stmt, active, tangent_of, operand, y)
        if terms is None:
            raise NoRule
        return terms
    if stmt.op == "rt.norm_grad":
        return _norm_grad_terms(stmt, active, tangent_of, operand)
    if stmt.op == "rt.index_grads":
        return _index_grads_terms(stmt, active, tangent_of, operand)
    templates = _elementwise_templates(stmt)
    if templates is ZERO:
        return []
    if templates is None or isinstance(templates, CustomRule):
        raise NoRule
    bindings = {"y": y}
    bindings.update(zip(placeholders(len(stmt.args)), (operand(a) for a in stmt.args)))
    terms = {}
    for i in active:
        if templates[i] is None:
            continue
        bindings["g"] = tangent_of[stmt.args[i]]
        term = as_number(simplify_expr(copy_expr(template_ast(templates[i]), bindings), copy=False))
        if shapes is not None and type(bindings["g"]) is ast.Constant and of_values_alone(term):
            term = ast.BinOp(left=ast.Constant(1.0), op=ast.Mult(), right=term)
        if not is_zero(term):
            terms[i] = term
    if terms and shapes is not None and not _has_result_shape(stmt, templates, terms, shapes):
        return [ast.Call(func=dotted("rt.broadcast_like"), args=[sum_terms(list(terms.values())), copy_expr(y)],
                         keywords=[])]
    return list(terms.values())


def _has_result_shape(stmt, templates, terms, shapes):
    """Whether the sum of an element-wise statement's tangent ``terms`` (position -> term)
    provably has the result's shape.  A term broadcasts its operand's tangent against what
    its template reads (``dot_b * X`` for ``X * b``: ``g * x0``, templates are element-wise);
    the sum has the result's shape when those operands include one ``kinds`` proves has the
    result's shape, or every operand that may be an array (``dot_a + dot_b`` for ``a + b``)."""
    names = placeholders(len(stmt.args))
    covered = set()
    for i in terms:
        read = {node.id for node in ast.walk(template_ast(templates[i])) if isinstance(node, ast.Name)}
        if "y" in read:
            return True
        covered |= {i} | {j for j, name in enumerate(names) if name in read}
    result = shapes[stmt.target]
    return (any(shapes.of(stmt.args[j]) is result for j in covered)
            or all(j in covered or shapes.of(a) in (SCALAR, OTHER) for j, a in enumerate(stmt.args)))


def _elementwise_templates(stmt):
    op = stmt.op
    family = tangent_rule(stmt)  # rules.families: shape and order functions, scipy.special, random draws
    if family is not NotImplemented:
        return family
    if op in NO_GRADIENT:
        return ZERO
    if op in ELEMENTWISE_BUILDERS:
        return ELEMENTWISE_BUILDERS[op](stmt, placeholders(len(stmt.args)))
    return rule_of_call(ELEMENTWISE.get(op, op), stmt.args)


def _linear_terms(stmt, form, active, tangent_of, operand):
    kind, linear, ignored = form
    if any(i not in linear and i not in ignored for i in active):
        raise NoRule
    args = [operand(a) for a in stmt.args]
    kwargs = [(k, operand(v)) for k, v in stmt.kwargs]
    carried = [i for i in active if i in linear]
    if not carried:
        return []
    if kind == "linear":
        replaced = list(args)
        for i in linear:
            arg = stmt.args[i]
            replaced[i] = tangent_of[arg] if i in carried else _zeros_like(args[i])
        return [operation_node(stmt.op, [copy_expr(a) for a in replaced], kwargs)]
    terms = []
    for i in carried:
        replaced = [copy_expr(a) for a in args]
        replaced[i] = copy_expr(tangent_of[stmt.args[i]])
        terms.append(operation_node(stmt.op, replaced, [(k, copy_expr(v)) for k, v in kwargs]))
    return terms


_EXTREMA = {"np.max": "max", "np.amax": "max", ".max()": "max", "np.min": "min", "np.amin": "min", ".min()": "min",
            "np.prod": "prod", ".prod()": "prod"}


def _extremum_terms(stmt, active, tangent_of, operand, y):
    """``np.max(x, axis)``: the tangent at the position of each maximum (the first, on a tie),
    ``np.sum(dot_x * rt.max_grad(np.ones_like(y), x, axis), axis)``; ``np.prod`` the same
    with its gradient ``rt.prod_grad`` (the product of the other entries)."""
    if active != [0] or len(stmt.args) > 2 or not {k for k, _ in stmt.kwargs} <= {"axis", "keepdims", "dtype"}:
        raise NoRule  # where=: the helpers pick among every entry
    keywords = [(k, operand(v)) for k, v in stmt.kwargs if k != "dtype"]  # a float dtype: the tangent's own
    if len(stmt.args) == 2:
        keywords.insert(0, ("axis", operand(stmt.args[1])))
    ones = ast.Call(func=dotted("np.ones_like"), args=[copy_expr(y)], keywords=[])
    mask = ast.Call(func=dotted(f"rt.{_EXTREMA[stmt.op]}_grad"), args=[ones, operand(stmt.args[0])],
                    keywords=[ast.keyword(arg=k, value=copy_expr(v)) for k, v in keywords])
    picked = ast.BinOp(left=copy_expr(tangent_of[stmt.args[0]]), op=ast.Mult(), right=mask)
    return [ast.Call(func=dotted("np.sum"), args=[picked],
                     keywords=[ast.keyword(arg=k, value=copy_expr(v)) for k, v in keywords])]


def _norm_grad_terms(stmt, active, tangent_of, operand):
    """``rt.norm_grad(g, x, y) = g * x / y``: linear in ``g`` and ``x``; in ``y`` the
    derivative is ``-g * x / y**2``, written ``-rt.norm_grad(g * dot_y, x, y * y)``."""
    if len(stmt.args) != 3:
        raise NoRule
    args = [operand(a) for a in stmt.args]
    keywords = [(k, operand(v)) for k, v in stmt.kwargs]

    def call(g, x, y):
        return operation_node("rt.norm_grad", [g, x, y], [(k, copy_expr(v)) for k, v in keywords])

    terms = []
    for i in active:
        dot = copy_expr(tangent_of[stmt.args[i]])
        g, x, y = (copy_expr(a) for a in args)
        if i == 0:
            terms.append(call(dot, x, y))
        elif i == 1:
            terms.append(call(g, dot, y))
        else:
            product = ast.BinOp(left=g, op=ast.Mult(), right=dot)
            square = ast.BinOp(left=y, op=ast.Mult(), right=copy_expr(y))
            terms.append(ast.UnaryOp(op=ast.USub(), operand=call(product, x, square)))
    return terms


def _index_grads_terms(stmt, active, tangent_of, operand):
    """``rt.index_grads(x, g0, i0, g1, i1...)`` is linear in each ``g``: the same call of the
    tangents of the ``g`` that have one (``x`` only gives a shape; an index has no tangent)."""
    if any(i > 0 and i % 2 == 0 for i in active) or stmt.kwargs:
        raise NoRule
    args = [operand(stmt.args[0])]
    for i in range(1, len(stmt.args), 2):
        if i in active:
            args += [copy_expr(tangent_of[stmt.args[i]]), operand(stmt.args[i + 1])]
    return [operation_node(stmt.op, args)] if len(args) > 1 else []


def _tree_grad_terms(stmt, active, tangent_of, operand):
    """``rt.tree_grad(p, path, g, ...)`` is linear in each gradient ``g``: the tangent is
    ``rt.tree_grad(p, path, dot_g, ...)`` over the gradients that have one (``p`` and the
    paths only give the structure)."""
    if any(i % 2 == 1 for i in active):
        raise NoRule
    if not any(i >= 2 for i in active):
        return []
    args = [operand(stmt.args[0])]
    for i in range(2, len(stmt.args), 2):
        if i in active:
            args += [operand(stmt.args[i - 1]), copy_expr(tangent_of[stmt.args[i]])]
    return [operation_node(stmt.op, args)]


def sum_terms(terms):
    """``t0 + t1 - t2 ...``: a term that starts with a minus is subtracted, not added."""
    total = terms[0]
    for term in terms[1:]:
        positive = _without_leading_minus(term)
        if positive is not None:
            total = ast.BinOp(left=total, op=ast.Sub(), right=positive)
        else:
            total = ast.BinOp(left=total, op=ast.Add(), right=term)
    return total


def _without_leading_minus(term):
    """``a * b / c`` for ``-a * b / c`` (a product or quotient led by a negation), else None."""
    if isinstance(term, ast.UnaryOp) and isinstance(term.op, ast.USub):
        return term.operand
    if isinstance(term, ast.BinOp) and isinstance(term.op, (ast.Mult, ast.Div)):
        left = _without_leading_minus(term.left)
        if left is not None:
            return ast.BinOp(left=left, op=term.op, right=term.right)
    return None


def _zeros_like(node):
    return ast.Call(func=dotted("rt.zeros_like"), args=[copy_expr(node)], keywords=[])
