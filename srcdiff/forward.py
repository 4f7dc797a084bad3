"""Forward mode: a directional derivative as generated source, tangents named ``dot_<name>``.

Every statement ``y = op(x0, x1)`` whose inputs carry a tangent is followed by its
tangent ``dot_y = dot_x0 * d0 + dot_x1 * d1`` (``tangents`` has the rules: for
element-wise operations the reverse sweep's adjoint template with ``g`` replaced by the
input's tangent, ``*``: ``g * x1`` gives ``dot_x0 * x1``; linear and multilinear array
operations apply themselves to the tangents, ``dot_a @ b + a @ dot_b``).
Contributions are simplified (zero ones dropped); a tangent that is just another
tangent is not copied but renamed.  Statements neither the tangent of the result nor
another kept statement needs are dropped.

Output contract: ``tangent_source`` returns the text of one function with the given
signature whose body is the forward statements interleaved with their tangents and
which returns the tangent of the result (``rt.zeros_like(result)`` when it has none).
Used by ``jvp`` and by forward-over-reverse Hessian-vector products (``higher``); also
holds the signature helpers both use (``with_extra_parameter``, ``fresh_name``).
"""
import ast
import dataclasses
import weakref

from .api import generated_namespace, select_wrt
from .custom import is_custom_op
from .emit import _alias_modules, _with_aliases, compile_source, signature_line, statement_source
from .errors import NoGradientRuleError, UnsupportedSyntaxError
from .frontend import load_function
from .ir import Assign, Var, assign_node, operand_node
from .lower import lower
from .naming import assign_names, module_aliases
from .reverse import Tokens
from .simplify import copy_expr
from .tangents import NoRule, tangent_terms

_CACHE = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class Tangent:
    """``dot_<var> = expr``, right after the statement that assigns ``var``."""

    var: Var
    expr: ast.expr


def tangent_statements(function, seeds):
    """The forward statements interleaved with ``Tangent`` records, and the Tokens used.

    ``seeds`` maps a parameter Var to the Var (a parameter too) holding its tangent.
    Returns ``(records, tangent_of, tokens)``: ``tangent_of[var]`` is the expression
    (a token Name) of the tangent of ``var`` for every Var that has one.
    """
    tokens = Tokens()
    tangent_of = {p: _name(tokens.value(t)) for p, t in seeds.items()}
    records = []
    for stmt in function.body:
        if not isinstance(stmt, Assign):  # an if or a loop: not yet in forward mode
            loc = getattr(stmt, "loc", None) or function.loc
            raise UnsupportedSyntaxError(
                "forward mode (jvp, and Hessian-vector products built on it) does not support control flow yet",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "use srcdiff.higher.hvp(fn, mode='reverse') for a Hessian-vector product, or srcdiff.grad")
        records.append(stmt)
        if is_custom_op(stmt.op) and any(isinstance(a, Var) and a in tangent_of for a in stmt.args):
            loc = stmt.loc
            name = stmt.op[: -len(".forward")]
            raise NoGradientRuleError(
                f"forward mode cannot go through the srcdiff.Function {name!r}: it states only its backward",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                f"write {name} as a plain function of differentiable operations, or use srcdiff.grad")
        try:
            terms = tangent_terms(stmt, tangent_of, lambda a: _operand(a, tokens), _name(tokens.value(stmt.target)))
        except NoRule:
            loc = stmt.loc
            raise NoGradientRuleError(
                f"no derivative rule for '{stmt.op}' with {len(stmt.args)} argument(s), and its result needs a tangent",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "use a function srcdiff knows (see the README's list)") from None
        if not terms:
            continue
        total = _sum(terms)
        if isinstance(total, ast.Name):  # dot_y would be a copy: read the other tangent instead
            tangent_of[stmt.target] = total
            continue
        tangent_of[stmt.target] = _name(tokens.adjoint(stmt.target))
        records.append(Tangent(stmt.target, total))
    return records, tangent_of, tokens


def _sum(terms):
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


def _name(token):
    return ast.Name(id=token, ctx=ast.Load())


def _operand(operand, tokens):
    if isinstance(operand, Var):
        return _name(tokens.value(operand))
    return operand_node(operand, {})


def live_records(records, result_expr, tokens):
    """The records the returned expression needs, in order (dead code removed)."""
    needed_values, needed_tangents = set(), set()

    def need(expr):
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id in tokens.by_token:
                kind, var = tokens.by_token[node.id]
                (needed_values if kind == "value" else needed_tangents).add(var)

    need(result_expr)
    kept = []
    for record in reversed(records):
        if isinstance(record, Tangent):
            if record.var in needed_tangents:
                kept.append(record)
                need(record.expr)
        elif record.target in needed_values:
            kept.append(record)
            needed_values.update(a for a in record.args if isinstance(a, Var))
            needed_values.update(v for _, v in record.kwargs if isinstance(v, Var))
    return kept[::-1]


