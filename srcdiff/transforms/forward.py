"""Forward mode: a directional derivative as generated source, tangents named ``dot_<name>``.

Every statement ``y = op(x0, x1)`` whose inputs carry a tangent is followed by its
tangent ``dot_y = dot_x0 * d0 + dot_x1 * d1`` (``tangents`` has the rules: for
element-wise operations the reverse sweep's adjoint template with ``g`` replaced by the
input's tangent, ``*``: ``g * x1`` gives ``dot_x0 * x1``; linear and multilinear array
operations apply themselves to the tangents, ``dot_a @ b + a @ dot_b``).
Contributions are simplified (zero ones dropped); a tangent that is just another
tangent is not copied but renamed.  Statements neither the tangent of the result nor
another kept statement needs are dropped.

Output contract: ``tangent_statements`` returns the function's statements, in order,
interleaved with ``Tangent`` records, an ``if`` becoming a ``TangentIf`` whose branches
hold their own tangents and whose merges carry tangents too (zero on a side without one),
a loop a ``TangentLoop`` whose carried values carry tangents round, and whose items carry
their sequence's tangent's items (``for w, dot_w in zip(xs, dot_xs)``: a tangent has its
value's structure; a loop unpacking items, or over a ``range`` whose bounds carry a
tangent, is refused).  ``emit.tangent`` removes what the result's tangent does not need
and prints the text.
"""
import ast
import dataclasses

from ..analysis import infer_shapes, uses_arrays
from ..errors import NoGradientRuleError, UnsupportedSyntaxError
from ..ir import GRADIENT_CALL, If, Loop, Var, expr_size, has_flow, simplify_expr, walk
from ..rules import is_custom_op, refusal
from .contributions import operand_expr
from .items import item_sources
from .records import Tokens, token_node
from .tangents import NoRule, sum_terms, tangent_terms


@dataclasses.dataclass(frozen=True)
class Tangent:
    """``dot_<var> = expr``, right after the statement that assigns ``var``."""

    var: Var
    expr: ast.expr


@dataclasses.dataclass(frozen=True)
class TangentIf:
    """An ``if`` of the forward statements with the tangents of both branches; ``merges``
    holds ``(merge, then_tangent, else_tangent)`` for each merged value that has a tangent
    (None on a side where it has none: zero there)."""

    stmt: If
    body: tuple
    orelse: tuple
    merges: tuple


@dataclasses.dataclass(frozen=True)
class TangentLoop:
    """A loop of the forward statements with the tangents of its body; ``carries`` holds
    ``(carry, start, step)`` for each loop-carried value that has a tangent: the tangent
    of its initial value and of its next value (None where that has none: zero); ``items``
    holds ``(target, tangent)`` for each loop variable taking the items of a sequence that
    has a tangent: the sequence's tangent, iterated beside it (``items.item_sources``)."""

    stmt: Loop
    test_body: tuple
    body: tuple
    carries: tuple
    items: tuple = ()



def tangent_statements(function, seeds, fuse=False):
    """The forward statements interleaved with ``Tangent`` records, and the Tokens used.

    ``seeds`` maps a parameter Var to the Var (a parameter too) holding its tangent, or to a
    ``Const`` (``1.0``: the derivative along that parameter).  ``fuse`` (straight-line code
    only) writes the tangent of a value read once into its reader's, while the line stays
    short (``FUSED_SIZE``), and equal terms as one (``dot_a * a + dot_a * a`` is ``2.0 * dot_a * a``):
    fewer arrays named and held.
    Returns ``(records, tangent_of, tokens)``: ``tangent_of[var]`` is the expression
    (a token Name) of the tangent of ``var`` for every Var that has one.
    """
    tokens = Tokens()
    tangent_of = {p: operand_expr(t, tokens) for p, t in seeds.items()}
    shapes = infer_shapes(function) if uses_arrays(function) else None  # scalar code: no broadcasting
    fused = _read_once(function) if fuse and not has_flow(function.body) else None
    walked = _walked_sequences(function)
    return _block(function.body, tangent_of, tokens, function, shapes, walked, fused=fused), tangent_of, tokens


