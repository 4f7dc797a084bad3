"""The statements of a structured backward sweep, and the clean-up run on them.

``reverse_flow`` produces, in execution order, ``reverse.Accumulate`` records (``grad_v
(+)= expr``), ``items.ItemAccumulate`` (``grad_ws[k] += expr``), ``BIf`` (replay a branch:
the same condition, each side's adjoints) and ``BLoop`` (run a loop's iterations
backwards).  ``without_dead_adjoints`` drops the writes of adjoints nothing reads, to a
fixed point, and the branches and loops left empty.
"""
import ast
from collections import Counter

from ..ir import names_of, number, simplify_expr
from .contributions import may_be_integer
from .propagation import Reads, records_of, slots_of, substituted, top_of, writes_at, writes_between
from .records import Accumulate, BIf, BLoop, ItemAccumulate, Unpack, accumulates


def without_dead_adjoints(statements, wrt, tokens):
    """Drop the writes of adjoints nothing reads (``grad_s3 = grad_s2`` for ``s3 = 0.0 * s0``,
    whose own contribution was zero), to a fixed point; branches and loops left empty go."""
    while True:
        read = set()
        for acc in accumulates(statements):
            names_of(acc.expr, read)
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
    int or a bool is written ``float(...)``.  One pass, in time linear in the records
    (``propagation``)."""
    writes = {}
    for record in accumulates(statements):
        writes[record.var] = writes.get(record.var, 0) + 1
    adjoint_of = {token: var for token, (kind, var) in tokens.by_token.items() if kind == "adjoint"}
    propagation = _Propagation(statements, writes, wrt, adjoint_of, tokens, integer)
    propagation.block(propagation.slots, None)
    return records_of(propagation.slots)


class _Propagation:
    """The records of ``statements`` as ``propagation.Slot``s, rewritten in place block by
    block; ``reads`` says where each token is read, ``counts`` how often in the whole program
    (as the rewrites left it: a copy's own read, or a self-copy dropped, still counts)."""

    def __init__(self, statements, writes, wrt, adjoint_of, tokens, integer):
        self.writes, self.wrt, self.adjoint_of, self.tokens, self.integer = writes, wrt, adjoint_of, tokens, integer
        self.slots = slots_of(statements)[0]
        self.reads = Reads(self.slots)
        self.counts = Counter({token: len(at) for token, at in self.reads.at.items()})
        self.writes_at = writes_at(self.slots)

    def block(self, slots, parent):
        """Propagate through the block ``slots`` (whose records' parent is the slot ``parent``)."""
        end = slots[-1].end if slots else -1
        for slot in slots:
            if slot.removed:
                continue
            stmt = slot.record
            source = _copied_adjoint(stmt, self.writes, self.wrt, self.adjoint_of)
            if source is not None and (self.copied_back_only(slot, end, source, stmt.var)
                                       or self.read_before_rewritten(slot, end, parent, stmt.var, source)):
                # grad_b keeps its value while grad_a is read (written again only as grad_b = grad_a)
                self.renamed(slot, end, stmt.var, source)
            elif self.integer is not None and _constant_adjoint(stmt, self.writes, self.wrt):
                self.number_put_in(slot, end, stmt)
            else:
                for inner in slot.blocks:
                    self.block(inner, slot)

    def copied_back_only(self, slot, end, source, copy):
        """Whether every write of ``grad_<source>`` in the rest of the block is ``grad_<source> = grad_<copy>``."""
        return all(_copies_back(w.record, source, copy, self.tokens)
                   for w in writes_between(self.writes_at, source, slot.end, end))

    def renamed(self, slot, end, copy, source):
        """The copy ``slot`` dropped, the rest of its block reading ``grad_<source>`` for
        ``grad_<copy>``; the copies back (``grad_<source> = grad_<source>`` now) dropped too."""
        a, b = self.tokens.adjoint(copy), self.tokens.adjoint(source)
        moved = self.reads.renamed(a, b, slot.end, end)
        self.counts[a] -= len(moved)
        self.counts[b] += len(moved)
        for node, holder in moved:
            if type(holder.record) is Accumulate and holder.record.var is source and holder.record.expr is node:
                holder.removed = True
                self.reads.remove(holder)
        slot.removed = True
        self.reads.remove(slot)

    def number_put_in(self, slot, end, stmt):
        """The number ``slot`` writes (``grad_a = 1.0``) put where the rest of its block reads
        ``grad_a``, each record read so settled (``settle``); ``slot`` dropped."""
        a = self.tokens.adjoint(stmt.var)
        found = self.reads.between(a, slot.end, end)
        self.counts[a] -= len(found)
        for holder in dict.fromkeys(holder for _, holder in found):
            self.reads.remove(holder)
            holder.record = substituted(holder, a, stmt.expr, self.settle)
            self.reads.add(holder)
        slot.removed = True
        self.reads.remove(slot)

    def settle(self, expr):
        """A contribution with a number put in: simplified, and kept a float."""
        expr = simplify_expr(expr, copy=False)
        if may_be_integer(expr, self.tokens, self.integer):
            expr = ast.Call(func=ast.Name(id="float", ctx=ast.Load()), args=[expr], keywords=[])
        return expr

    def read_before_rewritten(self, slot, end, parent, copy, source):
        """Whether every read of ``grad_<copy>`` is in the rest of the block, before any record
        that writes ``grad_<source>`` (or in the last such read itself, an ``=`` or ``+=`` reading
        first), none of them a copy of it."""
        token = self.tokens.adjoint(copy)
        found = self.reads.between(token, slot.end, end)
        if not found or len(found) != self.counts[token]:
            return False
        if any(holder.parent is parent and _copied_adjoint(holder.record, self.writes, self.wrt, self.adjoint_of)
               is copy for _, holder in found):
            return False  # copied on, ``grad_a`` keeps one name for its value (the copy goes instead)
        last = top_of(max((holder for _, holder in found), key=lambda holder: holder.position), parent)
        return all(w is last and isinstance(last.record, Accumulate)
                   for w in writes_between(self.writes_at, source, slot.end, last.end))


def _copies_back(record, source, copy, tokens):
    """Whether ``record`` is ``grad_<source> = grad_<copy>``: the loop-carried round trip
    ``grad_n = grad_h ... grad_h = grad_n``."""
    return isinstance(record, Accumulate) and record.first and isinstance(record.expr, ast.Name) \
        and record.expr.id == tokens.adjoint(copy)


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
