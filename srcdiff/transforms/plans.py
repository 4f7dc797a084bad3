"""What the straight sweep reads of a rule, once per rule and number of arguments (``rule_plan``).

For each template: a function filling it in with the Names of the operands (``named_filler``:
the template simplified once, then only filled in), and the ``Shape`` of what it fills in
(how many times it reads the upstream ``g``, its size, whether ``g`` leads it, the path to its
read of ``g``), so that the sweep counts and searches nothing on each contribution.
"""
import ast
import functools
import operator
from typing import NamedTuple

from ..ir import copy_expr, expr_size, filler, names_of, simplify_expr
from ..rules import placeholders, template_ast


@functools.lru_cache(maxsize=1024)
def rule_plan(rule, nargs):
    """What the sweep reads of ``rule`` for a call of ``nargs`` arguments: ``(templates,
    reads_g, operands)``, the ``(position, template, named, shape)`` of each argument that has a template
    (``named``: its ``contribution``'s expression for bindings that are all Names, ``named_filler``;
    ``shape``: that expression's ``Shape``), whether a template reads the upstream ``g``, and the
    ``(placeholder, position)`` of each operand some template reads (position None: the result ``y``)."""
    read = set()
    for template in rule:
        if template is not None:
            names_of(template_ast(template), read)
    operands = (("y", None),) if "y" in read else ()
    operands += tuple((p, i) for i, p in enumerate(placeholders(nargs)) if p in read)
    bound = {p for p, _ in operands} | ({"g"} & read)
    templates = []
    for position, template in enumerate(rule[:nargs]):
        if template is not None:
            simplified = simplify_expr(copy_expr(template_ast(template)), copy=False)
            templates.append((position, template, named_filler(simplified, bound), shape_of(simplified)))
    return tuple(templates), "g" in read, operands


class Shape(NamedTuple):
    """What the sweep needs to know of a simplified template filled in with Names (each Name
    for a Name: the same tree, other identifiers), read off the template once."""

    reads_g: int  # how many times it reads the upstream ``g``
    size: int  # its ``expr_size``
    led_by_g: bool  # ``g`` is its first operand, under ``+ - * / ...`` alone: an int only if ``g`` is one
    path_to_g: tuple  # the fields from the root down to its one read of ``g`` under operators alone, or None


def shape_of(simplified):
    """The ``Shape`` of a simplified template."""
    reads = sum(type(node) is ast.Name and node.id == "g" for node in ast.walk(simplified))
    first = simplified
    while type(first) is ast.BinOp:
        first = first.left
    return Shape(reads, expr_size(simplified), type(first) is ast.Name and first.id == "g",
                 _path_to_g(simplified) if reads == 1 else None)


def _path_to_g(node, path=()):
    """The fields (``left``, ``right``, ``operand``) from ``node`` down to a read of ``g``, or None."""
    if type(node) is ast.Name:
        return path if node.id == "g" else None
    fields = ("left", "right") if type(node) is ast.BinOp else ("operand",) if type(node) is ast.UnaryOp else ()
    for field in fields:
        found = _path_to_g(getattr(node, field), path + (field,))
        if found is not None:
            return found
    return None


def named_filler(shape, bound):
    """The expression of ``contribution(template, bindings, shared=True)`` for bindings of the
    placeholders ``bound`` that are all ``ast.Name`` nodes (operands that are values: the usual
    case), as a function of them, from the template simplified (``shape``): filled in (``ir.filler``;
    by fewer calls for the commonest shapes: a placeholder alone, ``g``, an operation on two, ``g * x1``,
    an operation on one and a module's function of another, ``g * math.cos(x)``)."""
    if type(shape) is ast.Name and shape.id in bound:
        return operator.itemgetter(shape.id)
    sides = (shape.left, shape.right) if type(shape) is ast.BinOp else ()
    if sides and all(type(side) is ast.Name and side.id in bound for side in sides):
        left, op, right = shape.left.id, shape.op, shape.right.id
        return lambda bindings: ast.BinOp(bindings[left], op, bindings[right])
    if sides and type(sides[0]) is ast.Name and sides[0].id in bound and _module_call_of_one(sides[1], bound):
        left, op, call = shape.left.id, shape.op, shape.right
        module, function, ctx, arg = call.func.value, call.func.attr, call.func.ctx, call.args[0].id
        # (the module's Name goes into every expression itself, as ``ir.filler`` puts it with ``shared``)
        return lambda bindings: ast.BinOp(bindings[left], op, ast.Call(ast.Attribute(module, function, ctx),
                                                                       [bindings[arg]], []))
    return filler(shape, shared=True)


def _module_call_of_one(node, bound):
    """Whether ``node`` is ``module.function(p)`` for a placeholder ``p`` among ``bound``."""
    return type(node) is ast.Call and type(node.func) is ast.Attribute and type(node.func.value) is ast.Name \
        and node.func.value.id not in bound and len(node.args) == 1 and not node.keywords \
        and type(node.args[0]) is ast.Name and node.args[0].id in bound
