"""Explain mode: run a function's SSA at given inputs, then its backward pass, step by step.

Input: a lowered ``Function`` and a value for each parameter.  Output: an
``Explanation``: one ``Row`` per executed SSA statement in forward order (parameters
first), each with its operation as source text, its forward value and its gradient
(d result / d that value), and one ``Step`` per contribution of the backward sweep, last
statement first, each read as downstream = local × upstream.

The forward walk runs the function's own SSA statements (each compiled from its SSA
form, with the same globals generated code gets); the backward walk evaluates the same
rule templates the generated gradient code is built from, once with ``g = 1`` (the local
gradient) and once with ``g`` the upstream gradient (the downstream).  Both walks go
through the executed statements (the *trace*), so a statement kind is added by giving
it a runner in ``_RUNNERS``; the backward walk only ever sees the trace.
"""
import ast
import copy
import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from . import runtime
from .display import explanation_text, format_value
from .errors import SrcdiffError
from .frontend import load_function
from .ir import Assign, Const, Global, Slice, Var, operand_node, operation_node
from .lower import lower
from .naming import Namer, assign_names
from .custom import CustomRule, backward_templates, check_classes_available
from .reverse import reverse
from .rules import placeholders, template_ast
from .rules_numpy import rules_of
from .simplify import number, simplify_expr


# ---------------------------------------------------------------- the data

@dataclass(frozen=True)
class Row:
    """One value of the forward pass.

    ``operation`` is the statement's right-hand side in SSA names (``'x + y'``), or
    ``'input'`` for a parameter; ``operands`` holds, per argument, the index of the row
    it reads or the text of a constant; ``gradient`` is None where no gradient flows
    (the value does not depend on an input or does not reach the result).
    """

    index: int
    name: str
    operation: str
    value: object
    gradient: object
    op: str = "input"
    operands: tuple = ()
    line: int = 0


@dataclass(frozen=True)
class Step:
    """One contribution of the backward sweep: ``downstream = local × upstream``.

    The gradient of row ``source`` (the upstream) flows through argument ``position`` of
    its statement into row ``target``; ``local`` is the local gradient as a formula in
    SSA names, ``local_value`` its number (None for arrays, where it is not one number);
    ``accumulates`` marks a fork, whose contributions add up to ``total``.
    """

    source: int
    target: int
    position: int
    upstream: object
    local: str
    local_value: object
    downstream: object
    accumulates: bool
    total: object


@dataclass(frozen=True)
class Explanation:
    """The forward values and gradients of one call; ``str()`` prints the table."""

    function: str
    params: tuple
    rows: tuple
    steps: tuple
    result: int = None  # index of the result's row (None when the result is a constant)
    value: object = None
    gradient_names: dict = field(default_factory=dict)

    def __getitem__(self, name):
        """The last row called ``name``."""
        for row in reversed(self.rows):
            if row.name == name:
                return row
        raise KeyError(name)

    @property
    def gradients(self):
        """The gradients of the parameters, in order."""
        return tuple(self.rows[i].gradient for i in range(len(self.params)))

    def __str__(self):
        return explanation_text(self)


# ---------------------------------------------------------------- entry points

def explain(fn, *args, **kwargs):
    """The Explanation of ``fn`` called with these arguments (see API.md)."""
    source = load_function(fn)
    function = lower(source)
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as err:
        raise source.error(SrcdiffError, source.node, f"cannot call {function.name} with these arguments: {err}",
                           "pass one value per parameter") from None
    bound.apply_defaults()
    return explain_function(function, dict(bound.arguments))


def explain_function(function, arguments):
    """The Explanation of a lowered ``function`` at ``arguments`` (a dict by parameter name)."""
    rules = rules_of(function)
    check_classes_available(function)
    backward = reverse(function, function.params, rules=rules)  # validates: every active op has a rule
    names = _display_names(function)
    trace = _Trace(function, names, _namespace(function))
    trace.rules = rules
    for param in function.params:
        trace.add(param, arguments[param.hint])
    _walk(function.body, trace)
    result = trace.latest.get(function.result) if isinstance(function.result, Var) else None
    steps, gradients = _backward(trace, result, backward.active)
    rows = tuple(_row(trace, i, gradients) for i in range(len(trace.nodes)))
    value = trace.nodes[result].value if result is not None else function.result.value
    return Explanation(function.name, tuple(p.hint for p in function.params), rows, tuple(steps),
                       result, value, _gradient_names(function, names))


