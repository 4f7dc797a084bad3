"""One contribution of the reverse sweep: a rule template filled in and simplified.

``contribution(template, bindings)`` is the hot path of building a gradient: the
template of one argument (``g * x1``) with its placeholders replaced by the upstream
gradient and the operands' tokens, simplified (``g * 1.0`` -> ``g``), and the identifiers
it reads.  Also here: what may be an int or a bool (a float parameter's gradient must
be a float, so such a contribution is wrapped in ``float()``), and the error for an
active statement without a rule.
"""
import ast
import functools

from ..errors import NoGradientRuleError
from ..ir import (Const, If, Loop, Var, assigns, copy_expr, filler, has_flow, names_of, number, operand_node,
                  simplify_expr, walk)
from ..rules import refusal, template_ast


# operations whose result is an int or a bool, and those that keep integers integers
_INTEGER_RESULT = frozenset({"<", "<=", ">", ">=", "==", "!=", "in", "not in", "not", "int", "bool", "round", "len",
                             "math.floor", "math.ceil", "math.trunc"})
_INTEGER_PRESERVING = frozenset({"+", "-", "*", "//", "%", "**", "neg", "pos", "abs", "max", "min",
                                 "&", "|", "^", "invert"})
# when the result of an operation may be an int or a bool: always (True), when ``all`` its operands
# may be, or ``any`` of them (``max``, ``min``: one of the operands; ``copy``)
_INTEGER_WHEN = {**dict.fromkeys(_INTEGER_PRESERVING, all), **dict.fromkeys(("max", "min", "copy"), any),
                 **dict.fromkeys(_INTEGER_RESULT, True)}


def may_be_integer(expr, tokens, integer):
    """Whether ``expr`` evaluates to an int or a bool: a comparison (``a >= b`` of the max
    rule once its upstream 1.0 is folded), an integer-valued Var, an int literal, or
    ``+ - * // % **`` and unary signs of those."""
    kind = type(expr)  # the commonest nodes first: a product, an adjoint's name
    if kind is ast.BinOp:
        if type(expr.op) is ast.Div:
            return False
        left = expr.left  # most often a name: read here, not by a call
        if type(left) is ast.Name:
            role, var = tokens.by_token.get(left.id, _UNKNOWN)
            if role != "value" or var not in integer:
                return False
        elif not may_be_integer(left, tokens, integer):
            return False
        return may_be_integer(expr.right, tokens, integer)
    if kind is ast.Name:
        role, var = tokens.by_token.get(expr.id, _UNKNOWN)
        return role == "value" and var in integer
    if kind is ast.Constant:
        return type(expr.value) in (int, bool)
    if kind is ast.UnaryOp:
        return type(expr.op) is ast.Not or may_be_integer(expr.operand, tokens, integer)
    return kind is ast.Compare


_UNKNOWN = (None, None)  # the role of an identifier that is no token (``math``)


def as_float(expr, arrays):
    """``expr`` (which ``may_be_integer``) made a float: ``float(expr)``, or in array code
    (``arrays``), where it may be an array of bools (``x > 0`` of ``np.sum(x * (x > 0))`` once its
    upstream 1.0 folded away), ``np.float64(expr)``: NumPy gives a float64 array for an array."""
    func = ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="float64", ctx=ast.Load()) if arrays \
        else ast.Name(id="float", ctx=ast.Load())
    return ast.Call(func=func, args=[expr], keywords=[])


def integer_valued(body):
    """The Vars that may hold an int or a bool (never a parameter: those are the caller's):
    results of comparisons and integer operations (not ``round(x, 2)``), loop counters, and merged or carried values with such an operand (to a fixed point)."""
    integer = set()

    def maybe(operand):
        return operand in integer if isinstance(operand, Var) else \
            isinstance(operand, Const) and isinstance(operand.value, (int, bool))

    flow = has_flow(body)
    for loop in walk(body) if flow else ():
        if isinstance(loop, Loop) and loop.iter is not None:
            integer.update(loop.iter.targets[:1] if loop.iter.kind in ("range", "reversed_range", "enumerate") else ())
    statements = assigns(body)
    while True:
        before = len(integer)
        for stmt in statements:
            when = _INTEGER_WHEN.get(stmt.op)  # (most ops: None)
            if when is True:
                if not (stmt.op == "round" and len(stmt.args) == 2):
                    integer.add(stmt.target)
            elif when is not None and when(map(maybe, stmt.args)):
                integer.add(stmt.target)
        if not flow:  # straight code: operands are defined above their uses, one pass is enough
            return integer
        for stmt in walk(body):
            if isinstance(stmt, If):
                integer.update(m.target for m in stmt.merges if maybe(m.then) or maybe(m.orelse))
            elif isinstance(stmt, Loop):
                integer.update(c.target for c in stmt.carries if maybe(c.init) or maybe(c.next))
        if len(integer) == before:
            return integer


def operand_expr(operand, tokens):
    if isinstance(operand, Var):
        return ast.Name(id=tokens.value(operand), ctx=ast.Load())
    return operand_node(operand, {})


# (template, or (template, numeric bindings), shared) -> (copier of the simplified template, the names it reads)
_SHAPES = {}


