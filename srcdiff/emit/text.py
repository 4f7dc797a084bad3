"""Print IR and adjoint statements as Python source, and compile it.

The only module that touches astor.  Output contract: ``emit_gradient`` returns the
source of one function definition taking the user's exact signature, made of a
``# forward`` section (the live forward statements, three-address form), a
``# backward`` section (the adjoint statements, ``=`` for the first write to an adjoint
and ``+=`` for the forks) and a return of the requested gradients.  The same IR always
yields the same text.  ``compile_source`` compiles it with its globals and registers
the text with ``linecache`` so that srcdiff (and tracebacks) can read it again.
"""
import ast
import dataclasses
import math

from ..ir import Global, copy_expr, operand_node
from ..transforms import Unpack
from .naming import aliased

try:  # astor prints long lines wrapped; it is old, so ast.unparse stands by
    import astor
    from astor.op_util import Precedence, get_op_precedence, get_op_symbol
except ImportError:  # pragma: no cover - astor is a declared dependency
    astor = None

# astor wraps a statement whose text is longer than this (astor.source_repr.split_lines)
ASTOR_MAX_LINE = 79
# a return of several gradients longer than this puts one gradient per line
RETURN_MAX_LINE = 88


def statement_source(stmt):
    """One statement as source text, as astor prints it (long lines wrapped).

    Short statements of plain arithmetic, by far the most common, are printed by
    ``quick_source`` with astor's own precedence table instead of by astor itself,
    several times faster and with the same text; everything else goes to astor, and
    to ``ast.unparse`` where astor fails.
    """
    if astor is not None:
        text = quick_source(stmt)
        if text is not None and len(text) <= ASTOR_MAX_LINE:
            return text
        try:
            return astor.to_source(stmt).rstrip("\n")
        except Exception:  # astor 0.8 does not know every node of newer Pythons
            pass
    return ast.unparse(stmt)


class _NotQuick(Exception):
    """The statement uses something ``quick_source`` leaves to astor."""


def quick_source(stmt):
    """astor's text of ``name = expr`` or ``name op= expr``, or None for other statements.

    ``expr`` may use names, dotted names, non-negative finite int and float literals,
    binary operators, unary ``-`` and ``+``, single comparisons, and calls with
    positional and keyword arguments; parentheses follow astor's precedence rules
    exactly (a test compares the two on random expressions).  Lines are not wrapped.
    """
    try:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            return f"{stmt.targets[0].id} = {_quick(stmt.value, Precedence.Assign)}"
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            return f"{stmt.target.id}{get_op_symbol(stmt.op, ' %s= ')}{_quick(stmt.value, Precedence.AugAssign)}"
    except _NotQuick:
        pass
    return None


def _quick(node, outer):
    """The text of expression ``node`` where the context binds with precedence ``outer``."""
    kind = type(node)
    if kind is ast.Name:
        return node.id
    if kind is ast.Constant:
        value = node.value
        if type(value) in (int, float) and value >= 0 and math.isfinite(value):
            return repr(value)
        raise _NotQuick
    if kind is ast.Attribute and type(node.value) in (ast.Name, ast.Attribute):
        return f"{_quick(node.value, outer)}.{node.attr}"
    if kind is ast.Call and type(node.func) in (ast.Name, ast.Attribute):
        return _quick_call(node)
    if kind is ast.BinOp:
        inner = get_op_precedence(node.op)
        if isinstance(node.op, ast.Pow):
            left, right = _quick(node.left, Precedence.Pow + 1), _quick(node.right, Precedence.PowRHS)
        else:
            left, right = _quick(node.left, inner), _quick(node.right, inner + 1)
        text = left + get_op_symbol(node.op, " %s ") + right
    elif kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        inner = get_op_precedence(node.op)
        text = get_op_symbol(node.op) + _quick(node.operand, inner)
    elif kind is ast.Compare and len(node.ops) == 1:
        inner = get_op_precedence(node.ops[0])
        text = _quick(node.left, inner + 1) + get_op_symbol(node.ops[0], " %s ") + _quick(node.comparators[0], inner + 1)
    else:
        raise _NotQuick
    return text if inner >= outer else f"({text})"