# ---------------------------------------------------------------- names

def _display_names(function):
    """The SSA names; a temporary result is shown under the function's name (``f = q * z``)."""
    names, _ = assign_names(function)
    result = function.result
    if isinstance(result, Var) and not result.user_named and result not in function.params:
        if function.name not in names.values() and function.name not in function.reserved:
            names[result] = function.name
    return names


def _gradient_names(function, names):
    """``grad_<name>`` for every value, never colliding with the user's identifiers."""
    namer = Namer(set(function.reserved) | set(names.values()))
    return {name: namer.fresh("grad_" + name) for name in dict.fromkeys(names.values())}


def _namespace(function):
    """The globals the SSA statements run with: the same as generated code's."""
    for name, value in function.globals.items():
        if value is None:
            raise SrcdiffError(
                f"the module-level constant {name!r} is not a literal, so its value is unknown without running the file",
                function.loc.filename, function.loc.lineno, function.loc.col, function.loc.line_text,
                "use srcdiff.explain from Python, or write the constant as a literal")
    return {"__builtins__": __builtins__, "math": math, "np": np, "rt": runtime, **function.globals}


# ---------------------------------------------------------------- forward walk

@dataclass
class _Node:
    var: Var
    value: object
    stmt: Assign = None
    operands: tuple = ()  # per argument: the index of the node it reads, or None for a constant


class _Trace:
    """The statements actually executed, in order, with their values."""

    def __init__(self, function, names, namespace):
        self.function = function
        self.names = names
        self.namespace = namespace
        self.nodes = []
        self.latest = {}  # Var -> index of the node that last assigned it

    def add(self, var, value, stmt=None, operands=()):
        self.latest[var] = len(self.nodes)
        self.nodes.append(_Node(var, value, stmt, operands))

    def operand_value(self, operand, stmt):
        if isinstance(operand, Var):
            return self.nodes[self.latest[operand]].value
        if isinstance(operand, Global):
            return self.evaluate(operand.name, {}, stmt)
        if isinstance(operand.value, Slice):
            return slice(operand.value.lo, operand.value.hi, operand.value.step)
        return operand.value

    def evaluate(self, text, local_values, stmt):
        """Evaluate expression ``text``; an exception becomes a SrcdiffError at ``stmt``."""
        try:
            return eval(_compiled(text), self.namespace, local_values)
        except Exception as err:  # the user's arithmetic failed: say where
            loc = stmt.loc
            target = self.names.get(stmt.target, "?")
            raise SrcdiffError(
                f"{type(err).__name__} while computing {target} = {self.source_text(stmt)}: {err}",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "check the input values passed to explain") from None

    def source_text(self, stmt):
        """The statement's right-hand side in SSA names."""
        return ast.unparse(operation_node(stmt.op, [operand_node(a, self.names) for a in stmt.args],
                                          [(k, operand_node(v, self.names)) for k, v in stmt.kwargs]))


_CODE = {}


def _compiled(text):
    if text not in _CODE:
        _CODE[text] = compile(text, "<srcdiff explain>", "eval")
    return _CODE[text]


def _walk(statements, trace):
    """Run ``statements`` in order, recording each executed one in ``trace``."""
    for stmt in statements:
        runner = _RUNNERS.get(type(stmt))
        if runner is None:
            loc = stmt.loc
            raise SrcdiffError(f"explain mode does not handle {type(stmt).__name__} statements yet",
                               loc.filename, loc.lineno, loc.col, loc.line_text)
        runner(stmt, trace)


def _run_assign(stmt, trace):
    """``target = op(args)``: evaluate the operation on the operands' current values."""
    values = {f"_a{i}": trace.operand_value(a, stmt) for i, a in enumerate(stmt.args)}
    values.update({f"_k{j}": trace.operand_value(v, stmt) for j, (_, v) in enumerate(stmt.kwargs)})
    expr = operation_node(stmt.op, [ast.Name(id=f"_a{i}", ctx=ast.Load()) for i in range(len(stmt.args))],
                          [(k, ast.Name(id=f"_k{j}", ctx=ast.Load())) for j, (k, _) in enumerate(stmt.kwargs)])
    value = trace.evaluate(ast.unparse(expr), values, stmt)
    operands = tuple(trace.latest[a] if isinstance(a, Var) else None for a in stmt.args)
    trace.add(stmt.target, value, stmt, operands)


