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
import hashlib
import linecache
import math

from .custom import Unpack, unpack_source
from .ir import Global, Var, assign_node, operand_node
from .naming import aliased, assign_names, module_aliases
from .simplify import copy_expr, live_statements

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


def emit_gradient(function, backward, *, name, returns, single, docstring=None, comments=False, prefix="grad_",
                  like=False, check_scalar=False):
    """The source of the gradient function.

    ``returns`` is ``"grad"`` (return the gradients) or ``"value_and_grad"`` (return
    ``value, gradients``); ``single`` returns one gradient bare instead of a tuple.
    Array code: ``like`` returns each gradient as ``rt.like(grad_x, x)`` (the parameter's
    type, shape and dtype); ``check_scalar`` ends the forward section with
    a check that the result is one number (``result_check_lines``).
    """
    from .flow import has_flow
    if has_flow(function.body):
        from .emit_flow import emit_flow_gradient
        return emit_flow_gradient(function, backward, name=name, returns=returns, single=single, docstring=docstring,
                                  comments=comments, prefix=prefix, like=like, check_scalar=check_scalar)
    want_value = returns == "value_and_grad"
    roots = set(backward.needed)
    if (want_value or check_scalar) and isinstance(function.result, Var):
        roots.add(function.result)
    forward = live_statements(function.body, roots)
    aliases = module_aliases(function)
    adjoint_order = list(dict.fromkeys(v for s in backward.statements for v in _adjoints_written(s)))
    names, grad_names = assign_names(dataclasses.replace(function, body=tuple(forward)), adjoint_order, prefix)
    final_names = {}  # token -> a Name node of its final name
    for token, (kind, var) in backward.tokens.by_token.items():
        table = grad_names if kind == "adjoint" else names
        if var in table:  # tokens made for placeholders a template did not use have no name
            final_names[token] = ast.Name(id=table[var], ctx=ast.Load())

    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    if forward:
        lines.append("    # forward")
        lines.extend(_indent(statement_source(assign_node(_with_aliases(s, aliases), names))) for s in forward)
    if check_scalar and isinstance(function.result, Var):
        lines.extend(result_check_lines(names[function.result], aliases))
    if backward.statements:
        lines.append("    # backward")
    fresh = {}
    last_line = None
    for acc in backward.statements:
        # one comment per run of statements from the same source line (not per column)
        if comments and acc.loc is not None and (acc.loc.filename, acc.loc.lineno) != last_line:
            lines.append("    # grad of: " + acc.loc.line_text.strip())
            last_line = (acc.loc.filename, acc.loc.lineno)
        if isinstance(acc, Unpack):  # grad_a, grad_b = Cls.backward(ctx, grad_z)
            fresh.update((part, False) for part in acc.parts if part is not None)
            lines.append("    " + unpack_source(acc, grad_names, final_names, copy_expr))
            continue
        target = grad_names[acc.var]
        expr = _alias_modules(copy_expr(acc.expr, final_names), aliases)
        if acc.first:
            stmt = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=expr, lineno=0)
            fresh[acc.var] = isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.Constant))
        else:
            op, expr = _accumulation(expr)
            if fresh[acc.var]:
                stmt = ast.AugAssign(target=ast.Name(id=target, ctx=ast.Store()), op=op, value=expr)
            else:  # the adjoint may alias another array: rebind instead of adding in place
                total = ast.BinOp(left=ast.Name(id=target, ctx=ast.Load()), op=op, right=expr)
                stmt = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=total, lineno=0)
                fresh[acc.var] = True
        lines.append(_indent(statement_source(stmt)))
    gradients = [_gradient_expr(p, names, grad_names, aliases, like) for p in backward.wrt]
    lines.append(return_line(function, gradients, single, want_value, names, aliases))
    return "\n".join(lines) + "\n"


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


def compile_source(source, name, namespace, defaults=None, kwdefaults=None):
    """Compile generated ``source``, defining ``name`` in ``namespace``; return the function.

    The text is registered with linecache under a deterministic file name, so that
    ``inspect.getsource`` (and srcdiff itself, for higher derivatives) can read it.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    filename = f"<srcdiff {name} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = compile(_without_default_values(ast.parse(source, filename)), filename, "exec")
    exec(code, namespace)
    fn = namespace[name]
    fn.__defaults__ = defaults
    fn.__kwdefaults__ = kwdefaults
    return fn


def _without_default_values(tree):
    """``tree`` with the default values of its function replaced by None.

    The text keeps the user's defaults (``c=K``) for the reader, but they are the user
    function's own values, set from its ``__defaults__``; evaluating the expressions here
    would look ``K`` up among the generated code's globals, where it need not be.
    """
    args = tree.body[0].args
    args.defaults = [ast.Constant(None) for _ in args.defaults]
    args.kw_defaults = [None if d is None else ast.Constant(None) for d in args.kw_defaults]
    return ast.fix_missing_locations(tree)
