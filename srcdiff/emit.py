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

from .ir import Var, assign_node, operand_node
from .naming import assign_names
from .simplify import live_statements

try:  # astor prints long lines wrapped; it is old, so ast.unparse stands by
    import astor
except ImportError:  # pragma: no cover - astor is a declared dependency
    astor = None


def statement_source(stmt):
    """One statement as source text (astor, falling back to ast.unparse)."""
    if astor is not None:
        try:
            return astor.to_source(stmt).rstrip("\n")
        except Exception:  # astor 0.8 does not know every node of newer Pythons
            pass
    return ast.unparse(stmt)


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


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        return ast.Name(id=self.mapping.get(node.id, node.id), ctx=node.ctx)


def emit_gradient(function, backward, *, name, returns, single, docstring=None, comments=False):
    """The source of the gradient function.

    ``returns`` is ``"grad"`` (return the gradients) or ``"value_and_grad"`` (return
    ``value, gradients``); ``single`` returns one gradient bare instead of a tuple.
    """
    want_value = returns == "value_and_grad"
    roots = set(backward.needed)
    if want_value and isinstance(function.result, Var):
        roots.add(function.result)
    forward = live_statements(function.body, roots)
    adjoint_order = list(dict.fromkeys(s.var for s in backward.statements))
    names, grad_names = assign_names(dataclasses.replace(function, body=tuple(forward)), adjoint_order)
    mapping = {}
    for token, (kind, var) in backward.tokens.by_token.items():
        table = grad_names if kind == "adjoint" else names
        if var in table:  # tokens made for placeholders a template did not use have no name
            mapping[token] = table[var]
    rename = _Rename(mapping)

    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    if forward:
        lines.append("    # forward")
        lines.extend(_indent(statement_source(assign_node(s, names))) for s in forward)
    if backward.statements:
        lines.append("    # backward")
    fresh = {}
    last_loc = None
    for acc in backward.statements:
        if comments and acc.loc is not None and acc.loc != last_loc:
            lines.append("    # grad of: " + acc.loc.line_text.strip())
            last_loc = acc.loc
        target = grad_names[acc.var]
        expr = rename.visit(acc.expr)
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
    gradients = [_gradient_expr(p, names, grad_names) for p in backward.wrt]
    grads = gradients[0] if single else "(" + ", ".join(gradients) + ("," if len(gradients) == 1 else "") + ")"
    if want_value:
        lines.append(f"    return {ast.unparse(operand_node(function.result, names))}, {grads}")
    else:
        lines.append(f"    return {grads}")
    return "\n".join(lines) + "\n"


def _accumulation(expr):
    """``(+, expr)``, or ``(-, e)`` when the contribution is ``-e``: ``g -= e`` reads better."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return ast.Sub(), expr.operand
    return ast.Add(), expr


def _gradient_expr(param, names, grad_names):
    if param in grad_names:
        return grad_names[param]
    return f"rt.zeros_like({names[param]})"


def compile_source(source, name, namespace, defaults=None, kwdefaults=None):
    """Compile generated ``source``, defining ``name`` in ``namespace``; return the function.

    The text is registered with linecache under a deterministic file name, so that
    ``inspect.getsource`` (and srcdiff itself, for higher derivatives) can read it.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    filename = f"<srcdiff {name} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    fn = namespace[name]
    fn.__defaults__ = defaults
    fn.__kwdefaults__ = kwdefaults
    return fn
