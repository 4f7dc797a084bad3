"""The reverse sweep of a function with control flow (``flow.If`` and ``flow.Loop``).

Output contract: a ``records.Backward`` whose ``statements`` are, in execution order,
``Accumulate`` records (as in ``reverse``), ``BIf`` (replay the branch the forward
sweep took: same condition, each side's adjoints reversed) and ``BLoop`` (run the loop's
iterations backwards, as many as the forward sweep counted).  Which forward values each
backward block reads is left to the emitter, which tapes exactly those.

| forward | backward |
| --- | --- |
| ``y = op(x0, x1)`` | ``grad_xi (+)= rule_i(g=grad_y)`` for every active argument |
| ``If`` with merges ``m = phi(a, b)`` | ``BIf``: the taken side gets ``grad_a (+)= grad_m``, then its own statements reversed; an adjoint first written on one side only stays pending there: the statements before the ``if`` that feed only it are swept into that side (``sinking``), and it is set to ``0.0`` on the other side once something else needs it |
| ``Loop`` with carries ``h = loop(i, n)`` | ``grad_h = 0.0`` if unset, then ``BLoop``: each iteration ``grad_n = grad_h; grad_h = 0.0``, then the body reversed; after it ``grad_i (+)= grad_h``.  Adjoints of values from outside the loop that the body feeds are set to ``0.0`` before it, then only ``+=`` |

Activity is computed on the whole program at once (SSA makes it flow-insensitive):
varied from the ``wrt`` parameters forwards, useful from the result backwards.  Loop
counters, comparisons, conditions and flags never carry adjoints.
"""
import ast

from ..analysis import SCALAR
from ..ir import Assign, Const, If, Loop, Var, copy_expr, defined_at, dotted, is_call_of, is_zero, replays_range, walk
from ..rules import CustomRule, placeholders, scalar_rule
from .activity import activity, edges_of as _edges
from .cleanup import without_adjoint_copies, without_dead_adjoints
from .contributions import as_number, contribution, integer_valued, no_rule_error, operand_expr, values_read
from .custom import backward_statements as custom_backward
from .flow_tail import swept_tail, tail_start
from .items import item_sources, read_item_by_item, whole_sequences, zeros_for_items
from .records import Accumulate, Backward, BLoop, ItemAccumulate, Tokens, token_node
from .sinking import OpenIf, OpenSide, Pending, closed, mentioned


ZERO_NODE = ast.Constant(0.0)


# ---------------------------------------------------------------- the sweep

def reverse_flow(function, wrt, seed=Const(1.0), rules=None, numbers=frozenset()):
    """The Backward of a function with control flow with respect to parameter Vars ``wrt``.

    ``rules`` maps an ``Assign`` to its rule (``rules.scalar_rule`` by default);
    ``numbers`` holds the sequence parameters known to hold numbers (specialized code):
    their adjoints gathered item by item start as a list of zeros.
    """
    rules = rules or scalar_rule
    scalar = rules is scalar_rule
    active, varied = activity(function.body, wrt, function.result, rules)
    whole = whole_sequences(function.body, active, list(_edges(function.body, rules)), getattr(rules, "item_reads", ()),
                            function.params)
    sweep = _Sweep(active, rules)
    sweep.whole = whole
    sweep.wrt = set(wrt)  # parts of a container read in the body are returned too: their adjoints escape
    sweep.parts = sweep.wrt - set(function.params)  # their zero is rt.tree_zeros (a part may be None)
    sweep.item_sequences = {seq for s in walk(function.body) if isinstance(s, Loop) for seq, _, _ in item_sources(s)}
    sweep.numbers = numbers
    statements, written = [], set()
    for seq in read_item_by_item(function, rules, active):  # grad_xs[i] += g below: zeros first
        sweep.item_sequences.add(seq)
        sweep.add(statements, seq, sweep.zero(seq), written)
    result = function.result
    if result in active:
        carried = {c.target for s in walk(function.body) if isinstance(s, Loop) for c in s.carries}
        if result in carried or result in function.params:
            statements.append(Accumulate(result, operand_expr(seed, sweep.tokens), True))
        else:  # nothing else adds to the result's adjoint: read the seed where it is used
            sweep.constant = (result, operand_expr(seed, sweep.tokens))
        written.add(result)
    start = len(function.body) if sweep.whole or sweep.item_sequences else tail_start(function.body, rules)
    integer = integer_valued(function.body) if scalar or start < len(function.body) else None
    statements += sweep.tail(function, start, written, integer) + sweep.block(function.body[:start], written)
    # numbers propagate only through scalar rules, where an int or bool left bare is wrapped in float()
    statements = without_adjoint_copies(statements, set(wrt), sweep.tokens, integer if scalar else None)
    statements = without_dead_adjoints(statements, set(wrt), sweep.tokens)
    return Backward(statements, tuple(wrt), sweep.has_adjoint, sweep.needed, sweep.tokens, active, frozenset(whole),
                    sweep.zero_reads)