def contribution(template, bindings, shared=False):
    """``simplify_expr`` of ``template`` with its placeholders replaced by ``bindings``,
    and the set of identifiers that expression reads.

    The simplifier looks at numbers and at the shape of a tree, never at a name, so a
    template is simplified once per pattern of numeric operands (a cache) and then only
    filled in with the names (``ir.filler``); other bindings take the direct route.
    ``shared``: the Names among ``bindings`` may go into the expression themselves (``ir.filler``).
    """
    numeric = None
    for placeholder, node in bindings.items():
        if type(node) is ast.Name:
            continue
        if number(node) is not None:
            numeric = numeric or {}
            numeric[placeholder] = node
        else:
            expr = simplify_expr(copy_expr(template_ast(template), bindings), copy=False)
            return expr, names_in(expr)
    key = template if numeric is None else (template, tuple(sorted((p, _literal_key(n)) for p, n in numeric.items())))
    key = key, shared
    entry = _SHAPES.get(key)
    if entry is None:
        if len(_SHAPES) > 10000:  # keyed by users' constants too: keep it bounded
            _SHAPES.clear()
        shape = simplify_expr(copy_expr(template_ast(template), numeric), copy=False)
        # a copier for a template alone (few, used everywhere); a users' constant's shape stays a tree (lighter)
        fill = filler(shape, shared) if numeric is None else functools.partial(copy_expr, shape)
        entry = _SHAPES[key] = fill, names_in(shape)
    fill, names = entry
    return fill(bindings), {bindings[n].id if n in bindings else n for n in names}


def _literal_key(node):
    """An exact, hashable key of a numeric literal node (``2.0``, ``-3``, ``-0.0``)."""
    if isinstance(node, ast.UnaryOp):
        return ("-", _literal_key(node.operand))
    return (type(node.value).__name__, repr(node.value))


def names_in(expr):
    """The identifiers ``expr`` reads."""
    return names_of(expr)


def values_read(names, tokens):
    """The Vars whose forward values an expression reading identifiers ``names`` needs."""
    found = set()
    for name in names:
        kind, var = tokens.by_token.get(name, (None, None))
        if kind == "value":
            found.add(var)
    return found


def no_rule_error(stmt):
    """The error for an active statement whose operation has no gradient rule: never a silent zero
    (why, where a family of rules refused the call: ``rules.refusal``)."""
    loc = stmt.loc.user()
    message, hint = refusal(stmt) or (
        f"no gradient rule for '{stmt.op}' with {len(stmt.args)} argument(s), and its result needs a gradient",
        "use a function srcdiff knows (see the README's list), or wrap it in a srcdiff.Function with its own backward")
    return NoGradientRuleError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


def varied_keyword(stmt, varied):
    """The name of the first keyword argument of ``stmt`` whose value is ``varied`` (depends on a
    ``wrt`` parameter), or None.  No rule differentiates through a keyword argument (the lowering
    passes the arguments a rule reads by position), so such a value's gradient would be lost."""
    return next((key for key, value in stmt.kwargs if isinstance(value, Var) and value in varied), None)


def refuse_varied_keywords(stmt, varied):
    """Raise ``keyword_gradient_error`` when a keyword argument of ``stmt`` is ``varied`` (its
    result needs a gradient: the caller asks only of statements the result reads)."""
    key = varied_keyword(stmt, varied)
    if key is not None:
        raise keyword_gradient_error(stmt, key)


def keyword_gradient_error(stmt, key):
    """The error for a keyword argument that needs a gradient (``varied_keyword``): refused, since
    a gradient through it would be a silent zero (``out=``: a write into an array; else why a family
    of rules refused the call, where one did: ``rules.refusal``)."""
    loc = stmt.loc.user()
    if key == "out":
        message, hint = (f"'{stmt.op}(..., out=...)' writes its result into an array, which srcdiff does not model",
                         f"bind the result instead: r = {stmt.op}(...) without out=")
    else:
        message, hint = refusal(stmt) or (
            f"the keyword argument '{key}' of '{stmt.op}' depends on a parameter the gradient is taken with respect "
            "to, and srcdiff takes no gradient through it",
            "write the computation with operations srcdiff differentiates (see the README's list), or wrap the call "
            "in a srcdiff.Function with its own backward")
    return NoGradientRuleError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint)


def as_number(expr):
    """``expr``, or ``1.0 * (expr)`` where it is a comparison or a ``not`` (the max rule's
    ``g * (a >= b)`` with its upstream seed or tangent ``1.0`` folded): a NumPy bool, or an
    array of them, refuses ``-`` and adds as a logical or (``True + True`` is ``True``)."""
    if type(expr) is ast.Compare or type(expr) is ast.UnaryOp and type(expr.op) is ast.Not:
        return ast.BinOp(left=ast.Constant(1.0), op=ast.Mult(), right=expr)
    return expr


def of_values_alone(term):
    """Whether ``term`` is values' names joined by ``+ - *``: the tangent along a float whose
    seed ``1.0`` folded away (``dot_t = s0`` of ``t = s0 * alpha``), of the values' dtype, which
    may be an integer one (``np.arange(3)``): an item written into it would be truncated, so
    the caller writes ``1.0 * s0``."""
    kind = type(term)
    if kind is ast.Name:
        return True
    if kind is ast.BinOp:
        return type(term.op) in (ast.Add, ast.Sub, ast.Mult) and of_values_alone(term.left) \
            and of_values_alone(term.right)
    if kind is ast.UnaryOp:
        return type(term.op) is ast.USub and of_values_alone(term.operand)
    return False