def _walked_sequences(function):
    """The sequences a loop of ``function`` walks item by item (``items.item_sources``)."""
    return frozenset(seq for loop in walk(function.body) if isinstance(loop, Loop) for seq, _, _ in item_sources(loop))


def _read_once(function):
    """The Vars of straight-line code read by exactly one operand of one statement (not the result)."""
    counts = {}
    for stmt in function.body:
        for operand in list(stmt.args) + [v for _, v in stmt.kwargs]:
            if isinstance(operand, Var):
                counts[operand] = counts.get(operand, 0) + 1
    return {var for var, count in counts.items() if count == 1 and var is not function.result}


def _block(body, tangent_of, tokens, function, shapes, walked, in_loop=False, fused=None):
    """The records of ``body``; ``walked``: the sequences a loop walks item by item, whose
    tangents stay copies (``dot_ys = dot_s1``) as the values do: read back for a second
    derivative, the loop then walks a sequence nothing else reads."""
    records = []
    for stmt in body:
        if isinstance(stmt, If):
            records.append(_if(stmt, tangent_of, tokens, function, shapes, walked, in_loop))
            continue
        if isinstance(stmt, Loop):
            records.append(_loop(stmt, tangent_of, tokens, function, shapes, walked))
            continue
        records.append(stmt)
        tangent = _tangent(stmt, tangent_of, tokens, shapes, fused is not None)
        if tangent is None:
            continue
        if isinstance(tangent, ast.Name) and not in_loop and stmt.target not in walked:  # a copy: read the other
            tangent_of[stmt.target] = tangent  # (in a loop, copies stay: a carry's next must not alias)
            continue
        if fused is not None and stmt.target in fused and expr_size(tangent) <= FUSED_SIZE:
            tangent_of[stmt.target] = tangent  # read once: written into its reader's tangent
            continue
        tangent_of[stmt.target] = token_node(tokens.adjoint(stmt.target))
        records.append(Tangent(stmt.target, tangent))
    return records


def _if(stmt, tangent_of, tokens, function, shapes, walked, in_loop):
    """The TangentIf of an ``if``: each branch with its own tangents, then the merges'."""
    then_tangents, else_tangents = dict(tangent_of), dict(tangent_of)
    body = _block(stmt.body, then_tangents, tokens, function, shapes, walked, in_loop)
    orelse = _block(stmt.orelse, else_tangents, tokens, function, shapes, walked, in_loop)
    merges = []
    for merge in stmt.merges:
        then = then_tangents.get(merge.then) if isinstance(merge.then, Var) else None
        other = else_tangents.get(merge.orelse) if isinstance(merge.orelse, Var) else None
        if then is not None or other is not None:
            tangent_of[merge.target] = token_node(tokens.adjoint(merge.target))
            merges.append((merge, then, other))
    return TangentIf(stmt, tuple(body), tuple(orelse), tuple(merges))


def _loop(stmt, tangent_of, tokens, function, shapes, walked):
    """The TangentLoop of a loop.  Which carried values have a tangent is found by iterating
    to a fixed point: a value carried round gets one when its next value does."""
    items = _item_tangents(stmt, tangent_of, function)
    carried = {c.target for c in stmt.carries if isinstance(c.init, Var) and c.init in tangent_of}
    while True:
        inner = dict(tangent_of)
        inner.update((target, token_node(tokens.adjoint(target))) for target, _ in items)
        inner.update((c.target, token_node(tokens.adjoint(c.target))) for c in stmt.carries if c.target in carried)
        test_body = _block(stmt.test_body, inner, tokens, function, shapes, walked, in_loop=True)
        body = _block(stmt.body, inner, tokens, function, shapes, walked, in_loop=True)
        grown = carried | {c.target for c in stmt.carries if isinstance(c.next, Var) and c.next in inner}
        if grown == carried:
            break
        carried = grown
    carries = []
    for carry in stmt.carries:
        if carry.target in carried:
            start = tangent_of.get(carry.init) if isinstance(carry.init, Var) else None
            carries.append((carry, start, inner.get(carry.next) if isinstance(carry.next, Var) else None))
            tangent_of[carry.target] = token_node(tokens.adjoint(carry.target))
    return TangentLoop(stmt, tuple(test_body), tuple(body), tuple(carries), items)


