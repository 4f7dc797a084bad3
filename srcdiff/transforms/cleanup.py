"""The statements of a structured backward sweep, and the clean-up run on them.

``reverse_flow`` produces, in execution order, ``reverse.Accumulate`` records (``grad_v
(+)= expr``), ``items.ItemAccumulate`` (``grad_ws[k] += expr``), ``BIf`` (replay a branch:
the same condition, each side's adjoints) and ``BLoop`` (run a loop's iterations
backwards).  ``without_dead_adjoints`` drops the writes of adjoints nothing reads, to a
fixed point, and the branches and loops left empty.
"""
import ast
from collections import Counter

from ..ir import copy_expr, number, simplify_expr
from .contributions import may_be_integer
from .records import Accumulate, BIf, BLoop, ItemAccumulate, Unpack, accumulates, with_blocks


def without_dead_adjoints(statements, wrt, tokens):
    """Drop the writes of adjoints nothing reads (``grad_s3 = grad_s2`` for ``s3 = 0.0 * s0``,
    whose own contribution was zero), to a fixed point; branches and loops left empty go."""
    while True:
        read = set()
        for acc in accumulates(statements):
            read.update(node.id for node in ast.walk(acc.expr) if isinstance(node, ast.Name))
        live = {var for token, (kind, var) in tokens.by_token.items() if kind == "adjoint" and token in read} | wrt
        kept = _filter(statements, live)
        if kept == statements:
            return statements
        statements = kept


def _filter(statements, live):
    kept = []
    for stmt in statements:
        if isinstance(stmt, (Accumulate, ItemAccumulate)):
            if stmt.var in live:
                kept.append(stmt)
        elif isinstance(stmt, Unpack):  # a Function's backward: its call stays, whatever is read
            kept.append(stmt)
        elif isinstance(stmt, BIf):
            then, orelse = _filter(stmt.then, live), _filter(stmt.orelse, live)
            if then or orelse:
                kept.append(stmt if (then, orelse) == (list(stmt.then), list(stmt.orelse))
                            else BIf(stmt.cond, tuple(then), tuple(orelse), stmt.forward))
        elif isinstance(stmt, BLoop):
            body = _filter(stmt.body, live)
            if body:
                kept.append(stmt if body == list(stmt.body) else BLoop(tuple(body), stmt.forward))
    return kept


def without_adjoint_copies(statements, wrt, tokens, integer=None):
    """Read ``grad_b`` where ``grad_a = grad_b`` is the only write of ``grad_a`` and ``grad_b``
    does not change while ``grad_a`` is read (the rest of that block, or up to the last
    record reading ``grad_a`` when every read is there: ``grad_n = grad_h`` at the start of
    a reversed iteration that rewrites ``grad_h`` at its end): the copies a merge, an
    addition or a loop's carry leaves (``grad_total_2 = grad_total_1``) disappear.  With ``integer`` (the
    Vars that may hold an int or a bool; scalar code only) a number is propagated too
    (``grad_y = 1.0; grad_x = grad_y * x`` is ``grad_x = x``), and a contribution left an
    int or a bool is written ``float(...)``."""
    writes = {}
    for record in accumulates(statements):
        writes[record.var] = writes.get(record.var, 0) + 1
    adjoint_of = {token: var for token, (kind, var) in tokens.by_token.items() if kind == "adjoint"}
    propagation = _Propagation(writes, wrt, adjoint_of, tokens, integer)
    propagation.reads = Counter(n for record in statements for n in _names_read(record))
    return propagation.block(list(statements))