class _Sweep:
    def __init__(self, active, rules):
        self.active = active
        self.rules = rules
        self.tokens = Tokens()
        self.needed = set()
        self.zero_reads = set()  # what ``zero`` reads: a subset of ``needed``
        self.has_adjoint = set()
        self.order = {}  # Var -> when its adjoint was first written: a deterministic order
        self.constant = (None, None)  # (the result, its seed) when the seed is substituted
        self.pending = None  # the adjoints of the block being swept written on some paths only (sinking)
        self.escaping = {}  # what stayed pending at the end of the last side swept
        self.wrt = self.parts = set()
        self.whole = set()  # sequences walked item by item and used whole (items.whole_sequences)

    def tail(self, function, start, written, integer):
        """The records of ``function.body[start:]`` (assignments after the last branch or loop:
        straight-line code, ``flow_tail``; ``integer``: ``integer_valued``), their adjoints noted."""
        seed = self.constant[1] if self.constant[0] is function.result else None
        records, tail_written, needed = swept_tail(function, function.body[start:], self.wrt, self.active, self.rules,
                                                   self.tokens, written, seed, integer)
        self.noted(records)
        written |= tail_written
        self.needed |= needed
        return records

    def noted(self, records):
        """``records`` made elsewhere, the adjoints they write noted as ``add`` notes its own."""
        for record in records:
            for var in getattr(record, "parts", None) or (record.var,):
                if var is not None:
                    self.order.setdefault(var, len(self.order))
                    self.has_adjoint.add(var)

    def zero(self, var):
        """A zero adjoint: ``0.0`` for a number; ``rt.zeros_like(v)`` for a value of array code
        that may be an array (the runtime helpers its adjoint meets expect its shape); zeros of
        the right length for a sequence looped over item by item.  The zero of a value merged
        after a branch may be written on a path where that value is undefined (a later branch
        on the same condition reads it on the other side): ``zero_reads`` has the printer write
        a placeholder there."""
        if var in self.item_sequences:
            self._reads_for_zero(var)
            return zeros_for_items(self.tokens.value(var), var in self.numbers, var in self.whole)
        if var in self.parts:
            self._reads_for_zero(var)
            return ast.Call(func=dotted("rt.tree_zeros"), args=[token_node(self.tokens.value(var))], keywords=[])
        shapes = getattr(self.rules, "shapes", None)  # array rules know shapes; scalar code has numbers only
        if shapes is not None and shapes.of(var) is not SCALAR:
            self._reads_for_zero(var)
            return ast.Call(func=dotted("rt.zeros_like"), args=[token_node(self.tokens.value(var))], keywords=[])
        return ZERO_NODE

    def _reads_for_zero(self, var):
        self.needed.add(var)
        self.zero_reads.add(var)

    def adjoint(self, var):
        """The expression of ``var``'s adjoint: its name, or the seed itself for the result."""
        if var is self.constant[0]:
            return copy_expr(self.constant[1])
        return ast.Name(id=self.tokens.adjoint(var), ctx=ast.Load())

    def add(self, out, var, expr, written, loc=None):
        """Append ``grad_var (+)= expr``: ``=`` when no path has written it yet (for a sequence
        also walked item by item, a new array of its own: ``items.whole_sequences``; an append's
        backward, ``rt.but_last``, gives a view of the grown list's own adjoint, which no one
        reads after it)."""
        if var in self.whole and var not in written and not (is_call_of(expr, "rt.whole_zeros")
                                                              or is_call_of(expr, "rt.but_last")):
            self._reads_for_zero(var)
            expr = ast.Call(func=dotted("rt.owned_whole"), args=[expr, token_node(self.tokens.value(var))], keywords=[])
        out.append(Accumulate(var, expr, var not in written, loc))
        self.order.setdefault(var, len(self.order))
        written.add(var)
        self.has_adjoint.add(var)

    def block(self, stmts, written, side=None):
        """The records of ``stmts``; ``side`` is the OpenSide whose body they are (None for a
        loop's body and the function's, which settle every pending adjoint at their end)."""
        out, outer = [], self.pending
        self.pending = Pending(side, self.add, self.zero, self.order)
        for stmt in reversed(stmts):
            if isinstance(stmt, Assign):
                self.assign_or_sink(stmt, written, out)
                continue
            self.pending.settle(mentioned(stmt), written)
            if isinstance(stmt, If):
                self.branch(stmt, written, out)
            elif isinstance(stmt, Loop):
                self.loop(stmt, written, out)
        here = {v for stmt in stmts for v in defined_at(stmt)} - self.wrt  # their adjoints are not read again
        escaping = {v: s for v, s in self.pending.where.items() if v not in here}
        if side is None:
            self.pending.settle(escaping, written)
            out = closed(out)
        self.escaping, self.pending = escaping if side is not None else {}, outer
        return out

    def assign_or_sink(self, stmt, written, out):
        """``assign``, at the end of the side of a branch where the target's adjoint is
        pending when that is possible (``sinking``), else after settling what it touches."""
        side = self.pending.where.get(stmt.target)
        if stmt.target not in self.active or side is None and stmt.target not in written:
            return
        rule = self.rules(stmt)
        receivers = [a for i, a in enumerate(stmt.args) if isinstance(a, Var) and a in self.active
                     and (not isinstance(rule, tuple) or rule[i] is not None)]
        if side is not None and isinstance(rule, tuple) and self.pending.can_sink(receivers, side, written):
            before = set(side.written)
            self.assign(stmt, side.written, side.records)
            for var in sorted(side.written - before, key=self.order.get):
                self.pending.written_on(var, side, written)
            return
        self.pending.settle([stmt.target] + receivers, written)
        self.assign(stmt, written, out)

    def assign(self, stmt, written, out):
        if stmt.target not in self.active or stmt.target not in written:
            return
        rule = self.rules(stmt)
        if isinstance(rule, CustomRule):  # a srcdiff.Function: one call of its backward
            records, reads = custom_backward(stmt, self.adjoint(stmt.target), self.tokens, self.active, written, Accumulate)
            self.noted(records)
            out.extend(records)
            self.needed.update(reads)
            return
        if rule is None:
            raise no_rule_error(stmt)
        tokens = self.tokens
        bindings = {"g": self.adjoint(stmt.target), "y": ast.Name(id=tokens.value(stmt.target), ctx=ast.Load())}
        bindings.update(zip(placeholders(len(stmt.args)), (operand_expr(a, tokens) for a in stmt.args)))
        if id(stmt) in getattr(self.rules, "item_reads", ()):  # grad_xs[i] += g
            if stmt.args[0] in self.active:
                out.append(ItemAccumulate(stmt.args[0], self.adjoint(stmt.target), False,
                                          operand_expr(stmt.args[1], tokens), loc=stmt.loc))
                self.needed.update(a for a in stmt.args[1:] if isinstance(a, Var))
            return
        for arg, template in zip(stmt.args, rule):
            if template is None or not isinstance(arg, Var) or arg not in self.active:
                continue
            expr, names = contribution(template, bindings)
            if is_zero(expr):
                continue
            self.add(out, arg, as_number(expr), written, stmt.loc)
            self.needed.update(values_read(names, tokens))

    def branch(self, stmt, written, out):
        open_if = OpenIf(stmt, OpenSide(set(written), self.pending.side), OpenSide(set(written), self.pending.side))
        escaped = []
        for side, body, pick in ((open_if.then, stmt.body, lambda m: m.then), (open_if.orelse, stmt.orelse, lambda m: m.orelse)):
            for m in stmt.merges:
                source = pick(m)
                if m.target in self.active and m.target in written and isinstance(source, Var) and source in self.active:
                    self.add(side.records, source, self.adjoint(m.target), side.written)
            side.records += self.block(body, side.written, side)
            escaped.append(self.escaping)
        if not (open_if.then.records or open_if.orelse.records):
            return
        for side, mine, theirs in ((open_if.then, *escaped), (open_if.orelse, *escaped[::-1])):
            for var in sorted(mine, key=self.order.get):  # pending inside this side: settled to it if the other writes it
                if var in side.other.written or var in theirs:
                    self.pending.fill(var, mine[var], side)
                    side.written.add(var)
        inside = {v for s in walk(stmt.body + stmt.orelse) for v in defined_at(s)}
        then_w, else_w = open_if.then.written, open_if.orelse.written
        one_sided = {}
        for side, mine, theirs in ((open_if.then, then_w, else_w), (open_if.orelse, else_w, then_w)):
            one_sided.update(dict.fromkeys(mine - theirs - inside - written, side))
        for deep in escaped:  # pending deeper inside one side only: stays pending there
            one_sided.update((v, s) for v, s in deep.items() if v not in then_w and v not in else_w)
        self.pending.where.update(one_sided)
        written |= (then_w | else_w) - set(one_sided)
        if isinstance(stmt.cond, Var):
            self.needed.add(stmt.cond)
        out.append(open_if)

    def loop(self, stmt, written, out):
        carries = [c for c in stmt.carries if c.target in self.active]
        inside = {v for s in walk(stmt.test_body + stmt.body) for v in defined_at(s)} | set(defined_at(stmt))
        for c in carries:
            if c.target not in written:
                self.add(out, c.target, self.zero(c.target), written)
        items = [(s, t, b) for s, t, b in item_sources(stmt) if isinstance(s, Var) and s in self.active]
        for var in [s for s, _, _ in items] + self._outer_inputs(stmt, inside):
            if var not in written:
                self.add(out, var, self.zero(var), written)
        body_written, body = set(written), []
        for c in carries:
            if isinstance(c.next, Var) and c.next in self.active:
                self.add(body, c.next, self.adjoint(c.target), body_written)
        # the transfer took the headers' adjoints: the body writes them afresh (``=`` first),
        # and a path that does not write one sets it to zero at its end
        body_written -= {c.target for c in carries}
        reversed_body = self.block(stmt.body, body_written)
        for c in carries:
            if c.target not in body_written:
                self.add(reversed_body, c.target, self.zero(c.target), body_written)
        for seq, item, position in items:  # last: the item's adjoint is complete here
            if item in body_written:
                index = position if isinstance(position, Var) else None
                if index is not None:
                    index = ast.Name(id=self.tokens.value(index), ctx=ast.Load())
                reversed_body.append(ItemAccumulate(seq, self.adjoint(item), position is True, index, loc=stmt.loc))
        if reversed_body or carries:  # a carry's reset matters even when nothing else happens
            if replays_range(stmt):
                self.needed.update(a for a in stmt.iter.args if isinstance(a, Var))
            else:
                self.needed.add(stmt.count)
            out.append(BLoop(tuple(body + reversed_body), stmt))
        for c in carries:
            if isinstance(c.init, Var) and c.init in self.active:
                self.add(out, c.init, self.adjoint(c.target), written)

    def _outer_inputs(self, stmt, inside):
        """Active values from outside the loop that its body may send gradient to, in order."""
        found = []
        for source, target, flows in _edges(stmt.body, self.rules):
            if flows and target in self.active and isinstance(source, Var) and source in self.active \
                    and source not in inside:
                found.append(source)
        return list(dict.fromkeys(found))