def _item_tangents(stmt, tangent_of, function):
    """``(target, tangent)`` for each loop variable of ``stmt`` whose items come from a
    sequence with a tangent (``items.item_sources``, as the reverse sweep takes them); refused
    where a header's argument with a tangent gives no items so (a range's bounds, items unpacked)."""
    it = stmt.iter
    if it is None or not any(isinstance(a, Var) and a in tangent_of for a in it.args):
        return ()
    pairs = [(target, seq) for seq, target, _ in item_sources(stmt)]
    sources = {seq for _, seq in pairs}
    if any(isinstance(a, Var) and a in tangent_of and a not in sources for a in it.args):
        loc = (stmt.loc or function.loc).user()
        raise UnsupportedSyntaxError(
            "forward mode does not go through this loop: its items carry a tangent it cannot pair with them",
            loc.filename, loc.lineno, loc.col, loc.line_text,
            "loop over the sequence itself (for x in xs, enumerate(xs), zip(xs, ys)) or over range(len(xs)) and "
            "index xs[i]")
    return tuple((target, tangent_of[arg]) for target, arg in pairs if isinstance(arg, Var) and arg in tangent_of)


def _tangent(stmt, tangent_of, tokens, shapes, combine=False):
    """The simplified tangent expression of an assignment, or None when it has none; ``combine``:
    equal terms written once, times their count."""
    if is_custom_op(stmt.op) and any(isinstance(a, Var) and a in tangent_of for a in stmt.args):
        loc = stmt.loc.user()
        if stmt.op == GRADIENT_CALL:
            raise NoGradientRuleError(
                f"forward mode cannot go through {stmt.args[0].name}, the gradient of a function with loops (its code "
                "keeps a tape): jvp of a gradient penalty through loops, and its hvp or hessian (a third derivative "
                "through a loop), are not supported",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "srcdiff.grad and value_and_grad of the penalty work (reverse mode); for more, use finite differences")
        name = stmt.op[: -len(".forward")]
        raise NoGradientRuleError(
            f"forward mode cannot go through the srcdiff.Function {name!r}: it states only its backward",
            loc.filename, loc.lineno, loc.col, loc.line_text,
            f"write {name} as a plain function of differentiable operations, or use srcdiff.grad")
    try:
        terms = tangent_terms(stmt, tangent_of, lambda a: operand_expr(a, tokens), token_node(tokens.value(stmt.target)),
                              shapes)
    except NoRule:
        loc = stmt.loc.user()
        message, hint = refusal(stmt) or (
            f"no derivative rule for '{stmt.op}' with {len(stmt.args)} argument(s), and its result needs a tangent",
            "use a function srcdiff knows (see the README's list)")
        raise NoGradientRuleError(message, loc.filename, loc.lineno, loc.col, loc.line_text, hint) from None
    if combine and len(terms) > 1 and _product(terms[0]) and len({ast.dump(t) for t in terms}) == 1:
        return simplify_expr(ast.BinOp(left=ast.Constant(float(len(terms))), op=ast.Mult(), right=terms[0]), copy=False)
    return sum_terms(terms) if terms else None


def _product(term):
    """Whether ``term`` is a product or quotient (``dot_a * a``), never a list: a sum of equal
    names may join lists (``xs + xs``), which ``2.0 * xs`` does not."""
    return type(term) is ast.BinOp and type(term.op) in (ast.Mult, ast.Div)


FUSED_SIZE = 12  # as the reverse sweep's (``straight``): a line a person reads at a glance