_RUNNERS = {Assign: _run_assign}

from .walkthrough_flow import ITEM_RULE, RUNNERS as _FLOW_RUNNERS, ItemAssign  # noqa: E402  (it runs blocks through _walk)

_RUNNERS.update(_FLOW_RUNNERS)


# ---------------------------------------------------------------- backward walk

def _backward(trace, result, active):
    """The Steps of the backward sweep and the gradient of every node that receives one."""
    gradients = {} if result is None else {result: 1.0}
    steps = []
    for index in reversed(range(len(trace.nodes))):
        node = trace.nodes[index]
        if node.stmt is None or node.var not in active or index not in gradients:
            continue
        steps.extend(_contributions(trace, index, gradients, active))
    return steps, gradients


def _contributions(trace, index, gradients, active):
    """The Steps of one statement: one per argument a gradient flows into."""
    node = trace.nodes[index]
    stmt = node.stmt
    rule = ITEM_RULE if isinstance(stmt, ItemAssign) else trace.rules(stmt)
    if isinstance(rule, CustomRule):  # a srcdiff.Function: each downstream gradient from its backward
        rule = backward_templates(stmt)
    upstream = gradients[index]
    # each operand's value when this statement ran (in a loop, not its last value)
    inputs = dict(zip(placeholders(len(stmt.args)), (trace.nodes[i].value if i is not None else trace.operand_value(a, stmt)
                                                     for a, i in zip(stmt.args, node.operands))))
    steps = []
    for position, (arg, template) in enumerate(zip(stmt.args, rule)):
        if template is None or not isinstance(arg, Var) or arg not in active:
            continue
        downstream = trace.evaluate(template, {"g": upstream, "y": node.value, **inputs}, stmt)
        local_value = None
        if _is_scalar(upstream) and _is_scalar(downstream):
            local_value = trace.evaluate(template, {"g": 1.0, "y": node.value, **inputs}, stmt)
        target = node.operands[position]
        accumulates = target in gradients
        gradients[target] = gradients[target] + downstream if accumulates else downstream
        steps.append(Step(index, target, position, upstream, _local_formula(trace, stmt, template),
                          local_value, downstream, accumulates, gradients[target]))
    return steps


def _is_scalar(value):
    return isinstance(value, (int, float, np.number, np.bool_)) or (isinstance(value, np.ndarray) and value.ndim == 0)


def _local_formula(trace, stmt, template):
    """The local gradient of one argument in SSA names: the template with ``g = 1``, simplified.

    Where ``g`` is an argument of a call (array rules: ``rt.matmul_grad_left(g, x, w)``,
    ``rt.unbroadcast(g * y, x)``) the local gradient is no factor but an operation on
    the upstream gradient, so it is shown as that operation applied to ``g``.
    """
    names = trace.names
    upstream = ast.Name(id="g", ctx=ast.Load()) if _g_in_call(template) else ast.Constant(1.0)
    bindings = {"g": upstream, "y": ast.Name(id=names[stmt.target], ctx=ast.Load())}
    bindings.update(zip(placeholders(len(stmt.args)), (operand_node(a, names) for a in stmt.args)))

    class Fill(ast.NodeTransformer):
        def visit_Name(self, name_node):
            return copy.deepcopy(bindings.get(name_node.id, name_node))

    expr = simplify_expr(Fill().visit(copy.deepcopy(template_ast(template))))
    constant = number(expr)
    return format_value(float(constant)) if constant is not None else ast.unparse(expr)


def _g_in_call(template):
    return any(isinstance(node, ast.Call) and any(isinstance(n, ast.Name) and n.id == "g" for a in node.args for n in ast.walk(a))
               for node in ast.walk(template_ast(template)))


# ---------------------------------------------------------------- rows

def _row(trace, index, gradients):
    node = trace.nodes[index]
    name = trace.names[node.var]
    gradient = gradients.get(index)
    if node.stmt is None:
        if gradient is None:  # an input that does not reach the result: its gradient is zero
            gradient = runtime.zeros_like(node.value)
        return Row(index, name, "input", node.value, gradient)
    stmt = node.stmt
    operands = tuple(target if target is not None else ast.unparse(operand_node(arg, trace.names))
                     for arg, target in zip(stmt.args, node.operands))
    return Row(index, name, trace.source_text(stmt), node.value, gradient, stmt.op, operands, stmt.loc.lineno)