def tangent_source(function, seeds, *, name, docstring=None):
    """The text of a function returning the tangent of ``function``'s result (see module doc)."""
    records, tangent_of, tokens = tangent_statements(function, seeds)
    result = function.result
    if isinstance(result, Var) and result in tangent_of:
        result_expr = tangent_of[result]
    else:  # the result does not depend on the seeded parameters
        result_expr = ast.Call(func=ast.Attribute(value=_name("rt"), attr="zeros_like", ctx=ast.Load()),
                               args=[_operand(result, tokens)], keywords=[])
    kept = live_records(records, result_expr, tokens)
    forward = [r for r in kept if not isinstance(r, Tangent)]
    tangents = [r.var for r in kept if isinstance(r, Tangent)]
    aliases = module_aliases(function)
    names, dot_names = assign_names(dataclasses.replace(function, body=tuple(forward)), tangents, prefix="dot_")
    final = {}
    for token, (kind, var) in tokens.by_token.items():
        table = dot_names if kind == "adjoint" else names
        if var in table:
            final[token] = _name(table[var])
    lines = [signature_line(name, function.arguments)]
    if docstring:
        lines.append(f'    """{docstring}"""')
    for record in kept:
        if isinstance(record, Tangent):
            value = _alias_modules(copy_expr(record.expr, final), aliases)
            stmt = ast.Assign(targets=[_name(dot_names[record.var])], value=value, lineno=0)
        else:
            stmt = assign_node(_with_aliases(record, aliases), names)
        lines.append("\n".join("    " + line for line in statement_source(stmt).split("\n")))
    lines.append(f"    return {ast.unparse(_alias_modules(copy_expr(result_expr, final), aliases))}")
    return "\n".join(lines) + "\n"


def fresh_name(base, reserved):
    name, n = base, 0
    while name in reserved:
        n += 1
        name = f"{base}_{n}"
    return name


def with_extra_parameter(function, var):
    """``function`` with one more positional parameter ``var``, after the others.

    Positional defaults are dropped (a parameter without a default cannot follow them).
    """
    args = function.arguments
    arguments = ast.arguments(posonlyargs=list(args.posonlyargs), args=list(args.args) + [ast.arg(arg=var.hint)],
                              vararg=None, kwonlyargs=list(args.kwonlyargs), kw_defaults=list(args.kw_defaults),
                              kwarg=None, defaults=[])
    positional = len(args.posonlyargs) + len(args.args)
    params = function.params[:positional] + (var,) + function.params[positional:]
    return dataclasses.replace(function, params=params, arguments=arguments,
                               reserved=function.reserved | {var.hint})


# ---------------------------------------------------------------- public API

def jvp_source(function, source, wrt=None):
    """``(name, text, emitted)`` of ``jvp_<f>(<f's parameters>, dot_<p>...)``: the tangent
    of the result along the tangents ``dot_<p>`` of the parameters ``wrt`` picks;
    ``emitted`` is the SSA function the text was printed from."""
    params, _ = select_wrt(function, wrt, source)
    seeds = {}
    extended = function
    for param in params:
        dot = Var(fresh_name("dot_" + param.hint, extended.reserved), user_named=True)
        extended = with_extra_parameter(extended, dot)
        seeds[param] = dot
    name = f"jvp_{function.name}"
    along = ", ".join(f"{d.hint} of {p.hint}" for p, d in seeds.items())
    doc = f"Directional derivative of {function.name} along the tangents {along}; generated by srcdiff."
    return name, tangent_source(extended, seeds, name=name, docstring=doc), extended


def jvp(fn, *, wrt=None):
    """``j(*args, *tangents)``: the derivative of ``fn`` along the given tangents of the
    parameters ``wrt`` picks (every parameter when None), one tangent per parameter, in
    ``wrt`` order, after ``fn``'s own arguments.  Forward mode, generated as source."""
    key = ("jvp", tuple(wrt) if isinstance(wrt, list) else wrt)
    per_function = _CACHE.setdefault(fn, {})
    if key not in per_function:
        source = load_function(fn)
        function = lower(source)
        name, text, emitted = jvp_source(function, source, wrt)
        compiled = compile_source(text, name, generated_namespace(emitted), None, fn.__kwdefaults__)
        compiled.source = compiled.__srcdiff_source__ = text
        compiled.__qualname__ = name
        per_function[key] = compiled
    return per_function[key]
