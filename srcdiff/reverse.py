"""The reverse sweep: from the forward SSA to adjoint statements.

Output contract: a ``Backward`` whose ``statements`` are ``Accumulate`` records in
execution order, the statements of the forward pass visited in reverse.  Each adds one
contribution, upstream gradient times local gradient (from the rules table), to the
adjoint of one Var; the first contribution to an adjoint is marked ``first`` (written
``=``), later ones are accumulations (``+=``: the forks).  Only *active* Vars get
adjoints: those that depend on a ``wrt`` parameter and reach the result.  Contributions
are simplified; a contribution that simplifies to zero is dropped.  A call of a
``srcdiff.Function`` becomes one ``custom.Unpack`` record calling its backward.  A contribution that
would be an int or a bool (``n`` for ``n * x`` with ``n = int(t)``, once the upstream
1.0 is simplified away) is converted with ``float()``: a float parameter's gradient
is a float.  Expressions name
values by tokens (see ``Tokens``) that the emitter replaces with final names.
"""
import ast
from dataclasses import dataclass, field

from .custom import CustomRule
from .custom import backward_statements as custom_backward
from .errors import NoGradientRuleError
from .ir import Const, Var, operand_node
from .rules import ZERO, placeholders, rule_for, template_ast
from .simplify import copy_expr, is_zero, number, simplify_expr


@dataclass(frozen=True)
class Accumulate:
    """``adjoint(var) (+)= expr``; ``first`` marks the write that creates the adjoint."""

    var: Var
    expr: ast.expr
    first: bool
    loc: object = None


class Tokens:
    """Stand-in identifiers for values and adjoints until names are chosen."""

    def __init__(self):
        self.by_token = {}
        self._value = {}
        self._adjoint = {}

    def value(self, var):
        if var not in self._value:
            self._value[var] = token = f"_v{len(self._value)}_"
            self.by_token[token] = ("value", var)
        return self._value[var]

    def adjoint(self, var):
        if var not in self._adjoint:
            self._adjoint[var] = token = f"_g{len(self._adjoint)}_"
            self.by_token[token] = ("adjoint", var)
        return self._adjoint[var]


@dataclass
class Backward:
    """The adjoint program of a function with respect to ``wrt`` parameters."""

    statements: list
    wrt: tuple
    has_adjoint: set
    needed: set
    tokens: Tokens
    active: set = field(default_factory=set)


def scalar_rule(stmt):
    """The rule of a statement from the scalar table (``rules.rule_for``)."""
    return rule_for(stmt.op, len(stmt.args))


def activity(function, wrt, rules=scalar_rule):
    """The active Vars: varied by a ``wrt`` parameter and useful to the result.

    ``rules`` maps a statement to its rule (``rules_numpy.ArrayRules`` for array code).
    """
    varied = set(wrt)
    for stmt in function.body:
        rule = rules(stmt)
        if rule is ZERO:
            continue
        # varied through a position that carries a gradient (not rt.sum_grad(g, x)'s shape-only x)
        if any(isinstance(a, Var) and a in varied and (rule is None or rule[i] is not None)
               for i, a in enumerate(stmt.args)):
            varied.add(stmt.target)
    useful = {function.result} if isinstance(function.result, Var) else set()
    for stmt in reversed(function.body):
        if stmt.target not in useful:
            continue
        rule = rules(stmt)
        if rule is ZERO:
            continue
        for i, arg in enumerate(stmt.args):
            if isinstance(arg, Var) and (rule is None or rule[i] is not None):
                useful.add(arg)
    return varied & useful


def reverse(function, wrt, seed=Const(1.0), rules=scalar_rule):
    """The Backward of ``function`` with respect to the parameter Vars ``wrt``.

    ``seed`` is the gradient of the result: 1.0 for a scalar, or an operand (a cotangent
    parameter) for a vector-Jacobian product.  ``rules`` maps a statement to its rule.
    """
    from .flow import has_flow
    if has_flow(function.body):
        from .reverse_flow import reverse_flow
        return reverse_flow(function, wrt, seed, rules)
    active = activity(function, wrt, rules)
    tokens = Tokens()
    statements, written, needed = [], set(), set()
    uses = _count_uses(function, active, rules)
    integer = _integer_valued(function)
    # adjoints known to be a constant (the seed, or a lone constant contribution such as
    # the 2.0 of ``c * 2.0``) are substituted where they are read instead of assigned
    constant = {function.result: _operand(seed, tokens)} if function.result in active else {}
    for stmt in reversed(function.body):
        if stmt.target not in active:
            continue
        rule = rules(stmt)
        if rule is None:
            raise no_rule_error(stmt)
        if stmt.target in constant:
            upstream = constant[stmt.target]
        elif stmt.target in written:
            upstream = ast.Name(id=tokens.adjoint(stmt.target), ctx=ast.Load())
        else:
            continue  # every contribution to this adjoint was zero
        if isinstance(rule, CustomRule):  # a srcdiff.Function: call its backward
            records, reads = custom_backward(stmt, upstream, tokens, active, written, Accumulate)
            statements.extend(records)
            needed.update(reads)
            continue
        bindings = {"g": upstream, "y": ast.Name(id=tokens.value(stmt.target), ctx=ast.Load())}
        bindings.update(zip(placeholders(len(stmt.args)), (_operand(a, tokens) for a in stmt.args)))
        for arg, template in zip(stmt.args, rule):
            if template is None or not isinstance(arg, Var) or arg not in active:
                continue
            expr, names = _contribution(template, bindings)
            if is_zero(expr):
                continue
            if _may_be_integer(expr, tokens, integer):
                expr = ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[expr], keywords=[])
            if uses[arg] == 1 and number(expr) is not None and arg not in function.params:
                constant[arg] = expr
                continue
            statements.append(Accumulate(arg, expr, arg not in written, stmt.loc))
            written.add(arg)
            needed.update(_values_read(names, tokens))
    for param in wrt:
        if param in constant and param not in written:
            statements.append(Accumulate(param, constant[param], True))
            written.add(param)
            needed.update(_values_read(_names_in(statements[-1].expr), tokens))
    return Backward(statements, tuple(wrt), written, needed, tokens, active)