class _Propagation:
    def __init__(self, writes, wrt, adjoint_of, tokens, integer):
        self.writes, self.wrt, self.adjoint_of, self.tokens, self.integer = writes, wrt, adjoint_of, tokens, integer
        self.reads = Counter()  # how often each token is read in the whole program, kept up to date

    def block(self, block):
        out = []
        while block:
            stmt, rest = block[0], block[1:]
            source = _copied_adjoint(stmt, self.writes, self.wrt, self.adjoint_of)
            if source is not None and (all(_copies_back(r, source, stmt.var, self.tokens)
                                           for r in accumulates(rest) if r.var is source)
                                       or self.read_before_rewritten(rest, stmt.var, source)):
                # grad_b keeps its value while grad_a is read (written again only as grad_b = grad_a)
                a, b = self.tokens.adjoint(stmt.var), self.tokens.adjoint(source)
                moved = sum(_names_read(r).count(a) for r in rest)
                self.reads[a] -= moved
                self.reads[b] += moved
                block = _without_self_copies(_renamed(rest, {a: ast.Name(id=b, ctx=ast.Load())}), source, b)
                continue
            if self.integer is not None and _constant_adjoint(stmt, self.writes, self.wrt):
                a = self.tokens.adjoint(stmt.var)
                self.reads[a] -= sum(_names_read(r).count(a) for r in rest)
                block = _renamed(rest, {a: stmt.expr}, self)
                continue
            if isinstance(stmt, BIf):
                stmt = BIf(stmt.cond, tuple(self.block(list(stmt.then))), tuple(self.block(list(stmt.orelse))), stmt.forward)
            elif isinstance(stmt, BLoop):
                stmt = BLoop(tuple(self.block(list(stmt.body))), stmt.forward)
            out.append(stmt)
            block = rest
        return out

    def settle(self, expr):
        """A contribution with a number put in: simplified, and kept a float."""
        expr = simplify_expr(expr, copy=False)
        if may_be_integer(expr, self.tokens, self.integer):
            expr = ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[expr], keywords=[])
        return expr


    def read_before_rewritten(self, rest, copy, source):
        """Whether every read of ``grad_<copy>`` is in ``rest``, before any record that writes
        ``grad_<source>`` (or in the last such read itself, an ``=`` or ``+=`` reading first),
        none of them a copy of it."""
        token = self.tokens.adjoint(copy)
        counts = [_names_read(r).count(token) for r in rest]
        if not any(counts) or sum(counts) != self.reads[token]:
            return False
        if any(_copied_adjoint(r, self.writes, self.wrt, self.adjoint_of) is copy for r in rest):
            return False  # copied on, ``grad_a`` keeps one name for its value (the copy goes instead)
        last = max(i for i, n in enumerate(counts) if n)
        for i, record in enumerate(rest[:last + 1]):
            if any(w.var is source for w in accumulates([record])) and (i < last or not isinstance(record, Accumulate)):
                return False
        return True


def _names_read(record):
    """The names a record reads (a list: one entry per read), its nested blocks' included."""
    if isinstance(record, (Accumulate, ItemAccumulate, Unpack)):
        return [node.id for node in ast.walk(record.expr) if isinstance(node, ast.Name)]
    if isinstance(record, BIf):
        return [n for r in record.then + record.orelse for n in _names_read(r)]
    if isinstance(record, BLoop):
        return [n for r in record.body for n in _names_read(r)]
    return []


def _copies_back(record, source, copy, tokens):
    """Whether ``record`` is ``grad_<source> = grad_<copy>``: the loop-carried round trip
    ``grad_n = grad_h ... grad_h = grad_n``."""
    return isinstance(record, Accumulate) and record.first and isinstance(record.expr, ast.Name) \
        and record.expr.id == tokens.adjoint(copy)


def _without_self_copies(statements, var, token):
    """``statements`` without ``grad_v = grad_v`` (what a copy back becomes once renamed)."""
    out = []
    for stmt in statements:
        if isinstance(stmt, Accumulate) and stmt.var is var and isinstance(stmt.expr, ast.Name) and stmt.expr.id == token:
            continue
        out.append(with_blocks(stmt, lambda block: _without_self_copies(block, var, token)))
    return out


def _constant_adjoint(stmt, writes, wrt):
    """Whether ``stmt`` is ``grad_a = <a nonzero number>``, the one write of ``grad_a``."""
    return isinstance(stmt, Accumulate) and stmt.first and number(stmt.expr) not in (None, 0) \
        and writes.get(stmt.var) == 1 and stmt.var not in wrt


def _copied_adjoint(stmt, writes, wrt, adjoint_of):
    """``b`` when ``stmt`` is ``grad_a = grad_b``, the one write of ``grad_a``."""
    if isinstance(stmt, Accumulate) and stmt.first and isinstance(stmt.expr, ast.Name) \
            and stmt.expr.id in adjoint_of and writes.get(stmt.var) == 1 and stmt.var not in wrt:
        return adjoint_of[stmt.expr.id]
    return None


def _renamed(statements, bindings, settle=None):
    """``statements`` with the adjoint tokens of ``bindings`` replaced by other adjoints' names
    (copies, never in place).  Only names: a number put in (``1.0``) could simplify away the
    one float factor of ``g * (a >= b)`` and leave a bool."""
    def substituted(expr):
        expr = copy_expr(expr, bindings)
        return settle.settle(expr) if settle is not None else expr

    out = []
    for stmt in statements:
        if isinstance(stmt, Accumulate):
            stmt = Accumulate(stmt.var, substituted(stmt.expr), stmt.first, stmt.loc)
        elif isinstance(stmt, ItemAccumulate):
            stmt = ItemAccumulate(stmt.var, substituted(stmt.expr), stmt.backwards, stmt.index, stmt.first, stmt.loc)
        elif isinstance(stmt, Unpack):
            stmt = Unpack(stmt.parts, copy_expr(stmt.expr, bindings), stmt.loc)
        else:
            stmt = with_blocks(stmt, lambda block: _renamed(block, bindings, settle))
        out.append(stmt)
    return out
