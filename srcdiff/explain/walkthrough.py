"""Explain mode: run a function's SSA at given inputs, then its backward pass, step by step.

Input: a lowered ``Function`` and a value for each parameter.  Output: an
``Explanation``: one ``Row`` per executed SSA statement in forward order (parameters
first), each with its operation as source text, its forward value and its gradient
(d result / d that value), and one ``Step`` per contribution of the backward sweep, last
statement first, each read as downstream = local × upstream.

The forward walk (``trace``) runs the function's own SSA statements (each compiled from
its SSA form, with the same globals generated code gets); the backward walk here
evaluates the same rule templates the generated gradient code is built from, once with
``g = 1`` (the local gradient) and once with ``g`` the upstream gradient (the
downstream).  The backward walk only ever sees the trace.
"""
import ast
import copy
import importlib
import inspect
import math
import types

import numpy as np

from .. import runtime
from ..analysis import is_container, tree_leaves
from ..emit import Namer, assign_names, statistics_called
from ..errors import SrcdiffError, UnsupportedSyntaxError
from ..frontend import load_function, owner_of_bound
from ..ir import Var, assigns, number, operand_node, simplify_expr
from ..lower import lower
from ..rules import CustomRule, backward_templates, is_custom_op, placeholders, rules_of, template_ast
from ..runtime.item_adjoints import ItemAdjoints, KeyedAdjoints
from ..transforms import items_unpacked, reverse
from .display import format_value
from .model import Explanation, Row, Step
from .pictures import to_dot
from .trace import ITEM_RULE, ItemAssign, Trace, effect_only_globals, walk


# ---------------------------------------------------------------- entry points

def explain(fn, *args, **kwargs):
    """The Explanation of ``fn`` called with these arguments (see API.md); a bound method's
    object is its first argument."""
    owner = None
    if inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType):
        owner, args, fn = owner_of_bound(fn), (fn.__self__,) + args, fn.__func__
    source = load_function(fn, owner=owner)
    function = lower(source)
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as err:
        raise source.error(SrcdiffError, source.node, f"cannot call {function.name} with these arguments: {err}",
                           "pass one value per parameter") from None
    bound.apply_defaults()
    return explain_function(function, dict(bound.arguments))


def graph(fn, *args, **kwargs):
    """The DOT source of the picture of ``fn`` at these arguments (see API.md)."""
    return to_dot(explain(fn, *args, **kwargs))


def explain_function(function, arguments):
    """The Explanation of a lowered ``function`` at ``arguments`` (a dict by parameter name)."""
    function = items_unpacked(function, function.params)  # for W, b in params: over the items, each unpacked
    rules = rules_of(function)
    _check_classes_available(function)
    leaves = {p: tree_leaves(function, p) for p in function.params}
    backward = reverse(function, tuple(v for p in function.params for _, v in leaves[p]), rules=rules)  # validates rules
    names = _display_names(function)
    trace = Trace(function, names, _namespace(function))
    trace.rules = rules
    for param in function.params:
        trace.add(param, arguments[param.hint])
    walk(function.body, trace)
    result = trace.latest.get(function.result) if isinstance(function.result, Var) else None
    steps, gradients = _backward(trace, result, backward.active)
    _container_gradients(function, trace, gradients, leaves)
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
    """The globals the SSA statements run with: the same as generated code's (a name only a
    print or an assert reads may be unknown: the command line reads files, never runs them)."""
    only_effects = effect_only_globals(function)
    for name, value in function.globals.items():
        if value is None and name not in only_effects:
            raise SrcdiffError(
                f"the module-level constant {name!r} is not a literal, so its value is unknown without running the file",
                function.loc.filename, function.loc.lineno, function.loc.col, function.loc.line_text,
                "use srcdiff.explain from Python, or write the constant as a literal")
    known = {name: value for name, value in function.globals.items() if value is not None or name not in only_effects}
    libraries = {"statistics": importlib.import_module("statistics")} if statistics_called(
        stmt.op for stmt in assigns(function.body)) else {}
    return {"__builtins__": __builtins__, "math": math, "np": np, "rt": runtime, **libraries, **known}


# ---------------------------------------------------------------- forward walk

def _check_classes_available(function):
    """Refuse to run a Function whose class is only known from a file's text (the command
    line never runs the file, so there is no class to call)."""
    for stmt in assigns(function.body):
        op = stmt.op
        if is_custom_op(op) and op.endswith(".forward") and op[: -len(".forward")] not in function.globals:
            loc = stmt.loc
            raise UnsupportedSyntaxError(
                f"cannot run the srcdiff.Function {op[: -len('.forward')]!r}: the file is read, never run",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "explain this function from Python with srcdiff.explain(fn, *args)")


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

    Where ``g`` is an argument of a call or indexed (array rules: ``rt.matmul_grad_left(g, x, w)``,
    ``rt.unbroadcast(g * y, x)``, ``g[1]``) the local gradient is no factor but an operation on
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
    """Whether ``g`` is an argument of a call or the array indexed (``g[1]`` of ``np.stack``'s rule)."""
    def reads_g(tree):
        return any(isinstance(n, ast.Name) and n.id == "g" for n in ast.walk(tree))
    return any(isinstance(node, ast.Call) and any(reads_g(a) for a in node.args)
               or isinstance(node, ast.Subscript) and reads_g(node.value) for node in ast.walk(template_ast(template)))


def _container_gradients(function, trace, gradients, leaves):
    """A container parameter's gradient, in its structure, from those of the parts read
    (``rt.tree_grad``, as generated code returns it)."""
    for index, param in enumerate(function.params):
        if not is_container(function, param):
            continue
        pairs = []
        for path, var in leaves[param]:
            at = trace.latest.get(var)
            if at is not None and at in gradients:
                pairs += [path, gradients[at]]
        gradients[index] = runtime.tree_grad(trace.nodes[index].value, *pairs)


# ---------------------------------------------------------------- rows

def _row(trace, index, gradients):
    node = trace.nodes[index]
    name = trace.names[node.var]
    gradient = gradients.get(index)
    if node.stmt is None:
        if gradient is None and runtime.not_real(node.value) is None:  # an input that does not reach the result
            gradient = runtime.zeros_like(node.value)  # has gradient zero (a str flag has none: a dash)
        elif isinstance(gradient, (ItemAdjoints, KeyedAdjoints)):  # by item or by key: in the input's own structure
            gradient = runtime.like(gradient, node.value)
        return Row(index, name, "input", node.value, gradient)
    stmt = node.stmt
    operands = tuple(target if target is not None else ast.unparse(operand_node(arg, trace.names))
                     for arg, target in zip(stmt.args, node.operands))
    return Row(index, name, trace.source_text(stmt), node.value, gradient, stmt.op, operands, stmt.loc.lineno)