# operations whose result is an int or a bool, and those that keep integers integers
_INTEGER_RESULT = frozenset({"<", "<=", ">", ">=", "==", "!=", "not", "int", "bool", "round", "len",
                             "math.floor", "math.ceil", "math.trunc"})
_INTEGER_PRESERVING = frozenset({"+", "-", "*", "//", "%", "**", "neg", "pos", "abs", "max", "min"})


def _integer_valued(function):
    """The Vars whose value is an int or a bool (never a parameter: those are the caller's)."""
    integer = set()

    def is_integer(operand):
        if isinstance(operand, Var):
            return operand in integer
        return isinstance(operand, Const) and isinstance(operand.value, (int, bool))

    for stmt in function.body:
        if stmt.op in _INTEGER_RESULT and not (stmt.op == "round" and len(stmt.args) == 2):
            integer.add(stmt.target)
        elif stmt.op in _INTEGER_PRESERVING and all(is_integer(a) for a in stmt.args):
            integer.add(stmt.target)
        elif stmt.op in ("max", "min") and any(is_integer(a) for a in stmt.args):
            integer.add(stmt.target)  # max(x, 1) is the int 1 when x < 1
    return integer


def _may_be_integer(expr, tokens, integer):
    """Whether ``expr`` evaluates to an int or a bool: a comparison (``a >= b`` of the max
    rule once its upstream 1.0 is folded), an integer-valued Var, an int literal, or
    ``+ - * // % **`` and unary signs of those."""
    kind = type(expr)
    if kind is ast.Compare or kind is ast.UnaryOp and isinstance(expr.op, ast.Not):
        return True
    if kind is ast.Constant:
        return type(expr.value) in (int, bool)
    if kind is ast.Name:
        role, var = tokens.by_token.get(expr.id, (None, None))
        return role == "value" and var in integer
    if kind is ast.UnaryOp:
        return _may_be_integer(expr.operand, tokens, integer)
    if kind is ast.BinOp and not isinstance(expr.op, ast.Div):
        return _may_be_integer(expr.left, tokens, integer) and _may_be_integer(expr.right, tokens, integer)
    return False


def _count_uses(function, active, rules):
    """How many contributions each active Var can receive (its gradient-carrying uses)."""
    uses = dict.fromkeys(active, 0)
    for stmt in function.body:
        if stmt.target not in active:
            continue
        rule = rules(stmt)
        for arg, template in zip(stmt.args, rule or ()):
            if template is not None and isinstance(arg, Var) and arg in active:
                uses[arg] += 1
    return uses


def _operand(operand, tokens):
    if isinstance(operand, Var):
        return ast.Name(id=tokens.value(operand), ctx=ast.Load())
    return operand_node(operand, {})


_SHAPES = {}  # (template, numeric bindings) -> (simplified template, the names it reads)


def _contribution(template, bindings):
    """``simplify_expr`` of ``template`` with its placeholders replaced by ``bindings``,
    and the set of identifiers that expression reads.

    The simplifier looks at numbers and at the shape of a tree, never at a name, so a
    template is simplified once per pattern of numeric operands (a cache) and then only
    filled in with the names; other bindings take the direct route.
    """
    numeric = {}
    for placeholder, node in bindings.items():
        if number(node) is not None:
            numeric[placeholder] = node
        elif not isinstance(node, ast.Name):
            expr = simplify_expr(copy_expr(template_ast(template), bindings), copy=False)
            return expr, _names_in(expr)
    key = (template, tuple(sorted((p, _literal_key(n)) for p, n in numeric.items())))
    entry = _SHAPES.get(key)
    if entry is None:
        if len(_SHAPES) > 10000:  # keyed by users' constants too: keep it bounded
            _SHAPES.clear()
        shape = simplify_expr(copy_expr(template_ast(template), numeric), copy=False)
        entry = _SHAPES[key] = shape, _names_in(shape)
    shape, names = entry
    return copy_expr(shape, bindings), {bindings[n].id if n in bindings else n for n in names}


def _literal_key(node):
    """An exact, hashable key of a numeric literal node (``2.0``, ``-3``, ``-0.0``)."""
    if isinstance(node, ast.UnaryOp):
        return ("-", _literal_key(node.operand))
    return (type(node.value).__name__, repr(node.value))


def _names_in(expr):
    return {node.id for node in ast.walk(expr) if isinstance(node, ast.Name)}


def _values_read(names, tokens):
    """The Vars whose forward values an expression reading identifiers ``names`` needs."""
    found = set()
    for name in names:
        kind, var = tokens.by_token.get(name, (None, None))
        if kind == "value":
            found.add(var)
    return found


def no_rule_error(stmt):
    """The error for an active statement whose operation has no gradient rule: never a silent zero."""
    loc = stmt.loc
    return NoGradientRuleError(
        f"no gradient rule for '{stmt.op}' with {len(stmt.args)} argument(s), and its result needs a gradient",
        loc.filename, loc.lineno, loc.col, loc.line_text,
        "use a function srcdiff knows (see the README's list), or wrap it in a srcdiff.Function with its own backward")
