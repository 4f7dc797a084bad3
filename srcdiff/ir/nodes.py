"""IR as Python syntax: the ``ast`` node of an operation, an operand, an assignment.

Every printer goes through these (``--ssa``, generated code, explain mode's formulas,
forward mode's tangents), so an operation is spelled one way everywhere: ``operation_node``
is the one table from an IR ``op`` (see ``ir.values``) to Python syntax.
"""
import ast
import math
import copy
from functools import lru_cache

from .values import (BINARY_OPS, COMPARE_OPS, MEMBERSHIP_OPS, EFFECT, EFFECT_ARG, GRADIENT_CALL, GRADIENT_PART, SEQUENCE_OPS, UNARY_OPS,
                     Global, Slice, Var)


def dotted(path):
    """``'np.linalg.norm'`` -> the expression node ``np.linalg.norm``."""
    head, *rest = path.split(".")
    node = ast.Name(id=head, ctx=ast.Load())
    for attr in rest:
        node = ast.Attribute(value=node, attr=attr, ctx=ast.Load())
    return node


def is_call_of(node, path):
    """Whether ``node`` is a call of the dotted name ``path`` (``rt.index_grads(...)``)."""
    return isinstance(node, ast.Call) and dotted_path(node.func) == path


def dotted_path(node):
    """``'np.linalg.norm'`` for the expression node ``np.linalg.norm`` (names and attributes
    alone), else None: ``dotted``'s inverse."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def constant_node(value):
    """A literal node; negative numbers as unary minus so every printer parenthesises them."""
    if isinstance(value, Slice):
        return ast.Slice(*(None if part is None else constant_node(part) for part in (value.lo, value.hi, value.step)))
    if isinstance(value, tuple):
        return ast.Tuple(elts=[constant_node(v) for v in value], ctx=ast.Load())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=constant_node(-value))
    if isinstance(value, float) and value == math.inf:  # (an ord=np.inf read while lowering) not 1e1000
        return dotted("math.inf")
    return ast.Constant(value)


def operation_node(op, args, kwargs=()):
    """The Python expression applying ``op`` to argument nodes (and keyword nodes)."""
    if op == "copy":  # a plain copy, made by lowering where a loop-carried value needs its own Var
        return args[0]
    if op in BINARY_OPS:
        return ast.BinOp(left=args[0], op=BINARY_OPS[op](), right=args[1])
    if op in UNARY_OPS:
        return ast.UnaryOp(op=UNARY_OPS[op](), operand=args[0])
    if op in COMPARE_OPS or op in MEMBERSHIP_OPS:
        return ast.Compare(left=args[0], ops=[(COMPARE_OPS.get(op) or MEMBERSHIP_OPS[op])()], comparators=[args[1]])
    keywords = [ast.keyword(arg=name, value=value) for name, value in kwargs]
    if op.startswith(".") and not op.endswith("()"):
        return ast.Attribute(value=args[0], attr=op[1:], ctx=ast.Load())
    if op.startswith("."):
        method = ast.Attribute(value=args[0], attr=op[1:-2], ctx=ast.Load())
        return ast.Call(func=method, args=list(args[1:]), keywords=keywords)
    if op == GRADIENT_CALL:  # grad_f(*operands): args[1] names its vector-Jacobian product
        return ast.Call(func=args[0], args=list(args[2:]), keywords=[])
    if op == "field[]" and kwargs:  # an item the argument may not have (MAY_BE_ABSENT): absent where it does not
        return ast.Call(func=dotted("rt.item_or_absent"), args=list(args), keywords=[])
    if op in ("[]", "field[]", GRADIENT_PART):
        return ast.Subscript(value=args[0], slice=index_node(args[1:]), ctx=ast.Load())
    if op == "field.":  # the name is a constant, except where explain mode evaluates it as a value
        if isinstance(args[1], ast.Constant):
            return ast.Attribute(value=args[0], attr=args[1].value, ctx=ast.Load())
        return ast.Call(func=ast.Name(id="getattr", ctx=ast.Load()), args=list(args), keywords=[])
    if op == "tuple":
        return ast.Tuple(elts=list(args), ctx=ast.Load())
    if op == "list":  # a list of values (math.fsum's argument): one gradient per item
        return ast.List(elts=list(args), ctx=ast.Load())
    if op == "isinstance" and len(args) > 2:  # isinstance(x, (int, float)): the types as one tuple
        return ast.Call(func=dotted(op), args=[args[0], ast.Tuple(elts=list(args[1:]), ctx=ast.Load())], keywords=[])
    module, _, name = op.rpartition(".")
    if name == "setitem" and module and "." not in module:  # rt.setitem, or rt_1.setitem where rt is taken
        index_maker = "np.s_" if module == "rt" else f"{module}.s_"  # (the runtime's s_ is np.s_)
        where = ast.Subscript(value=dotted(index_maker), slice=index_node(args[2:]), ctx=ast.Load())
        return ast.Call(func=dotted(op), args=[args[0], where, args[1]], keywords=[])
    if op in SEQUENCE_OPS or module and "." not in module and f"np.{name}" in SEQUENCE_OPS:
        return ast.Call(func=dotted(op), args=[ast.List(elts=list(args), ctx=ast.Load())], keywords=keywords)
    return ast.Call(func=dotted(op), args=list(args), keywords=keywords)


def index_node(parts):
    """The index of a subscript: one part bare, several as a tuple (slices print as ``a:b``)."""
    return parts[0] if len(parts) == 1 else ast.Tuple(elts=list(parts), ctx=ast.Load())


def operand_node(operand, names):
    """The expression node of an operand, given the name of every Var."""
    if isinstance(operand, Var):
        return ast.Name(id=names[operand], ctx=ast.Load())
    if isinstance(operand, Global):
        return ast.Name(id=operand.name, ctx=ast.Load())
    return constant_node(operand.value)


def assign_node(stmt, names):
    """The ``ast.Assign`` statement of an IR assignment (an effect: its own statement)."""
    if stmt.op == EFFECT:
        return effect_node(stmt, names)
    value = operation_node(
        stmt.op,
        [operand_node(a, names) for a in stmt.args],
        [(k, operand_node(v, names)) for k, v in stmt.kwargs],
    )
    return ast.Assign(targets=[ast.Name(id=names[stmt.target], ctx=ast.Store())], value=value, lineno=0)


@lru_cache(maxsize=None)
def effect_template(text):
    """The statement an effect (``values.EFFECT``) keeps, parsed once: copy it before changing it."""
    return ast.parse(text).body[0]


def effect_kind(stmt):
    """``'assert'``, ``'raise'`` or ``'output'`` (a call made for what it prints or logs)."""
    template = effect_template(stmt.args[0].value)
    return {ast.Assert: "assert", ast.Raise: "raise"}.get(type(template), "output")


def effect_node(stmt, names, aliases=None):
    """The statement of an effect: its text with each placeholder replaced by the operand it
    stands for, and module names (``np.mean``) by their ``aliases`` in generated code."""
    node = copy.deepcopy(effect_template(stmt.args[0].value))
    for sub in ast.walk(node):  # first the modules: an operand's own name is never renamed
        if isinstance(sub, ast.Name) and aliases and sub.id in aliases:
            sub.id = aliases[sub.id]
    operands = [operand_node(a, names) for a in stmt.args[1:]]

    def filled(value):
        if isinstance(value, ast.Name) and value.id.startswith(EFFECT_ARG):
            return operands[int(value.id[len(EFFECT_ARG):])]
        return value

    for sub in list(ast.walk(node)):
        for field, value in ast.iter_fields(sub):
            if isinstance(value, list):
                value[:] = [filled(v) for v in value]
            else:
                setattr(sub, field, filled(value))
    return node