def _quick_call(node):
    if any(k.arg is None for k in node.keywords) or any(type(a) is ast.Starred for a in node.args):
        raise _NotQuick
    each = Precedence.Comma if len(node.args) + len(node.keywords) > 1 else Precedence.call_one_arg
    parts = [_quick(a, each) for a in node.args]
    parts += [f"{k.arg}={_quick(k.value, Precedence.Comma)}" for k in node.keywords]
    return f"{_quick(node.func, Precedence.highest)}({', '.join(parts)})"


def _indent(text, level=1):
    pad = "    " * level
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def signature_line(name, arguments):
    """``def name(<the user's parameters and defaults>):``"""
    stub = ast.FunctionDef(name=name, args=arguments, body=[ast.Pass()], decorator_list=[], returns=None,
                           type_comment=None, lineno=1, col_offset=0)
    if hasattr(ast.FunctionDef, "type_params"):
        stub.type_params = []
    return ast.unparse(stub).split("\n")[0]


def result_check_lines(result, aliases):
    """The check that the result is one number: a float passes at the cost of an attribute
    read; anything else goes to ``rt.check_scalar``, which refuses arrays."""
    return [f"    if {result}.__class__ is not float:", f"        {aliases['rt']}.check_scalar({result})"]


def return_line(function, gradients, single, want_value, names, aliases):
    """The generated function's ``return``: the gradients (bare when ``single``, else a
    tuple), after the result's value when ``want_value`` (value_and_grad)."""
    value = ""
    if want_value:
        result = function.result
        if isinstance(result, Global):
            result = Global(aliased(result.name, aliases))
        value = f"{ast.unparse(operand_node(result, names))}, "
    grads = gradients[0] if single else "(" + ", ".join(gradients) + ("," if len(gradients) == 1 else "") + ")"
    line = f"    return {value}{grads}"
    if single or len(gradients) < 2 or len(line) <= RETURN_MAX_LINE:
        return line
    # a long tuple of gradients: one per line, which reads better than astor's wrapping
    return "\n".join([f"    return {value}(", *(f"        {g}," for g in gradients), "    )"])


def _adjoints_written(record):
    if isinstance(record, Unpack):
        return [part for part in record.parts if part is not None]
    return [record.var]


def _accumulation(expr):
    """``(+, expr)``, or ``(-, e)`` when the contribution is ``-e``: ``g -= e`` reads better."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return ast.Sub(), expr.operand
    return ast.Add(), expr


def _with_aliases(stmt, aliases):
    """A forward statement whose module references (``math.sin``, ``math.pi``) use ``aliases``."""
    args = tuple(Global(aliased(a.name, aliases)) if isinstance(a, Global) else a for a in stmt.args)
    kwargs = tuple((k, Global(aliased(v.name, aliases)) if isinstance(v, Global) else v) for k, v in stmt.kwargs)
    return dataclasses.replace(stmt, op=aliased(stmt.op, aliases), args=args, kwargs=kwargs)


def _alias_modules(expr, aliases):
    """``expr`` (owned by the caller) with ``math.cos``, ``rt.sign``, ``math.pi`` using ``aliases``."""
    if all(alias == module for module, alias in aliases.items()):
        return expr
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            node.value.id = aliases.get(node.value.id, node.value.id)
        elif isinstance(node, ast.Name) and "." in node.id:  # a dotted Global operand
            node.id = aliased(node.id, aliases)
    return expr


def _gradient_expr(param, names, grad_names, aliases, like=False):
    if param in grad_names:
        return f"{aliases['rt']}.like({grad_names[param]}, {names[param]})" if like else grad_names[param]
    return f"{aliases['rt']}.zeros_like({names[param]})"


def unpack_source(record, grad_names, final_names):
    """``grad_a, _ = Cls.backward(ctx, grad_z)`` (a bare target when forward has one argument)."""
    targets = [grad_names[p] if p is not None else "_" for p in record.parts]
    value = ast.unparse(copy_expr(record.expr, final_names))
    left = targets[0] if len(targets) == 1 else ", ".join(targets)
    return f"{left} = {value}"
